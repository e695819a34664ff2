"""The coverage and rotation page (VIS-3): figures and drill-down lists worked out by hand, who
sees what, the Excel export, and a constant number of queries."""

import io
from datetime import date, datetime, time

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from tests.factories import ClientFactory, InteractionFactory
from visits.coverage import Scope, coverage_report, figure_clients
from visits.coverage_forms import CoverageForm
from visits.models import Visit, VisitPolicy

pytestmark = pytest.mark.django_db

OCTOBER = "2026-10"
PERIOD = (date(2026, 10, 1), date(2026, 10, 31))
AFTER = date(2026, 11, 15)  # "today" of the selector tests: every October day is past
URL = reverse("visits:coverage")
CLIENTS_URL = reverse("visits:coverage_clients")
EXPORT_URL = reverse("visits:coverage_export")


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def visit(client, *, status="done", kind="onsite", source="cadence", planned=None, original=None, done=None):
    return Visit.objects.create(
        owner=client.owner,
        client=client,
        kind=kind,
        source=source,
        status=status,
        planned_for=planned,
        original_date=original,
        done_on=done,
    )


@pytest.fixture(autouse=True)
def policy():
    """Written once on first use; made here so query counts measure every later request."""
    return VisitPolicy.current()


@pytest.fixture
def portfolio(alice, bob, charlie):
    """Alice's clients in October 2026 (rotation 90 days: the window runs from 2 Aug to 31 Oct).

    A1 visited on site 5 Oct, a day before its planned 6 Oct: on day.      contacted, on site
    A2 called 10 Oct; its phone item of 8 Oct (moved to 12 Oct) done 12 Oct: late.   contacted
    A3 called 1 Sep; its item of 20 Oct still planned: missed.             within rotation
    A4 no contact ever; its item of 15 Oct (no plan day) removed: missed.  never, past rotation
    A5 unplanned on-site visit 22 Oct (no interaction).                    contacted, on site
    A6 last contact 1 Jun, and one at 00:30 on 1 Nov (after the period).   past rotation
    A7 dormant, visited 3 Oct: not an active client.
    A8 first contact 3 Nov, after the period: never contacted as of 31 Oct.
    A9 phone item of 5 Nov done early on 30 Oct: a visit done, not an October plan item. contacted
    """
    c = {code: ClientFactory(code=code, name=f"{code} Trading", owner=alice) for code in ["A1", "A2", "A3", "A4"]}
    c |= {code: ClientFactory(code=code, name=f"{code} Trading", owner=alice) for code in ["A5", "A6", "A8", "A9"]}
    c["A7"] = ClientFactory(code="A7", name="A7 Trading", owner=alice, status="dormant")
    InteractionFactory(client=c["A1"], kind="visit", occurred_at=at(date(2026, 10, 5)))
    visit(c["A1"], planned=date(2026, 10, 6), original=date(2026, 10, 6), done=date(2026, 10, 5))
    InteractionFactory(client=c["A2"], kind="call", occurred_at=at(date(2026, 10, 10)))
    visit(c["A2"], kind="phone", planned=date(2026, 10, 12), original=date(2026, 10, 8), done=date(2026, 10, 12))
    InteractionFactory(client=c["A3"], kind="call", occurred_at=at(date(2026, 9, 1)))
    visit(c["A3"], status="planned", planned=date(2026, 10, 20), original=date(2026, 10, 20))
    visit(c["A4"], status="cancelled", planned=date(2026, 10, 15))
    visit(c["A5"], source="unplanned", done=date(2026, 10, 22))
    InteractionFactory(client=c["A6"], kind="meeting", occurred_at=at(date(2026, 6, 1)))
    InteractionFactory(client=c["A6"], kind="call", occurred_at=at(date(2026, 11, 1), 0, 30))
    InteractionFactory(client=c["A7"], kind="visit", occurred_at=at(date(2026, 10, 3)))
    InteractionFactory(client=c["A8"], kind="visit", occurred_at=at(date(2026, 11, 3)))
    visit(c["A9"], kind="phone", planned=date(2026, 10, 30), original=date(2026, 11, 5), done=date(2026, 10, 30))
    # Bob (alice's teammate) and charlie (the other team): one active client each, called in October.
    InteractionFactory(
        client=ClientFactory(code="B1", name="B1 Trading", owner=bob), kind="call", occurred_at=at(date(2026, 10, 2))
    )
    InteractionFactory(
        client=ClientFactory(code="C1", name="C1 Trading", owner=charlie),
        kind="call",
        occurred_at=at(date(2026, 10, 2)),
    )
    return c


def october(**filters) -> Scope:
    return Scope(start=PERIOD[0], end=PERIOD[1], rotation_days=90, today=AFTER, **filters)


def codes(user, figure: str, scope: Scope | None = None) -> list[str]:
    return [client.code for client in figure_clients(user, scope or october(), figure)]


def test_alices_october_figures(alice, portfolio):
    total = coverage_report(alice, october()).total
    assert (total.active, total.contacted, total.contacted_onsite, total.not_contacted) == (8, 4, 2, 4)
    assert total.contacted_share == 50.0 and total.onsite_share == 25.0
    assert (total.planned, total.on_day, total.late, total.missed, total.upcoming) == (4, 1, 1, 2, 0)
    assert total.compliance == 25.0 and total.late_share == 25.0 and total.missed_share == 50.0
    assert (total.done, total.unplanned, total.unplanned_share) == (4, 1, 25.0)
    assert (total.never, total.past_rotation) == (2, 3)


def test_each_figure_drills_down_to_the_clients_behind_it(alice, portfolio):
    assert codes(alice, "active") == ["A1", "A2", "A3", "A4", "A5", "A6", "A8", "A9"]
    assert codes(alice, "contacted") == ["A1", "A2", "A5", "A9"]
    assert codes(alice, "contacted_onsite") == ["A1", "A5"]
    assert codes(alice, "not_contacted") == ["A3", "A4", "A6", "A8"]
    assert codes(alice, "on_day") == ["A1"]
    assert codes(alice, "late") == ["A2"]
    assert codes(alice, "missed") == ["A3", "A4"]
    assert codes(alice, "unplanned") == ["A5"]
    assert codes(alice, "never") == ["A4", "A8"]
    assert codes(alice, "past_rotation") == ["A4", "A6", "A8"]


def test_an_item_whose_day_has_not_come_is_neither_done_nor_missed(alice, portfolio):
    """On 20 Oct, A3's item of that day is still ahead; A4's removed item of 15 Oct is missed."""
    scope = Scope(start=PERIOD[0], end=date(2026, 10, 20), rotation_days=90, today=date(2026, 10, 20))
    total = coverage_report(alice, scope).total
    assert (total.planned, total.on_day, total.late, total.missed, total.upcoming) == (4, 1, 1, 1, 1)
    assert codes(alice, "missed", scope) == ["A4"]


def test_a_shorter_rotation_moves_clients_past_it(alice, portfolio):
    """30 days before 31 Oct is 1 Oct: A3 (called 1 Sep) is now past the limit too."""
    scope = Scope(start=PERIOD[0], end=PERIOD[1], rotation_days=30, today=AFTER)
    assert codes(alice, "past_rotation", scope) == ["A3", "A4", "A6", "A8"]
    assert coverage_report(alice, scope).total.past_rotation == 4


def test_a_period_longer_than_the_rotation(alice, portfolio):
    """May–October: A6's meeting of 1 Jun is a contact on site in the period, yet past rotation."""
    scope = Scope(start=date(2026, 5, 1), end=PERIOD[1], rotation_days=90, today=AFTER)
    total = coverage_report(alice, scope).total
    assert (total.contacted, total.contacted_onsite, total.never, total.past_rotation) == (6, 3, 2, 3)
    assert codes(alice, "contacted", scope) == ["A1", "A2", "A3", "A5", "A6", "A9"]
    assert codes(alice, "contacted_onsite", scope) == ["A1", "A5", "A6"]
    assert codes(alice, "past_rotation", scope) == ["A4", "A6", "A8"]


def test_scope_by_level_and_territory(alice, portfolio, north):
    for code in ["A1", "A4"]:
        portfolio[code].level, portfolio[code].territory = "A", north
        portfolio[code].save()
    by_level = coverage_report(alice, october(level="A")).total
    assert (by_level.active, by_level.contacted, by_level.on_day, by_level.missed, by_level.never) == (2, 1, 1, 1, 1)
    assert codes(alice, "active", october(territory=north)) == ["A1", "A4"]
    assert codes(alice, "active", october(level="none")) == ["A2", "A3", "A5", "A6", "A8", "A9"]


def test_the_manager_sees_the_team_row_by_row(manager, alice, bob, portfolio):
    report = coverage_report(manager, october())
    assert {row.owner: (row.active, row.contacted) for row in report.rows} == {alice: (8, 4), bob: (1, 1)}
    assert (report.total.active, report.total.contacted) == (9, 5)
    assert codes(manager, "contacted") == ["A1", "A2", "A5", "A9", "B1"]
    assert codes(manager, "contacted", october(owner=bob)) == ["B1"]


def test_account_managers_see_only_their_own_portfolio(alice, bob, charlie, portfolio):
    assert [row.owner for row in coverage_report(alice, october()).rows] == [alice]
    assert codes(bob, "active") == ["B1"]
    assert codes(charlie, "active") == ["C1"]
    # Asking for a teammate's portfolio changes nothing: the gate comes first.
    assert codes(bob, "active", october(owner=alice)) == []


# The pages.


def test_the_page_shows_alices_figures_and_links_each_to_its_clients(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(URL, {"month": OCTOBER})
    assert response.status_code == 200
    page = response.content.decode()
    assert "50.0&nbsp;%" in page and "25.0&nbsp;%" in page
    assert f"{CLIENTS_URL}?month={OCTOBER}&amp;show=past_rotation" in page
    report = response.context["report"]
    assert report.scope.start == PERIOD[0] and report.scope.end == PERIOD[1]
    assert [row.owner for row in report.rows] == [alice]
    assert "B1 Trading" not in page


def test_the_drill_down_lists_the_clients_with_their_last_contact(client, alice, portfolio):
    client.force_login(alice)
    response = client.get(CLIENTS_URL, {"month": OCTOBER, "show": "past_rotation"})
    assert response.status_code == 200
    rows = [(c.code, c.last_contact) for c in response.context["page_obj"].object_list]
    # A6's call of 1 Nov is after the period: its last contact as of 31 Oct is 1 Jun.
    assert rows == [("A4", None), ("A6", date(2026, 6, 1)), ("A8", None)]
    searched = client.get(CLIENTS_URL, {"month": OCTOBER, "show": "past_rotation", "q": "a6"})
    assert [c.code for c in searched.context["page_obj"].object_list] == ["A6"]


def test_the_drill_down_is_paginated(client, alice):
    for n in range(30):
        ClientFactory(code=f"P{n:02d}", name=f"P{n:02d}", owner=alice)
    client.force_login(alice)
    first = client.get(CLIENTS_URL, {"show": "never"}).context["page_obj"]
    second = client.get(CLIENTS_URL, {"show": "never", "page": 2}).context["page_obj"]
    assert (first.paginator.count, len(first.object_list), len(second.object_list)) == (30, 25, 5)
    assert second.object_list[0].code == "P25"


def test_an_unknown_figure_is_not_found(client, alice):
    client.force_login(alice)
    assert client.get(CLIENTS_URL, {"show": "everyone"}).status_code == 404


def test_the_manager_page_has_a_row_per_account_manager_and_a_chart(client, manager, alice, bob, portfolio):
    alice.first_name, alice.last_name = "Alice", "Wang"
    alice.save()
    bob.first_name, bob.last_name = "Bob", "Li"
    bob.save()
    client.force_login(manager)
    response = client.get(URL, {"month": OCTOBER})
    assert [row.owner for row in response.context["report"].rows] == [alice, bob]  # by name
    chart = {"labels": ["Alice Wang", "Bob Li"], "contacted": [50.0, 100.0], "compliance": [25.0, None]}
    assert response.context["chart"] == chart
    assert 'id="coverage-data"' in response.content.decode()
    alice_only = client.get(CLIENTS_URL, {"month": OCTOBER, "show": "contacted", "owner": portfolio["A1"].owner_id})
    assert [c.code for c in alice_only.context["page_obj"].object_list] == ["A1", "A2", "A5", "A9"]


def test_teammates_and_the_other_team_see_nothing_of_alices(client, bob, charlie, portfolio):
    for user, own in [(bob, "B1"), (charlie, "C1")]:
        client.force_login(user)
        page = client.get(CLIENTS_URL, {"month": OCTOBER, "show": "active"})
        assert [c.code for c in page.context["page_obj"].object_list] == [own]
        assert "A1 Trading" not in client.get(URL, {"month": OCTOBER}).content.decode()


@pytest.mark.parametrize("url", [URL, CLIENTS_URL, EXPORT_URL])
@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.TECHNICIAN, Role.FINANCE])
def test_other_roles_are_refused(client, make_user, url, role):
    client.force_login(make_user(role))
    assert client.get(url).status_code == 403


def test_empty_scope_says_so(client, alice):
    client.force_login(alice)
    response = client.get(URL)
    assert response.status_code == 200
    assert 'data-testid="empty"' in response.content.decode()


def test_a_wrong_period_is_explained_and_this_month_shown(alice):
    today = date(2026, 11, 20)
    form = CoverageForm({"date_from": "2026-11-10", "date_to": "2026-11-01"}, user=alice, today=today)
    assert form.errors["date_to"] == ["The end comes before the start."]
    assert form.period() == (date(2026, 11, 1), today)
    future = CoverageForm({"month": "2026-12"}, user=alice, today=today)
    assert "month" in future.errors and future.period() == (date(2026, 11, 1), today)


def test_periods_month_custom_and_default(alice):
    today = date(2026, 11, 20)
    assert CoverageForm(user=alice, today=today).period() == (date(2026, 11, 1), today)
    assert CoverageForm({"month": "2026-11"}, user=alice, today=today).period() == (date(2026, 11, 1), today)
    assert CoverageForm({"month": "2026-02"}, user=alice, today=today).period() == (date(2026, 2, 1), date(2026, 2, 28))
    custom = CoverageForm({"date_from": "2026-09-15", "date_to": "2026-12-31"}, user=alice, today=today)
    assert custom.period() == (date(2026, 9, 15), today)  # never past today
    too_long = CoverageForm({"date_from": "2025-01-01", "date_to": "2026-06-30"}, user=alice, today=today)
    assert "date_from" in too_long.errors


def test_a_manager_cannot_choose_another_teams_account_manager(manager, charlie):
    form = CoverageForm({"owner": charlie.pk}, user=manager)
    assert "owner" in form.errors and form.scope().owner is None


# The export.


def sheet_rows(response) -> list[tuple]:
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_export_of_the_table(client, manager, alice, bob, portfolio):
    alice.first_name, bob.first_name = "Alice", "Bob"
    alice.last_name = bob.last_name = ""
    alice.save()
    bob.save()
    client.force_login(manager)
    rows = sheet_rows(client.get(EXPORT_URL, {"month": OCTOBER}))
    assert rows[1][:4] == ("Account manager", "Active clients", "Contacted", "Contacted (%)")
    # owner, active, contacted, %, on site, %, planned, on day, late, missed, compliance, done, unplanned, %,
    # never, past rotation
    assert rows[2] == ("Alice", 8, 4, 50.0, 2, 25.0, 4, 1, 1, 2, 25.0, 4, 1, 25.0, 2, 3)
    assert rows[3] == ("Bob", 1, 1, 100.0, 0, 0.0, 0, 0, 0, 0, None, 0, 0, None, 0, 0)
    assert rows[4][:3] == ("Total", 9, 5)


def test_export_of_a_drill_down_list(client, alice, portfolio):
    client.force_login(alice)
    rows = sheet_rows(client.get(EXPORT_URL, {"month": OCTOBER, "show": "not_contacted"}))
    assert rows[1] == ("Client code", "Client", "Account manager", "Territory", "Level", "Last contact")
    assert [(row[0], row[5]) for row in rows[2:]] == [
        ("A3", datetime(2026, 9, 1)),
        ("A4", None),
        ("A6", datetime(2026, 6, 1)),
        ("A8", None),
    ]


def test_the_export_of_bob_holds_none_of_alices_clients(client, bob, portfolio):
    client.force_login(bob)
    rows = sheet_rows(client.get(EXPORT_URL, {"month": OCTOBER, "show": "active"}))
    assert [row[0] for row in rows[2:]] == ["B1"]


# Queries: constant whatever the number of clients.


def grow(owner, n: int) -> None:
    for _ in range(n):
        c = ClientFactory(owner=owner)
        InteractionFactory(client=c, kind="visit", occurred_at=at(date(2026, 10, 9)))
        visit(c, status="planned", planned=date(2026, 10, 9), original=date(2026, 10, 9))


@pytest.mark.parametrize("who", ["manager", "admin_user"])
def test_the_page_runs_a_constant_number_of_queries(client, request, alice, bob, who, django_assert_max_num_queries):
    user = request.getfixturevalue(who)
    client.force_login(user)
    grow(alice, 1)
    with django_assert_max_num_queries(10):
        assert client.get(URL, {"month": OCTOBER}).status_code == 200
    grow(alice, 20)
    grow(bob, 20)
    with django_assert_max_num_queries(10):
        response = client.get(URL, {"month": OCTOBER})
    assert response.context["report"].total.missed == 41


# Session, user, policy, notifications, the form's choices, count, page (+ last contacts on the page);
# on PostgreSQL the reads run in a transaction without JIT: SET LOCAL, and a savepoint inside a test.
LIST_QUERIES = 11


def test_the_drill_down_and_export_run_a_constant_number_of_queries(
    client, manager, alice, django_assert_max_num_queries
):
    client.force_login(manager)
    grow(alice, 1)
    with django_assert_max_num_queries(LIST_QUERIES):
        client.get(CLIENTS_URL, {"month": OCTOBER, "show": "missed"})
    grow(alice, 40)
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(client.get(CLIENTS_URL, {"month": OCTOBER, "show": "missed"}).context["page_obj"].object_list) == 25
    with django_assert_max_num_queries(LIST_QUERIES):
        assert len(sheet_rows(client.get(EXPORT_URL, {"month": OCTOBER, "show": "missed"}))) == 43
    with django_assert_max_num_queries(10):
        client.get(EXPORT_URL, {"month": OCTOBER})


def test_dates_before_2000_are_refused(alice):
    form = CoverageForm({"date_from": "0001-01-05", "date_to": "0001-01-10"}, user=alice, today=date(2026, 11, 20))
    assert form.non_field_errors() == ["Choose a period from the year 2000 on."]
    assert form.period() == (date(2026, 11, 1), date(2026, 11, 20))


def test_a_manager_without_a_team_sees_an_empty_page(client, make_user, portfolio):
    client.force_login(make_user(Role.MANAGER, team=None))
    response = client.get(URL, {"month": OCTOBER})
    assert response.status_code == 200 and response.context["report"].rows == []
