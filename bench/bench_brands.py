"""Brand plans (MKT-4): a 12-month plan's progress from the ledger, and /brands/plans/<id>/.

Needs PostgreSQL and `manage.py seed_volume --clients 100000 --sales-orders 2000000`. The
volume ledger has four product lines, each a quarter of the orders; the benchmark makes a brand
of the largest one (500,000 orders: a heavy brand), a plan of the last 12 months targeting
2,000 clients of one team, with milestones, times it, and rolls everything back.

Measured on a shared 2-core VM (load 4-6): plan_progress median ~170 ms; the page ~350-390 ms,
of which ~230 ms are the target list and its count on a target table not analysed yet (the
benchmark's rows are uncommitted)."""

from __future__ import annotations

import statistics as stats
import time
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Trim, Upper
from django.test import Client as HttpClient
from django.utils import timezone

from bench.timing import time_page
from clients.brand_plans import months_between
from clients.models import Brand, BrandPlan, BrandPlanMilestone, BrandPlanTarget, Client, Product
from crm.models import User
from crm.roles import Role
from grading.brand_progress import plan_progress
from grading.models import SalesOrder

REPEAT = 7
TARGETS = 2000


class _Rollback(Exception):
    """Raised to undo the benchmark's brand and plan."""


def _plan(manager: User) -> BrandPlan:
    line = (
        SalesOrder.objects.annotate(code=Upper(Trim("product")))
        .values("code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    brand = Brand.objects.create(code="BENCH", name_zh="基准品牌")
    Product.objects.create(brand=brand, code=line["code"], name_zh="基准产品")
    this_month = timezone.localdate().replace(day=1)
    months = months_between(date(this_month.year - 1, this_month.month, 1), this_month)[1:]
    plan = BrandPlan.objects.create(
        brand=brand, name="Bench", team=manager.team, start_month=months[0], end_month=months[-1], created_by=manager
    )
    clients = Client.objects.filter(owner__team=manager.team).order_by("pk").values_list("pk", flat=True)[:TARGETS]
    BrandPlanTarget.objects.bulk_create(BrandPlanTarget(plan=plan, client_id=pk, added_by=manager) for pk in clients)
    BrandPlanMilestone.objects.bulk_create(
        BrandPlanMilestone(plan=plan, month=m, distribution_points=10 * i, sales_amount=Decimal(100000))
        for i, m in enumerate(months, start=1)
    )
    return plan


def _progress(plan: BrandPlan) -> float:
    started = time.perf_counter()
    plan_progress(plan)
    return time.perf_counter() - started


def run() -> list[str]:
    orders = SalesOrder.objects.count()
    manager = (
        User.objects.filter(role=Role.MANAGER, is_active=True, team__isnull=False).order_by("team__name", "pk").first()
    )
    lines = [f"sales orders: {orders:,}"]
    if orders < 100_000 or connection.vendor != "postgresql" or manager is None:
        return [*lines, "needs PostgreSQL and `seed_volume` with clients and sales orders"]
    try:
        with transaction.atomic():
            plan = _plan(manager)
            brand_orders = SalesOrder.objects.annotate(code=Upper(Trim("product"))).filter(
                code=plan.brand.products.get().code, ordered_on__gte=plan.start_month
            )
            lines.append(
                f"brand {plan.brand.products.get().code}: {brand_orders.count():,} orders in the plan's 12 months, "
                f"{plan.targets.count():,} target clients"
            )
            ours = stats.median(_progress(plan) for _ in range(REPEAT))
            lines.append(f"plan_progress, median of {REPEAT}: {ours * 1000:7.1f} ms   (target ≤ 300 ms)")
            http = HttpClient()
            http.force_login(manager)
            timing = time_page(http, plan.get_absolute_url(), label="/brands/plans/<id>/ (manager)", repeat=10)
            lines.append(f"{timing.line()}   (target median ≤ 300 ms)")
            raise _Rollback
    except _Rollback:
        pass
    return lines
