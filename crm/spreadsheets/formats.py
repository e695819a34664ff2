"""django-import-export formats that write inert cells (see ``export``), for every resource.

The library's own switch, IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT, is not used: it only drops a
leading "=" (so "-2+3+cmd|' /C calc'!A0" passes), turns every cell into text (numbers become
strings, empty cells the word "None") and does nothing when a view calls ``Dataset.export``.
"""

from __future__ import annotations

import csv
import io

import tablib
from import_export.formats import base_formats
from openpyxl import Workbook
from openpyxl.styles import Font

from crm.spreadsheets.export import inert, xlsx_append, xlsx_bytes


class CSV(base_formats.CSV):
    def export_data(self, dataset: tablib.Dataset, **kwargs) -> str:
        out = io.StringIO()
        out.write("\ufeff")  # a BOM so Excel opens Chinese text as UTF-8
        writer = csv.writer(out)
        writer.writerow([inert(header) for header in dataset.headers or []])
        for row in dataset:
            writer.writerow(["" if value is None else inert(value) for value in row])
        return out.getvalue()


class XLSX(base_formats.XLSX):
    def export_data(self, dataset: tablib.Dataset, **kwargs) -> bytes:
        book = Workbook()
        sheet = book.active
        if dataset.headers:
            xlsx_append(sheet, dataset.headers)
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        for row in dataset:
            xlsx_append(sheet, row)
        return xlsx_bytes(book)


# The formats the admin offers: the others (TSV, ODS, HTML, JSON…) would need the same care.
FORMATS = [CSV, XLSX]
