"""Month-end repair statistics and repair pages at volume (`seed_volume --repair-orders 1000000`)."""

from __future__ import annotations

import statistics as stats
import time

from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse

from bench.timing import time_page
from crm.models import User
from repairs import statistics
from repairs.models import RepairOrder

# The floor: every figure of the report in one hand-written statement (PostgreSQL).
FLOOR_SQL = """
WITH done AS (
    SELECT technician_id, on_time, total, compensation, reopen_count FROM repairs_repairorder
    WHERE completed_at >= %(start)s AND completed_at < %(end)s
), logged AS (
    SELECT category, status FROM repairs_repairorder WHERE created_at >= %(start)s AND created_at < %(end)s
)
SELECT
  (SELECT json_agg(c) FROM (SELECT category, count(*) AS logged,
        count(*) FILTER (WHERE status IN ('completed', 'closed')) AS done FROM logged GROUP BY category) c),
  (SELECT json_agg(t) FROM (SELECT d.technician_id, u.first_name, u.username, count(*) AS done,
        count(*) FILTER (WHERE d.on_time) AS on_time, coalesce(sum(d.total), 0) AS fees
        FROM done d JOIN repairs_technician rt ON rt.id = d.technician_id JOIN crm_user u ON u.id = rt.user_id
        GROUP BY d.technician_id, u.first_name, u.username) t),
  count(*) FILTER (WHERE on_time IS NOT NULL), count(*) FILTER (WHERE on_time), count(*),
  count(*) FILTER (WHERE reopen_count = 0), count(*) FILTER (WHERE total > 0 OR compensation > 0),
  coalesce(sum(total) FILTER (WHERE total > 0 OR compensation > 0), 0), coalesce(sum(compensation), 0),
  (SELECT json_build_array(count(*), count(*) FILTER (WHERE result = 'satisfied'),
        count(*) FILTER (WHERE result = 'unsatisfied')) FROM repairs_callback WHERE month = %(month)s)
FROM done
"""


def _median_seconds(function, repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return stats.median(samples)


def run() -> list[str]:
    total = RepairOrder.objects.count()
    lines = [f"repair orders in the database: {total:,}"]
    if total < 10000:
        return [*lines, "too few orders: run `manage.py seed_volume --repair-orders 1000000` first"]
    month = statistics.previous_month()
    start, end = statistics.month_bounds(month)
    statistics.monthly_report_generate(month=month)  # first run samples the callbacks
    in_month = statistics.completed_in(month).count()
    ours = _median_seconds(lambda: statistics.monthly_report_generate(month=month))
    lines.append(f"month {month:%Y-%m}: {in_month:,} orders completed")
    lines.append(f"monthly statistics (4 aggregates, sample check, write)     median {ours * 1000:8.1f} ms")
    if connection.vendor == "postgresql":

        def floor():
            with connection.cursor() as cursor:
                cursor.execute(FLOOR_SQL, {"start": start, "end": end, "month": month})
                cursor.fetchall()

        floor_time = _median_seconds(floor)
        lines.append(f"floor: one hand-written SQL statement                      median {floor_time * 1000:8.1f} ms")
        lines.append(f"ratio ours / floor: {ours / floor_time:.2f} (target ≤ 2)")
    supervisor = User.objects.filter(role="engineering_supervisor").first()
    http = HttpClient()
    http.force_login(supervisor)
    lines += [
        time_page(http, reverse("repairs:list"), label=f"/repairs/ (supervisor, all {total:,})").line(),
        time_page(
            http, reverse("repairs:list") + "?status=open&category=plumbing", label="/repairs/ open plumbing"
        ).line(),
        time_page(http, reverse("repairs:stats") + f"?month={month:%Y-%m}", label="/repairs/stats/").line(),
    ]
    return lines
