"""The arrears list as a spreadsheet (X-3): CSV or Excel, the same columns as the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from openpyxl import Workbook

from archives.models import TenantProfile
from crm.spreadsheets.export import inert, xlsx_append, xlsx_bytes


def _header() -> list[str]:
    return [_("Unit"), _("Tenant"), _("Company type"), _("Staff count"), _("Paid until"), _("Arrears (yuan)")]


def _row(profile: TenantProfile) -> list[object]:
    tenancy = profile.tenancy
    return [
        str(tenancy.unit),
        tenancy.company_name,
        profile.get_company_type_display(),
        profile.staff_count if profile.staff_count is not None else "",
        profile.fees_paid_until.isoformat() if profile.fees_paid_until else "",
        float(profile.arrears),
    ]


def arrears_csv(profiles: Iterable[TenantProfile]) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")  # Excel opens UTF-8 Chinese correctly with the mark
    writer = csv.writer(buffer)
    writer.writerow(_header())
    for profile in profiles:
        writer.writerow(inert(cell) for cell in _row(profile))
    return buffer.getvalue()


def arrears_xlsx(profiles: Iterable[TenantProfile]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("Arrears")
    xlsx_append(sheet, _header())
    for profile in profiles:
        xlsx_append(sheet, _row(profile))
    return xlsx_bytes(book)
