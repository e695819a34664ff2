"""A brand plan's progress from the ledger (品牌培育, MKT-4), in one set-based statement.

An order is the brand's when UPPER(TRIM(product)) is one of the brand's product codes; only
booked orders count (a cancelled or refunded line stays in the ledger but counts nowhere). For
each month of the plan:

* distribution points: distinct TARGET clients with a booked brand order from the plan's first
  day to that month's last day (cumulative: a client who bought once stays counted);
* target sales: the month's booked brand orders of target clients;
* all sales: the month's booked brand orders of every client (the market around the plan).

The statement reads the brand's orders of the plan period once, through the index
``grading_order_product_date`` (UPPER(TRIM(product)), ordered_on), joined to the plan's
targets; it sums each month with CASE inside the aggregates and counts points from each target
client's first order, so its cost follows the brand's orders of the period, never a loop in
Python over months, clients or orders.

Worked example (the test checks it): plan Jan–Feb 2026, targets A and B, brand code "HM-1".
A buys " hm-1 " 100.00 on 31 Jan, B 50.00 on 1 Feb and 30.00 (cancelled) on 2 Feb, C (not a
target) 70.00 on 15 Jan. January: 1 point (A), target sales 100.00, all sales 170.00.
February: 2 points (A, B), target sales 50.00, all sales 50.00.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.db.models.functions import Trim, Upper
from django.utils import timezone

from clients.brand_plans import month_end, months_between
from clients.models import BrandPlan, BrandPlanTarget
from crm.models import User
from grading.models import SalesOrder

CENT = Decimal("0.01")


@dataclass(frozen=True)
class MonthProgress:
    month: date
    target_points: int | None  # None: no milestone for the month
    target_sales: Decimal | None
    points: int
    sales: Decimal
    all_sales: Decimal
    future: bool = False  # a month not begun yet: its zeros are no shortfall

    @property
    def points_rate(self) -> Decimal | None:
        return None if self.future else _rate(self.points, self.target_points)

    @property
    def sales_rate(self) -> Decimal | None:
        return None if self.future else _rate(self.sales, self.target_sales)


def _rate(actual: Decimal | int, target: Decimal | int | None) -> Decimal | None:
    """Attainment in per cent; None when there is no target (or a target of zero)."""
    if not target:
        return None
    return (Decimal(actual) * 100 / Decimal(target)).quantize(Decimal("0.1"))


def _money(value: object) -> Decimal:
    # SQLite's SUM of a decimal column answers a float: through str() to keep the cents exact.
    return Decimal(str(value or 0)).quantize(CENT)


def brand_codes(plan: BrandPlan) -> list[str]:
    return [code.strip().upper() for code in plan.brand.products.values_list("code", flat=True)]


def _progress_sql(months: int, codes: int) -> str:
    """One statement. ``d``: the brand's booked orders of the plan period summed per day and
    target client (all other clients fall together under a NULL client), a few thousand rows
    however many orders; then per month i the sums over ``d``, and the number of target clients
    whose first day in ``d`` is on or before the month's end (cumulative points)."""
    sales, points = [], []
    for i in range(months):
        month = f"d.day >= %(start_{i})s AND d.day <= %(end_{i})s"
        sales += [
            f"SUM(CASE WHEN d.target_id IS NOT NULL AND {month} THEN d.amount END) AS target_{i}",
            f"SUM(CASE WHEN {month} THEN d.amount END) AS all_{i}",
        ]
        points.append(f"SUM(CASE WHEN f.first_on <= %(end_{i})s THEN 1 ELSE 0 END) AS points_{i}")
    codes_in = ", ".join(f"%(code_{i})s" for i in range(codes))
    orders, targets = SalesOrder._meta.db_table, BrandPlanTarget._meta.db_table
    return f"""
        WITH d AS (
            SELECT s.ordered_on AS day, t.client_id AS target_id, SUM(s.amount) AS amount
            FROM {orders} s
            LEFT JOIN {targets} t ON t.plan_id = %(plan)s AND t.client_id = s.client_id
            WHERE UPPER(TRIM(s.product)) IN ({codes_in}) AND s.status = 'booked'
              AND s.ordered_on >= %(first)s AND s.ordered_on <= %(last)s
            GROUP BY s.ordered_on, t.client_id
        ), f AS (
            SELECT MIN(d.day) AS first_on FROM d WHERE d.target_id IS NOT NULL GROUP BY d.target_id
        )
        SELECT * FROM (SELECT {", ".join(sales)} FROM d) s CROSS JOIN (SELECT {", ".join(points)} FROM f) p"""  # noqa: S608 (table names only; every value is a parameter)


def plan_progress(plan: BrandPlan, today: date | None = None) -> list[MonthProgress]:
    """Each month of the plan with its milestone and what the ledger shows, first month first."""
    this_month = (today or timezone.localdate()).replace(day=1)
    months = months_between(plan.start_month, plan.end_month)
    milestones = {m.month: m for m in plan.milestones.all()}
    codes = brand_codes(plan)
    figures: list[object] = [None, None] * len(months) + [0] * len(months)
    if codes:
        params: dict[str, object] = {"plan": plan.pk, "first": months[0], "last": month_end(months[-1])}
        for index, month in enumerate(months):
            params[f"start_{index}"], params[f"end_{index}"] = month, month_end(month)
        for index, code in enumerate(codes):
            params[f"code_{index}"] = code
        with connection.cursor() as cursor:
            cursor.execute(_progress_sql(len(months), len(codes)), params)
            figures = list(cursor.fetchone())
    rows = []
    for index, month in enumerate(months):
        sales, all_sales = figures[2 * index : 2 * index + 2]
        points = figures[2 * len(months) + index]
        milestone = milestones.get(month)
        rows.append(
            MonthProgress(
                month=month,
                target_points=milestone.distribution_points if milestone else None,
                target_sales=milestone.sales_amount if milestone else None,
                points=int(points or 0),
                sales=_money(sales),
                all_sales=_money(all_sales),
                future=month > this_month,
            )
        )
    return rows


def _brand_orders(plan: BrandPlan) -> QuerySet[SalesOrder]:
    """The plan's brand orders that count: booked, of its products, within its months."""
    return SalesOrder.objects.annotate(code=Upper(Trim("product"))).filter(
        code__in=brand_codes(plan) or [""],
        status=SalesOrder.Status.BOOKED,
        ordered_on__gte=plan.start_month,
        ordered_on__lte=month_end(plan.end_month),
    )


def plan_targets(user: User, plan: BrandPlan) -> QuerySet[BrandPlanTarget]:
    """The plan's target clients that ``user`` sees (the last orders come per page: ``with_last_orders``)."""
    return (
        BrandPlanTarget.objects.visible_to(user)
        .filter(plan=plan)
        .select_related("client", "client__owner")
        .order_by("client__name", "pk")
    )


def bought(plan: BrandPlan) -> Exists:
    """The condition "this target has a booked brand order within the plan", for the list's filter."""
    return Exists(_brand_orders(plan).filter(client_id=OuterRef("client_id")))


def with_last_orders(plan: BrandPlan, targets: list[BrandPlanTarget]) -> list[BrandPlanTarget]:
    """Set ``last_order_on`` (None: not bought yet) on a page of targets, in one grouped query
    over those clients' orders only (so its cost follows the page, not the brand's orders)."""
    ids = [target.client_id for target in targets]
    last = dict(
        _brand_orders(plan)
        .filter(client_id__in=ids)
        .order_by()
        .values("client_id")
        .annotate(last=Max("ordered_on"))
        .values_list("client_id", "last")
    )
    for target in targets:
        target.last_order_on = last.get(target.client_id)
    return targets
