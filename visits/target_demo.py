"""Demo targets for `manage.py seed_demo` (MKT-2): the trading company's targets of this month
and last, set by the managers and split among their account managers, the computed figures, a
cancelled and a refunded order of am1, and am1's figures and targets of the bank's set (imported
from the core banking system), so that switching the deployment to the bank set in the admin
shows them. Idempotent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from crm.models import Team, User
from crm.roles import Role
from grading.models import SalesOrder
from visits import attainment, target_services
from visits.calendar import month_start, previous_month
from visits.models import ActualFigure, Metric, MetricSet, Target
from visits.periods import Period

STRETCH = Decimal("1.1")  # the targets ask for a tenth more than last month's figure
# am1's monthly figures from the core banking system (万元 and %), last month then this month.
BANK_FIGURES = {
    "deposit_avg_balance": ("3260.50", "3412.80"),
    "loans_outstanding": ("5180.00", "5236.40"),
    "settlement_volume": ("12850.00", "6120.00"),
    "npl_ratio": ("1.62", "1.55"),
    "interest_collected": ("86.30", "41.20"),
}
BANK_TARGETS = {
    "deposit_avg_balance": "3500",
    "loans_outstanding": "5300",
    "settlement_volume": "13000",
    "bank_new_clients": "2",
    "npl_ratio": "1.80",
    "interest_collected": "90",
}


def seed() -> int:
    if Target.objects.exists():
        return 0
    today = timezone.localdate()
    months = [previous_month(today), month_start(today)]
    admin = User.objects.get(username="admin")
    am1 = User.objects.get(username="am1")
    with transaction.atomic():
        _cancel_two_orders(am1, months[-1])
        attainment.actuals_compute(months=months)
        created = sum(_team_targets(team, month, admin) for team in Team.objects.all() for month in months)
        created += _bank(am1, months, admin)
    return created


def _cancel_two_orders(am1: User, month) -> None:
    """One cancelled and one refunded order this month: the figures leave them out."""
    orders = list(SalesOrder.objects.filter(client__owner=am1, ordered_on__gte=month).order_by("pk")[:2])
    for order, status in zip(orders, (SalesOrder.Status.CANCELLED, SalesOrder.Status.REFUNDED), strict=False):
        order.status = status
        order.save(update_fields=["status"])


def _round(value: Decimal, metric: Metric) -> Decimal:
    if metric.code == "collection_rate":
        return Decimal("95")
    step = Decimal("1") if metric.code in ("new_clients", "sales_quantity") else Decimal("1000")
    return max(step, (value * STRETCH / step).quantize(Decimal("1"), rounding=ROUND_HALF_UP) * step)


def _team_targets(team: Team, month, admin: User) -> int:
    """The team's manager (or the administrator) sets each target and splits it: each account
    manager gets a tenth more than their figure of the month before."""
    manager = User.objects.filter(role=Role.MANAGER, team=team).first() or admin
    people = list(User.objects.filter(role=Role.ACCOUNT_MANAGER, team=team, is_active=True))
    if not people:
        return 0
    basis = previous_month(month)
    attainment.actuals_compute(months=[basis])
    created = 0
    for metric in Metric.objects.filter(metric_set=MetricSet.TRADE):
        figures = dict(
            ActualFigure.objects.filter(metric=metric, month=basis, account_manager__in=people).values_list(
                "account_manager_id", "value"
            )
        )
        shares = {person.pk: _round(figures.get(person.pk, Decimal(0)), metric) for person in people}
        total = sum(shares.values()) if metric.accumulates else max(shares.values())
        target_services.target_split_set(
            team=team,
            period=Period("month", month),
            metric=metric,
            team_value=total,
            shares=shares,
            by=manager,
            confirm_difference=not metric.accumulates,  # a rate is not split by adding up
        )
        created += 1 + len(shares)
    return created


def _bank(am1: User, months: list, admin: User) -> int:
    # Written directly: the service refuses the set this deployment does not use (trade).
    created = 0
    for metric in Metric.objects.filter(metric_set=MetricSet.BANK):
        for month, value in zip(months, BANK_FIGURES.get(metric.code, ()), strict=False):
            figure = ActualFigure(account_manager=am1, metric=metric, month=month, value=Decimal(value))
            figure._history_user = admin
            figure.save()
            created += 1
        for month in months:
            target = Target(
                period_kind="month",
                period_start=month,
                account_manager=am1,
                metric=metric,
                value=Decimal(BANK_TARGETS[metric.code]),
                set_by=admin,
            )
            target._history_user = admin
            target.save()
            created += 1
    return created
