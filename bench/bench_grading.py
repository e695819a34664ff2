"""The grading run and the dashboard at volume (`seed_volume --clients 100000 --sales-orders 2000000
--receivables 1000000`, PostgreSQL)."""

from __future__ import annotations

import os
import resource
import statistics as stats
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from bench.timing import time_page
from crm.models import User
from grading import measures
from grading.models import GradingPolicy, GradingRun, SalesOrder

ROOT = Path(__file__).resolve().parents[1]

# A run in a separate process, so its peak memory is the worker's, not this benchmark's.
RUN_IN_CHILD = """
import django, resource, sys, time
django.setup()
from datetime import date
from grading import services
from grading.models import GradingRun
GradingRun.objects.filter(as_of=date.fromisoformat(sys.argv[1])).delete()
started = time.perf_counter()
run = services.grading_run(as_of=date.fromisoformat(sys.argv[1]))
print(time.perf_counter() - started, run.clients_graded)
"""


def _run_in_child(as_of: str) -> tuple[float, int, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = subprocess.run(
        [sys.executable, "-c", RUN_IN_CHILD, as_of],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    peak_mb = max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024
    seconds, graded = out.stdout.split()
    return float(seconds), int(graded), peak_mb


def _floor(as_of) -> float:
    """The same measures as one hand-written SELECT (no insert, no write-back): the floor."""
    run = GradingRun(pk=0, as_of=as_of, policy=GradingPolicy.current())
    select = measures.score_sql(run.policy)
    samples = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(select, measures.params(run))
            cursor.fetchall()
        samples.append(time.perf_counter() - started)
    return stats.median(samples)


def run() -> list[str]:
    orders = SalesOrder.objects.count()
    lines = [f"sales orders: {orders:,}"]
    if orders < 100000 or connection.vendor != "postgresql":
        return [
            *lines,
            "needs PostgreSQL and `seed_volume --clients 100000 --sales-orders 2000000 --receivables 1000000`",
        ]
    as_of = timezone.localdate()
    seconds, graded, peak_mb = _run_in_child(as_of.isoformat())
    floor = _floor(as_of)
    lines += [
        f"grading run (compute + write scores + write levels back): {seconds:8.2f} s for {graded:,} clients",
        f"floor: the same measures as one hand-written SELECT:      {floor:8.2f} s",
        f"ratio run / floor: {seconds / floor:.2f} (target ≤ 1.5)",
        f"worker peak memory (max RSS of the run's process): {peak_mb:.0f} MB (target < 300 MB)",
    ]
    manager = User.objects.filter(role="manager").first()
    http = HttpClient()
    http.force_login(manager)
    lines.append(time_page(http, reverse("grading:dashboard"), label="/grading/ (manager)", repeat=10).line())
    admin = User.objects.filter(role="admin").first()
    http.force_login(admin)
    lines.append(
        time_page(http, reverse("grading:dashboard"), label="/grading/ (admin, all clients)", repeat=10).line()
    )
    return lines
