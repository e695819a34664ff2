"""The month's statistics and paid-service register as an Excel workbook (X-3, REP-7)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm.spreadsheets.export import xlsx_append, xlsx_bytes
from repairs import statistics
from repairs.models import MonthlyReport


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
    xlsx_append(
        register, [_("Number"), _("Completed"), _("Unit"), _("Client"), _("Technician"), _("Fees"), _("Compensation")]
    )
    for order in statistics.paid_register(month).iterator(chunk_size=2000):
        xlsx_append(
            register,
            [
                order.number,
                timezone.localtime(order.completed_at).strftime("%Y-%m-%d %H:%M"),
                str(order.unit),
                order.client.name if order.client else "",
                str(order.technician) if order.technician else "",
                float(order.total),
                float(order.compensation),
            ],
        )
    return xlsx_bytes(book)
