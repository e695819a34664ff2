"""The month's statistics and paid-service register as an Excel workbook (X-3, REP-7), and
finance's billing list as CSV or Excel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.spreadsheets.export import inert, xlsx_append, xlsx_bytes
from repairs import statistics
from repairs.models import MonthlyReport, RepairOrder


def month_workbook(month: date) -> bytes:
    report = MonthlyReport.objects.filter(month=month).first()
    figures = report.figures if report else statistics.compute_figures(month)
    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    timeliness, callbacks, reopenings, paid = (figures[k] for k in ("timeliness", "callbacks", "reopenings", "paid"))
    xlsx_append(summary, [_("Month"), f"{month:%Y-%m}"])
    xlsx_append(summary, [_("Timeliness rate (%)"), timeliness["rate"], timeliness["on_time"], timeliness["measured"]])
    xlsx_append(
        summary, [_("Pass rate, callbacks (%)"), callbacks["rate"], callbacks["satisfied"], callbacks["sampled"]]
    )
    xlsx_append(
        summary, [_("Orders not reopened (%)"), reopenings["rate"], reopenings["not_reopened"], reopenings["completed"]]
    )
    xlsx_append(
        summary,
        [
            _("Paid orders"),
            paid["orders"],
            _("Fees"),
            float(paid["fees"]),
            _("Compensation"),
            float(paid["compensation"]),
        ],
    )
    categories = book.create_sheet(_("By category"))
    xlsx_append(categories, [_("Category"), _("Logged"), _("Done")])
    for row in statistics.with_category_labels(figures["by_category"]):
        xlsx_append(categories, [row["label"], row["logged"], row["done"]])
    technicians = book.create_sheet(_("By technician"))
    xlsx_append(technicians, [_("Technician"), _("Done"), _("On time"), _("Fees")])
    for row in figures["by_technician"]:
        xlsx_append(technicians, [row["name"] or row["username"], row["done"], row["on_time"], float(row["fees"])])
    register = book.create_sheet(_("Paid-service register"))
    for row in register_rows(month):
        xlsx_append(register, row)
    return xlsx_bytes(book)


def register_rows(month: date) -> Iterator[list[object]]:
    """The month's paid-service register as rows (header first): the workbook's sheet and the CSV."""
    yield [_("Number"), _("Completed"), _("Unit"), _("Client"), _("Technician"), _("Fees"), _("Compensation")]
    for order in statistics.paid_register(month).iterator(chunk_size=2000):
        yield [
            order.number,
            timezone.localtime(order.first_completed_at).strftime("%Y-%m-%d %H:%M"),
            str(order.unit),
            order.client.name if order.client else "",
            str(order.technician) if order.technician else "",
            float(order.total),
            float(order.compensation),
        ]


def register_csv(month: date) -> str:
    return _csv(register_rows(month))


def _csv(rows: Iterator[list[object]]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel reads UTF-8 (Chinese names) only with the BOM
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([inert(cell) for cell in row])
    return buffer.getvalue()


def billing_rows(orders: QuerySet[RepairOrder]) -> Iterator[list[object]]:
    """Finance's list as rows (header first), the same for CSV and Excel (X-3)."""
    yield [
        _("Number"),
        _("First completed"),
        _("Unit"),
        _("Client"),
        _("Fees"),
        _("Compensation"),
        _("Finance copy received by"),
        _("Finance copy received"),
        _("Billing"),
        _("Reason for waiving"),
    ]
    for order in orders.iterator(chunk_size=2000):
        yield [
            order.number,
            _local(order.first_completed_at),
            str(order.unit),
            order.client.name if order.client else "",
            float(order.total),
            float(order.compensation),
            str(order.finance_copy_received_by or ""),
            _local(order.finance_copy_received_at),
            order.get_billing_status_display(),
            order.billing_reason,
        ]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def billing_csv(orders: QuerySet[RepairOrder]) -> str:
    return _csv(billing_rows(orders))


def billing_workbook(orders: QuerySet[RepairOrder]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Billing")
    for row in billing_rows(orders):
        xlsx_append(sheet, row)
    return xlsx_bytes(book)
