"""The race gate for repair orders: every workflow step, requested by many people at once from
the same page, is applied exactly once and everyone else is told (REP-3, DESIGN "Concurrent writers")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Notification
from crm.roles import Role
from repairs.models import RepairOrder
from tests.concurrency import RACERS, assert_one_winner, post_race
from tests.factories import RepairOrderFactory, TechnicianFactory
from tests.repairs.test_workflow import to_status

pytestmark = pytest.mark.django_db(transaction=True)

S = RepairOrder.Status
SIGNATURE = "M 10 10 L 20 20 L 30 15"
LINES = {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-quantity": "1"}


def step_url(order: RepairOrder, action: str) -> str:
    return reverse("repairs:step", args=[order.pk, action])


def test_concurrent_assignments_to_two_technicians_have_one_winner_and_one_notification(
    new_order, supervisor, tech, other_tech
):
    choices = [tech, other_tech] * (RACERS // 2)
    responses = post_race(
        [(supervisor, step_url(new_order, "assign"), {"version": 1, "technician": t.pk}) for t in choices]
    )
    winner = assert_one_winner(responses, loser_text="Someone else changed this order first")
    order = RepairOrder.objects.get(pk=new_order.pk)
    assert order.technician.pk == int(winner.wsgi_request.POST["technician"]), "the winner's choice holds"
    assert order.events.filter(action="assign").count() == 1
    notified = Notification.objects.filter(recipient__in=[tech.user, other_tech.user])
    assert list(notified.values_list("recipient", flat=True)) == [order.technician.user_id], "only the holder is told"


def test_a_loser_of_an_assignment_race_is_told_who_holds_the_order(new_order, supervisor, tech, other_tech):
    responses = post_race(
        [(supervisor, step_url(new_order, "assign"), {"version": 1, "technician": t.pk}) for t in (tech, other_tech)]
    )
    holder = RepairOrder.objects.get(pk=new_order.pk).technician
    loser = next(r for r in responses if r.status_code == 200)
    assert str(holder) in loser.content.decode()


def test_concurrent_reassignments_have_one_winner(new_order, supervisor, tech, other_tech):
    order = to_status(new_order, S.ASSIGNED, supervisor, tech, None)
    third = TechnicianFactory(user__username="tech-c", specialties=["plumbing"])
    choices = [other_tech, third] * (RACERS // 2)
    responses = post_race(
        [(supervisor, step_url(order, "assign"), {"version": order.version, "technician": t.pk}) for t in choices]
    )
    assert_one_winner(responses, loser_text="Someone else changed this order first")
    assert RepairOrder.objects.get(pk=order.pk).events.filter(action="assign").count() == 2  # first + one reassign


# action: (the status it starts from, who takes it, the form data besides the version)
STEPS = {
    "reschedule": (S.ASSIGNED, Role.FRONT_DESK, {"new_time": "2099-01-01T10:00"}),
    "arrive": (S.ASSIGNED, Role.TECHNICIAN, {}),
    "quote": (S.ARRIVED, Role.TECHNICIAN, LINES),
    "consent": (S.QUOTED, Role.TECHNICIAN, {}),
    "complete": (
        S.IN_PROGRESS,
        Role.TECHNICIAN,
        {
            **LINES,
            "work_notes": "Replaced the washer",
            "signed_by": "王",
            "signature": SIGNATURE,
            "technician_signature": SIGNATURE,
            "compensation": "0",
        },
    ),
    "close": (S.COMPLETED, Role.ENGINEERING_SUPERVISOR, {}),
    "reopen": (S.CLOSED, Role.ENGINEERING_SUPERVISOR, {"note": "Leaks again"}),
    "cancel": (S.NEW, Role.FRONT_DESK, {"note": "Tenant fixed it"}),
}


@pytest.mark.parametrize("action", sorted(STEPS))
def test_every_step_requested_at_once_is_applied_once(action, new_order, supervisor, desk, tech, fees):
    status, role, data = STEPS[action]
    order = new_order if status == S.NEW else to_status(new_order, status, supervisor, tech, fees)
    actor = {Role.FRONT_DESK: desk, Role.TECHNICIAN: tech.user, Role.ENGINEERING_SUPERVISOR: supervisor}[role]
    if "lines-0-quantity" in data:
        data = {**data, "lines-0-fee_item": fees["labour"].pk}
    events_before, version_before = order.events.filter(action=action).count(), order.version
    responses = post_race([(actor, step_url(order, action), {"version": order.version, **data})] * RACERS)
    assert_one_winner(responses)
    order = RepairOrder.objects.get(pk=order.pk)
    assert order.events.filter(action=action).count() == events_before + 1
    assert order.version == version_before + 1


def test_a_step_from_an_out_of_date_page_is_refused_and_changes_nothing(client, new_order, supervisor, tech, desk):
    order = to_status(new_order, S.ASSIGNED, supervisor, tech, None)
    client.force_login(desk)
    response = client.post(
        step_url(order, "reschedule"),
        {"version": order.version - 1, "new_time": (timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert "Someone else changed this order first" in response.content.decode()
    assert RepairOrder.objects.get(pk=order.pk).rescheduled_at is None


def test_a_step_without_the_page_version_is_refused_with_a_message(client, new_order, supervisor, tech):
    client.force_login(supervisor)
    response = client.post(step_url(new_order, "assign"), {"technician": tech.pk}, follow=True)
    assert "This page was out of date; nothing was saved." in response.content.decode()
    assert RepairOrder.objects.get(pk=new_order.pk).technician is None


def test_concurrent_sign_offs_of_a_month_have_one_winner(supervisor, make_user):
    from datetime import date, datetime

    from repairs import statistics
    from repairs.models import MonthlySignOff

    done = timezone.make_aware(datetime(2026, 10, 5, 10))
    RepairOrderFactory(
        technician=TechnicianFactory(), status="closed", consented_at=done, completed_at=done, signature=SIGNATURE
    )
    statistics.monthly_report_generate(month=date(2026, 10, 1))
    chiefs = [supervisor, make_user(Role.ENGINEERING_SUPERVISOR, username="chief-2")]
    responses = post_race(
        [(chiefs[n % 2], reverse("repairs:stats_sign_off"), {"month": "2026-10"}) for n in range(RACERS)]
    )
    assert_one_winner(responses, loser_text="signed off already")
    assert MonthlySignOff.objects.count() == 1


def test_concurrent_billing_changes_have_one_winner_and_one_audit_row(finance):
    done = timezone.now() - timedelta(days=1)
    order = RepairOrderFactory(
        technician=TechnicianFactory(),
        status="completed",
        consented_at=done,
        completed_at=done,
        signature=SIGNATURE,
        total=120,
    )
    choices = [{"status": "paid"}, {"status": "waived", "reason": "保修"}] * (RACERS // 2)
    url = reverse("repairs:order_billing", args=[order.pk])
    responses = post_race([(finance, url, {"seen": "to_bill", **data}) for data in choices])
    winner = assert_one_winner(responses, loser_text="Someone else changed the billing first")
    order.refresh_from_db()
    assert order.billing_status == winner.wsgi_request.POST["status"]
    assert order.history.exclude(billing_status="to_bill").count() == 1, "one audited change"
