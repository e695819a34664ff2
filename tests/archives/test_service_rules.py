"""The rules of archives/services.py spelled out value by value (issue 17): who decides a change or
a loan, what the decision writes, what the people concerned are told, and the yearly archive."""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from archives import services
from archives.models import ChangeRequest, Document, Loan, Notice, NoticeDelivery, YearlyArchiveEntry
from crm.models import Notification
from crm.roles import Role
from crm.services import notification_create
from tests.archives.conftest import PDF, pdf
from tests.factories import TenancyFactory, UnitFactory

FAR = date(2099, 1, 31)


@pytest.fixture
def unit(db):
    return UnitFactory(number="1203", floor__number=12, floor__building__code="A")


@pytest.fixture
def lease_file(unit, desk):
    """A working document of a tenancy of unit A-1203."""
    TenancyFactory(unit=unit, company_name="Acme Ltd")
    return services.document_file(
        unit=unit,
        upload=pdf("contacts.pdf"),
        title="Emergency contacts",
        category="contacts",
        dated=date(2025, 1, 1),
        kind="working",
        by=desk,
    )


def messages(error: pytest.ExceptionInfo) -> list[str]:
    return error.value.messages


def submit(document, by, name="v2.pdf", reason="New phone"):
    return services.change_request_submit(document=document, upload=pdf(name), reason=reason, by=by)


# --- change requests (ARC-7) ---


def test_approving_a_change_records_the_decision_and_the_new_version(lease_file, archivist, manager):
    change = submit(lease_file, archivist)
    other = submit(lease_file, archivist, name="v2b.pdf")
    services.change_request_decide(request=change, approve=True, by=manager, note="ok")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("approved", manager, "ok")
    assert change.decided_at is not None
    assert ChangeRequest.objects.get(pk=other.pk).status == "pending", "only this request is decided"
    assert change.history.latest("history_date").history_user == manager
    version = lease_file.versions.get(number=2)
    assert (version.original_name, version.content_type, version.size, version.note) == (
        "v2.pdf",
        "application/pdf",
        len(PDF),
        "New phone",
    )
    assert (version.stored_name, version.sha256) == (change.stored_name, change.sha256)
    assert (version.created_by, version.approved_by) == (archivist, manager)
    notice = Notification.objects.get(recipient=archivist)
    assert notice.key == f"archive-change:{change.pk}:approved"
    assert notice.title == "Your change to “Emergency contacts” was approved"
    assert (notice.body, notice.link) == ("ok", f"/archives/documents/{lease_file.pk}/")


def test_refusing_a_change_records_it_and_tells_the_requester(lease_file, archivist, manager):
    change = submit(lease_file, archivist)
    services.change_request_decide(request=change, approve=False, by=manager, note="Wrong number")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == ("refused", manager, "Wrong number")
    assert list(lease_file.versions.values_list("number", flat=True)) == [1]
    notice = Notification.objects.get(recipient=archivist)
    assert notice.key == f"archive-change:{change.pk}:refused"
    assert notice.title == "Your change to “Emergency contacts” was refused"
    assert notice.body == "Wrong number"


def test_a_decision_without_a_note_leaves_the_note_and_the_message_empty(lease_file, archivist, manager):
    change = submit(lease_file, archivist)
    services.change_request_decide(request=change, approve=True, by=manager)
    assert ChangeRequest.objects.get(pk=change.pk).decision_note == ""
    assert Notification.objects.get(recipient=archivist).body == ""


def test_the_requester_is_told_why_they_cannot_decide(lease_file, manager):
    change = submit(lease_file, manager)
    with pytest.raises(ValidationError) as error:
        services.change_request_decide(request=change, approve=False, by=manager)
    assert messages(error) == ["You cannot approve your own change; another manager must."]


def test_a_decided_change_cannot_be_decided_again(lease_file, archivist, manager):
    change = submit(lease_file, archivist)
    services.change_request_decide(request=change, approve=False, by=manager)
    with pytest.raises(ValidationError) as error:
        services.change_request_decide(request=change, approve=False, by=manager)
    assert messages(error) == ["This change request was already decided."]


def test_an_administrator_may_decide_and_a_supervisor_may_not(lease_file, archivist, make_user):
    change = submit(lease_file, archivist)
    with pytest.raises(PermissionDenied):
        services.change_request_decide(request=change, approve=True, by=make_user(Role.CLIENT_SERVICES_SUPERVISOR))
    services.change_request_decide(request=change, approve=True, by=make_user(Role.ADMIN))
    assert ChangeRequest.objects.get(pk=change.pk).status == "approved"


def test_a_change_made_on_an_old_version_is_refused_with_both_numbers(lease_file, archivist, manager):
    first = submit(lease_file, archivist, name="a.pdf")
    stale = submit(lease_file, archivist, name="b.pdf")
    services.change_request_decide(request=first, approve=True, by=manager)
    with pytest.raises(ValidationError) as error:
        services.change_request_decide(request=stale, approve=True, by=manager)
    assert messages(error) == [
        "This change was made on version 1, but the document is now at version 2. "
        "Refuse it and ask for a change of the current version."
    ]
    assert list(lease_file.versions.values_list("number", flat=True)) == [1, 2]


def test_a_document_with_no_version_yet_gets_version_1(unit, archivist, manager):
    document = Document.objects.create(
        unit=unit, category="contacts", kind="working", title="Contacts", dated=date(2025, 1, 1), created_by=archivist
    )
    change = submit(document, archivist)
    assert change.base_version is None
    services.change_request_decide(request=change, approve=True, by=manager)
    assert list(document.versions.values_list("number", "original_name")) == [(1, "v2.pdf")]


# --- loans (ARC-6) ---


def test_approving_a_loan_records_the_decision_and_tells_the_borrower(unit, alice, bob, manager):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=alice)
    other = services.loan_request(unit=UnitFactory(), purpose="Other", by=bob)
    services.loan_decide(loan=loan, approve=True, by=manager, due_on=FAR)
    loan.refresh_from_db()
    assert (loan.status, loan.decided_by, loan.due_on) == ("out", manager, FAR)
    assert loan.decided_at is not None
    assert loan.history.latest("history_date").history_user == manager
    assert Loan.objects.get(pk=other.pk).status == "requested", "only this request is decided"
    notice = Notification.objects.get(recipient=alice)
    assert notice.key == f"loan:{loan.pk}:out"
    assert notice.title == "You may borrow the file of A-1203 until 2099-01-31"
    assert notice.link == f"/archives/units/{unit.pk}/"


def test_refusing_a_loan_records_no_due_date(unit, alice, manager):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=alice)
    services.loan_decide(loan=loan, approve=False, by=manager, due_on=FAR)
    loan.refresh_from_db()
    assert (loan.status, loan.decided_by, loan.due_on) == ("refused", manager, None)
    notice = Notification.objects.get(recipient=alice)
    assert notice.key == f"loan:{loan.pk}:refused"
    assert notice.title == "Your request to borrow the file of A-1203 was refused"


def test_a_refusal_needs_no_due_date(unit, alice, manager):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=alice)
    services.loan_decide(loan=loan, approve=False, by=manager)
    assert Loan.objects.get(pk=loan.pk).status == "refused"


def test_a_loan_may_be_due_back_today(unit, alice, manager):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=alice)
    services.loan_decide(loan=loan, approve=True, by=manager, due_on=timezone.localdate())
    assert Loan.objects.get(pk=loan.pk).status == "out"


@pytest.mark.parametrize("due_on", [None, "yesterday"])
def test_an_approval_needs_a_due_date_from_today_on(unit, alice, manager, due_on):
    due = timezone.localdate() - timedelta(days=1) if due_on else None
    loan = services.loan_request(unit=unit, purpose="Deposit", by=alice)
    with pytest.raises(ValidationError) as error:
        services.loan_decide(loan=loan, approve=True, by=manager, due_on=due)
    assert error.value.message_dict == {"due_on": ["Give a due date from today on."]}
    assert Loan.objects.get(pk=loan.pk).status == "requested"


def test_the_borrower_is_told_why_they_cannot_decide(unit, manager):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=manager)
    with pytest.raises(ValidationError) as error:
        services.loan_decide(loan=loan, approve=True, by=manager, due_on=FAR)
    assert messages(error) == ["You cannot decide on your own borrowing request; another manager must."]


def test_only_managers_decide_loans(unit, alice, archivist):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=alice)
    with pytest.raises(PermissionDenied):
        services.loan_decide(loan=loan, approve=False, by=archivist)


def test_a_decided_loan_cannot_be_decided_again_and_a_file_goes_out_once(unit, alice, bob, manager):
    first = services.loan_request(unit=unit, purpose="a", by=alice)
    second = services.loan_request(unit=unit, purpose="b", by=bob)
    services.loan_decide(loan=first, approve=True, by=manager, due_on=FAR)
    with pytest.raises(ValidationError) as error:
        services.loan_decide(loan=first, approve=False, by=manager)
    assert messages(error) == ["This request was already decided."]
    with pytest.raises(ValidationError) as error:
        services.loan_decide(loan=second, approve=True, by=manager, due_on=FAR)
    assert messages(error) == ["This file is already out on another loan; it must be returned first."]


def out_on_loan(unit, borrower, manager, due_on=FAR):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=borrower)
    return services.loan_decide(loan=loan, approve=True, by=manager, due_on=due_on)


def test_returning_a_loan_records_who_took_it_back(unit, alice, bob, manager, archivist):
    loan = out_on_loan(unit, alice, manager)
    other = out_on_loan(UnitFactory(), bob, manager)
    returned = services.loan_return(loan=loan, by=archivist)
    assert returned.pk == loan.pk
    assert (returned.status, returned.returned_to) == ("returned", archivist)
    assert returned.returned_at is not None
    assert returned.history.latest("history_date").history_user == archivist
    assert Loan.objects.get(pk=other.pk).status == "out", "only this loan is returned"


@pytest.mark.parametrize("role", [Role.CLIENT_SERVICES_MANAGER, Role.ADMIN])
def test_managers_may_take_a_file_back_too(unit, alice, manager, make_user, role):
    loan = out_on_loan(unit, alice, manager)
    assert services.loan_return(loan=loan, by=make_user(role)).status == "returned"


def test_the_front_desk_cannot_take_a_file_back(unit, alice, manager, desk):
    loan = out_on_loan(unit, alice, manager)
    with pytest.raises(PermissionDenied):
        services.loan_return(loan=loan, by=desk)
    assert Loan.objects.get(pk=loan.pk).status == "out"


def test_a_file_not_out_cannot_be_returned(unit, alice, archivist):
    loan = services.loan_request(unit=unit, purpose="Deposit", by=alice)
    with pytest.raises(ValidationError) as error:
        services.loan_return(loan=loan, by=archivist)
    assert messages(error) == ["This file is not out on loan."]


def test_overdue_reminders_go_to_the_borrower_and_active_archivists_only(unit, alice, manager, archivist, make_user):
    make_user(Role.CLIENT_SERVICES_SUPERVISOR, username="retired", is_active=False)
    make_user(Role.FRONT_DESK, username="frontdesk")
    loan = out_on_loan(unit, alice, manager, due_on=date(2099, 1, 10))
    out_on_loan(UnitFactory(), make_user(username="carol"), manager, due_on=date(2099, 1, 11))  # not overdue yet
    Notification.objects.all().delete()
    assert services.loans_overdue_notify(today=date(2099, 1, 11)) == 2
    rows = Notification.objects.order_by("recipient__username")
    assert [n.recipient.username for n in rows] == ["alice", "keeper"]
    for notification in rows:
        assert notification.key == f"loan-overdue:{loan.pk}:2099-01-11"
        assert notification.title == "The file of A-1203 was due back on 2099-01-10"
        assert notification.link == f"/archives/units/{unit.pk}/"
    assert services.loans_overdue_notify(today=date(2099, 1, 11)) == 0
    assert services.loans_overdue_notify(today=date(2099, 1, 12)) == 4, "the next day: both loans, two people each"


def test_overdue_reminders_default_to_today(unit, alice, manager, archivist):
    loan = out_on_loan(unit, alice, manager, due_on=timezone.localdate())
    Loan.objects.filter(pk=loan.pk).update(due_on=date(2026, 1, 1))
    with mock.patch.object(services.timezone, "localdate", return_value=date(2026, 1, 5)):
        assert services.loans_overdue_notify() == 2
    assert set(Notification.objects.filter(key__startswith="loan-overdue").values_list("key", flat=True)) == {
        f"loan-overdue:{loan.pk}:2026-01-05"
    }


def test_overdue_reminders_cost_no_query_per_loan_beyond_its_notifications(unit, manager, archivist, make_user):
    for _ in range(3):
        out_on_loan(UnitFactory(), make_user(), manager, due_on=date(2099, 1, 10))
    with CaptureQueriesContext(connection) as one_notification:
        notification_create(recipient=archivist, key="probe", title="probe")
    with CaptureQueriesContext(connection) as three_loans:
        assert services.loans_overdue_notify(today=date(2099, 1, 20)) == 6
    # the archivists, the loans with their units, floors, buildings and borrowers, then the notifications
    assert len(three_loans) == 2 + 6 * len(one_notification)


def test_the_default_due_date_is_a_week_ahead():
    with mock.patch.object(services.timezone, "localdate", return_value=date(2026, 3, 28)):
        assert services.default_due_on() == date(2026, 4, 4)


# --- the yearly archive (ARC-5) ---


def test_the_yearly_archive_holds_the_files_of_tenancies_ended_that_year_shelved_by_floor(desk, archivist):
    def filed(unit, move_out):
        tenancy = TenancyFactory(unit=unit, move_in=date(2020, 1, 1), move_out=move_out)
        return services.document_file(
            unit=unit,
            upload=pdf(),
            title="Lease",
            category="move_in",
            dated=date(2020, 1, 1),
            kind="original",
            by=desk,
            tenancy=tenancy,
        )

    ended = filed(UnitFactory(floor__number=5, floor__building__code="B"), date(2025, 6, 30))
    filed(UnitFactory(floor__number=5, floor__building__code="B"), date(2024, 12, 31))  # another year
    archive = services.yearly_archive_compile(year=2025)
    assert archive.year == 2025
    assert list(archive.entries.values_list("tenancy_id", "document_id", "shelf")) == [
        (ended.tenancy_id, ended.pk, "B-05F")
    ]


def test_a_tenancy_ending_today_is_archived_only_once_it_has_ended(desk):
    today = timezone.localdate()
    unit = UnitFactory(floor__number=12, floor__building__code="C")
    tenancy = TenancyFactory(unit=unit, move_in=date(2020, 1, 1), move_out=today)
    services.document_file(
        unit=unit,
        upload=pdf(),
        title="Lease",
        category="move_in",
        dated=date(2020, 1, 1),
        kind="original",
        by=desk,
        tenancy=tenancy,
    )
    services.yearly_archive_compile(year=today.year)
    assert not YearlyArchiveEntry.objects.exists()


def test_compiling_costs_the_same_queries_for_one_file_or_three(desk):
    def ended_with_a_file(year):
        unit = UnitFactory()
        tenancy = TenancyFactory(unit=unit, move_in=date(2020, 1, 1), move_out=date(year, 6, 30))
        services.document_file(
            unit=unit,
            upload=pdf(),
            title="Lease",
            category="move_in",
            dated=date(2020, 1, 1),
            kind="original",
            by=desk,
            tenancy=tenancy,
        )

    ended_with_a_file(2024)
    for _ in range(3):
        ended_with_a_file(2025)
    with CaptureQueriesContext(connection) as one:
        services.yearly_archive_compile(year=2024)
    with CaptureQueriesContext(connection) as three:
        services.yearly_archive_compile(year=2025)
    assert YearlyArchiveEntry.objects.filter(archive__year=2025).count() == 3
    assert len(three) == len(one)


# --- filing, revisions asked, move-out, notices (ARC-2, 3, 5, 7, 8) ---


def test_a_filed_document_is_stored_as_its_first_version(unit, desk):
    tenancy = TenancyFactory(unit=unit, company_name="Acme Ltd")
    document = services.document_file(
        unit=unit,
        upload=pdf("lease.pdf"),
        title="Lease",
        category="move_in",
        dated=date(2025, 1, 2),
        kind="original",
        by=desk,
    )
    document.refresh_from_db()
    assert (document.unit, document.tenancy, document.category, document.kind) == (
        unit,
        tenancy,
        "move_in",
        "original",
    )
    assert (document.title, document.dated, document.created_by) == ("Lease", date(2025, 1, 2), desk)
    version = document.versions.get()
    assert (version.number, version.created_by, version.original_name, version.size) == (1, desk, "lease.pdf", len(PDF))
    assert version.approved_by is None


def test_a_past_tenants_paper_joins_that_tenancys_file(unit, desk):
    past = TenancyFactory(unit=unit, move_in=date(2020, 1, 1), move_out=date(2022, 12, 31))
    TenancyFactory(unit=unit, move_in=date(2023, 1, 1))
    document = services.document_file(
        unit=unit,
        upload=pdf(),
        title="Old lease",
        category="move_in",
        dated=date(2020, 1, 1),
        kind="original",
        by=desk,
        tenancy=past,
    )
    assert Document.objects.get(pk=document.pk).tenancy == past


def test_a_change_request_records_what_and_on_which_version(lease_file, archivist, manager):
    first = submit(lease_file, archivist, name="a.pdf", reason="New phone")
    assert (first.document, first.reason, first.requested_by, first.base_version) == (
        lease_file,
        "New phone",
        archivist,
        1,
    )
    assert (first.original_name, first.size, first.status) == ("a.pdf", len(PDF), "pending")
    services.change_request_decide(request=first, approve=True, by=manager)
    assert submit(lease_file, archivist, name="b.pdf").base_version == 2


def test_an_original_is_never_revised_and_says_why(unit, desk, archivist):
    TenancyFactory(unit=unit)
    original = services.document_file(
        unit=unit, upload=pdf(), title="Lease", category="move_in", dated=date(2025, 1, 1), kind="original", by=desk
    )
    with pytest.raises(ValidationError) as error:
        submit(original, archivist)
    assert messages(error) == ["An original document is never modified. File a new document instead."]
    assert not ChangeRequest.objects.filter(document=original).exists()


def test_a_loan_request_records_unit_borrower_and_purpose(unit, alice):
    loan = services.loan_request(unit=unit, purpose="Check the deposit", by=alice)
    loan.refresh_from_db()
    assert (loan.unit, loan.borrower, loan.purpose, loan.status) == (unit, alice, "Check the deposit", "requested")


def test_move_out_is_recorded_by_the_keeper(unit, archivist):
    tenancy = TenancyFactory(unit=unit, move_in=date(2025, 1, 1))
    ended = services.tenancy_end(tenancy=tenancy, move_out=date(2025, 1, 1), by=archivist)  # a one-day tenancy
    assert ended.move_out == date(2025, 1, 1)
    tenancy.refresh_from_db()
    assert tenancy.move_out == date(2025, 1, 1)
    assert tenancy.history.latest("history_date").history_user == archivist


def test_a_move_out_before_the_move_in_is_refused(unit, archivist):
    tenancy = TenancyFactory(unit=unit, move_in=date(2025, 1, 2))
    with pytest.raises(ValidationError) as error:
        services.tenancy_end(tenancy=tenancy, move_out=date(2025, 1, 1), by=archivist)
    assert error.value.message_dict == {"move_out": ["The move-out cannot be before the move-in."]}


def test_a_tenancy_ends_once_even_from_a_stale_page(unit, archivist):
    tenancy = TenancyFactory(unit=unit, move_in=date(2025, 1, 1))
    stale = type(tenancy).objects.get(pk=tenancy.pk)
    ended = services.tenancy_end(tenancy=tenancy, move_out=date(2025, 6, 30), by=archivist)
    with pytest.raises(ValidationError) as error:
        services.tenancy_end(tenancy=ended, move_out=date(2025, 7, 31), by=archivist)
    assert messages(error) == ["This tenancy has ended already."]
    with pytest.raises(ValidationError) as error:
        services.tenancy_end(tenancy=stale, move_out=date(2025, 7, 31), by=archivist)
    assert messages(error) == ["This tenancy has ended already."]
    assert type(tenancy).objects.get(pk=tenancy.pk).move_out == date(2025, 6, 30)


@pytest.fixture
def estate(db):
    """Two buildings; building A has floors 12 and 14."""
    a12 = UnitFactory(floor__number=12, floor__building__code="A")
    a12_vacant = UnitFactory(floor=a12.floor)
    a14 = UnitFactory(floor__number=14, floor__building__code="A")
    b3 = UnitFactory(floor__number=3, floor__building__code="B")
    tenants = {unit: TenancyFactory(unit=unit) for unit in (a12, a14, b3)}
    TenancyFactory(unit=a12_vacant, move_in=date(2020, 1, 1), move_out=date(2021, 1, 1))  # moved out long ago
    return {"a12": a12, "a12_vacant": a12_vacant, "a14": a14, "b3": b3, "tenants": tenants}


def deliveries(notice):
    return {(d.unit_id, d.tenancy_id) for d in NoticeDelivery.objects.filter(notice=notice)}


def test_a_notice_to_one_unit(estate, archivist):
    unit = estate["a12"]
    notice = services.notice_send(title="Leak", body="Plumber at 9", scope="unit", unit=unit, by=archivist)
    notice.refresh_from_db()
    assert (notice.title, notice.body, notice.scope, notice.unit, notice.sent_by) == (
        "Leak",
        "Plumber at 9",
        "unit",
        unit,
        archivist,
    )
    assert (notice.floor, notice.building) == (None, None)
    assert deliveries(notice) == {(unit.pk, estate["tenants"][unit].pk)}


def test_a_notice_to_a_floor_reaches_vacant_units_too(estate, archivist):
    floor = estate["a12"].floor
    notice = services.notice_send(title="Water off", body="9–12", scope="floor", floor=floor, by=archivist)
    assert Notice.objects.get(pk=notice.pk).floor == floor
    assert deliveries(notice) == {
        (estate["a12"].pk, estate["tenants"][estate["a12"]].pk),
        (estate["a12_vacant"].pk, None),
    }


def test_a_notice_to_a_building(estate, archivist):
    building = estate["a12"].floor.building
    notice = services.notice_send(title="Lift", body="Serviced", scope="building", building=building, by=archivist)
    assert Notice.objects.get(pk=notice.pk).building == building
    tenants = estate["tenants"]
    assert deliveries(notice) == {
        (estate["a12"].pk, tenants[estate["a12"]].pk),
        (estate["a12_vacant"].pk, None),
        (estate["a14"].pk, tenants[estate["a14"]].pk),
    }


def test_a_notice_to_all_tenants(estate, archivist):
    notice = services.notice_send(title="Holiday", body="Closed", scope="all", by=archivist)
    tenants = estate["tenants"]
    assert deliveries(notice) == {
        (estate["a12"].pk, tenants[estate["a12"]].pk),
        (estate["a12_vacant"].pk, None),
        (estate["a14"].pk, tenants[estate["a14"]].pk),
        (estate["b3"].pk, tenants[estate["b3"]].pk),
    }
