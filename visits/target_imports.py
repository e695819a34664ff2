"""Import of targets and of imported metrics' monthly figures from CSV or Excel (MKT-2, X-3).

Read, check every row, show the preview with each row's message; on confirmation save all rows
in one transaction or none. Account managers are named by user name, metrics by code; an
account manager outside the importer's scope reads as unknown (the gate leaks nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from crm.models import User
from crm.spreadsheets.reading import Caps, read_table
from visits import target_services
from visits.models import Metric, PeriodKind
from visits.periods import parse_period
from visits.selectors import account_managers_for

COLUMNS = {
    "targets": ("period", "account_manager", "metric", "value"),
    "figures": ("month", "account_manager", "metric", "value"),
}


@dataclass
class ImportRow:
    number: int
    cells: dict[str, str]
    errors: list[str] = field(default_factory=list)
    person_id: int | None = None
    metric_id: int | None = None


def _text(value: object) -> str:
    """A cell as text. Excel turns a typed 2026-11 into a date (openpyxl reads a datetime): it is
    the month again; a whole number read as a float (30.0) loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, date):  # datetime is a date too
        return value.strftime("%Y-%m")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def rows_read(file: IO[bytes], *, name: str, kind: str) -> list[ImportRow]:
    """The file's rows, each with its messages; raises ValidationError for a file it cannot read."""
    table = read_table(file, name=name, caps=Caps.from_settings())
    headers = [header.strip().lower() for header in table.headers]
    missing = [column for column in COLUMNS[kind] if column not in headers]
    if missing:
        raise ValidationError(_("Columns missing: %(columns)s.") % {"columns": ", ".join(missing)})
    positions = {column: headers.index(column) for column in COLUMNS[kind]}
    return [
        ImportRow(number, {column: _text(cells[index]) for column, index in positions.items()})
        for number, cells in zip(table.numbers, table.rows, strict=True)
    ]


def rows_check(rows: list[ImportRow], *, kind: str, user: User) -> list[ImportRow]:
    """Each row's messages (unknown account manager or period, metric of the other set or not
    imported, negative or non-numeric value); three queries whatever the number of rows."""
    people = {person.username.lower(): person.pk for person in account_managers_for(user)}
    metrics = {metric.code: metric for metric in Metric.objects.all()}
    metric_set = target_services.TargetSettings.current().metric_set
    for row in rows:
        period = parse_period(row.cells["period" if kind == "targets" else "month"])
        if period is None or (kind == "figures" and period.kind != PeriodKind.MONTH):
            row.errors.append(
                _("Unknown period %(value)s.") % {"value": row.cells.get("period", row.cells.get("month"))}
            )
        row.person_id = people.get(row.cells["account_manager"].lower())
        if row.person_id is None:
            row.errors.append(_("Unknown account manager %(name)s.") % {"name": row.cells["account_manager"]})
        metric = metrics.get(row.cells["metric"])
        if metric is None:
            row.errors.append(_("Unknown metric %(code)s.") % {"code": row.cells["metric"]})
        elif metric.metric_set != metric_set:
            row.errors.append(_("%(metric)s belongs to the other metric set.") % {"metric": metric.code})
        elif kind == "figures" and metric.source != Metric.Source.IMPORTED:
            row.errors.append(_("%(metric)s is computed here, not imported.") % {"metric": metric.code})
        else:
            row.metric_id = metric.pk
        try:
            target_services.value_check(row.cells["value"], field="value")
        except ValidationError as error:
            row.errors.extend(error.message_dict["value"])
    return rows


def rows_import(rows: list[ImportRow], *, kind: str, user: User) -> int:
    """Save every row, or none when one fails (checked again: the data may have changed since
    the preview)."""
    rows_check(rows, kind=kind, user=user)
    if any(row.errors for row in rows):
        raise ValidationError(_("Some rows have errors; nothing was imported."))
    people = User.objects.in_bulk([row.person_id for row in rows])
    metrics = Metric.objects.in_bulk([row.metric_id for row in rows])
    with transaction.atomic():
        for row in rows:
            person, metric = people[row.person_id], metrics[row.metric_id]
            if kind == "targets":
                period = parse_period(row.cells["period"])
                target_services.target_set(
                    person=person, period=period, metric=metric, value=row.cells["value"], by=user
                )
            else:
                month = parse_period(row.cells["month"]).start
                target_services.actual_figure_record(
                    person=person, metric=metric, month=month, value=row.cells["value"], by=user
                )
    return len(rows)


def rows_dump(rows: list[ImportRow]) -> list[list]:
    """What the session keeps between the preview and the confirmation."""
    return [[row.number, row.cells] for row in rows]


def rows_load(data: list[list]) -> list[ImportRow]:
    return [ImportRow(number, dict(cells)) for number, cells in data]
