"""Plan generation, checked against plans worked out by hand (VIS-1, VIS-2, VIS-3, VIS-5)."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import KeyAccountProfile
from tests.factories import ClientFactory, InteractionFactory
from tests.visits.conftest import DECEMBER
from visits import services
from visits.generation import allocate, interval_days, series_length
from visits.models import CalendarDay, MonthPlan, Visit, VisitPolicy

pytestmark = pytest.mark.django_db


def at(day: date):
    return timezone.make_aware(datetime.combine(day, time(10)))


def items(owner, **filters):
    return list(
        Visit.objects.filter(owner=owner, **filters)
        .order_by("planned_for", "client__code", "kind")
        .values_list("client__code", "kind", "source", "planned_for")
    )


def test_interval_days_by_rate():
    assert interval_days(Decimal("2")) == Decimal("15.21")
    assert interval_days(Decimal("1")) == Decimal("30.42")
    assert interval_days(Decimal("0.5")) == Decimal("60.83")
    assert interval_days(Decimal("0.34")) == Decimal("89.46")
    assert interval_days(Decimal("40")) == Decimal("1")
    assert interval_days(Decimal("0")) is None


def test_a_level_client_never_contacted_gets_two_visits_and_two_calls(alice, manager, before_december):
    ClientFactory(pk=1000, code="A1", owner=alice, level="A")
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    found = items(alice)
    onsite = [row[3] for row in found if row[1] == "onsite"]
    phone = [row[3] for row in found if row[1] == "phone"]
    # Never visited: due at once, spread by client over the first interval: 1 Dec + 1000 mod 15
    # = 11 Dec, then 15.21 days later 26 Dec (a Saturday, so Monday 28). Each goes to the start of
    # its week (7 Dec, 28 Dec). A third would be 41 Dec: two visits in the month, not three.
    assert onsite == [date(2026, 12, 7), date(2026, 12, 28)]
    assert phone == [date(2026, 12, 7), date(2026, 12, 28)]
    assert {row[2] for row in found} == {"cadence"}


def test_last_visit_moves_the_series(alice, manager, before_december):
    client = ClientFactory(code="B1", owner=alice, level="B")
    # On-site 20 Nov: B is every 30 days, next due 20 Dec (a Sunday) → the week of 21 Dec.
    InteractionFactory(client=client, kind="visit", occurred_at=at(date(2026, 11, 20)), recorded_by=alice)
    # Called 25 Nov: the phone follow-up is due 25 Dec → its week starts 21 Dec.
    InteractionFactory(client=client, kind="call", occurred_at=at(date(2026, 11, 25)), recorded_by=alice)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert items(alice) == [
        ("B1", "onsite", "cadence", date(2026, 12, 21)),
        ("B1", "phone", "cadence", date(2026, 12, 21)),
    ]


def test_half_a_visit_a_month_skips_a_month(alice, manager, before_december):
    client = ClientFactory(code="C1", owner=alice, level="C")
    # C: on-site every 60.83 days; visited 15 Nov → next 14 Jan, none in December. Phone 1 a month,
    # called 10 Nov → due 10 Dec (week of 7 Dec).
    InteractionFactory(client=client, kind="visit", occurred_at=at(date(2026, 11, 15)), recorded_by=alice)
    InteractionFactory(client=client, kind="call", occurred_at=at(date(2026, 11, 10)), recorded_by=alice)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert items(alice) == [("C1", "phone", "cadence", date(2026, 12, 7))]


def test_key_account_cadence_overrides_its_level(alice, manager, before_december):
    client = ClientFactory(code="K1", owner=alice, level="D", is_key_account=True)
    KeyAccountProfile.objects.create(client=client, visit_cadence_days=10)
    InteractionFactory(client=client, kind="visit", occurred_at=at(date(2026, 11, 28)), recorded_by=alice)
    InteractionFactory(client=client, kind="call", occurred_at=at(date(2026, 11, 28)), recorded_by=alice)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    # Every 10 days from 28 Nov: 8, 18, 28 Dec (D alone would give no on-site visit). D's phone
    # interval is 89 days: none in December.
    onsite = [row[3] for row in items(alice, kind="onsite")]
    assert onsite == [date(2026, 12, 7), date(2026, 12, 14), date(2026, 12, 28)]
    assert items(alice, kind="phone") == []


def test_rotation_calls_a_client_nothing_else_brings_up(alice, manager, before_december):
    quiet = ClientFactory(code="D1", owner=alice, level="D")
    recent = ClientFactory(code="D2", owner=alice, level="D")
    # D: no on-site visits, a call every 89 days. Both called recently enough for the phone
    # cadence, but D1's last contact was 1 Oct: 90 days later is 30 Dec → a rotation call.
    InteractionFactory(client=quiet, kind="call", occurred_at=at(date(2026, 10, 1)), recorded_by=alice)
    InteractionFactory(client=quiet, kind="call", occurred_at=at(date(2026, 10, 1)), recorded_by=alice)
    InteractionFactory(client=recent, kind="call", occurred_at=at(date(2026, 11, 1)), recorded_by=alice)
    # D1's phone cadence: 1 Oct + 89.46 = 29 Dec; it is due by cadence, so rotation adds nothing.
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert items(alice) == [("D1", "phone", "cadence", date(2026, 12, 28))]


def test_rotation_without_cadence(alice, manager, before_december):
    from visits.models import VisitPolicy

    VisitPolicy.objects.create(d_phone=Decimal("0"))
    quiet = ClientFactory(code="D1", owner=alice, level="D")
    ClientFactory(code="D9", owner=alice, level="D", status="dormant")  # not active: no rotation
    InteractionFactory(client=quiet, kind="call", occurred_at=at(date(2026, 9, 20)), recorded_by=alice)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    # 20 Sep + 90 days = 19 Dec (Saturday) → week of 21 Dec.
    assert items(alice) == [("D1", "phone", "rotation", date(2026, 12, 21))]


def test_booked_next_contact_keeps_its_day_and_starts_the_series(alice, manager, before_december):
    client = ClientFactory(code="A1", owner=alice, level="A", next_contact_date=date(2026, 12, 9))
    InteractionFactory(client=client, kind="call", occurred_at=at(date(2026, 11, 27)), recorded_by=alice)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    onsite = items(alice, kind="onsite")
    # Booked 9 Dec (kept), then every 15.21 days: 24 Dec → week of 21 Dec.
    assert onsite == [("A1", "onsite", "booked", date(2026, 12, 9)), ("A1", "onsite", "cadence", date(2026, 12, 21))]


def test_holidays_and_swapped_working_days(alice, manager, before_december):
    # A holiday on Tuesday 1 Dec and a swapped working Saturday 5 Dec (调休).
    CalendarDay.objects.create(date=date(2026, 12, 1), name="假日")
    CalendarDay.objects.create(date=date(2026, 12, 5), is_working=True, name="调休")
    ClientFactory(pk=3000, code="B1", owner=alice, level="B", next_contact_date=date(2026, 12, 1))
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    # The booked day is a holiday: the next working day, 2 Dec.
    assert items(alice, kind="onsite") == [("B1", "onsite", "booked", date(2026, 12, 2))]
    # Never called: 1 Dec + 3000 mod 30 = 1 Dec, whose week has 2, 3, 4 and Saturday 5 Dec; the
    # phone follow-up takes its first working day.
    assert items(alice, kind="phone") == [("B1", "phone", "cadence", date(2026, 12, 2))]


def test_one_territory_per_day(alice, manager, north, south, before_december):
    # Six B clients never visited, three in each territory, whose ids put them in the first week
    # (1 Dec + id mod 30 = 1–4 Dec; Tue 1 – Fri 4 Dec, four days): each territory gets two days.
    for n, (north_pk, south_pk) in enumerate([(2010, 2011), (2012, 2013), (2040, 2041)]):
        ClientFactory(pk=north_pk, code=f"N{n}", owner=alice, level="B", territory=north)
        ClientFactory(pk=south_pk, code=f"S{n}", owner=alice, level="B", territory=south)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    by_day: dict[date, set[str]] = {}
    for code, _kind, _source, day in items(alice, kind="onsite"):
        by_day.setdefault(day, set()).add(code[0])
    assert all(len(territories) == 1 for territories in by_day.values())
    assert set(by_day) == {date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4)}


def test_allocate_blocks():
    assert allocate(4, [(1, 3), (2, 3)]) == {1: (0, 2), 2: (2, 2)}
    assert allocate(5, [(1, 9), (2, 1)]) == {1: (0, 4), 2: (4, 1)}
    assert allocate(2, [(1, 1), (2, 1), (3, 1)]) == {1: (0, 1), 2: (0, 1), 3: (1, 1)}
    assert allocate(0, [(1, 1)]) == {}


def test_generating_twice_keeps_the_plans(alice, bob, manager, before_december):
    ClientFactory(code="A1", owner=alice, level="A")
    first = services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert len(first.plan_ids) == 2
    plan = MonthPlan.objects.get(owner=alice)
    Visit.objects.filter(plan=plan).first().delete()  # adjusted by the account manager
    count = Visit.objects.count()
    again = services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert again.plan_ids == [] and again.items == 0
    assert sorted(again.kept_owner_ids) == sorted([alice.pk, bob.pk])
    assert Visit.objects.count() == count


def test_bad_months(alice, manager, before_december):
    with pytest.raises(ValidationError) as past:
        services.month_open(team=alice.team, month=date(2026, 10, 1), by=manager, today=before_december)
    assert "month" in past.value.message_dict
    for day in range(1, 32):
        CalendarDay.objects.create(date=date(2026, 12, day), name="假日")
    with pytest.raises(ValidationError) as empty:
        services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert "no working day" in empty.value.message_dict["month"][0]
    assert not MonthPlan.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_generating_the_same_month_at_once_makes_one_set_of_plans(alice, bob, manager):
    from django.urls import reverse

    from tests.concurrency import RACERS, post_race

    for n in range(5):
        ClientFactory(code=f"R{n}", owner=alice if n % 2 else bob, level="B")
    month = (timezone.localdate().replace(day=1) + timedelta(days=32)).replace(day=1)
    url = reverse("visits:open_month")
    post_race([(manager, url, {"month": f"{month:%Y-%m}", "team": manager.team_id})] * RACERS)
    assert MonthPlan.objects.filter(month=month).count() == 2
    # Each client's B cadence gives one on-site visit and one call in the month, once.
    assert Visit.objects.filter(plan__month=month).count() == 10


def test_minimum_coverage_calls_the_clients_contacted_longest_ago(alice, manager, before_december):
    from visits.models import VisitPolicy

    VisitPolicy.objects.create(d_phone=Decimal("0"))  # D clients: nothing due by cadence
    for n in range(10):
        client = ClientFactory(code=f"D{n}", owner=alice, level="D")
        if n >= 2:  # D0 and D1 never contacted; then D2 longest ago … D9 most recently
            InteractionFactory(client=client, kind="call", occurred_at=at(date(2026, 11, 10 + n)), recorded_by=alice)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, min_coverage=50, today=before_december)
    # 50 % of 10 active clients: five follow-ups, spread over the month from its first day.
    found = items(alice)
    assert [row[0] for row in sorted(found)] == ["D0", "D1", "D2", "D3", "D4"]
    assert {row[1:3] for row in found} == {("phone", "rotation")}
    assert len({row[3].isocalendar()[1] for row in found}) >= 3  # not all in one week


def test_a_weekly_key_account_gets_every_visit_of_the_month(alice, manager, before_december):
    # The number sequence is cut to the longest series: 7-day cadence, 30 days → 1 + 4 visits,
    # due 1, 8, 15, 22 and 29 Dec, each placed on the first working day of its week in December.
    client = ClientFactory(pk=7000, code="W1", owner=alice, level="D", is_key_account=True)  # 7000 mod 7 = 0
    KeyAccountProfile.objects.create(client=client, visit_cadence_days=7)
    ClientFactory(pk=7006, code="A2", owner=alice, level="A")  # due 2 and 17 Dec: after W1 in its weeks
    assert series_length(policy=VisitPolicy.current(), month=DECEMBER, owner_ids=[alice.pk]) == 5
    # Without key accounts the shortest interval is A's 15.21 days: 1 Dec and 16 Dec.
    assert series_length(policy=VisitPolicy.current(), month=DECEMBER, owner_ids=[manager.pk]) == 2
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert [row[3] for row in items(alice, client=client, kind="onsite")] == [
        date(2026, 12, 1),
        date(2026, 12, 7),
        date(2026, 12, 14),
        date(2026, 12, 21),
        date(2026, 12, 28),
    ]


def test_a_month_opened_once_begun_is_planned_from_today(alice, manager):
    ClientFactory(pk=1200, code="B1", owner=alice, level="B")  # never visited: due at once
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=date(2026, 12, 16))
    days = [row[3] for row in items(alice)]
    # From 16 Dec: 16 + 1200 mod min(30, 16) = 16 Dec; its week (Mon 14 Dec) begins before today,
    # so the items go to the working days from today: nothing planned in the past.
    assert days and min(days) >= date(2026, 12, 16)


def test_a_backlog_is_spread_over_the_month(alice, manager, before_december):
    # Thirty B clients never visited: their first visits spread over the month's weeks rather
    # than all on its first day.
    for n in range(30):
        ClientFactory(pk=5000 + n, code=f"B{n:02d}", owner=alice, level="B")
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    weeks = {row[3].isocalendar()[1] for row in items(alice, kind="onsite")}
    assert weeks == {49, 50, 51, 52, 53}


def test_a_booking_from_before_the_month_is_not_planned_again(alice, manager, before_december):
    # Booked 27 Nov: it is in November's plan (overdue there if missed); December follows the
    # cadence from the last visit, 20 Nov + 30.42 = 20 Dec (Sunday) → the week of 21 Dec.
    client = ClientFactory(code="B1", owner=alice, level="B", next_contact_date=date(2026, 11, 27))
    InteractionFactory(client=client, kind="visit", occurred_at=at(date(2026, 11, 20)), recorded_by=alice)
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    assert items(alice, kind="onsite") == [("B1", "onsite", "cadence", date(2026, 12, 21))]
