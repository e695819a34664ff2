"""Edge cases found in review of the archive."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from archives import services
from archives.models import Document, ImmutableRecordError, Loan
from tests.archives.conftest import pdf
from tests.factories import TenancyFactory


def test_a_copy_with_the_pk_of_a_stored_document_cannot_overwrite_it(original):
    copy = Document.objects.get(pk=original.pk)
    copy._state.adding = True
    copy.title = "Forged"
    with pytest.raises(IntegrityError), transaction.atomic():  # an INSERT with a taken pk, never an UPDATE
        copy.save()
    assert Document.objects.get(pk=original.pk).title == "Lease"
    with pytest.raises(ImmutableRecordError):
        Document.objects.get(pk=original.pk).save(update_fields=["title"])


def test_a_manager_cannot_approve_their_own_loan(tenancy, manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="mine", by=manager)
    with pytest.raises(ValidationError, match="your own"):
        services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate())
    assert Loan.objects.get(pk=loan.pk).status == "requested"


def test_a_mistyped_decision_is_404_not_a_refusal(client, tenancy, alice, manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="x", by=alice)
    client.force_login(manager)
    assert client.post(reverse("archives:loan_decide", args=[loan.pk, "aprove"])).status_code == 404
    assert Loan.objects.get(pk=loan.pk).status == "requested"


def test_a_change_made_on_an_old_version_cannot_be_approved(working, archivist, desk, manager):
    first = services.change_request_submit(document=working, upload=pdf("a.pdf"), reason="a", by=archivist)
    second = services.change_request_submit(document=working, upload=pdf("b.pdf"), reason="b", by=desk)
    services.change_request_decide(request=first, approve=True, by=manager)
    with pytest.raises(ValidationError, match="made on version 1"):
        services.change_request_decide(request=second, approve=True, by=manager)
    assert working.versions.count() == 2


def test_an_account_manager_sees_neither_earlier_tenants_nor_others_loans(client, alice, bob, manager, archivist):
    old = TenancyFactory(
        company_name="Old Tenant Ltd", move_in=date(2020, 1, 1), move_out=date(2022, 1, 1), client__owner=bob
    )
    TenancyFactory(unit=old.unit, client__owner=alice, company_name="Alice's Tenant", move_in=date(2023, 1, 1))
    services.loan_request(unit=old.unit, purpose="Bob's loan", by=bob)
    client.force_login(alice)
    body = client.get(reverse("archives:unit", args=[old.unit_id])).content.decode()
    assert "Alice&#x27;s Tenant" in body or "Alice's Tenant" in body
    assert "Old Tenant Ltd" not in body and str(bob) not in body


def test_two_move_outs_of_one_tenancy_one_wins(tenancy, archivist):
    stale = type(tenancy).objects.get(pk=tenancy.pk)
    services.tenancy_end(tenancy=tenancy, move_out=timezone.localdate(), by=archivist)
    with pytest.raises(ValidationError, match="ended already"):
        services.tenancy_end(tenancy=stale, move_out=timezone.localdate() + timedelta(days=1), by=archivist)


def test_loan_decisions_and_returns_are_audited_with_who(tenancy, alice, manager, archivist):
    loan = services.loan_request(unit=tenancy.unit, purpose="audit", by=alice)
    services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate())
    loan = services.loan_return(loan=loan, by=archivist)
    assert loan.returned_to == archivist
    history = list(loan.history.order_by("history_date").values_list("status", "history_user__username"))
    assert ("out", manager.username) in history and ("returned", archivist.username) in history
