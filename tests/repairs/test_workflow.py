"""The repair order state machine: one test per allowed step and per refused step (REP-1…8)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from crm.models import Notification
from repairs import workflow
from repairs.models import RepairOrder, RepairSettings
from repairs.workflow import LineInput

S = RepairOrder.Status
SIGNATURE = "M 10 10 L 20 20 L 30 15"


def to_status(order, status, supervisor, tech, fees):
    """Walk an order along the happy path up to ``status``."""
    path = [S.ASSIGNED, S.ARRIVED, S.QUOTED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED]
    for step in path[: path.index(status) + 1]:
        if step == S.ASSIGNED:
            order = workflow.assign(order=order, technician=tech, by=supervisor)
        elif step == S.ARRIVED:
            order = workflow.arrive(order=order, by=tech.user)
        elif step == S.QUOTED:
            order = workflow.quote(order=order, lines=[LineInput(fees["labour"], Decimal("1"))], by=tech.user)
        elif step == S.IN_PROGRESS:
            order = workflow.consent(order=order, by=tech.user)
        elif step == S.COMPLETED:
            order = workflow.complete(
                order=order,
                by=tech.user,
                work_notes="Replaced washer, tested, cleaned",
                signature=SIGNATURE,
                signed_by="王律师",
            )
        elif step == S.CLOSED:
            order = workflow.close(order=order, by=supervisor)
    return order


def test_logging_fills_the_client_from_the_tenancy(new_order, tenancy):
    assert new_order.client == tenancy.client
    assert new_order.number.startswith("R") and new_order.status == S.NEW
    assert [e.action for e in new_order.events.all()] == ["logged"]


def test_the_whole_happy_path_records_every_step(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.CLOSED, supervisor, tech, fees)
    assert order.status == S.CLOSED
    assert [e.action for e in order.events.all()] == [
        "logged",
        "assign",
        "arrive",
        "quote",
        "consent",
        "complete",
        "close",
    ]
    assert order.total == Decimal("80.00") and order.signature == SIGNATURE
    assert order.history.count() >= 7, "each step is in the audit history"


def test_assignment_notifies_the_technician(new_order, supervisor, tech):
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    notification = Notification.objects.get(recipient=tech.user)
    assert new_order.number in notification.title and notification.link == new_order.get_absolute_url()


def test_two_supervisors_assigning_at_once_one_wins(new_order, supervisor, make_user, tech, other_tech):
    from crm.roles import Role

    second = make_user(Role.ENGINEERING_SUPERVISOR)
    stale = RepairOrder.objects.get(pk=new_order.pk)
    workflow.assign(order=new_order, technician=tech, by=supervisor)
    with pytest.raises(ValidationError, match="Someone else changed this order first"):
        workflow.assign(order=stale, technician=other_tech, by=second)
    assert RepairOrder.objects.get(pk=new_order.pk).technician == tech


@pytest.mark.parametrize(("minutes_late", "on_time"), [(-30, True), (10, True), (11, False), (90, False)])
def test_arrival_is_on_time_within_the_tolerance(new_order, supervisor, tech, minutes_late, on_time):
    order = workflow.assign(order=new_order, technician=tech, by=supervisor)
    order = workflow.arrive(order=order, by=tech.user, at=order.appointment_at + timedelta(minutes=minutes_late))
    assert order.on_time is on_time


def test_a_new_agreed_time_moves_the_deadline(new_order, supervisor, tech, desk):
    order = workflow.assign(order=new_order, technician=tech, by=supervisor)
    order = workflow.reschedule(order=order, new_time=order.appointment_at + timedelta(hours=3), by=desk)
    order = workflow.arrive(order=order, by=tech.user, at=order.appointment_at + timedelta(hours=3, minutes=5))
    assert order.on_time is True


def test_the_tolerance_is_a_setting(new_order, supervisor, tech):
    RepairSettings.objects.update_or_create(pk=1, defaults={"arrival_tolerance_minutes": 30})
    order = workflow.assign(order=new_order, technician=tech, by=supervisor)
    order = workflow.arrive(order=order, by=tech.user, at=order.appointment_at + timedelta(minutes=25))
    assert order.on_time is True


def test_reschedule_must_be_later(new_order, desk):
    with pytest.raises(ValidationError):
        workflow.reschedule(order=new_order, new_time=new_order.appointment_at - timedelta(hours=1), by=desk)


def test_quote_uses_the_fee_schedule_prices(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.ARRIVED, supervisor, tech, fees)
    order = workflow.quote(
        order=order, lines=[LineInput(fees["labour"], Decimal("1")), LineInput(fees["tap"], Decimal("2"))], by=tech.user
    )
    assert order.total == Decimal("320.00")
    assert [(line.description, line.amount) for line in order.lines.all()] == [
        ("Replace tap (labour)", Decimal("80.00")),
        ("Tap", Decimal("240.00")),
    ]


def test_completion_with_damage_and_compensation(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    order = workflow.complete(
        order=order,
        by=tech.user,
        work_notes="Done",
        signature=SIGNATURE,
        signed_by="王",
        damage="Scratched the cabinet door",
        compensation=Decimal("50"),
        lines=[LineInput(fees["tap"], Decimal("1"))],
    )
    assert (order.damage, order.compensation, order.total) == (
        "Scratched the cabinet door",
        Decimal("50"),
        Decimal("120"),
    )


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.NEW, "arrive"),
        (S.NEW, "quote"),
        (S.NEW, "consent"),
        (S.NEW, "complete"),
        (S.NEW, "close"),
        (S.NEW, "reopen"),
        (S.ASSIGNED, "quote"),
        (S.ASSIGNED, "consent"),
        (S.ASSIGNED, "complete"),
        (S.ARRIVED, "consent"),
        (S.ARRIVED, "complete"),
        (S.ARRIVED, "assign"),
        (S.ARRIVED, "cancel"),
        (S.QUOTED, "complete"),
        (S.IN_PROGRESS, "quote"),
        (S.COMPLETED, "complete"),
        (S.COMPLETED, "cancel"),
        (S.CLOSED, "assign"),
        (S.CLOSED, "quote"),
        (S.CLOSED, "complete"),
        (S.CLOSED, "close"),
    ],
)
def test_refused_steps_say_why_and_change_nothing(new_order, supervisor, tech, fees, status, action):
    order = to_status(new_order, status, supervisor, tech, fees) if status != S.NEW else new_order
    assert not workflow.may(supervisor, order, action) or action not in workflow.allowed_actions(tech.user, order)
    attempts = {
        "assign": lambda: workflow.assign(order=order, technician=tech, by=supervisor),
        "arrive": lambda: workflow.arrive(order=order, by=tech.user),
        "quote": lambda: workflow.quote(order=order, lines=[], by=tech.user),
        "consent": lambda: workflow.consent(order=order, by=tech.user),
        "complete": lambda: workflow.complete(
            order=order, by=tech.user, work_notes="x", signature=SIGNATURE, signed_by="x"
        ),
        "close": lambda: workflow.close(order=order, by=supervisor),
        "reopen": lambda: workflow.reopen(order=order, by=supervisor, note="x"),
        "cancel": lambda: workflow.cancel(order=order, by=supervisor, note="x"),
    }
    with pytest.raises(ValidationError, match="is not possible while the order is"):
        attempts[action]()
    assert RepairOrder.objects.get(pk=order.pk).status == status


def test_completing_without_consent_is_refused_by_the_database_too(new_order, supervisor, tech):
    order = workflow.assign(order=new_order, technician=tech, by=supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        RepairOrder.objects.filter(pk=order.pk).update(status=S.COMPLETED, signature=SIGNATURE)


def test_signing_twice_is_refused(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.COMPLETED, supervisor, tech, fees)
    with pytest.raises(ValidationError, match="is not possible while the order is"):
        workflow.complete(order=order, by=tech.user, work_notes="again", signature="M 1 1 L 2 2 L 3 3", signed_by="x")
    assert RepairOrder.objects.get(pk=order.pk).signature == SIGNATURE


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("signature", {"signature": ""}),
        ("signature", {"signature": "<script>alert(1)</script>"}),
        ("work_notes", {"work_notes": " "}),
        ("signed_by", {"signed_by": ""}),
        ("damage", {"compensation": Decimal("10")}),
    ],
)
def test_completion_needs_notes_a_signature_and_a_reason_for_compensation(
    new_order, supervisor, tech, fees, field, kwargs
):
    order = to_status(new_order, S.IN_PROGRESS, supervisor, tech, fees)
    data = {"work_notes": "Done", "signature": SIGNATURE, "signed_by": "王", **kwargs}
    with pytest.raises(ValidationError) as error:
        workflow.complete(order=order, by=tech.user, **data)
    assert field in error.value.message_dict


def test_only_the_assigned_technician_works_the_order(new_order, supervisor, tech, other_tech):
    order = workflow.assign(order=new_order, technician=tech, by=supervisor)
    with pytest.raises(PermissionDenied):
        workflow.arrive(order=order, by=other_tech.user)


def test_front_desk_cannot_assign(new_order, desk, tech):
    with pytest.raises(PermissionDenied):
        workflow.assign(order=new_order, technician=tech, by=desk)


def test_reopen_returns_the_order_to_the_technician_and_counts(new_order, supervisor, tech, fees):
    order = to_status(new_order, S.CLOSED, supervisor, tech, fees)
    order = workflow.reopen(order=order, by=supervisor, note="Still leaking")
    assert (order.status, order.reopen_count, order.technician) == (S.ASSIGNED, 1, tech)
    assert order.on_time is not None, "the first visit's timeliness is kept"


@pytest.mark.parametrize("first_visit_on_time", [True, False])
def test_a_reopened_order_visited_again_keeps_the_first_visits_timeliness(
    new_order, supervisor, tech, fees, first_visit_on_time
):
    """REP-2 counts the first visit: a second visit for the same fault does not rewrite it."""
    order = workflow.assign(order=new_order, technician=tech, by=supervisor)
    late = timedelta(hours=5)
    first = order.due_at if first_visit_on_time else order.due_at + late
    order = workflow.arrive(order=order, by=tech.user, at=first)
    assert order.on_time is first_visit_on_time
    order = workflow.quote(order=order, lines=[LineInput(fees["labour"], Decimal("1"))], by=tech.user)
    order = workflow.consent(order=order, by=tech.user)
    order = workflow.complete(order=order, by=tech.user, work_notes="Washer", signature=SIGNATURE, signed_by="王律师")
    order = workflow.close(order=order, by=supervisor)
    order = workflow.reopen(order=order, by=supervisor, note="Still leaking")
    second = order.due_at + late if first_visit_on_time else order.due_at
    order = workflow.arrive(order=order, by=tech.user, at=second)
    order.refresh_from_db()
    assert (order.status, order.on_time, order.arrived_at) == (S.ARRIVED, first_visit_on_time, second)


def test_cancel_needs_a_reason(new_order, desk):
    with pytest.raises(ValidationError):
        workflow.cancel(order=new_order, by=desk, note="")
    assert workflow.cancel(order=new_order, by=desk, note="Tenant fixed it").status == S.CANCELLED


def test_arrival_uses_now_by_default(new_order, supervisor, tech):
    order = workflow.assign(order=new_order, technician=tech, by=supervisor)
    before = timezone.now()
    assert workflow.arrive(order=order, by=tech.user).arrived_at >= before
