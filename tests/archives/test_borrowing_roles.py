"""Issue 13, archives and roles: the client-services manager decides on loans and changes, the
sales manager reads its team's files and decides nothing; one pending request per person and
file; returns show their date; the approver is told and has a home panel; reading in the office
is a loan of the day (ARC-6, ARC-7)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from archives import services
from archives.models import ChangeRequest, Loan
from crm.models import Notification
from crm.roles import Role
from tests.archives.conftest import pdf
from tests.factories import ClientFactory, TeamFactory, TenancyFactory, UnitFactory, UserFactory


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def borrow(client, unit, **data):
    return client.post(reverse("archives:borrow", args=[unit.pk]), {"purpose": "Check the deposit", **data})


def due(days: int = 3) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


# --- who decides ------------------------------------------------------------------------------


def test_the_client_services_manager_approves_a_loan_through_the_page(client, tenancy, alice, manager):
    assert manager.role == Role.CLIENT_SERVICES_MANAGER
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    client.force_login(manager)
    response = client.post(reverse("archives:loan_decide", args=[loan.pk, "approve"]), {"due_on": due()})
    assert messages_of(response) == ["Decision recorded."]
    loan.refresh_from_db()
    assert (loan.status, loan.decided_by, loan.due_on) == ("out", manager, timezone.localdate() + timedelta(days=3))
    assert Notification.objects.filter(recipient=alice, key=f"loan:{loan.pk}:out").exists()


def test_the_client_services_manager_approves_a_change_through_the_page(client, working, archivist, manager):
    change = services.change_request_submit(document=working, upload=pdf("v2.pdf"), reason="New phone", by=archivist)
    client.force_login(manager)
    client.post(reverse("archives:change_decide", args=[change.pk, "approve"]))
    assert ChangeRequest.objects.get(pk=change.pk).status == "approved"
    assert working.versions.count() == 2


def test_the_sales_manager_may_not_decide_on_a_loan(client, tenancy, alice, sales_manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    client.force_login(sales_manager)
    response = client.post(reverse("archives:loan_decide", args=[loan.pk, "approve"]), {"due_on": due()})
    assert response.status_code == 403
    assert Loan.objects.get(pk=loan.pk).status == "requested"
    with pytest.raises(PermissionDenied):
        services.loan_decide(loan=loan, approve=True, by=sales_manager, due_on=timezone.localdate())


def test_the_sales_manager_may_not_decide_on_a_change(client, working, archivist, sales_manager):
    change = services.change_request_submit(document=working, upload=pdf("v2.pdf"), reason="New phone", by=archivist)
    client.force_login(sales_manager)
    assert client.post(reverse("archives:change_decide", args=[change.pk, "approve"])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.change_request_decide(request=change, approve=True, by=sales_manager)
    assert ChangeRequest.objects.get(pk=change.pk).status == "pending" and working.versions.count() == 1


def test_the_sales_manager_sees_no_approvals_link_nor_approve_buttons(client, tenancy, alice, sales_manager):
    services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    client.force_login(sales_manager)
    home = client.get(reverse("home")).content.decode()
    assert reverse("archives:approvals") not in home
    archive = client.get(reverse("archives:index")).content.decode()
    assert reverse("archives:approvals") not in archive and "/decide" not in archive
    unit_page = client.get(reverse("archives:unit", args=[tenancy.unit.pk])).content.decode()
    assert "/approve/" not in unit_page and "Approve" not in unit_page
    assert client.get(reverse("archives:approvals")).status_code == 403


def test_the_archivist_sees_the_requests_but_no_approve_buttons(client, tenancy, alice, archivist):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    client.force_login(archivist)
    body = client.get(reverse("archives:approvals")).content.decode()
    assert "Check the deposit" in body
    assert reverse("archives:loan_decide", args=[loan.pk, "approve"]) not in body


def test_the_client_services_manager_sees_the_approve_buttons(client, tenancy, alice, manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    client.force_login(manager)
    body = client.get(reverse("archives:approvals")).content.decode()
    assert reverse("archives:loan_decide", args=[loan.pk, "approve"]) in body
    assert reverse("archives:loan_decide", args=[loan.pk, "refuse"]) in body


def test_the_sales_manager_reads_the_files_of_its_teams_clients_only(client, tenancy, sales_manager):
    other_team_client = ClientFactory(owner=UserFactory(team=TeamFactory(name="West")))
    other = TenancyFactory(unit=UnitFactory(number="0808"), client=other_team_client)
    client.force_login(sales_manager)
    assert client.get(reverse("archives:unit", args=[tenancy.unit.pk])).status_code == 200
    assert client.get(reverse("archives:unit", args=[other.unit.pk])).status_code == 404
    index = client.get(reverse("archives:index"), {"q": ""})
    assert index.status_code == 200


def test_the_sales_manager_without_a_team_sees_no_unit(client, tenancy, make_user):
    lonely = make_user(Role.MANAGER, username="lonely")
    client.force_login(lonely)
    assert client.get(reverse("archives:unit", args=[tenancy.unit.pk])).status_code == 404


def test_only_client_services_take_a_file_back(tenancy, alice, manager, sales_manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.loan_return(loan=loan, by=sales_manager)
    assert services.loan_return(loan=loan, by=manager).status == "returned"


# --- one pending request per person and file --------------------------------------------------


def test_a_second_request_for_the_same_file_is_refused_with_a_clear_message(client, tenancy, alice):
    client.force_login(alice)
    assert messages_of(borrow(client, tenancy.unit)) == [
        "Borrowing request sent to the client-services manager for approval."
    ]
    again = borrow(client, tenancy.unit, purpose="Again")
    assert messages_of(again)[-1:] == [
        "You have already asked to borrow this file; your request waits for the client-services manager."
    ]
    assert Loan.objects.filter(unit=tenancy.unit, borrower=alice).count() == 1


def test_the_database_refuses_a_second_pending_request(tenancy, alice):
    Loan.objects.create(unit=tenancy.unit, borrower=alice, purpose="One")
    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(unit=tenancy.unit, borrower=alice, purpose="Two")


def test_after_a_decision_the_same_person_may_ask_again(tenancy, alice, manager):
    first = services.loan_request(unit=tenancy.unit, purpose="One", by=alice)
    services.loan_decide(loan=first, approve=False, by=manager)
    second = services.loan_request(unit=tenancy.unit, purpose="Two", by=alice)
    assert second.pk != first.pk and second.status == "requested"


def test_two_people_may_each_ask_for_the_same_file(tenancy, alice, bob):
    services.loan_request(unit=tenancy.unit, purpose="One", by=alice)
    services.loan_request(unit=tenancy.unit, purpose="Two", by=bob)
    assert Loan.objects.pending().filter(unit=tenancy.unit).count() == 2


def test_a_request_refused_by_the_database_says_why(tenancy, alice, monkeypatch):
    """Two tabs at once: both pass the check, the database lets one row in, the other is told."""
    Loan.objects.create(unit=tenancy.unit, borrower=alice, purpose="Other tab")
    monkeypatch.setattr(Loan.objects, "pending", lambda: Loan.objects.none())
    with pytest.raises(ValidationError) as error:
        services.loan_request(unit=tenancy.unit, purpose="This tab", by=alice)
    assert "already asked to borrow this file" in error.value.messages[0]
    assert Loan.objects.filter(borrower=alice).count() == 1


# --- returns, the approver's notice and panel -------------------------------------------------


def test_a_returned_loan_shows_its_return_date_on_the_unit_file(client, tenancy, alice, manager, archivist):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate() + timedelta(days=5))
    services.loan_return(loan=loan, by=archivist)
    returned_at = timezone.now() - timedelta(days=2)
    Loan.objects.filter(pk=loan.pk).update(returned_at=returned_at)
    client.force_login(archivist)
    body = client.get(reverse("archives:unit", args=[tenancy.unit.pk])).content.decode()
    shown = timezone.localtime(returned_at).date()
    assert f'<span data-testid="returned-on">returned {date_format(shown, "SHORT_DATE_FORMAT")}</span>' in body
    approvals = client.get(reverse("archives:approvals")).content.decode()
    assert f"returned {date_format(shown, 'SHORT_DATE_FORMAT')} to" in approvals


def test_the_client_services_managers_are_notified_of_a_request(tenancy, alice, manager, second_manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    told = Notification.objects.filter(key__startswith=f"loan-request:{loan.pk}:")
    assert sorted(n.recipient_id for n in told) == sorted([manager.pk, second_manager.pk])
    assert {n.title for n in told} == {f"{alice} asks to borrow the file of {tenancy.unit}"}
    assert {n.link for n in told} == {reverse("archives:approvals")}


def test_a_change_request_notifies_the_approver(working, archivist, manager):
    services.change_request_submit(document=working, upload=pdf("v2.pdf"), reason="New phone", by=archivist)
    [notice] = Notification.objects.filter(recipient=manager)
    assert notice.title == "Change to “Emergency contacts” waits for your approval"


def test_the_approvers_home_panel_lists_what_waits(client, tenancy, alice, manager, working, archivist):
    services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    services.change_request_submit(document=working, upload=pdf("v2.pdf"), reason="New phone", by=archivist)
    client.force_login(manager)
    body = client.get(reverse("home")).content.decode()
    panel = body.split('data-testid="approvals-panel"')[1].split("</section>")[0]
    assert "Check the deposit" in panel and "Emergency contacts" in panel
    assert '<span class="badge text-bg-warning">2</span>' in panel


def test_the_home_panel_is_the_approvers_only(client, tenancy, alice, sales_manager, archivist):
    services.loan_request(unit=tenancy.unit, purpose="Check the deposit", by=alice)
    for user in (sales_manager, archivist):
        client.force_login(user)
        assert 'data-testid="approvals-panel"' not in client.get(reverse("home")).content.decode()


def test_the_home_panel_says_when_nothing_waits(client, manager):
    client.force_login(manager)
    assert "Nothing waits for your approval." in client.get(reverse("home")).content.decode()


# --- read in the office -----------------------------------------------------------------------


def test_reading_in_the_office_is_a_loan_of_the_day(client, tenancy, alice, manager, archivist):
    client.force_login(alice)
    borrow(client, tenancy.unit, in_office="on")
    loan = Loan.objects.get()
    assert loan.in_office and loan.status == "requested"
    client.force_login(manager)
    assert 'data-testid="in-office"' in client.get(reverse("archives:approvals")).content.decode()
    client.post(reverse("archives:loan_decide", args=[loan.pk, "approve"]), {"due_on": due(7)})
    loan.refresh_from_db()
    assert (loan.status, loan.due_on) == ("out", timezone.localdate()), "due back the same day, whatever was typed"
    client.force_login(archivist)
    client.post(reverse("archives:loan_return", args=[loan.pk]))
    loan.refresh_from_db()
    assert loan.status == "returned" and loan.returned_to == archivist and loan.returned_at is not None


def test_an_in_office_request_is_announced_as_such(tenancy, alice, manager):
    loan = services.loan_request(unit=tenancy.unit, purpose="Read", by=alice, in_office=True)
    notice = Notification.objects.get(recipient=manager, key=f"loan-request:{loan.pk}:{manager.pk}")
    assert notice.title == f"{alice} asks to read the file of {tenancy.unit} in the office"


def test_the_borrow_form_offers_reading_in_the_office(client, tenancy, alice):
    client.force_login(alice)
    body = client.get(reverse("archives:unit", args=[tenancy.unit.pk])).content.decode()
    assert 'name="in_office"' in body and "Read in the office (returned the same day)" in body
