"""Uploaded tables are read within caps, streaming, and refused at the first row too many."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from crm.spreadsheets.reading import CHUNK, Caps, check_upload, read_table

CAPS = Caps(upload_bytes=10_000_000, unpacked_bytes=50_000_000, rows=10, columns=5)


def sheet_zip(xml: bytes) -> io.BytesIO:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", xml)
    buffer.seek(0)
    return buffer


def test_a_csv_is_read_with_its_row_numbers_without_blank_lines_and_quotes_taken_off():
    content = 'code,name\n\nA1,\'=1+1\nA2,"two\nlines"\n'.encode("gb18030")
    table = read_table(io.BytesIO(content), name="x.csv", caps=CAPS)
    assert table.headers == ["code", "name"]
    assert table.rows == [["A1", "=1+1"], ["A2", "two\nlines"]]
    assert table.numbers == [3, 4]


def test_reading_stops_at_the_first_row_past_the_cap():
    with pytest.raises(ValidationError, match="more than 10 rows"):
        read_table(io.BytesIO(b"code,name\n" + b"c,x\n" * 11), name="x.csv", caps=CAPS)
    assert read_table(io.BytesIO(b"code,name\n" + b"c,x\n" * 10), name="x.csv", caps=CAPS).numbers[-1] == 11


def test_a_cell_longer_than_excel_allows_is_refused():
    with pytest.raises(ValidationError, match="longer than 32,767 characters"):
        read_table(io.BytesIO(b"code,name\nA1," + b"x" * 40_000 + b"\n"), name="x.csv", caps=CAPS)


@pytest.mark.parametrize("prefix", [b"", b"x:"])
def test_row_tags_are_counted_across_chunk_boundaries_and_namespace_prefixes(prefix):
    row = b"<" + prefix + b"row r='1'><" + prefix + b"c><v>1</v></" + prefix + b"c></" + prefix + b"row>"
    filler = b" " * (CHUNK - 3)  # puts a tag across the end of the first chunk
    check_upload(sheet_zip(filler + row * 11), name="x.xlsx", caps=CAPS)
    with pytest.raises(ValidationError, match="more than 10 rows"):
        check_upload(sheet_zip(filler + row * 12), name="x.xlsx", caps=CAPS)


def test_other_elements_named_like_cells_are_not_counted():
    chart = b"<c:chart><c:v>1</c:v><c:pt/></c:chart>" * 100
    check_upload(sheet_zip(b"<row>" + chart + b"</row>"), name="x.xlsx", caps=CAPS)


def test_the_unpacked_size_comes_from_the_zip_directory():
    bomb = sheet_zip(b"\0" * 60_000_000)
    assert len(bomb.getvalue()) < 100_000
    with pytest.raises(ValidationError, match="unpacks to more than"):
        check_upload(bomb, name="x.xlsx", caps=CAPS)
