"""django-import-export formats that write inert cells (see ``export``) and read within the caps
(see ``reading``), for every resource: the admin's import runs inside its request.

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
from crm.spreadsheets.reading import Caps, read_table


class CSV(base_formats.CSV):
    def create_dataset(self, in_stream: str | bytes, **kwargs) -> tablib.Dataset:
        # The admin hands decoded text; the reader wants bytes to stream and to find the encoding.
        return _dataset(in_stream.encode() if isinstance(in_stream, str) else in_stream, name="upload.csv")

    def export_data(self, dataset: tablib.Dataset, **kwargs) -> str:
        out = io.StringIO()
        out.write("\ufeff")  # a BOM so Excel opens Chinese text as UTF-8
        writer = csv.writer(out)
        writer.writerow([inert(header) for header in dataset.headers or []])
        for row in dataset:
            writer.writerow(["" if value is None else inert(value) for value in row])
        return out.getvalue()


class XLSX(base_formats.XLSX):
    def create_dataset(self, in_stream: bytes, **kwargs) -> tablib.Dataset:
        return _dataset(in_stream, name="upload.xlsx")

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


def _dataset(content: bytes, *, name: str) -> tablib.Dataset:
    table = read_table(io.BytesIO(content), name=name, caps=Caps.from_settings())
    return tablib.Dataset(*table.rows, headers=table.headers)


# The formats the admin offers: the others (TSV, ODS, HTML, JSON…) would need the same care.
FORMATS = [CSV, XLSX]
