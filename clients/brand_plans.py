"""Writes of the catalogue and of brand cultivation plans (品牌培育, MKT-4).

A plan's target clients are chosen with the client list's filters (clients.segments), counted
for a preview, then frozen: the clients matching at that moment become ``BrandPlanTarget`` rows,
so the plan keeps measuring the same outlets when clients later change level or owner. Single
clients can be added or removed afterwards. Progress is read from the ledger by
``grading.brand_progress``; nothing here stores a figure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clients import segments
from clients.models import Brand, BrandPlan, BrandPlanMilestone, BrandPlanTarget, Client, Product
from crm.models import Team, User
from crm.roles import Role

# A plan is a campaign of months, not a standing programme; its progress query has a few
# columns per month, so the length is bounded.
MAX_MONTHS = 36
# Past a few thousand outlets a plan is a market, not a target list: narrow the segment.
MAX_TARGETS = 5000

PLAN_FIELDS = ("name", "team", "start_month", "end_month", "notes")


def month_start(day: date) -> date:
    return day.replace(day=1)


def months_between(start: date, end: date) -> list[date]:
    """First days of the months from ``start``'s to ``end``'s, both included."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def month_end(month: date) -> date:
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _save(record: Any, by: User) -> Any:
    record._history_user = by
    record.full_clean()
    record.save()
    return record


def brand_save(*, brand: Brand, by: User) -> Brand:
    """Add or change a brand (its code kept upper case, as the ledger matches it)."""
    brand.code = brand.code.strip().upper()
    with transaction.atomic():
        return _save(brand, by)


def product_save(*, product: Product, by: User) -> Product:
    """Add or change a product; its code is how ledger orders name it (SalesOrder.product)."""
    product.code = product.code.strip().upper()
    with transaction.atomic():
        return _save(product, by)


def _check_period(plan: BrandPlan) -> None:
    errors: dict[str, str] = {}
    plan.start_month, plan.end_month = month_start(plan.start_month), month_start(plan.end_month)
    if plan.end_month < plan.start_month:
        errors["end_month"] = _("The last month cannot come before the first month.")
    elif len(months_between(plan.start_month, plan.end_month)) > MAX_MONTHS:
        errors["end_month"] = _("A plan runs for at most %(months)d months.") % {"months": MAX_MONTHS}
    elif plan.pk:
        outside = plan.milestones.exclude(month__gte=plan.start_month, month__lte=plan.end_month)
        if outside.exists():
            errors["end_month"] = _("Some milestones fall outside these months: move or delete them first.")
    if errors:
        raise ValidationError(errors)


def _check_team(by: User, team: Team) -> None:
    # A manager plans for their own team; an administrator for any.
    if by.role != Role.ADMIN and team.pk != by.team_id:
        raise ValidationError({"team": _("You can plan only for your own team.")})


def brand_plan_create(
    *, brand: Brand, by: User, name: str, team: Team, start_month: date, end_month: date, notes: str = ""
) -> BrandPlan:
    _check_team(by, team)
    plan = BrandPlan(
        brand=brand,
        name=name.strip(),
        team=team,
        start_month=start_month,
        end_month=end_month,
        notes=notes,
        created_by=by,
    )
    _check_period(plan)
    with transaction.atomic():
        return _save(plan, by)


def brand_plan_update(*, plan: BrandPlan, by: User, **fields: Any) -> BrandPlan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    if "team" in fields:
        _check_team(by, fields["team"])
    for name, value in fields.items():
        setattr(plan, name, value)
    _check_period(plan)
    with transaction.atomic():
        return _save(plan, by)


def _plan_clients(plan: BrandPlan, by: User, params: Mapping[str, Any]) -> QuerySet[Client]:
    """The segment's clients a plan may target: those ``by`` may address, of the plan's team (an
    administrator's wider view adds no outsiders). ValueError for invalid filter values."""
    return segments.segment_clients(by, params).filter(owner__team_id=plan.team_id)


def segment_preview(*, plan: BrandPlan, by: User, params: Mapping[str, Any]) -> int:
    """How many clients the segment would give the plan, counted as freezing counts them (its
    team's only); ValueError if invalid."""
    return _plan_clients(plan, by, params).count()


def brand_plan_targets_freeze(*, plan: BrandPlan, by: User, params: Mapping[str, Any]) -> int:
    """Add the clients of a segment to the plan's targets (those already in stay); returns how
    many were added. A segment matching nobody is refused: the plan would measure nothing."""
    params = segments.segment_params(params)
    try:
        clients = _plan_clients(plan, by, params)
    except ValueError as error:
        raise ValidationError(str(error)) from None
    try:
        with transaction.atomic():
            return _freeze(plan, by, params, clients)
    except IntegrityError:
        # Another planner added some of the same clients meanwhile: the constraint kept each once.
        raise ValidationError(_("Someone else changed the targets at the same time: please try again.")) from None


def _freeze(plan: BrandPlan, by: User, params: dict[str, str], clients: QuerySet[Client]) -> int:
    new = list(
        clients.exclude(brand_plan_targets__plan=plan).order_by("pk").values_list("pk", flat=True)[: MAX_TARGETS + 1]
    )
    if not new and not clients.exists():
        raise ValidationError(_("No client matches these filters: choose a wider segment."))
    if plan.targets.count() + len(new) > MAX_TARGETS:
        raise ValidationError(
            _("A plan targets at most %(limit)d clients: narrow the segment.") % {"limit": MAX_TARGETS}
        )
    rows = [BrandPlanTarget(plan=plan, client_id=pk, added_by=by) for pk in new]
    bulk_create_with_history(rows, BrandPlanTarget, batch_size=500, default_user=by)
    plan.segment = params
    plan._history_user = by
    plan.save(update_fields=["segment"])
    return len(new)


def brand_plan_target_add(*, plan: BrandPlan, by: User, code: str) -> BrandPlanTarget:
    """Add one client, named by its code, to the targets."""
    client = Client.objects.visible_to(by).select_related("owner").filter(code=code.strip()).first()
    if client is None:
        raise ValidationError({"code": _("None of your clients has this code.")})
    if client.status == Client.Status.MOVED_OUT or client.contact_opt_out_at is not None:
        raise ValidationError({"code": _("This client has moved out or asked not to be contacted.")})
    if client.owner.team_id != plan.team_id:
        raise ValidationError({"code": _("This client is not a client of the plan's team.")})
    if plan.targets.filter(client=client).exists():
        raise ValidationError({"code": _("This client is a target of the plan already.")})
    try:
        with transaction.atomic():
            return _save(BrandPlanTarget(plan=plan, client=client, added_by=by), by)
    except IntegrityError:  # added by someone else between the check and the insert
        raise ValidationError({"code": _("This client is a target of the plan already.")}) from None


def brand_plan_target_remove(*, target: BrandPlanTarget, by: User) -> None:
    with transaction.atomic():
        target._history_user = by
        target.delete()


def milestone_save(
    *,
    plan: BrandPlan,
    by: User,
    month: date,
    distribution_points: int,
    sales_amount: Decimal,
    milestone: BrandPlanMilestone | None = None,
) -> BrandPlanMilestone:
    """Set a month's targets; the month must lie within the plan, once per month."""
    month = month_start(month)
    if not plan.start_month <= month <= plan.end_month:
        raise ValidationError(
            {
                "month": _("Choose a month within the plan (%(start)s to %(end)s).")
                % {"start": f"{plan.start_month:%Y-%m}", "end": f"{plan.end_month:%Y-%m}"}
            }
        )
    milestone = milestone or BrandPlanMilestone(plan=plan)
    milestone.month, milestone.distribution_points, milestone.sales_amount = month, distribution_points, sales_amount
    if BrandPlanMilestone.objects.filter(plan=plan, month=month).exclude(pk=milestone.pk).exists():
        raise ValidationError({"month": _("This month has a milestone already: change that one.")})
    try:
        with transaction.atomic():
            return _save(milestone, by)
    except IntegrityError:  # the same month saved by someone else between the check and the insert
        raise ValidationError({"month": _("This month has a milestone already: change that one.")}) from None


def milestone_delete(*, milestone: BrandPlanMilestone, by: User) -> None:
    with transaction.atomic():
        milestone._history_user = by
        milestone.delete()
