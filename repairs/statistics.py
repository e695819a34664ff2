"""Month-end repair statistics (REP-7), computed in the database: one aggregate query per figure.

The month of an intake figure is the month the order was logged; the month of every
completion figure (timeliness, register, callbacks, reopenings) is the month it was FIRST
completed: a reopened order stays in that month's figures, and completing it again counts a
rework there (``reworks``), never a second job.
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from repairs.models import Callback, Category, MonthlyReport, RepairOrder, RepairSettings

DONE = RepairOrder.DONE_STATUSES
ZERO = Decimal("0")


def month_bounds(month: date):
    tz = timezone.get_current_timezone()
    start = timezone.datetime(month.year, month.month, 1, tzinfo=tz)
    end = timezone.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1, tzinfo=tz)
    return start, end


def logged_in(month: date) -> QuerySet[RepairOrder]:
    start, end = month_bounds(month)
    return RepairOrder.objects.filter(created_at__gte=start, created_at__lt=end)


def completed_in(month: date) -> QuerySet[RepairOrder]:
    """The month's jobs: orders first completed in it (a rework does not move them)."""
    start, end = month_bounds(month)
    return RepairOrder.objects.filter(first_completed_at__gte=start, first_completed_at__lt=end)


def with_category_labels(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored figures keep category codes; pages and exports show them in the user's language."""
    labels = dict(Category.choices)
    return [{**row, "label": str(labels.get(row["category"], row["category"]))} for row in rows]


def by_category(month: date) -> list[dict[str, Any]]:
    rows = (
        logged_in(month)
        .values("category")
        .annotate(logged=Count("pk"), done=Count("pk", filter=Q(status__in=DONE)))
        .order_by("category")
    )
    return [dict(row) for row in rows]


def by_technician(month: date) -> list[dict[str, Any]]:
    rows = (
        completed_in(month)
        .filter(technician__isnull=False)
        .values("technician_id", name=F("technician__user__first_name"), username=F("technician__user__username"))
        .annotate(done=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)), fees=Coalesce(Sum("total"), ZERO))
        .order_by("-done", "username")
    )
    return [{**row, "fees": _money(row["fees"])} for row in rows]


def completion(month: date) -> dict[str, Any]:
    """Everything about the month's completed orders in one pass over them (one query):
    零修及时率 (arrivals that met REP-2), orders not reopened, and the paid-service totals."""
    paid = Q(total__gt=0) | Q(compensation__gt=0)
    row = completed_in(month).aggregate(
        completed=Count("pk"),
        measured=Count("pk", filter=Q(on_time__isnull=False)),
        on_time=Count("pk", filter=Q(on_time=True)),
        not_reopened=Count("pk", filter=Q(reopen_count=0)),
        reworked=Count("pk", filter=Q(rework_count__gt=0)),
        reworks=Coalesce(Sum("rework_count"), 0),
        paid_orders=Count("pk", filter=paid),
        fees=Coalesce(Sum("total", filter=paid), ZERO),
        compensation=Coalesce(Sum("compensation", filter=paid), ZERO),
    )
    return {
        "timeliness": {
            "measured": row["measured"],
            "on_time": row["on_time"],
            "rate": _rate(row["on_time"], row["measured"]),
        },
        "reopenings": {
            "completed": row["completed"],
            "not_reopened": row["not_reopened"],
            "rate": _rate(row["not_reopened"], row["completed"]),
            "reworked": row["reworked"],
            "reworks": row["reworks"],
        },
        "paid": {
            "orders": row["paid_orders"],
            "fees": _money(row["fees"]),
            "compensation": _money(row["compensation"]),
        },
    }


def callbacks(month: date) -> dict[str, Any]:
    """合格率 from the callback sample: satisfied among those reached."""
    R = Callback.Result
    counts = Callback.objects.filter(month=month).aggregate(
        sampled=Count("pk"),
        satisfied=Count("pk", filter=Q(result=R.SATISFIED)),
        unsatisfied=Count("pk", filter=Q(result=R.UNSATISFIED)),
        unreachable=Count("pk", filter=Q(result=R.UNREACHABLE)),
        pending=Count("pk", filter=Q(result=R.PENDING)),
    )
    return {**counts, "rate": _rate(counts["satisfied"], counts["satisfied"] + counts["unsatisfied"])}


def paid_register(month: date) -> QuerySet[RepairOrder]:
    """有偿服务登记表: the month's completed orders with fees (or compensation)."""
    return (
        completed_in(month)
        .filter(Q(total__gt=0) | Q(compensation__gt=0))
        .select_related("unit__floor__building", "client", "technician__user")
        .order_by("first_completed_at", "pk")
    )


def paid_totals(month: date) -> dict[str, Any]:
    return completion(month)["paid"]


def _money(value) -> str:
    """Sums as "400.00" on every database (SQLite drops the trailing zeros)."""
    return str(Decimal(value).quantize(Decimal("0.01")))


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def sample_callbacks(month: date, completed_count: int | None = None) -> int:
    """Pick the month's callback sample (抽查回访): a set share of the completed orders, chosen by
    a fixed scramble of their ids so a rerun picks the same orders. Returns the sample size."""
    share = RepairSettings.current().callback_share_percent
    completed = completed_in(month).filter(status__in=DONE)
    total = completed.count() if completed_count is None else completed_count
    wanted = math.ceil(total * share / 100)
    already = Callback.objects.filter(month=month).count()
    if already >= wanted:
        return already
    scramble = (F("pk") * 2654435761) % 4294967296  # Knuth's multiplicative hash: spread, repeatable
    picked = (
        completed.filter(callback__isnull=True)
        .annotate(scramble=scramble)
        .order_by("scramble")
        .values_list("pk", flat=True)[: wanted - already]
    )
    Callback.objects.bulk_create([Callback(order_id=pk, month=month) for pk in picked], ignore_conflicts=True)
    return Callback.objects.filter(month=month).count()


def compute_figures(month: date, done: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report: four aggregate queries (intake by category, completion, per technician, callbacks)."""
    done = done or completion(month)
    return {
        "by_category": by_category(month),
        "by_technician": by_technician(month),
        **done,
        "callbacks": callbacks(month),
    }


@transaction.atomic
def monthly_report_generate(*, month: date, by=None) -> MonthlyReport:
    """Produce (or refresh) the month's single report; running it twice gives the same report."""
    month = month.replace(day=1)
    done = completion(month)
    # Completed orders are completed (or closed) ones: their count sizes the callback sample.
    sample_callbacks(month, completed_count=done["reopenings"]["completed"])
    report, _created = MonthlyReport.objects.update_or_create(
        month=month,
        defaults={"figures": compute_figures(month, done), "generated_at": timezone.now(), "generated_by": by},
    )
    return report


@transaction.atomic
def callback_record(*, callback: Callback, result: str, note: str, by) -> Callback:
    """Record a callback's result; the month's report, if produced already, is brought up to date."""
    callback.result, callback.note, callback.recorded_by, callback.recorded_at = result, note, by, timezone.now()
    callback._history_user = by
    callback.save()
    report = MonthlyReport.objects.filter(month=callback.month).first()
    if report is not None:
        report.figures = {**report.figures, "callbacks": callbacks(callback.month)}
        report.save(update_fields=["figures"])
    return callback


def previous_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    first = today.replace(day=1)
    return (first - timezone.timedelta(days=1)).replace(day=1)
