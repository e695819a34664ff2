# ruff: noqa: S608  (the SQL is built from constant table names and placeholders; every value is a parameter)
"""Volume targets for the benchmarks (`seed_volume --clients N`, MKT-2): the computed figures of
the last 24 months of every account manager, set-based, and a target per account manager,
metric of the trading set and month, a tenth either side of the figure (collection rate 95 %).
Written by INSERT … SELECT … ON CONFLICT DO NOTHING: a second run adds nothing. Volume targets
have no audit rows: they are benchmark data, not anybody's decision."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from time import perf_counter

from django.db import connection, transaction
from django.utils import timezone

from crm.models import Team, User
from crm.roles import Role
from visits.attainment import actuals_compute
from visits.models import ActualFigure, Metric, MetricSet, Target
from visits.periods import Period

MONTHS = 24
ACCOUNT_MANAGERS = 100  # MKT-2's benchmark: a month's attainment of 100 account managers


def _account_managers() -> int:
    """Volume account managers up to 100 (clients' volume makes 20), in the volume teams; the
    volume clients are then dealt out among all of them by id. Only the run that adds them
    moves clients, before any visit plan of the volume exists: a rerun changes nothing."""
    people = User.objects.filter(username__startswith="vol-am-")
    have = people.count()
    teams = list(Team.objects.filter(name__startswith="Volume team").order_by("name"))
    if have >= ACCOUNT_MANAGERS or not teams or have == 0:
        return 0
    for n in range(have + 1, ACCOUNT_MANAGERS + 1):
        user = User(username=f"vol-am-{n:02d}", role=Role.ACCOUNT_MANAGER, team=teams[n % len(teams)])
        user.set_unusable_password()
        user.save()
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    cases = " ".join(f"WHEN {index} THEN {int(pk)}" for index, pk in enumerate(ids))
    owners = ", ".join(str(int(pk)) for pk in ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE clients_client SET owner_id = CASE id % {len(ids)} {cases} END WHERE owner_id IN ({owners})"
        )
    return ACCOUNT_MANAGERS - have


def months_back(today: date, count: int = MONTHS) -> list[date]:
    return [period.start for period in Period("month", today.replace(day=1)).last(count)]


def seed(log: Callable[[str], None]) -> None:
    started = perf_counter()
    months = months_back(timezone.localdate())
    metrics = list(Metric.objects.filter(metric_set=MetricSet.TRADE, source=Metric.Source.COMPUTED))
    from visits.volume import _decider

    with transaction.atomic():
        added = _account_managers()
        for team in Team.objects.filter(name__startswith="Volume team"):
            _decider(team)  # each volume team's manager, who looks at /targets/ in the benchmark
        statements = actuals_compute(months=months, metrics=metrics)
        targets = _targets(months, metrics)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Target._meta.db_table}")
            cursor.execute(f"ANALYZE {ActualFigure._meta.db_table}")
    log(
        f"targets: {added} more account managers, {statements} figure statements over {len(months)} months, "
        f"{targets} new targets in {perf_counter() - started:.0f} s"
    )


def _targets(months: list[date], metrics: list[Metric]) -> int:
    ops = connection.ops
    before = Target.objects.count()
    rate = next((metric.pk for metric in metrics if metric.code == "collection_rate"), 0)
    ids = ", ".join(str(int(metric.pk)) for metric in metrics)  # integers from the database
    # 0.9, 0.95 … 1.1 of the month's figure by account manager; at least 1 (a target of 0 is none).
    sql = f"""
        INSERT INTO {Target._meta.db_table}
            (period_kind, period_start, account_manager_id, metric_id, value, set_at)
        SELECT 'month', a.month, a.account_manager_id, a.metric_id,
               CASE WHEN a.metric_id = %(rate)s THEN 95
                    ELSE ROUND(a.value * (0.9 + (a.account_manager_id %% 5) * 0.05), 0) + 1 END,
               %(now)s
        FROM {ActualFigure._meta.db_table} a
        WHERE a.month >= %(first)s AND a.month <= %(last)s AND a.metric_id IN ({ids})
        ON CONFLICT DO NOTHING"""
    params = {
        "rate": rate,
        "now": ops.adapt_datetimefield_value(timezone.now()),
        "first": ops.adapt_datefield_value(months[0]),
        "last": ops.adapt_datefield_value(months[-1]),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return Target.objects.count() - before
