"""Writes of grading: the policy, potential assessments, and grading runs (GRD-3, GRD-5, GRD-6)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.models import Client
from clients.services import clients_set_grades
from crm.models import User
from crm.outbox import outbox_enqueue
from grading import measures
from grading.models import ClientScore, GradingPolicy, GradingRun, PotentialAssessment, Receivable, SalesOrder

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
    """An account manager's judgement of a new client's potential (GRD-3)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Write why you judge the potential so.")})
    return PotentialAssessment.objects.create(client=client, score=score, reason=reason, assessed_by=by)


def grading_run_start(*, as_of: date | None = None, by: User | None = None, execute_later: bool = False) -> GradingRun:
    """Open a run, or return today's finished run for the same policy (a rerun changes nothing).
    A second run while one is running is refused by the database (one running run).

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
            run = GradingRun.objects.create(as_of=as_of, policy=policy, started_by=by, step=_("Waiting to start"))
            if execute_later:
                outbox_enqueue("grading.tasks.grading_run_execute_task", args=[run.pk])
            return run
    except IntegrityError:  # the database decides between concurrent starts
        done = GradingRun.objects.filter(as_of=as_of, policy=policy, status=GradingRun.Status.DONE).first()
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
            )
            GradingRun.objects.filter(pk=run.pk, status=GradingRun.Status.RUNNING).update(
                status=GradingRun.Status.DONE, step=_("Done"), clients_graded=count, finished_at=timezone.now()
            )
    except Exception as error:
        GradingRun.objects.filter(pk=run.pk, status=GradingRun.Status.RUNNING).update(
            status=GradingRun.Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    run.refresh_from_db()
    return run


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
    """Correct a receivable with its payment (GRD-1): the paid date and, if late, why."""
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be in the future.")})
    if paid_on > receivable.due_on and not delay_reason.strip():
        raise ValidationError({"delay_reason": _("The payment is late: record the reason.")})
    receivable.paid_on, receivable.delay_reason = paid_on, delay_reason
    receivable._history_user = by
    receivable.save(update_fields=["paid_on", "delay_reason"])
    return receivable
