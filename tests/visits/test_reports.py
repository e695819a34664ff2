"""The monthly territory market reports (VIS-7): figures computed by hand from a few rows, drafts
made once, who writes and who reviews, late reminders once a day, the pages' permission triad."""

import time
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clients.models import Complaint, DemandRecord
from crm.models import Notification, Territory
from crm.roles import Role
from grading.models import ClientScore, GradingPolicy, GradingRun
from tests.concurrency import assert_one_winner, post_race
from tests.factories import ClientFactory, InteractionFactory
from visits import reports
from visits.models import MarketInfo, MarketReport, Visit, VisitPolicy

pytestmark = pytest.mark.django_db

OCTOBER = date(2026, 10, 1)


def at(*args: int) -> datetime:
    """An aware datetime in local time (Asia/Shanghai)."""
    return timezone.make_aware(datetime(*args))


def market(client, territory, when, product="", price=None, **topics):
    return MarketInfo.objects.create(
        client=client,
        territory=territory,
        product=product,
        price_seen=None if price is None else Decimal(price),
        recorded_by=client.owner,
        recorded_at=when,
        **topics,
    )


def visit(client, territory, day, kind=Visit.Kind.ONSITE, status=Visit.Status.DONE):
    return Visit.objects.create(
        owner=client.owner,
        client=client,
        territory=territory,
        kind=kind,
        status=status,
        planned_for=day,
        done_on=day if status == Visit.Status.DONE else None,
    )


def run(as_of, levels):
    """A finished grading run with the given {client: (level, territory)} scores."""
    grading_run = GradingRun.objects.create(as_of=as_of, policy=GradingPolicy.current(), status="done")
    for client, (level, territory) in levels.items():
        ClientScore.objects.create(run=grading_run, client=client, owner=client.owner, territory=territory, level=level)
    return grading_run


@pytest.fixture
def world(alice, bob, north, south):
    """October 2026 in the north: three active clients (alice 2, bob 1) and a dormant one."""
    c1 = ClientFactory(owner=alice, territory=north, name="一号商店")
    c2 = ClientFactory(owner=alice, territory=north, name="二号商店")
    c3 = ClientFactory(owner=bob, territory=north, name="三号商店")
    c4 = ClientFactory(owner=alice, territory=north, status="dormant")
    s1 = ClientFactory(owner=bob, territory=south)
    # Market information: four in October (one at 23:30 on the 31st), one each side of it.
    market(c1, north, at(2026, 10, 5, 10, 0), "牌A", "10.00", competitor_activity="竞品降价")
    market(c2, north, at(2026, 10, 20, 9, 0), "牌A", "12.50", stock_and_shelf="货架满")
    market(c3, north, at(2026, 10, 25, 9, 0), "牌B", demand_signals="需求上升")
    market(c2, north, at(2026, 10, 31, 23, 30), "牌A", "11.00", notes="月底")
    market(c1, north, at(2026, 9, 30, 23, 0), "牌A", "99.00")
    market(c1, north, at(2026, 11, 1, 0, 10), "牌A", "99.00")
    market(s1, south, at(2026, 10, 6, 9, 0), "牌C", "5.00")
    # Contacts: c1 by a call logged in October, c2 by a done visit; c3 only in September;
    # the dormant c4 in October (not an active client).
    InteractionFactory(client=c1, occurred_at=at(2026, 10, 10, 9, 0))
    InteractionFactory(client=c3, occurred_at=at(2026, 9, 28, 9, 0))
    InteractionFactory(client=c4, occurred_at=at(2026, 10, 11, 9, 0))
    visit(c2, north, date(2026, 10, 15))
    visit(c1, north, date(2026, 10, 16), kind=Visit.Kind.PHONE)
    visit(c3, north, date(2026, 10, 30), status=Visit.Status.PLANNED)
    visit(c3, north, date(2026, 11, 2))
    # Grading: the last runs of September and October are compared (not the early October one).
    run(date(2026, 9, 28), {c1: ("B", north), c2: ("C", north), c3: ("A", north), s1: ("B", south)})
    run(date(2026, 10, 5), {c1: ("D", north), c2: ("A", north), c3: ("D", north), s1: ("A", south)})
    run(date(2026, 10, 29), {c1: ("A", north), c2: ("D", north), c3: ("A", north), s1: ("C", south)})
    # Complaints: two in October (one resolved), one in September.
    Complaint.objects.create(
        client=c1, subject="慢", description="送货慢", filed_by=alice, received_at=at(2026, 10, 3, 9)
    )
    Complaint.objects.create(
        client=c3,
        subject="错",
        description="发错货",
        filed_by=bob,
        assignee=bob,
        status=Complaint.Status.RESOLVED,
        received_at=at(2026, 10, 12, 9),
    )
    Complaint.objects.create(client=c2, subject="旧", description="九月", filed_by=alice, received_at=at(2026, 9, 3, 9))
    # Demand recorded in October: 茶叶 5 + 7.5 箱, 咖啡 3; one in November.
    for client, product, quantity, unit, when in (
        (c1, "茶叶", "5", "箱", at(2026, 10, 2, 9)),
        (c2, "茶叶", "7.5", "箱", at(2026, 10, 22, 9)),
        (c3, "咖啡", "3", "", at(2026, 10, 23, 9)),
        (c3, "咖啡", "100", "", at(2026, 11, 2, 9)),
    ):
        DemandRecord.objects.create(
            client=client,
            product=product,
            quantity=Decimal(quantity),
            unit=unit,
            period_start=date(2026, 11, 1),
            period_end=date(2026, 11, 30),
            recorded_by=client.owner,
            recorded_at=when,
        )
    VisitPolicy.objects.create(report_due_day=7)
    return {"c1": c1, "c2": c2, "c3": c3, "s1": s1}


def test_the_draft_figures_are_those_computed_by_hand(world, north, alice):
    assert reports.report_drafts_create(OCTOBER) == 2
    report = MarketReport.objects.get(territory=north, month=OCTOBER)
    f = report.figures
    assert f["market"]["count"] == 4
    assert f["market"]["products"] == [
        # (10 + 12.50 + 11) / 3 = 11.1666… → 11.17
        {"product": "牌A", "count": 3, "priced": 3, "avg_price": "11.17", "min_price": "10.00", "max_price": "12.50"},
        {"product": "牌B", "count": 1, "priced": 0, "avg_price": None, "min_price": None, "max_price": None},
    ]
    latest = f["market"]["latest"]
    assert [(e["date"], e["client"], e["product"], e["price"]) for e in latest] == [
        ("2026-10-31", "二号商店", "牌A", "11.00"),
        ("2026-10-25", "三号商店", "牌B", None),
        ("2026-10-20", "二号商店", "牌A", "12.50"),
        ("2026-10-05", "一号商店", "牌A", "10.00"),
    ]
    assert (latest[0]["notes"], latest[1]["demand_signals"], latest[3]["competitor_activity"]) == (
        "月底",
        "需求上升",
        "竞品降价",
    )
    # c1 (call) and c2 (done visit) of the 3 active clients; one on-site visit done in October.
    assert f["coverage"] == {"active_clients": 3, "contacted": 2, "contacted_share": "66.7", "onsite_visits": 1}
    levels = f["levels"]
    assert (levels["run"], levels["previous_run"], levels["up"], levels["down"]) == ("2026-10-29", "2026-09-28", 1, 1)
    assert levels["moves"] == [{"from": "B", "to": "A", "count": 1}, {"from": "C", "to": "D", "count": 1}]
    assert {row["level"]: (row["up"], row["down"]) for row in levels["by_level"]} == {
        "A": (1, 0),
        "B": (0, 0),
        "C": (0, 0),
        "D": (0, 1),
    }
    assert f["complaints"] == {"count": 2, "open": 1}
    assert f["demand"] == [
        {"product": "茶叶", "unit": "箱", "quantity": "12.50", "records": 2},
        {"product": "咖啡", "unit": "", "quantity": "3.00", "records": 1},
    ]
    assert report.responsible == alice  # two active clients against bob's one
    assert report.due_date == date(2026, 11, 7)  # the policy's day 7 of the month after
    assert report.status == MarketReport.Status.DRAFT
    assert report.history.count() == 1


def test_the_other_territory_has_its_own_figures(world, south, bob):
    reports.report_drafts_create(OCTOBER)
    report = MarketReport.objects.get(territory=south)
    assert report.responsible == bob
    assert report.figures["market"]["products"][0]["product"] == "牌C"
    assert report.figures["coverage"]["active_clients"] == 1
    assert report.figures["levels"]["moves"] == [{"from": "B", "to": "C", "count": 1}]
    assert report.figures["levels"]["down"] == 1


def test_a_rerun_creates_nothing_and_keeps_what_was_written(world, north, alice):
    assert reports.report_drafts_create(OCTOBER) == 2
    report = MarketReport.objects.get(territory=north)
    reports.report_save(report=report, by=alice, sections={"summary": "写好了"}, seen_version=0)
    market(world["c1"], north, at(2026, 10, 9, 9), "牌Z", "1")
    assert reports.report_drafts_create(OCTOBER) == 0
    report.refresh_from_db()
    assert (MarketReport.objects.count(), report.summary, report.figures["market"]["count"]) == (2, "写好了", 4)


def test_drafts_default_to_the_previous_month(north):
    reports.report_drafts_create()
    today = timezone.localdate()
    expected = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    assert MarketReport.objects.get(territory=north).month == expected


def test_a_territory_without_clients_gets_an_empty_draft_without_responsible(north):
    reports.report_drafts_create(OCTOBER)
    report = MarketReport.objects.get(territory=north)
    assert report.responsible is None
    assert report.figures["coverage"] == {
        "active_clients": 0,
        "contacted": 0,
        "contacted_share": None,
        "onsite_visits": 0,
    }
    assert report.figures["levels"]["run"] is None
    assert report.due_date == date(2026, 11, 5)  # the default policy's 5th


def test_responsible_counts_only_active_clients_of_active_account_managers(north, alice, bob, manager, make_user):
    gone = make_user(username="gone", is_active=False)
    for owner, n, status in ((manager, 3, "active"), (gone, 3, "active"), (alice, 3, "dormant"), (bob, 1, "active")):
        for _ in range(n):
            ClientFactory(owner=owner, territory=north, status=status)
    assert reports.responsible_by_territory() == {north.pk: bob.pk}


def test_a_tie_goes_to_the_account_manager_created_first(north, alice, bob):
    ClientFactory(owner=bob, territory=north)
    ClientFactory(owner=alice, territory=north)
    assert reports.responsible_by_territory() == {north.pk: min(alice.pk, bob.pk)}


# --- writing, submitting, reviewing -------------------------------------------------------------


@pytest.fixture
def report(north, alice):
    ClientFactory(owner=alice, territory=north)
    reports.report_drafts_create(OCTOBER)
    return MarketReport.objects.get(territory=north)


def test_only_the_responsible_writes_and_submits(report, alice, bob, manager):
    with pytest.raises(ValidationError):
        reports.report_save(report=report, by=bob, sections={"summary": "x"}, seen_version=0)
    with pytest.raises(ValidationError):
        reports.report_save(report=report, by=manager, sections={"summary": "x"}, seen_version=0)
    with pytest.raises(ValidationError) as empty:
        reports.report_submit(report=report, by=alice)
    assert "summary" in empty.value.message_dict
    report = reports.report_submit(report=report, by=alice, sections={"summary": "好", "actions": "多拜访"})
    assert (report.status, report.summary, report.actions, report.version) == ("submitted", "好", "多拜访", 2)
    assert report.submitted_at is not None
    with pytest.raises(ValidationError):  # submitted: no longer editable
        reports.report_save(report=report, by=alice, sections={"summary": "改"}, seen_version=report.version)
    assert report.history.first().history_user == alice


def test_a_stale_version_is_refused(report, alice):
    reports.report_save(report=report, by=alice, sections={"summary": "一"}, seen_version=0)
    with pytest.raises(ValidationError, match="changed meanwhile"):
        reports.report_save(report=report, by=alice, sections={"summary": "二"}, seen_version=0)
    report.refresh_from_db()
    assert report.summary == "一"


def test_review_and_return_by_the_team_manager_or_an_admin(report, alice, bob, charlie, manager, admin_user, make_user):
    report = reports.report_submit(report=report, by=alice, sections={"summary": "好"})
    other_manager = make_user(Role.MANAGER, username="west-boss", team=charlie.team)
    for outsider in (alice, bob, other_manager):
        with pytest.raises(ValidationError):
            reports.report_review(report=report, by=outsider)
    with pytest.raises(ValidationError) as no_note:
        reports.report_return(report=report, by=manager, note="  ")
    assert "note" in no_note.value.message_dict
    report = reports.report_return(report=report, by=manager, note="补充竞品价格")
    assert (report.status, report.reviewed_by, report.review_note) == ("returned", manager, "补充竞品价格")
    report = reports.report_submit(report=report, by=alice, sections={"summary": "好", "competition": "牌A 11 元"})
    report = reports.report_review(report=report, by=admin_user, note="OK")
    assert (report.status, report.reviewed_by) == ("reviewed", admin_user)
    with pytest.raises(ValidationError):  # decided already
        reports.report_return(report=report, by=manager, note="again")


def test_the_manager_of_the_responsibles_team_decides_too(north, other_team, charlie, make_user):
    """A territory of one team whose reports are written by an account manager of another."""
    ClientFactory(owner=charlie, territory=north)
    reports.report_drafts_create(OCTOBER)
    report = MarketReport.objects.get(territory=north)
    report = reports.report_submit(report=report, by=charlie, sections={"summary": "x"})
    west = make_user(Role.MANAGER, username="west-boss", team=other_team)
    assert reports.report_review(report=report, by=west).status == "reviewed"


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_one_wins(north, alice, manager, admin_user):
    ClientFactory(owner=alice, territory=north)
    reports.report_drafts_create(OCTOBER)
    report = MarketReport.objects.get(territory=north)
    report = reports.report_submit(report=report, by=alice, sections={"summary": "好"})
    url = reverse("visits:report", args=[report.pk])
    posts = [
        (manager, url, {"action": "review", "version": report.version}),
        (admin_user, url, {"action": "return", "note": "重写", "version": report.version}),
    ] * 3
    assert_one_winner(post_race(posts), loser_text="reload the page")
    report.refresh_from_db()
    assert report.status in ("reviewed", "returned")
    assert report.version == 3


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_submits_once(north, alice):
    ClientFactory(owner=alice, territory=north)
    reports.report_drafts_create(OCTOBER)
    report = MarketReport.objects.get(territory=north)
    url = reverse("visits:report", args=[report.pk])
    posts = [(alice, url, {"action": "submit", "version": 0, "summary": "好"})] * 4
    assert_one_winner(post_race(posts))
    report.refresh_from_db()
    assert (report.status, report.version) == ("submitted", 2)


# --- late reports ---------------------------------------------------------------------------------


def test_late_flag(report, alice):
    assert report.due_date == date(2026, 11, 5)
    assert report.is_late == (timezone.localdate() > date(2026, 11, 5))
    report.submitted_at = at(2026, 11, 5, 23, 0)
    assert not report.is_late
    report.submitted_at = at(2026, 11, 6, 8, 0)
    assert report.is_late


def test_late_reminders_once_per_day_whatever_the_reruns(report, alice, bob, manager, charlie):
    assert reports.report_late_remind(date(2026, 11, 5)) == 0  # due today: not late yet
    assert reports.report_late_remind(date(2026, 11, 6)) == 2  # the responsible and the manager
    assert reports.report_late_remind(date(2026, 11, 6)) == 0
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"alice", "boss"}
    assert reports.report_late_remind(date(2026, 11, 7)) == 2  # the next day: reminded again
    note = Notification.objects.filter(recipient=alice).first()
    assert note.link == reverse("visits:report", args=[report.pk])
    assert "北区" in note.title
    reports.report_submit(report=report, by=alice, sections={"summary": "迟到"})
    assert reports.report_late_remind(date(2026, 11, 8)) == 0  # submitted: no more reminders
    assert Notification.objects.count() == 4


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_late_reminders_through_a_real_worker_twice(north, alice, manager):
    from tests.worker import celery_conf, celery_worker, wait_for
    from visits.tasks import report_drafts_create_task, report_late_remind_task

    ClientFactory(owner=alice, territory=north)
    reports.report_drafts_create(OCTOBER)
    with celery_conf(task_always_eager=False), celery_worker() as queue:
        report_late_remind_task.apply_async(args=["2026-11-06"], queue=queue)
        wait_for(lambda: Notification.objects.count() == 2, message="the first reminder run")
        report_late_remind_task.apply_async(args=["2026-11-06"], queue=queue)
        # The solo worker runs its queue in order: once September's drafts exist, the second
        # reminder run is over. The filesystem broker orders by the millisecond a message was
        # sent, then at random: the marker goes a few milliseconds later.
        time.sleep(0.02)
        report_drafts_create_task.apply_async(args=["2026-09-01"], queue=queue)
        wait_for(lambda: MarketReport.objects.filter(month=date(2026, 9, 1)).exists(), message="the marker task")
    assert sorted(Notification.objects.values_list("recipient__username", flat=True)) == ["alice", "boss"]


def test_drafts_task_wraps_the_service(north):
    from visits.tasks import report_drafts_create_task

    assert report_drafts_create_task.delay("2026-10-01").get() == 1
    assert report_drafts_create_task.delay("2026-10-01").get() == 0


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def written(report, alice):
    return reports.report_save(
        report=report, by=alice, sections={"summary": "本月市场平稳", "competition": "竞品降价"}, seen_version=0
    )


@pytest.mark.parametrize("name", ["visits:report", "visits:report_print", "visits:report_export"])
def test_permission_triad_on_a_report(client, written, name, alice, bob, charlie, manager, admin_user, make_user):
    url = reverse(name, args=[written.pk])
    outcomes = {}
    for user in (alice, bob, charlie, manager, admin_user, make_user(Role.FRONT_DESK, username="desk")):
        client.force_login(user)
        outcomes[user.username] = client.get(url).status_code
    assert outcomes == {"alice": 200, "bob": 404, "charlie": 404, "boss": 200, "root": 200, "desk": 403}


def test_the_list_shows_each_user_their_reports(client, written, north, south, alice, bob, manager, make_user):
    ClientFactory(owner=bob, territory=south)
    reports.report_drafts_create(OCTOBER)  # adds the south's, bob's
    url = reverse("visits:reports")
    seen = {}
    for user in (alice, bob, manager, make_user(Role.FRONT_DESK, username="desk")):
        client.force_login(user)
        response = client.get(url)
        seen[user.username] = (
            response.status_code,
            sorted(r.territory.code for r in response.context["page_obj"]) if response.status_code == 200 else None,
        )
    assert seen == {
        "alice": (200, ["north"]),
        "bob": (200, ["south"]),
        "boss": (200, ["north", "south"]),
        "desk": (403, None),
    }


def test_the_list_filters_and_late_badge(client, written, south, manager):
    reports.report_drafts_create(OCTOBER)
    MarketReport.objects.filter(territory=south).update(due_date=date(2999, 1, 5))
    client.force_login(manager)
    url = reverse("visits:reports")
    late = client.get(url, {"late": "true"}).context["page_obj"].object_list
    assert [r.territory.code for r in late] == ["north"]
    on_time = client.get(url, {"late": "false", "month": "2026-10"}).context["page_obj"].object_list
    assert [r.territory.code for r in on_time] == ["south"]
    assert list(client.get(url, {"month": "2026-09"}).context["page_obj"].object_list) == []
    assert client.get(url, {"month": "garbage", "status": "nope"}).status_code == 200
    body = client.get(url, {"status": "draft"}).content.decode()
    assert body.count('data-testid="late"') == 1
    empty = client.get(url, {"status": "reviewed"}).content.decode()
    assert "No report matches these filters." in empty


def test_the_list_runs_a_constant_number_of_queries(client, manager, team, make_user, django_assert_max_num_queries):
    for i in range(12):
        territory = Territory.objects.create(code=f"t{i}", name=f"片区{i}", team=team)
        ClientFactory(owner=make_user(username=f"am{i}", team=team), territory=territory)
    reports.report_drafts_create(OCTOBER)
    client.force_login(manager)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("visits:reports"))
    assert len(response.context["page_obj"].object_list) == 12


def test_the_report_page_runs_a_constant_number_of_queries(client, world, north, alice, django_assert_max_num_queries):
    reports.report_drafts_create(OCTOBER)
    report = MarketReport.objects.get(territory=north)
    client.force_login(alice)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("visits:report", args=[report.pk]))
    body = response.content.decode()
    assert "11.17" in body and "竞品降价" in body and "茶叶" in body


def test_the_author_writes_and_submits_from_the_page(client, report, alice, manager):
    client.force_login(alice)
    url = reverse("visits:report", args=[report.pk])
    assert 'data-testid="sections-form"' in client.get(url).content.decode()
    response = client.post(url, {"action": "submit", "version": 0, "summary": ""})
    assert response.status_code == 200
    assert "Write the summary" in response.content.decode()
    response = client.post(url, {"action": "submit", "version": 0, "summary": "平稳", "actions": "拜访"}, follow=True)
    assert "Report submitted to the manager." in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.summary) == ("submitted", "平稳")
    # The manager sees the review form, not the writing form; the author sees neither now.
    assert 'data-testid="sections-form"' not in client.get(url).content.decode()
    client.force_login(manager)
    page = client.get(url).content.decode()
    assert 'data-testid="decision-form"' in page and 'data-testid="sections-form"' not in page
    response = client.post(url, {"action": "return", "version": report.version, "note": ""})
    assert "Say what to change" in response.content.decode()
    response = client.post(url, {"action": "return", "version": report.version, "note": "补充"}, follow=True)
    assert "Report returned." in response.content.decode()
    report.refresh_from_db()
    assert report.status == "returned"
    history = client.get(url).context["history"]
    assert [h.status for h in history][:3] == ["returned", "submitted", "draft"]


def test_a_teammate_posting_changes_nothing(client, report, bob, manager):
    client.force_login(manager)  # the manager may read it, but not write the author's sections
    response = client.post(reverse("visits:report", args=[report.pk]), {"action": "save", "version": 0, "summary": "x"})
    assert response.status_code == 200
    report.refresh_from_db()
    assert report.summary == ""


def test_print_page_is_chinese_and_without_navigation(client, written, alice):
    client.force_login(alice)
    client.cookies["django_language"] = "zh-hans"
    response = client.get(reverse("visits:report_print", args=[written.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = response.content.decode()
    assert response["Content-Type"].lower() == "text/html; charset=utf-8"
    assert '<meta charset="utf-8">' in body and "本月市场平稳" in body and "北区" in body
    assert "css/report-print.css" in body and "navbar" not in body and "<form" not in body


def test_export_holds_the_analysis_and_figures(client, world, north, alice):
    reports.report_drafts_create(OCTOBER)
    report = MarketReport.objects.get(territory=north)
    reports.report_save(report=report, by=alice, sections={"summary": "=1+1 不是公式"}, seen_version=0)
    client.force_login(alice)
    response = client.get(reverse("visits:report_export", args=[report.pk]))
    book = load_workbook(BytesIO(response.content))
    first = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert first["Territory"] == "北区" and first["Summary"] == "=1+1 不是公式"
    products = list(book.worksheets[2].iter_rows(values_only=True))
    assert products[1] == ("牌A", 3, 3, 11.17, 10.0, 12.5)
    demand = list(book.worksheets[4].iter_rows(values_only=True))
    assert demand[1] == ("茶叶", "箱", 12.5, 2)
