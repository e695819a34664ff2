"""Targets (MKT-2): a month's attainment of every account manager vs one hand-written SQL; /targets/.

Run `manage.py seed_volume --clients 100000 --sales-orders 2000000 --receivables 1000000` first
(PostgreSQL): it makes 100 account managers with 24 months of figures and targets."""

from __future__ import annotations

import statistics as stats
import time

from django.db import connection, transaction
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from bench.timing import time_page
from crm.models import User
from crm.roles import Role
from visits.attainment import actuals_compute
from visits.models import Metric, MetricSet, Target
from visits.periods import Period
from visits.target_report import attainment_report

REPEAT = 5

# The floor: every account manager's four trading figures of one month and their targets, in
# one statement written by hand for this one question.
FLOOR_SQL = """
WITH sales AS (
    SELECT c.owner_id, SUM(o.amount) AS amount, SUM(o.quantity) AS quantity
    FROM grading_salesorder o JOIN clients_client c ON c.id = o.client_id
    WHERE o.ordered_on >= %(start)s AND o.ordered_on <= %(end)s AND o.status = 'booked'
    GROUP BY c.owner_id
), collected AS (
    SELECT c.owner_id, SUM(CASE WHEN r.paid_on <= %(end)s THEN r.amount ELSE 0 END) / NULLIF(SUM(r.amount), 0) AS rate
    FROM grading_receivable r JOIN clients_client c ON c.id = r.client_id
    WHERE r.due_on >= %(start)s AND r.due_on <= %(end)s
    GROUP BY c.owner_id
), fresh AS (
    SELECT c.owner_id, COUNT(*) AS n
    FROM (SELECT DISTINCT client_id FROM grading_salesorder
          WHERE ordered_on >= %(start)s AND ordered_on <= %(end)s AND status = 'booked') m
    JOIN clients_client c ON c.id = m.client_id
    WHERE NOT EXISTS (SELECT 1 FROM grading_salesorder p
                      WHERE p.client_id = m.client_id AND p.status = 'booked' AND p.ordered_on < %(start)s)
    GROUP BY c.owner_id
)
SELECT u.id, s.amount, s.quantity, k.rate, f.n, t.metric_id, t.value
FROM crm_user u
LEFT JOIN sales s ON s.owner_id = u.id
LEFT JOIN collected k ON k.owner_id = u.id
LEFT JOIN fresh f ON f.owner_id = u.id
LEFT JOIN visits_target t ON t.account_manager_id = u.id AND t.period_kind = 'month' AND t.period_start = %(start)s
WHERE u.role = 'account_manager'
"""


class _Rollback(Exception):
    """Raised to undo a computation once it is timed."""


def _ours(period: Period, metrics: list[Metric]) -> float:
    """Compute the month's figures (rolled back) and the attainment of everyone."""
    started = time.perf_counter()
    try:
        with transaction.atomic():
            actuals_compute(months=period.months, metrics=[m for m in metrics if m.source == Metric.Source.COMPUTED])
            people = User.objects.filter(role=Role.ACCOUNT_MANAGER)
            attainment_report(people=people, metrics=metrics, period=period)
            elapsed = time.perf_counter() - started
            raise _Rollback
    except _Rollback:
        pass
    return elapsed


def _floor(period: Period) -> float:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(FLOOR_SQL, {"start": period.start, "end": period.end})
        cursor.fetchall()
    return time.perf_counter() - started


def run() -> list[str]:
    targets = Target.objects.count()
    people = User.objects.filter(role=Role.ACCOUNT_MANAGER).count()
    lines = [f"targets: {targets:,}, account managers: {people}"]
    if targets < 1000 or connection.vendor != "postgresql":
        return [*lines, "needs PostgreSQL and `seed_volume` with clients and sales orders (which makes the targets)"]
    period = Period("month", timezone.localdate().replace(day=1)).shift(-1)  # a whole month
    metrics = list(Metric.objects.filter(metric_set=MetricSet.TRADE))
    ours = stats.median(_ours(period, metrics) for _ in range(REPEAT))
    floor = stats.median(_floor(period) for _ in range(REPEAT))
    lines += [
        f"month {period.code}: compute the figures + attainment of everyone, median of {REPEAT}: {ours:6.3f} s",
        f"floor: one hand-written SELECT of the figures and targets:           {floor:6.3f} s",
        f"ratio {ours / floor:.2f} (target ≤ 2)",
    ]
    manager = (
        User.objects.filter(role=Role.MANAGER, is_active=True, team__name__startswith="Volume team").first()
        or User.objects.filter(role=Role.MANAGER, is_active=True).first()
    )
    if manager is None:
        return [*lines, "/targets/ (manager): skipped, no manager"]
    http = HttpClient()
    http.force_login(manager)
    timing = time_page(http, f"{reverse('targets:home')}?period={period.code}", label="/targets/ (manager)", repeat=20)
    return [*lines, f"{timing.line()}   (target median ≤ 150 ms)"]
