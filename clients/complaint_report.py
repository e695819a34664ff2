"""The complaints report (CLI-6 "reported"): per month, category, channel and handler.

Each table is one aggregate query over the complaints the user may see (their ``visible_to``),
received in the period::

    SELECT <key>, COUNT(*), COUNT(*) FILTER (resolved), COUNT(*) FILTER (reopen_count > 0),
           AVG(resolved_at - received_at) FILTER (resolved)
    FROM clients_complaint WHERE <gate> AND received_at in period GROUP BY <key>

and its medians one more: the resolved complaints ranked by time to resolve within their key
(``ROW_NUMBER() OVER (PARTITION BY key ORDER BY duration)``), keeping only the middle one or two
rows of each key; Python then averages at most two values per key, never all rows.

Worked example (the test checks it): in March a complaint resolved after 2 h and one after 6 h
(reopened once), in April one resolved after 10 h and one still open. March: 2 received,
2 resolved, average 4 h, median 4 h, reopen rate 50 %. April: 2 received, 1 resolved,
average and median 10 h, reopen rate 0 %.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Value
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from clients.models import Complaint
from crm.models import User
from crm.spreadsheets.export import xlsx_append, xlsx_bytes

RESOLVE_TIME = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())
RESOLVED = Q(resolved_at__isnull=False)

# table -> the expression its rows are grouped by
DIMENSIONS: dict[str, Any] = {
    "month": TruncMonth("received_at"),
    "category": F("category"),
    "channel": F("channel"),
    "handler": F("assignee_id"),
}


@dataclass
class Row:
    key: Any
    label: str
    received: int
    resolved: int
    reopened: int
    average_hours: float | None
    median_hours: float | None = None

    @property
    def reopen_rate(self) -> float | None:
        return round(100 * self.reopened / self.received, 1) if self.received else None


@dataclass
class Report:
    start: date
    end: date
    kind: str
    total: Row
    tables: dict[str, list[Row]] = field(default_factory=dict)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """From the first day of ``start``'s month to the end of ``end``'s month, in local time."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start.replace(day=1), time.min, tzinfo=zone)
    after = (end.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first, datetime.combine(after, time.min, tzinfo=zone)


def complaints_in(user: User, start: date, end: date, kind: str = "") -> QuerySet[Complaint]:
    first, after = period_bounds(start, end)
    complaints = Complaint.objects.visible_to(user).filter(received_at__gte=first, received_at__lt=after)
    return complaints.filter(kind=kind) if kind else complaints


def complaints_report(*, user: User, start: date, end: date, kind: str = "") -> Report:
    complaints = complaints_in(user, start, end, kind)
    total = _table(complaints, Value("all"))
    report = Report(start=start, end=end, kind=kind, total=total[0] if total else Row("all", "", 0, 0, 0, None))
    report.tables = {name: _table(complaints, expression) for name, expression in DIMENSIONS.items()}
    _label(report.tables)
    return report


def _table(complaints: QuerySet[Complaint], key: Any) -> list[Row]:
    figures = (
        complaints.annotate(key=key)
        .values("key")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=RESOLVED),
            reopened=Count("pk", filter=Q(reopen_count__gt=0)),
            average=Avg(RESOLVE_TIME, filter=RESOLVED, output_field=DurationField()),
        )
        .order_by("key")
    )
    medians = _medians(complaints, key)
    return [
        Row(
            key=row["key"],
            label="",
            received=row["received"],
            resolved=row["resolved"],
            reopened=row["reopened"],
            average_hours=_hours(row["average"]),
            median_hours=medians.get(row["key"]),
        )
        for row in figures
    ]


def _medians(complaints: QuerySet[Complaint], key: Any) -> dict[Any, float]:
    """Median hours to resolve per key: the middle row (odd count) or the two middle rows (even)."""
    ranked = (
        complaints.filter(RESOLVED)
        .annotate(
            key=key,
            duration=RESOLVE_TIME,
            rank=Window(RowNumber(), partition_by=[key], order_by=[RESOLVE_TIME.asc(), F("pk").asc()]),
            size=Window(Count("pk"), partition_by=[key]),
        )
        .filter(Q(rank=(F("size") + 1) / 2) | Q(rank=(F("size") + 2) / 2))
        .values_list("key", "duration")
    )
    middle: dict[Any, list[timedelta]] = {}
    for value, duration in ranked:  # at most two rows per key
        middle.setdefault(value, []).append(duration)
    return {value: _hours(sum(durations, timedelta()) / len(durations)) for value, durations in middle.items()}


def _hours(duration: timedelta | None) -> float | None:
    return None if duration is None else round(duration.total_seconds() / 3600, 1)


def _label(tables: dict[str, list[Row]]) -> None:
    categories, channels = dict(Complaint.Category.choices), dict(Complaint.Channel.choices)
    for row in tables["month"]:
        row.label = f"{timezone.localtime(row.key):%Y-%m}" if isinstance(row.key, datetime) else f"{row.key:%Y-%m}"
    for row in tables["category"]:
        row.label = str(categories.get(row.key, row.key))
    for row in tables["channel"]:
        row.label = str(channels.get(row.key, row.key))
    handlers = User.objects.in_bulk([row.key for row in tables["handler"] if row.key])
    for row in tables["handler"]:
        person = handlers.get(row.key)
        row.label = (person.get_full_name() or person.username) if person else _("Not assigned")


def report_workbook(report: Report) -> bytes:
    """The report as an Excel workbook: a summary and one sheet per table (X-3)."""
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    xlsx_append(summary, [_("Period"), f"{report.start:%Y-%m}", f"{report.end:%Y-%m}"])
    xlsx_append(summary, [_("Kind"), str(dict(Complaint.Kind.choices).get(report.kind, _("All")))])
    xlsx_append(summary, header_row())
    xlsx_append(summary, _cells(report.total, _("All complaints")))
    titles = {
        "month": _("By month"),
        "category": _("By category"),
        "channel": _("By channel"),
        "handler": _("By handler"),
    }
    for name, rows in report.tables.items():
        sheet = book.create_sheet(titles[name])
        xlsx_append(sheet, header_row())
        for row in rows:
            xlsx_append(sheet, _cells(row, row.label))
    return xlsx_bytes(book)


def header_row() -> list[str]:
    return [
        "",
        pgettext("count", "Received"),
        _("Resolved"),
        _("Average hours to resolve"),
        _("Median hours to resolve"),
        _("Reopened"),
        _("Reopen rate (%)"),
    ]


def _cells(row: Row, label: str) -> list[object]:
    return [label, row.received, row.resolved, row.average_hours, row.median_hours, row.reopened, row.reopen_rate]
