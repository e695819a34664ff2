"""The defects a review of the visits app found, each pinned by the test that showed it."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from clients import services as client_services
from clients.models import Client
from tests.factories import ClientFactory, InteractionFactory
from tests.visits.conftest import DECEMBER
from tests.visits.test_generation import at
from visits import services
from visits.calendar import month_start, next_month, next_working_day, previous_month
from visits.models import CalendarDay, MonthPlan, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return timezone.localdate()


def _planned(plan, client, day, kind=Visit.Kind.ONSITE, **extra):
    return Visit.objects.create(plan=plan, owner=plan.owner, client=client, kind=kind, planned_for=day, **extra)


# 1 --- generation: a booking made before the month is pulled to the 1st as a second visit ---------
def test_booking_before_the_month_is_not_planned_twice(alice, manager):
    november = MonthPlan.objects.create(owner=alice, month=date(2026, 11, 1), status="approved")
    client = ClientFactory(code="C1", owner=alice, level="C", next_contact_date=date(2026, 11, 27))
    InteractionFactory(client=client, kind="visit", occurred_at=at(date(2026, 11, 13)), recorded_by=alice)
    InteractionFactory(client=client, kind="call", occurred_at=at(date(2026, 11, 13)), recorded_by=alice)
    _planned(november, client, date(2026, 11, 27), source=Visit.Source.BOOKED)  # put there by _book_next
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=date(2026, 11, 20))
    onsite = list(
        Visit.objects.filter(client=client, kind="onsite", status="planned").values_list("planned_for", "source")
    )
    assert onsite == [(date(2026, 11, 27), "booked")], onsite  # got a second 'booked' visit on 1 Dec


# 2 --- a booking moved by a later log leaves the old booked visit planned ----------------------
def test_moving_the_booking_takes_the_old_booked_visit_out(alice, today):
    december = MonthPlan.objects.create(owner=alice, month=next_month(today))
    client = ClientFactory(owner=alice, level="A")
    first, moved = (
        next_working_day(next_month(today) + timedelta(days=8)),
        next_working_day(next_month(today) + timedelta(days=15)),
    )
    services.visit_log(client=client, by=alice, kind="onsite", outcome="x", next_contact_date=first)
    services.visit_log(client=client, by=alice, kind="phone", outcome="改约", next_contact_date=moved)
    client.refresh_from_db()
    assert client.next_contact_date == moved
    booked = list(december.visits.filter(status="planned", source="booked").values_list("planned_for", flat=True))
    assert booked == [moved], booked  # the 'first' booked visit is still planned


# 3 --- a next visit booked in the past is accepted when the visit is logged late -----------------
def test_next_visit_in_the_past_is_refused(alice, today):
    client = ClientFactory(owner=alice, level="B")
    with pytest.raises(ValidationError) as error:
        services.visit_log(
            client=client,
            by=alice,
            kind="onsite",
            outcome="补录",
            occurred_on=today - timedelta(days=10),
            next_contact_date=today - timedelta(days=5),
        )
    assert "next_contact_date" in error.value.message_dict


# 4 --- an overdue visit of last month cannot roll over into this month ---------------------------
def test_overdue_visit_of_last_month_can_be_moved_to_today(alice, today):
    last = MonthPlan.objects.create(owner=alice, month=previous_month(today), status="approved")
    client = ClientFactory(owner=alice, level="A")
    visit = _planned(last, client, previous_month(today) + timedelta(days=20))
    day = next_working_day(today)
    services.visit_move(
        visit=visit, by=alice, day=day, reason="客户出差"
    )  # ValidationError: "Choose a day of <last month>"
    visit.refresh_from_db()
    assert visit.planned_for == day


# 5 --- a booking on a holiday: generation moves it, cancelling the booking no longer reaches it ----
def test_cancelling_a_booking_that_fell_on_a_holiday_cancels_its_visit(alice, manager, before_december):
    CalendarDay.objects.create(date=date(2026, 12, 1), name="假日")
    client = ClientFactory(owner=alice, level="B", next_contact_date=date(2026, 12, 1))
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=before_december)
    visit = Visit.objects.get(client=client, source="booked")
    assert visit.planned_for == date(2026, 12, 2)
    client_services.followup_cancel(client=client, by=alice, due=date(2026, 12, 1), reason="客户取消")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.CANCELLED  # still 'planned' on 2 Dec


# 6 --- a planned on-site visit is marked done by a phone call --------------------------------------
def test_a_phone_call_does_not_fulfil_a_planned_onsite_visit(alice, today):
    plan = MonthPlan.objects.create(owner=alice, month=month_start(today))
    client = ClientFactory(owner=alice, level="A")
    visit = _planned(plan, client, today)
    services.visit_log(client=client, by=alice, kind="phone", outcome="只打了电话", visit=visit)
    visit.refresh_from_db()
    assert not (visit.status == Visit.Status.DONE and visit.kind == Visit.Kind.ONSITE)


# 7 --- a visit changed in a plan that was submitted meanwhile (status not part of the condition) ----
def test_moving_a_visit_after_the_plan_was_submitted_is_refused(alice, today):
    plan = MonthPlan.objects.create(owner=alice, month=next_month(today))
    client = ClientFactory(owner=alice, level="A")
    visit = _planned(plan, client, next_working_day(next_month(today)))
    stale = Visit.objects.select_related("plan").get(pk=visit.pk)  # the move page loaded before the submit
    services.plan_submit(plan=MonthPlan.objects.get(pk=plan.pk), by=alice)
    with pytest.raises(ValidationError):
        services.visit_move(visit=stale, by=alice, day=next_working_day(next_month(today) + timedelta(days=7)))


# 8 --- odd input: 500s -----------------------------------------------------------------------------
def test_week_view_with_an_impossible_date_is_not_a_500(client, alice):
    client.force_login(alice)
    assert client.get(reverse("visits:home") + "?view=week&day=2026-02-30").status_code in (200, 400)


def test_cancel_booking_with_an_impossible_date_is_not_a_500(client, alice):
    target = ClientFactory(owner=alice, next_contact_date=date(2026, 12, 3))
    client.force_login(alice)
    url = reverse("clients:followup_cancel", args=[target.pk])
    assert client.post(url, {"due": "2026-02-30", "reason": "x"}).status_code in (302, 400)


# 9 --- the add-visit form's errors are flashed after a redirect, not shown next to the field ------
def test_add_visit_error_is_shown_next_to_the_field(client, alice, today):
    plan = MonthPlan.objects.create(owner=alice, month=month_start(today))
    target = ClientFactory(owner=alice)
    client.force_login(alice)
    response = client.post(
        reverse("visits:visit_add", args=[plan.pk]),
        {"client": target.pk, "kind": "onsite", "day": (today - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 200  # 302 back to the plan, the error only as a toast


# 10 --- client reassigned: the new owner's call fulfils the old owner's plan item ------------------
def test_new_owners_call_does_not_fulfil_the_old_owners_plan(alice, bob, today):
    plan = MonthPlan.objects.create(owner=alice, month=month_start(today))
    target = ClientFactory(owner=alice)
    visit = _planned(plan, target, today, kind=Visit.Kind.PHONE)
    Client.objects.filter(pk=target.pk).update(owner=bob)
    target.refresh_from_db()
    services.visit_log(client=target, by=bob, kind="phone", outcome="新负责人来电")
    visit.refresh_from_db()
    assert visit.status == Visit.Status.PLANNED  # marked done in alice's plan by bob's call


# 11 --- everything overdue or never visited piles into the month's first (partial) ISO week ----------
def test_overdue_and_never_visited_clients_are_spread_over_the_month(alice, manager, north):
    january = date(2027, 1, 1)  # a Friday: the first ISO week of the month has one working day
    for i in range(10):
        ClientFactory(code=f"B{i}", owner=alice, level="B", territory=north)
    services.month_open(team=alice.team, month=january, by=manager, today=date(2026, 12, 20))
    days = set(Visit.objects.filter(owner=alice, kind="onsite").values_list("planned_for", flat=True))
    assert len(days) > 1, days  # all ten on-site visits (and ten calls) on Friday 1 January


# 12 --- a month opened (or an account manager added) mid-month is planned in the past: overdue at once --
def test_generating_the_current_month_plans_nothing_before_today(alice, manager):
    for i in range(4):
        ClientFactory(code=f"A{i}", owner=alice, level="A")
    services.month_open(team=alice.team, month=DECEMBER, by=manager, today=date(2026, 12, 21))
    first = Visit.objects.filter(owner=alice).order_by("planned_for").values_list("planned_for", flat=True).first()
    assert first >= date(2026, 12, 21), first  # items from 1 Dec: three weeks overdue on creation


# 13 --- a late-logged visit (a later contact exists) books a plan visit the client's card never shows --
def test_backdated_log_books_consistently(alice, today):
    december = MonthPlan.objects.create(owner=alice, month=next_month(today))
    target = ClientFactory(owner=alice, level="A")
    services.visit_log(client=target, by=alice, kind="phone", outcome="今天的电话")
    booked = next_working_day(next_month(today) + timedelta(days=5))
    services.visit_log(
        client=target,
        by=alice,
        kind="onsite",
        outcome="昨天的拜访",
        occurred_on=today - timedelta(days=1),
        next_contact_date=booked,
    )
    target.refresh_from_db()
    in_plan = december.visits.filter(source="booked", status="planned").exists()
    assert in_plan == (target.next_contact_date == booked), (in_plan, target.next_contact_date)


def test_return_without_comment_shows_the_error_next_to_the_comment(client, alice, manager, today):
    plan = MonthPlan.objects.create(owner=alice, month=next_month(today))
    _planned(plan, ClientFactory(owner=alice), next_working_day(next_month(today)))
    services.plan_submit(plan=plan, by=alice)
    client.force_login(manager)
    response = client.post(reverse("visits:plan_decide", args=[plan.pk]), {"decision": "return", "note": ""})
    assert response.status_code == 200  # 302 and a toast; the comment box is not marked
