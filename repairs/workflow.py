"""The repair order's state machine (REP-1…8), in one place.

    new ─assign─▶ assigned ─arrive─▶ arrived ─quote─▶ quoted ─consent─▶ in_progress
     │              │ (reassign, reschedule)             (requote)              │
     └── cancel ────┴─▶ cancelled                                           complete
                                                                                ▼
                    assigned ◀────────── reopen ──────────── closed ◀─close─ completed

Each step is a conditional UPDATE on the status and the version the user saw (``order.version``),
so of two people acting on the same page exactly one wins and the other is told what the order
is now; each step writes a RepairEvent and an audit record.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.history import record_update
from crm.models import User
from crm.outbox import outbox_enqueue
from crm.roles import Role
from repairs.models import (
    FeeItem,
    RepairEvent,
    RepairLine,
    RepairOrder,
    RepairSettings,
    RepairSignature,
    Technician,
)

S = RepairOrder.Status
TECHNICIAN = "assigned-technician"  # the technician assigned to this order, not any technician


@dataclass(frozen=True)
class Step:
    sources: frozenset[str]
    target: str | None  # None: the status stays (a change within the step)
    actors: frozenset[str]


A = RepairEvent.Action

STEPS: dict[str, Step] = {
    "assign": Step(frozenset({S.NEW, S.ASSIGNED}), S.ASSIGNED, frozenset({Role.ENGINEERING_SUPERVISOR})),
    "reschedule": Step(
        frozenset({S.NEW, S.ASSIGNED}),
        None,
        frozenset({Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR, TECHNICIAN}),
    ),
    "arrive": Step(frozenset({S.ASSIGNED}), S.ARRIVED, frozenset({TECHNICIAN})),
    "quote": Step(frozenset({S.ARRIVED, S.QUOTED}), S.QUOTED, frozenset({TECHNICIAN})),
    "consent": Step(frozenset({S.QUOTED}), S.IN_PROGRESS, frozenset({TECHNICIAN})),
    "complete": Step(frozenset({S.IN_PROGRESS}), S.COMPLETED, frozenset({TECHNICIAN})),
    "close": Step(frozenset({S.COMPLETED}), S.CLOSED, frozenset({Role.ENGINEERING_SUPERVISOR})),
    "reopen": Step(
        frozenset({S.COMPLETED, S.CLOSED}),
        S.ASSIGNED,
        frozenset({Role.ENGINEERING_SUPERVISOR, Role.FRONT_DESK}),
    ),
    "cancel": Step(
        frozenset({S.NEW, S.ASSIGNED}),
        S.CANCELLED,
        frozenset({Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR}),
    ),
}


def label(action: str) -> str:
    return str(A(action).label)


def may(user: User, order: RepairOrder, action: str) -> bool:
    """Whether ``user`` may take ``action`` on ``order`` now (status and role)."""
    step = STEPS[action]
    if order.status not in step.sources:
        return False
    if user.role == Role.ADMIN or user.role in step.actors:
        return True
    return TECHNICIAN in step.actors and order.technician_id is not None and order.technician.user_id == user.pk


def allowed_actions(user: User, order: RepairOrder) -> list[str]:
    return [action for action in STEPS if may(user, order, action)]


def _apply(order: RepairOrder, action: str, by: User, note: str, **changes) -> RepairOrder:
    """Move the order through one step, or refuse with a message that says why. The step's
    RepairEvent is left on ``order.last_event``."""
    step = STEPS[action]
    if order.status not in step.sources:
        raise ValidationError(
            _("“%(step)s” is not possible while the order is “%(status)s”.")
            % {"step": label(action), "status": order.get_status_display()}
        )
    if not may(by, order, action):
        raise PermissionDenied
    before = order.status
    target = step.target or before
    with transaction.atomic():
        won = RepairOrder.objects.filter(pk=order.pk, status=before, version=order.version).update(
            status=target, version=F("version") + 1, **changes
        )
        if not won:
            raise ValidationError(
                _changed_first_message(RepairOrder.objects.select_related("technician__user").get(pk=order.pk))
            )
        order = record_update(order, by)
        order.last_event = RepairEvent.objects.create(
            order=order, action=action, from_status=before, to_status=target, actor=by, note=note
        )
    return order


def _changed_first_message(current: RepairOrder) -> str:
    if current.technician_id:
        return _(
            "Someone else changed this order first: it is now “%(status)s”, with %(technician)s. Reload to see it."
        ) % {"status": current.get_status_display(), "technician": current.technician}
    return _("Someone else changed this order first: it is now “%(status)s”. Reload to see it.") % {
        "status": current.get_status_display()
    }


def assign(*, order: RepairOrder, technician: Technician, by: User) -> RepairOrder:
    """Assign (or reassign) a technician (REP-3); the technician is notified."""
    if not technician.active:
        raise ValidationError({"technician": _("This technician is not active.")})
    from repairs.services import notify_assignment

    with transaction.atomic():  # the assignment and the technician's notice commit together
        order = _apply(order, "assign", by, note=str(technician), technician=technician, assigned_at=timezone.now())
        notify_assignment(order)
    return order


def reschedule(*, order: RepairOrder, new_time: datetime, by: User, note: str = "") -> RepairOrder:
    """Record a new time the client agreed to; lateness is then measured from it (REP-2)."""
    if new_time <= order.appointment_at:
        raise ValidationError({"new_time": _("The new time must be later than the original appointment.")})
    return _apply(
        order, "reschedule", by, note=note or f"{timezone.localtime(new_time):%Y-%m-%d %H:%M}", rescheduled_at=new_time
    )


def arrive(*, order: RepairOrder, by: User, at: datetime | None = None) -> RepairOrder:
    """Record the arrival; on time if within the tolerance of the (re)agreed time (REP-2)."""
    at = at or timezone.now()
    tolerance = timedelta(minutes=RepairSettings.current().arrival_tolerance_minutes)
    on_time = at <= order.due_at + tolerance
    changes = {"arrived_at": at}
    if order.on_time is None:  # a reopened order keeps the first visit's timeliness
        changes["on_time"] = on_time
    note = (
        _("on time")
        if on_time
        else _("late by %(minutes)d minutes") % {"minutes": (at - order.due_at).total_seconds() // 60}
    )
    return _apply(order, "arrive", by, note=note, **changes)


@dataclass(frozen=True)
class LineInput:
    fee_item: FeeItem
    quantity: Decimal


def quote(*, order: RepairOrder, lines: list[LineInput], by: User) -> RepairOrder:
    """Tell the client the fee standard: the lines from the fee schedule, before work starts (REP-4)."""
    with transaction.atomic():
        total = lines_total(lines)  # first: it refuses fees too large to store
        order = _apply(order, "quote", by, note=_replace_lines(order, lines), total=total)
    return order


def consent(
    *, order: RepairOrder, by: User, note: str = "", furniture_moved: bool = False, furniture_consent_by: str = ""
) -> RepairOrder:
    """The client agreed to the quoted fees: work may start (REP-4). When indoor furniture must be
    moved, the client's agreement to that is recorded here, before the work (who agreed, when)."""
    furniture_consent_by = furniture_consent_by.strip()
    if furniture_moved and not furniture_consent_by:
        raise ValidationError(
            {"furniture_consent_by": _("Write the name of the person who agreed to move the furniture.")}
        )
    now = timezone.now()
    changes = {
        "furniture_moved": furniture_moved,
        "furniture_consent_by": furniture_consent_by if furniture_moved else "",
        "furniture_consent_at": now if furniture_moved else None,
    }
    if furniture_moved:
        agreed = _("furniture to be moved, agreed by %(name)s") % {"name": furniture_consent_by}
        note = f"{note} · {agreed}" if note else agreed
    return _apply(order, "consent", by, note=note, consented_at=now, **changes)


SIGNATURE_RE = re.compile(r"^[MLml0-9 .,\-]{10,60000}$")
SLIP_FILE_TASK = "repairs.tasks.repair_slip_file_task"


def completion_errors(
    *,
    work_notes: str,
    signature: str,
    signed_by: str,
    technician_signature: str | None = None,
    damage: str = "",
    compensation: Decimal | None = Decimal("0"),
) -> dict[str, str]:
    """What is missing for a completion, by field: the form shows all of it at once (X-4)."""
    errors = {}
    if not (work_notes or "").strip():
        errors["work_notes"] = _("Describe the work done and the test of the result.")
    if not SIGNATURE_RE.match(signature or ""):
        errors["signature"] = _("The client must sign on the screen.")
    if not (signed_by or "").strip():
        errors["signed_by"] = _("Write the name of the person who signed.")
    if technician_signature is not None and not SIGNATURE_RE.match(technician_signature):
        errors["technician_signature"] = _("Sign as the technician on the screen.")
    if compensation and not (damage or "").strip():
        errors["damage"] = _("Describe the damage that is compensated.")
    return errors


def complete(
    *,
    order: RepairOrder,
    by: User,
    work_notes: str,
    signature: str,
    signed_by: str,
    lines: list[LineInput] | None = None,
    damage: str = "",
    compensation: Decimal = Decimal("0"),
    technician_signature: str | None = None,
) -> RepairOrder:
    """Record the work, the final fees, any damage and its compensation, the client's signature
    of acceptance and the technician's own (REP-5, REP-8). Each signature is kept as a
    RepairSignature row; the slip's PDF is filed in the unit's archive after the commit, by a
    task, so rendering never delays nor fails the completion. ``technician_signature`` None:
    a completion recorded without the technician's drawing (the page always asks for it)."""
    errors = completion_errors(
        work_notes=work_notes,
        signature=signature,
        signed_by=signed_by,
        technician_signature=technician_signature,
        damage=damage,
        compensation=compensation,
    )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        changes = {}
        if lines is not None:
            changes["total"] = lines_total(lines)
            _replace_lines(order, lines)
        order = _apply(
            order,
            "complete",
            by,
            note=work_notes,
            work_notes=work_notes,
            signature=signature,
            signed_by=signed_by,
            damage=damage,
            compensation=compensation,
            completed_at=timezone.now(),
            **_first_completion_or_rework(),
            **changes,
        )
        _keep_signatures(order, by, signature, signed_by, technician_signature)
        outbox_enqueue(SLIP_FILE_TASK, args=[order.last_event.pk])
    return order


def _keep_signatures(
    order: RepairOrder, by: User, signature: str, signed_by: str, technician_signature: str | None
) -> None:
    """Add this completion's signatures (rows are only ever added: a re-sign keeps the first)."""
    signed = [(RepairSignature.Signer.CLIENT, signed_by.strip(), signature)]
    if technician_signature is not None:
        name = by.get_full_name() or by.get_username()
        signed.append((RepairSignature.Signer.TECHNICIAN, name, technician_signature))
    event = order.last_event
    RepairSignature.objects.bulk_create(
        RepairSignature(
            order=order, event=event, signer=signer, signer_name=name, path=path, signed_at=event.at, recorded_by=by
        )
        for signer, name, path in signed
    )


def _first_completion_or_rework() -> dict:
    """The first completion dates the job (its month's figures); a later one counts a rework (REP-7)."""
    return {
        "first_completed_at": Coalesce(F("first_completed_at"), Value(timezone.now())),
        "rework_count": Case(
            When(first_completed_at__isnull=True, then=F("rework_count")), default=F("rework_count") + 1
        ),
    }


def close(*, order: RepairOrder, by: User, note: str = "") -> RepairOrder:
    return _apply(order, "close", by, note=note, closed_at=timezone.now())


def reopen(*, order: RepairOrder, by: User, note: str) -> RepairOrder:
    """The repair did not hold: back to the technician (counts against the pass rate, REP-7)."""
    if not note.strip():
        raise ValidationError({"note": _("Say why the order is reopened.")})
    return _apply(
        order,
        "reopen",
        by,
        note=note,
        reopen_count=F("reopen_count") + 1,
        arrived_at=None,
        consented_at=None,
        completed_at=None,
        closed_at=None,
    )


def cancel(*, order: RepairOrder, by: User, note: str) -> RepairOrder:
    if not note.strip():
        raise ValidationError({"note": _("Say why the order is cancelled.")})
    return _apply(order, "cancel", by, note=note)


def _replace_lines(order: RepairOrder, lines: list[LineInput]) -> str:
    order.lines.all().delete()
    RepairLine.objects.bulk_create(
        [
            RepairLine(
                order=order,
                fee_item=line.fee_item,
                description=line.fee_item.name,
                kind=line.fee_item.kind,
                quantity=line.quantity,
                unit_price=line.fee_item.price,
                amount=(line.fee_item.price * line.quantity).quantize(Decimal("0.01")),
            )
            for line in lines
        ]
    )
    return "; ".join(f"{line.fee_item.name} × {line.quantity}" for line in lines) or _("no charge")


def lines_total(lines: list[LineInput]) -> Decimal:
    """The fees' total, refused if it does not fit the order's total column (nor then any line's
    amount, which is as wide): the database would reject it, or SQLite's adapter raise."""
    total = sum(((line.fee_item.price * line.quantity).quantize(Decimal("0.01")) for line in lines), Decimal("0"))
    field = RepairOrder._meta.get_field("total")
    largest = Decimal(10) ** (field.max_digits - field.decimal_places) - Decimal("0.01")
    if total > largest:
        raise ValidationError(
            _("The fees add up to %(total)s, more than an order can hold (%(largest)s). Check the quantities.")
            % {"total": f"{total:,.2f}", "largest": f"{largest:,.2f}"}
        )
    return total
