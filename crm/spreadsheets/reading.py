"""Uploaded CSV and Excel tables, read within caps before anything parses them whole.

A 691 KB CSV can hold 10,000 rows and a 1.1 MB xlsx can unpack to 2 million rows (parsing it
took 127 s and 806 MB), so every cap is checked on the way in:

- the upload's size (``CRM_IMPORT_MAX_UPLOAD_BYTES``);
- an xlsx's unpacked size, from the zip directory (``CRM_IMPORT_MAX_UNPACKED_BYTES``): Python's
  zipfile never inflates a member past the size the directory declares;
- rows (``CRM_IMPORT_MAX_ROWS``) and columns (``MAX_COLUMNS``), counted while streaming and
  refused at the first one too many.

``check_upload`` is what the web request can afford: it never hands an xlsx to openpyxl, it
counts row and cell tags in the unpacked XML with a regular expression (C speed, whatever the
file holds). ``read_table`` is for the worker: openpyxl in read-only mode, or the csv module
over a text stream, with the same caps.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

import openpyxl
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from crm.spreadsheets.export import restore

MAX_COLUMNS = 100
MAX_CELL_CHARACTERS = 32_767  # Excel's own limit for a cell
CHUNK = 64 * 1024
CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # Excel in China saves CSV as GBK
# A row or cell element of a sheet, with or without a namespace prefix. Counting tags may count
# too many (a tag in a comment), never too few: the caps stay safe.
SHEET_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(row|c)[\s/>]")
Row = list[object]


@dataclass(frozen=True)
class Caps:
    upload_bytes: int
    unpacked_bytes: int
    rows: int
    columns: int = MAX_COLUMNS

    @classmethod
    def from_settings(cls) -> Caps:
        return cls(
            upload_bytes=settings.CRM_IMPORT_MAX_UPLOAD_BYTES,
            unpacked_bytes=settings.CRM_IMPORT_MAX_UNPACKED_BYTES,
            rows=settings.CRM_IMPORT_MAX_ROWS,
        )


@dataclass
class Table:
    """The header and the non-blank rows, each with its row number in the file (the header is 1)."""

    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)


def is_xlsx(name: str) -> bool:
    return name.lower().endswith(".xlsx")


def check_upload(file: IO[bytes], *, name: str, caps: Caps) -> None:
    """The checks a web request can afford; raises ValidationError with the user's message."""
    _check_size(file, caps)
    if is_xlsx(name):
        _check_xlsx(file, caps)
    else:
        for _row in _csv_rows(file, caps):
            pass


def read_table(file: IO[bytes], *, name: str, caps: Caps, progress: Callable[[int], None] | None = None) -> Table:
    """Read the first sheet (or the CSV) within the caps; ``progress`` hears every 500 rows read."""
    _check_size(file, caps)
    rows = _xlsx_rows(file, caps) if is_xlsx(name) else _csv_rows(file, caps)
    with contextlib.closing(rows):  # done with the file before the caller closes it
        return _table(rows, progress)


def _table(rows: Iterator[Row], progress: Callable[[int], None] | None) -> Table:
    header = next(rows, None) or []
    headers = [_text(cell) for cell in header]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ValidationError(_("The file has no header row. Export a file first to see the expected columns."))
    table = Table(headers)
    for number, row in enumerate(rows, start=2):
        if progress and number % 500 == 0:
            progress(number)
        cells, extra = list(row[: len(headers)]), row[len(headers) :]
        if any(_text(cell) for cell in extra):
            raise ValidationError(
                _("Row %(number)s has more cells than the header row.") % {"number": number_format(number)}
            )
        if any(_text(cell) for cell in cells):
            table.rows.append(cells + [None] * (len(headers) - len(cells)))
            table.numbers.append(number)
    return table


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _check_size(file: IO[bytes], caps: Caps) -> None:
    size = file.seek(0, io.SEEK_END)
    file.seek(0)
    if size > caps.upload_bytes:
        raise ValidationError(
            _("This file is larger than %(size)s; split it.") % {"size": filesizeformat(caps.upload_bytes)}
        )


def _too_many_rows(caps: Caps) -> ValidationError:
    return ValidationError(_("This file has more than %(rows)s rows; split it.") % {"rows": _count(caps.rows)})


def _too_many_columns(caps: Caps) -> ValidationError:
    return ValidationError(
        _("This file has more than %(columns)s columns; keep only the columns of the import.")
        % {"columns": _count(caps.columns)}
    )


def _count(value: int) -> str:
    return number_format(value, force_grouping=True)


def _counted(rows: Iterator[Row], caps: Caps) -> Iterator[Row]:
    """The header and at most ``caps.rows`` rows after it; reading stops at the first row too many."""
    for index, row in enumerate(rows):
        if index > caps.rows:
            raise _too_many_rows(caps)
        if len(row) > caps.columns and any(_text(cell) for cell in row[caps.columns :]):
            raise _too_many_columns(caps)
        if any(isinstance(cell, str) and len(cell) > MAX_CELL_CHARACTERS for cell in row):
            raise ValidationError(
                _("Row %(number)s has a cell longer than %(characters)s characters.")
                % {"number": _count(index + 1), "characters": _count(MAX_CELL_CHARACTERS)}
            )
        yield row


# --- CSV -----------------------------------------------------------------------------------


def _csv_rows(file: IO[bytes], caps: Caps) -> Iterator[Row]:
    encoding = _csv_encoding(file)
    text = io.TextIOWrapper(file, encoding=encoding, newline="")
    try:
        # A quote in front of "=…" is how exports keep formulas inert; take it off again.
        yield from _counted(([restore(cell) for cell in row] for row in csv.reader(text)), caps)
    except csv.Error as error:
        raise ValidationError(_("The file could not be read: %(error)s") % {"error": error}) from error
    finally:
        text.detach()  # the caller owns the file


def _csv_encoding(file: IO[bytes]) -> str:
    """The first encoding that decodes the whole file, read in chunks."""
    for encoding in CSV_ENCODINGS:
        file.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            for chunk in iter(lambda: file.read(CHUNK), b""):
                if b"\x00" in chunk:
                    raise ValidationError(_("This is not a text CSV file."))
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        file.seek(0)
        return encoding
    raise ValidationError(_("The CSV file is neither UTF-8 nor GBK text."))


# --- Excel ---------------------------------------------------------------------------------


def _check_xlsx(file: IO[bytes], caps: Caps) -> None:
    try:
        with zipfile.ZipFile(file) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > caps.unpacked_bytes:
                raise ValidationError(
                    _("This Excel file unpacks to more than %(size)s; split it or save it again without pictures.")
                    % {"size": filesizeformat(caps.unpacked_bytes)}
                )
            # Every part, not only the sheets: openpyxl would also read a sheet stored elsewhere.
            for member in members:
                with archive.open(member) as part:
                    _check_sheet_tags(part, caps)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError, OSError) as error:
        # Not a zip, a damaged one, an unknown compression or a password.
        raise ValidationError(_("This is not an Excel (.xlsx) file.")) from error
    finally:
        file.seek(0)


def _check_sheet_tags(part: IO[bytes], caps: Caps) -> None:
    rows = cells = 0
    pending = b""
    for chunk in itertools.chain(iter(lambda: part.read(CHUNK), b""), [b""]):
        data = pending + chunk
        # A tag may go on in the next chunk: keep its start (a short one; the worker counts again).
        cut = data.rfind(b"<", max(0, len(data) - 256)) if chunk else -1
        data, pending = (data[:cut], data[cut:]) if cut >= 0 else (data, b"")
        for match in SHEET_TAG.finditer(data):
            if match.group(1) == b"row":
                rows, cells = rows + 1, 0
                if rows > caps.rows + 1:  # the header and the rows
                    raise _too_many_rows(caps)
            elif rows:
                cells += 1
                if cells > caps.columns:
                    raise _too_many_columns(caps)


def _xlsx_rows(file: IO[bytes], caps: Caps) -> Iterator[Row]:
    _check_xlsx(file, caps)
    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True, keep_links=False)
    except Exception as error:  # openpyxl raises many kinds for a damaged file
        raise ValidationError(_("The file could not be read: %(error)s") % {"error": error}) from error
    try:
        sheet = book.active
        if not hasattr(sheet, "reset_dimensions"):
            raise ValidationError(_("The file has no sheet to import."))
        sheet.reset_dimensions()  # the size the file declares may lie; read what is there
        yield from _counted((list(row) for row in sheet.iter_rows(max_col=caps.columns + 1, values_only=True)), caps)
    except ValidationError:
        raise
    except Exception as error:
        raise ValidationError(_("The file could not be read: %(error)s") % {"error": error}) from error
    finally:
        book.close()
