"""The visits volume data (`seed_volume`): what the benchmarks measure must look like real use."""

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Count, F
from django.utils import timezone

from clients import volume as client_volume
from clients.models import Client
from crm.models import User
from crm.roles import Role
from visits import volume
from visits.models import CalendarDay, MarketInfo, MonthPlan, Visit

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 18)  # a Wednesday: October is last month, November this month
OCTOBER, NOVEMBER = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def seeded():
    client_volume.seed({"clients": 400}, lambda line: None)
    return volume.populate(today=TODAY)


def snapshot() -> tuple:
    return (
        MonthPlan.objects.count(),
        sorted(Visit.objects.values_list("pk", "status", "planned_for", "done_on")),
        MarketInfo.objects.count(),
        CalendarDay.objects.count(),
    )


def test_every_account_manager_has_one_approved_plan_for_last_and_this_month(seeded):
    owners = set(User.objects.filter(role=Role.ACCOUNT_MANAGER).values_list("pk", flat=True))
    assert len(owners) == 20
    for month in (OCTOBER, NOVEMBER):
        plans = MonthPlan.objects.filter(month=month)
        assert sorted(plans.values_list("owner_id", flat=True)) == sorted(owners)
        assert set(plans.values_list("status", flat=True)) == {MonthPlan.Status.APPROVED}
    # The plan is decided by a manager of the account manager's own team.
    assert not MonthPlan.objects.exclude(decided_by__role=Role.MANAGER).exists()
    assert not MonthPlan.objects.exclude(decided_by__team=F("owner__team")).exists()
    assert seeded.plans == 40


def test_visits_done_late_missed_and_removed_in_the_past_planned_from_today(seeded):
    visits = Visit.objects.filter(plan__month__in=[OCTOBER, NOVEMBER])
    planned_items = visits.exclude(source=Visit.Source.UNPLANNED)
    # Approved plans: the day compliance is measured against is the generated one.
    assert not planned_items.exclude(original_date=F("planned_for")).exists()
    done = visits.filter(status=Visit.Status.DONE)
    assert not done.filter(done_on__isnull=True).exists()
    assert not done.filter(done_on__gt=TODAY).exists()
    assert not planned_items.filter(status=Visit.Status.DONE, done_on__lt=F("planned_for")).exists()
    late = planned_items.filter(status=Visit.Status.DONE, done_on__gt=F("planned_for"))
    assert late.exists()
    assert not late.filter(note="").exists()  # a late visit says why
    assert visits.filter(status=Visit.Status.CANCELLED).exclude(note="").exists()
    assert not visits.filter(status=Visit.Status.CANCELLED, note="").exists()
    missed = visits.filter(status=Visit.Status.PLANNED, planned_for__lt=TODAY)
    assert missed.filter(plan__month=OCTOBER).exists() and missed.filter(plan__month=NOVEMBER).exists()
    # From today on, this month's plan is still to do.
    assert not planned_items.filter(planned_for__gte=TODAY).exclude(status=Visit.Status.PLANNED).exists()
    assert planned_items.filter(planned_for__gte=TODAY, plan__month=NOVEMBER).exists()
    # Most of the past is done: 65 % on the day and 20 % late by design.
    past = planned_items.filter(planned_for__lt=TODAY)
    assert done.exclude(source=Visit.Source.UNPLANNED).count() > 0.7 * past.count()


def test_unplanned_visits_are_done_on_a_working_day_of_their_month_before_today(seeded):
    unplanned = Visit.objects.filter(source=Visit.Source.UNPLANNED)
    assert unplanned.filter(plan__month=OCTOBER).exists() and unplanned.filter(plan__month=NOVEMBER).exists()
    assert set(unplanned.values_list("status", flat=True)) == {Visit.Status.DONE}
    for visit in unplanned.select_related("plan"):
        assert visit.planned_for is None
        assert visit.plan.month <= visit.done_on < TODAY
        assert visit.done_on.month == visit.plan.month.month
        assert visit.done_on.weekday() < 5 or visit.done_on == date(2026, 10, 10)
        assert visit.owner_id == visit.plan.owner_id == visit.client.owner_id


def test_plans_follow_the_holiday_calendar(seeded):
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).is_working is False
    assert CalendarDay.objects.get(date=date(2026, 10, 10)).is_working is True  # Saturday, 国庆节调休
    october = Visit.objects.filter(plan__month=OCTOBER).exclude(source=Visit.Source.UNPLANNED)
    days = set(october.values_list("planned_for", flat=True))
    assert days, "October has visits"
    golden_week = {date(2026, 10, 1) + timedelta(days=n) for n in range(7)}
    assert not days & golden_week
    assert all(day.weekday() < 5 or day == date(2026, 10, 10) for day in days)


def test_market_information_comes_from_done_on_site_visits_on_their_day(seeded):
    infos = MarketInfo.objects.select_related("visit")
    assert infos.count() == seeded.market > 0
    for info in infos:
        assert info.visit.status == Visit.Status.DONE and info.visit.kind == Visit.Kind.ONSITE
        assert info.client_id == info.visit.client_id and info.recorded_by_id == info.visit.owner_id
        assert timezone.localdate(info.recorded_at) == info.visit.done_on


def test_a_second_run_adds_nothing(seeded):
    before = snapshot()
    again = volume.populate(today=TODAY)
    assert (again.plans, again.visits, again.unplanned, again.market, again.holidays) == (0, 0, 0, 0, 0)
    assert snapshot() == before


def test_seed_volume_command_makes_the_plans_once():
    call_command("seed_volume", "--clients", "40", stdout=_Null())
    first = snapshot()
    per_owner_month = MonthPlan.objects.values("owner", "month").annotate(n=Count("pk"))
    # the targets' volume (MKT-2) makes 100 account managers: two months' plans of each
    assert first[0] == 200 and {row["n"] for row in per_owner_month} == {1}
    call_command("seed_volume", "--clients", "40", stdout=_Null())
    assert snapshot() == first


def test_no_visits_skips_them():
    call_command("seed_volume", "--clients", "20", "--no-visits", stdout=_Null())
    assert not MonthPlan.objects.exists()


class _Null:
    def write(self, text: str) -> None:
        pass


def test_every_done_planned_visit_left_its_contact_in_the_clients_history(seeded):
    from clients.models import Interaction

    done = Visit.objects.filter(status=Visit.Status.DONE).exclude(source=Visit.Source.UNPLANNED)
    assert done.exists()
    contacts = {
        (client_id, timezone.localdate(at), kind)
        for client_id, at, kind in Interaction.objects.values_list("client_id", "occurred_at", "kind")
    }
    kinds = {Visit.Kind.ONSITE: "visit", Visit.Kind.PHONE: "call"}
    missing = [v for v in done if (v.client_id, v.done_on, kinds[v.kind]) not in contacts]
    assert missing == []


def test_volume_targets_for_100_account_managers_over_24_months_and_a_rerun_adds_nothing():
    from visits import target_volume
    from visits.models import Target

    client_volume.seed({"clients": 400}, lambda line: None)
    target_volume.seed(lambda line: None)
    people = User.objects.filter(username__startswith="vol-am-")
    assert people.count() == 100
    # 100 volume account managers (and any other) × 4 computed trading metrics × 24 months
    everyone = User.objects.filter(role=Role.ACCOUNT_MANAGER).count()
    assert Target.objects.count() == everyone * 4 * 24
    assert Client.objects.filter(owner__in=people).values("owner").distinct().count() == 100
    target_volume.seed(lambda line: None)
    assert Target.objects.count() == everyone * 4 * 24
