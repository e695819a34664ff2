"""Attainment per account manager and metric for a period (MKT-2), in a fixed number of queries.

For each account manager in the user's scope and each metric of the deployment's set:

* actual: the months' figures combined by the metric's aggregation (sum, average, last month,
  or Σ received ÷ Σ due as a percentage);
* % attained: actual ÷ target (higher is better) or target ÷ actual (lower is better); a
  lower-is-better actual of 0 (the best result there is) counts as 100 % rather than dropping out
  of the ranking for want of a divisor;
* expected to date: for what accumulates, the target × the share of the period's working days
  elapsed (``visits.calendar``: Monday–Friday, holidays and swapped days of the admin's
  calendar; today counts as elapsed); for balances, averages and ratios the target itself;
* on track: actual ≥ expected (higher is better) or actual ≤ target (lower is better); without
  an actual figure it is None ("no figure yet"), never on track. The home panel's "N of M on
  track" counts only those on track in N, while M stays every target set (a target without a
  figure is still a target, just not met yet);
* rank: by the mean % attained over the metrics with a target (1 = best; ties share a rank).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from crm.models import User
from visits.calendar import working_days
from visits.models import ActualFigure, Metric, Target
from visits.periods import Period

HUNDRED = Decimal(100)
TREND_PERIODS = 12


@dataclass
class Cell:
    metric: Metric
    actual: Decimal | None = None
    target: Decimal | None = None
    expected: Decimal | None = None

    @property
    def percent(self) -> Decimal | None:
        if self.actual is None or self.target is None:
            return None
        if self.metric.lower_is_better:
            if not self.actual:
                return HUNDRED.quantize(Decimal("0.1"))  # 0 is the best result: at least on target
            return (self.target / self.actual * HUNDRED).quantize(Decimal("0.1"))
        return (self.actual / self.target * HUNDRED).quantize(Decimal("0.1")) if self.target else None

    @property
    def on_track(self) -> bool | None:
        if self.target is None or self.actual is None:
            return None  # no target, or no figure yet: neither on track nor behind
        if self.metric.lower_is_better:
            return self.actual <= self.target
        return self.actual >= (self.expected if self.expected is not None else self.target)


@dataclass
class Row:
    account_manager: User
    cells: list[Cell]
    rank: int | None = None

    @property
    def with_target(self) -> int:
        return sum(cell.target is not None for cell in self.cells)

    @property
    def on_track(self) -> int:
        return sum(bool(cell.on_track) for cell in self.cells)

    @property
    def score(self) -> Decimal | None:
        percents = [cell.percent for cell in self.cells if cell.percent is not None]
        return (sum(percents) / len(percents)).quantize(Decimal("0.1")) if percents else None


@dataclass
class Report:
    period: Period
    metrics: list[Metric]
    rows: list[Row]
    elapsed: Decimal  # share of the period's working days elapsed, 0…1
    trend: dict = field(default_factory=dict)

    @property
    def elapsed_percent(self) -> Decimal:
        return (self.elapsed * HUNDRED).quantize(Decimal("1"))


def elapsed_share(period: Period, today: date) -> Decimal:
    """The share of the period's working days up to and including ``today`` (one query)."""
    days = working_days(period.start, period.end)
    if not days:
        return Decimal(1) if today > period.end else Decimal(0)
    return Decimal(sum(day <= today for day in days)) / Decimal(len(days))


def combine(metric: Metric, figures: list[tuple[Decimal, Decimal | None]]) -> Decimal | None:
    """The months' figures (oldest first) as one figure of the period."""
    if not figures:
        return None
    values = [value for value, _base in figures]
    if metric.aggregation == Metric.Aggregation.AVERAGE:
        return sum(values) / len(values)
    if metric.aggregation == Metric.Aggregation.LAST:
        return values[-1]
    if metric.aggregation == Metric.Aggregation.RATIO:
        due = sum(base for _value, base in figures if base is not None)
        return (sum(values) / due * HUNDRED) if due else None
    return sum(values)


def _figures(people: list[int], metrics: list[Metric], months: list[date]) -> dict:
    """(account manager, metric, month) → (value, base), one query."""
    rows = ActualFigure.objects.filter(
        account_manager_id__in=people, metric__in=metrics, month__gte=months[0], month__lte=months[-1]
    ).values_list("account_manager_id", "metric_id", "month", "value", "base")
    return {(person, metric, month): (value, base) for person, metric, month, value, base in rows}


def _targets(people: list[int], metrics: list[Metric], periods: list[Period]) -> dict:
    """(account manager, metric, period start) → target, one query."""
    rows = Target.objects.filter(
        account_manager_id__in=people,
        metric__in=metrics,
        period_kind=periods[0].kind,
        period_start__in=[period.start for period in periods],
    ).values_list("account_manager_id", "metric_id", "period_start", "value")
    return {(person, metric, start): value for person, metric, start, value in rows}


def _cell(metric: Metric, person: int, period: Period, figures: dict, targets: dict) -> Cell:
    found = [figures[key] for month in period.months if (key := (person, metric.pk, month)) in figures]
    return Cell(metric, actual=combine(metric, found), target=targets.get((person, metric.pk, period.start)))


def _rank(rows: list[Row]) -> None:
    scored = sorted((row for row in rows if row.score is not None), key=lambda row: row.score, reverse=True)
    for position, row in enumerate(scored, start=1):
        previous = scored[position - 2] if position > 1 else None
        row.rank = previous.rank if previous is not None and previous.score == row.score else position


def attainment_report(
    *, people: QuerySet[User], metrics: list[Metric], period: Period, today: date | None = None
) -> Report:
    """The attainment of ``people`` (already gated) for ``period``, ranked, with the trend."""
    today = today or timezone.localdate()
    accounts = list(people.order_by("username"))
    ids = [person.pk for person in accounts]
    periods = period.last(TREND_PERIODS)
    figures = _figures(ids, metrics, periods[0].months + period.months) if ids and metrics else {}
    targets = _targets(ids, metrics, periods) if ids and metrics else {}
    share = elapsed_share(period, today)
    rows = []
    for person in accounts:
        cells = [_cell(metric, person.pk, period, figures, targets) for metric in metrics]
        for cell in cells:
            if cell.target is not None:
                cell.expected = cell.target * share if cell.metric.accumulates else cell.target
        rows.append(Row(person, cells))
    _rank(rows)
    rows.sort(key=lambda row: (row.rank is None, row.rank or 0, row.account_manager.username))
    trend = _trend(ids, metrics, periods, figures, targets)
    return Report(period=period, metrics=metrics, rows=rows, elapsed=share, trend=trend)


def _trend(ids: list[int], metrics: list[Metric], periods: list[Period], figures: dict, targets: dict) -> dict:
    """Chart.js data: per metric, the mean % attained of the people with a target, per period."""
    datasets = []
    for metric in metrics:
        points = []
        for period in periods:
            percents = [
                cell.percent
                for person in ids
                if (cell := _cell(metric, person, period, figures, targets)).percent is not None
            ]
            points.append(float(sum(percents) / len(percents)) if percents else None)
        datasets.append({"label": metric.name, "data": points})
    return {"labels": [period.code for period in periods], "datasets": datasets}


def on_track_summary(report: Report, person: User) -> tuple[int, int]:
    """(targets on track, targets set) of one account manager: "3 of 6 targets on track".

    A target without an actual figure yet counts in the targets set, not in those on track."""
    counts = defaultdict(int)
    for row in report.rows:
        if row.account_manager.pk == person.pk:
            counts["on"] += row.on_track
            counts["set"] += row.with_target
    return counts["on"], counts["set"]
