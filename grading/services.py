"""Writes of grading: the policy, potential assessments, and grading runs (GRD-3, GRD-5, GRD-6)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from clients.services import clients_set_grades
from crm.history import record_update
from crm.models import User
from crm.outbox import outbox_enqueue
from crm.roles import Role
from crm.services import notification_create
from grading import measures
from grading.models import (
    ClientScore,
    GradingPolicy,
    GradingRun,
    LedgerCorrection,
    PotentialAssessment,
    Receivable,
    SalesOrder,
)

STALE_AFTER = timedelta(hours=2)


def policy_update(*, changes: dict[str, Any], by: User) -> GradingPolicy:
    """A policy change is a new policy row; the old ones stay for the runs that used them."""
    current = GradingPolicy.current()
    fields = {
        f.name: getattr(current, f.name)
        for f in GradingPolicy._meta.fields
        if f.name not in ("id", "created_at", "created_by")
    }
    fields.update(changes)
    policy = GradingPolicy(**fields, created_by=by)
    policy.full_clean()
    policy.save()
    return policy


def potential_record(*, client: Client, score: int, reason: str, by: User) -> PotentialAssessment:
    """An account manager's judgement of a new client's potential (GRD-3). A client with booked
    orders is graded on them: its potential is not asked for, nor taken."""
    if client_has_orders(client):
        raise ValidationError(_("This client has booked orders: its grade comes from them, not from a potential."))
    if not reason.strip():
        raise ValidationError({"reason": _("Write why you judge the potential so.")})
    return PotentialAssessment.objects.create(client=client, score=score, reason=reason, assessed_by=by)


def grading_basis(policy: GradingPolicy) -> str:
    """What a run grades from, as a short mark: the policy, and the ledger and the potentials as
    counts, highest ids and highest audit ids (an insert, a deletion or a corrected row each
    move one). Six index-only aggregates, whatever the number of clients.

    Two runs of a day with the same basis compute the same grades, so the second is not run;
    a run the same day on a changed basis is allowed and supersedes the earlier one."""
    marks = [f"policy:{policy.pk}"]
    for model in (SalesOrder, Receivable):
        rows = model.objects.aggregate(n=Count("pk"), last=Max("pk"))
        audit = model.history.aggregate(last=Max("history_id"))["last"]
        marks.append(f"{model._meta.model_name}:{rows['n']}.{rows['last'] or 0}.{audit or 0}")
    potentials = PotentialAssessment.objects.aggregate(n=Count("pk"), last=Max("pk"))
    marks.append(f"potential:{potentials['n']}.{potentials['last'] or 0}")
    return " ".join(marks)


def client_has_orders(client: Client) -> bool:
    return SalesOrder.objects.filter(client=client, status=SalesOrder.Status.BOOKED).exists()


def grading_run_start(*, as_of: date | None = None, by: User | None = None, execute_later: bool = False) -> GradingRun:
    """Open a run, or return the day's finished run on the same basis: the same policy, ledger and
    potentials give the same grades, so a rerun changes nothing (GRD-6). When one of them changed
    since, a new run opens the same day and, once done, supersedes the earlier one.
    A second run while one is running is refused by the database (one running run), and two
    starts on the same basis cannot both open one (one run per day and basis).

    ``execute_later`` records the run's task in the outbox with the run: a worker computes it,
    and if the broker is down the relay publishes it when it is back (the run never strands)."""
    as_of = as_of or timezone.localdate()
    policy = GradingPolicy.current()
    # A run whose worker died never finishes: after two hours it no longer blocks new runs.
    GradingRun.objects.filter(status=GradingRun.Status.RUNNING, started_at__lt=timezone.now() - STALE_AFTER).update(
        status=GradingRun.Status.FAILED, error=_("Abandoned: the run did not finish."), finished_at=timezone.now()
    )
    try:
        with transaction.atomic():
            run = GradingRun.objects.create(
                as_of=as_of, policy=policy, basis=grading_basis(policy), started_by=by, step=_("Waiting to start")
            )
            if execute_later:
                outbox_enqueue("grading.tasks.grading_run_execute_task", args=[run.pk])
            return run
    except IntegrityError:  # the database decides between concurrent starts
        done = GradingRun.objects.filter(
            as_of=as_of, basis=grading_basis(policy), status=GradingRun.Status.DONE
        ).first()
        if done:
            return done
        raise ValidationError(_("A grading run is in progress; wait for it to finish.")) from None


def grading_run_execute(*, run: GradingRun) -> GradingRun:
    """Compute the run's scores set-based and write the levels back to the clients, in one transaction."""
    try:
        with transaction.atomic():
            # Lock the run: a duplicate delivery of the task, or a run declared stale, must not
            # compute it a second time alongside.
            run = GradingRun.objects.select_for_update().select_related("policy").get(pk=run.pk)
            if run.status != GradingRun.Status.RUNNING:
                return run
            GradingRun.objects.filter(pk=run.pk, status=GradingRun.Status.RUNNING).update(
                step=_("Computing credit, volume, profit and potential")
            )
            ClientScore.objects.filter(run=run).delete()
            count = measures.compute_scores(run)
            clients_set_grades(
                scores=ClientScore.objects.filter(run=run).values("client_id", "level"),
                discounts={level: run.policy.discount_for(level) for level in "ABCD"},
                graded_at=timezone.now(),
                run_number=run.pk,
            )
            _supersede_earlier_runs_of_the_day(run)
            GradingRun.objects.filter(pk=run.pk, status=GradingRun.Status.RUNNING).update(
                status=GradingRun.Status.DONE,
                step=_("Done"),
                clients_graded=count,
                levels_moved=_levels_moved(run),
                finished_at=timezone.now(),
            )
    except Exception as error:
        GradingRun.objects.filter(pk=run.pk, status=GradingRun.Status.RUNNING).update(
            status=GradingRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


def _supersede_earlier_runs_of_the_day(run: GradingRun) -> None:
    """The day's earlier finished runs give way to this one (kept, marked): the dashboard, the
    movers and the levels read the newest. Inside the run's transaction: they change together."""
    GradingRun.objects.current().filter(as_of=run.as_of, started_at__lte=run.started_at).exclude(pk=run.pk).update(
        superseded_by=run
    )


def _levels_moved(run: GradingRun) -> int:
    """How many clients changed level since the standing run before this one: one query."""
    previous = GradingRun.objects.current().filter(started_at__lt=run.started_at).exclude(pk=run.pk).first()
    if previous is None:
        return 0
    before = Subquery(ClientScore.objects.filter(run=previous, client=OuterRef("client_id")).values("level")[:1])
    return (
        ClientScore.objects.filter(run=run)
        .annotate(before=before)
        .filter(before__isnull=False)
        .exclude(before=F("level"))
        .count()
    )


def grading_run(*, as_of: date | None = None, by: User | None = None) -> GradingRun:
    return grading_run_execute(run=grading_run_start(as_of=as_of, by=by))


def ledger_order_add(*, client: Client, by: User, **fields: Any) -> SalesOrder:
    """An order line entered by hand (the ERP import is the usual way)."""
    order = SalesOrder(client=client, **fields)
    order.full_clean()
    order._history_user = by
    order.save()
    return order


def ledger_receivable_add(*, client: Client, by: User, **fields: Any) -> Receivable:
    receivable = Receivable(client=client, **fields)
    receivable.full_clean()
    receivable._history_user = by
    receivable.save()
    return receivable


def receivable_record_payment(*, receivable: Receivable, paid_on: date, delay_reason: str, by: User) -> Receivable:
    """Record the payment of an open receivable (GRD-1): the paid date and, if late, why.
    A payment already recorded is history: changing it is a correction (ledger_correction_request)."""
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be in the future.")})
    if paid_on > receivable.due_on and not delay_reason.strip():
        raise ValidationError({"delay_reason": _("The payment is late: record the reason.")})
    # Conditional on "still open": a second recorder (or a stale page) cannot overwrite the first.
    recorded = Receivable.objects.filter(pk=receivable.pk, paid_on__isnull=True).update(
        paid_on=paid_on, delay_reason=delay_reason
    )
    if not recorded:
        raise ValidationError(_("This payment is already recorded; request a correction to change it."))
    return record_update(receivable, by, fields=("paid_on", "delay_reason"))


# Ledger history (issue 9, defect 11). A recorded order or payment feeds the client's grade and
# discount, so its own account manager does not change it directly: they ask for a correction
# and a manager who neither asked nor owns the client decides.


def ledger_change_check(*, record: Receivable | SalesOrder, changes: Mapping[str, Any], by: User | None) -> None:
    """Refuse a direct change of a recorded ledger row by its client's account manager.

    ``record`` holds the stored values, ``changes`` the new ones. Recording the payment of an open
    receivable is no correction. ``by=None`` is the system (the administrators' ERP feed)."""
    if record.pk is None or by is None:
        return
    changed = {name for name, value in changes.items() if getattr(record, name) != value}
    if isinstance(record, Receivable) and record.paid_on is None:
        changed -= {"paid_on", "delay_reason"}
    if changed and record.client.owner_id == by.pk:
        raise ValidationError(
            _("A recorded ledger row of your own client changes only by a correction request that a manager approves.")
        )


def _as_text(record: Receivable | SalesOrder, field: str, value: Any) -> str:
    """A ledger value as a correction stores it: ISO dates, amounts with the field's decimals."""
    model_field = record._meta.get_field(field)
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal(1).scaleb(-model_field.decimal_places)))
    return str(value)


def _value_text(record: Receivable | SalesOrder, field: str) -> str:
    return _as_text(record, field, getattr(record, field))


def _value_parse(record: Receivable | SalesOrder, field: str, text: str) -> Any:
    """The typed value of ``text`` for the field, validated as the row would validate it."""
    model_field = record._meta.get_field(field)
    text = text.strip()
    try:
        value = None if text == "" and model_field.null else model_field.to_python(text)
        model_field.clean(value, record)
    except ValidationError as error:
        raise ValidationError({"new_value": error.messages}) from None
    return value


def ledger_correction_request(
    *, record: Receivable | SalesOrder, field: str, new_value: str, reason: str, by: User
) -> LedgerCorrection:
    """Ask for a recorded ledger row to be corrected; the team's managers are told."""
    if field not in LedgerCorrection.fields_for(record):
        raise ValidationError({"field": _("This field cannot be corrected.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the recorded value is wrong.")})
    value = _value_parse(record, field, new_value)
    if field == "paid_on" and value and value > timezone.localdate():
        raise ValidationError({"new_value": _("A payment cannot be in the future.")})
    old = _value_text(record, field)
    if _as_text(record, field, value) == old:
        raise ValidationError({"new_value": _("This is the value already recorded.")})
    target = {"receivable": record} if isinstance(record, Receivable) else {"sales_order": record}
    try:
        with transaction.atomic():
            correction = LedgerCorrection(
                client=record.client,
                field=field,
                old_value=old,
                new_value=_as_text(record, field, value),
                reason=reason.strip(),
                requested_by=by,
                **target,
            )
            correction._history_user = by
            correction.save()
            _notify_deciders(correction)
    except IntegrityError:  # the partial unique constraint: one pending request per field
        raise ValidationError(_("A correction of this field is already waiting for a decision.")) from None
    return correction


def _notify_deciders(correction: LedgerCorrection) -> None:
    owner = correction.client.owner
    if owner is None or owner.team_id is None:
        return
    deciders = User.objects.filter(role=Role.MANAGER, team_id=owner.team_id, is_active=True).exclude(
        pk__in=[correction.requested_by_id, owner.pk]
    )
    for decider in deciders:
        notification_create(
            recipient=decider,
            key=f"ledger-correction:{correction.pk}:requested",
            message="grading.correction_requested",
            params={"client": correction.client.name, "text": correction.reason},
            link=reverse("grading:corrections"),
        )


def _check_decider(correction: LedgerCorrection, by: User) -> None:
    refusal = correction.decision_refusal(by)
    if refusal:
        raise ValidationError(refusal)


def _decide(correction: LedgerCorrection, *, status: str, by: User, note: str) -> None:
    """The conditional UPDATE that decides: of concurrent deciders exactly one wins."""
    won = LedgerCorrection.objects.filter(pk=correction.pk, status=LedgerCorrection.Status.PENDING).update(
        status=status, decided_by=by, decided_at=timezone.now(), decision_note=note.strip()[:300]
    )
    if not won:
        raise ValidationError(_("This correction has already been decided."))
    record_update(correction, by, fields=("status", "decided_by", "decided_at", "decision_note"))


def ledger_correction_approve(*, correction: LedgerCorrection, by: User, note: str = "") -> LedgerCorrection:
    """Approve and apply, in one transaction: the row's history names the approver and the
    correction; the requester is told."""
    _check_decider(correction, by)
    with transaction.atomic():
        _decide(correction, status=LedgerCorrection.Status.APPROVED, by=by, note=note)
        model = type(correction.target)
        record = model.objects.select_for_update().select_related("client").get(pk=correction.target.pk)
        if _value_text(record, correction.field) != correction.old_value:
            raise ValidationError(_("The row has changed since the request: refuse it and ask again."))
        setattr(record, correction.field, _value_parse(record, correction.field, correction.new_value))
        others = [f.name for f in model._meta.concrete_fields if f.name != correction.field]
        try:
            record.full_clean(exclude=others)
        except ValidationError as error:
            raise ValidationError(error.messages) from None
        record._history_user = by
        record._change_reason = _("Ledger correction #%(number)s") % {"number": correction.pk}
        record.save(update_fields=[correction.field])
        _notify_requester(correction, "grading.correction_approved")
    return correction


def ledger_correction_refuse(*, correction: LedgerCorrection, by: User, note: str = "") -> LedgerCorrection:
    """Refuse: the ledger keeps its value; the requester is told (with the note, if any)."""
    _check_decider(correction, by)
    with transaction.atomic():
        _decide(correction, status=LedgerCorrection.Status.REFUSED, by=by, note=note)
        _notify_requester(correction, "grading.correction_refused")
    return correction


def _notify_requester(correction: LedgerCorrection, message: str) -> None:
    notification_create(
        recipient=correction.requested_by,
        key=f"ledger-correction:{correction.pk}:decided",
        message=message,
        params={"client": correction.client.name, "text": correction.decision_note},
        link=reverse("grading:ledger", args=[correction.client_id]),
    )
