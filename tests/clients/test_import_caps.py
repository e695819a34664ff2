"""Imports are capped before anything parses them (issue 9): the upload's size, an xlsx's
unpacked size, rows and columns. A file past a cap is refused beside the file field, in the
user's language, and nothing is stored: no job, no file, no client."""

import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from clients.models import Client, ImportJob
from tests.imports import csv_bytes, last_job, upload, xlsx_bytes


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def refused(response, media, message: str) -> None:
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["file"])
    assert not ImportJob.objects.exists() and not Client.objects.exists()
    assert not list(media.glob("imports/*")), "the upload is not kept"


def test_a_csv_of_10001_rows_is_refused_with_the_row_cap(client, alice, media):
    client.force_login(alice)
    rows = [f"c{n:05d},Client {n},corporate,prospect,online,,,,,,,,0,," for n in range(10_001)]
    response = upload(client, csv_bytes(*rows))
    refused(response, media, "This file has more than 5,000 rows; split it.")


def test_an_oversize_upload_is_refused(client, alice, media):
    client.force_login(alice)
    content = csv_bytes("c1,Big,corporate,prospect,online,,,,,,,,0,," + "x" * (5 * 1024 * 1024))
    refused(upload(client, content), media, "This file is larger than 5.0\xa0MB; split it.")


def small_zip_bomb() -> bytes:
    """A 25 KB xlsx whose sheet unpacks to 25 MB of rows (the directory says so, truthfully)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<row><c><v>1</v></c></row>" * 1_000_000)
    return buffer.getvalue()


def test_a_small_xlsx_that_unpacks_to_more_than_the_cap_is_refused(client, alice, media, monkeypatch):
    monkeypatch.setattr(openpyxl, "load_workbook", pytest.fail)  # the request never parses an xlsx
    content = small_zip_bomb()
    assert len(content) < 100_000
    client.force_login(alice)
    response = upload(client, content, name="bomb.xlsx")
    refused(response, media, "This Excel file unpacks to more than 20.0\xa0MB")


def test_an_xlsx_with_more_rows_than_the_cap_is_refused_without_parsing_it(client, alice, media, settings, monkeypatch):
    settings.CRM_IMPORT_MAX_ROWS = 20
    content = xlsx_bytes(["code", "name"], *([f"c{n}", "x"] for n in range(21)))
    monkeypatch.setattr(openpyxl, "load_workbook", pytest.fail)
    client.force_login(alice)
    refused(upload(client, content, name="rows.xlsx"), media, "This file has more than 20 rows; split it.")


def test_an_xlsx_row_with_thousands_of_cells_is_refused(client, alice, media):
    client.force_login(alice)
    content = xlsx_bytes(["code", "name"], ["c1", *(["x"] * 5000)])
    refused(upload(client, content, name="wide.xlsx"), media, "This file has more than 100 columns")


def test_rows_hidden_in_a_gap_of_row_numbers_count_in_the_worker(client, alice, settings):
    """Only two rows on disk, but the second is row 100: openpyxl yields the 97 empty rows in
    between, and the worker stops at the cap instead of walking a million of them."""
    settings.CRM_IMPORT_MAX_ROWS = 20
    book = openpyxl.Workbook()
    book.active.append(["code", "name"])
    book.active["A100"] = "far"
    buffer = io.BytesIO()
    book.save(buffer)
    client.force_login(alice)
    upload(client, buffer.getvalue(), name="gap.xlsx")
    job = last_job()
    assert job.status == "invalid" and "This file has more than 20 rows" in job.errors[0]


def test_the_admin_import_keeps_to_the_same_caps(client, admin_user, settings):
    settings.CRM_IMPORT_MAX_ROWS = 20
    client.force_login(admin_user)
    rows = [f"c{n},Client {n},corporate,prospect,online,,,,,,,,0,," for n in range(21)]
    response = client.post(
        reverse("admin:clients_client_import"),
        {"format": 0, "resource": 0, "import_file": io.BytesIO(csv_bytes(*rows))},
    )
    assert "This file has more than 20 rows" in response.content.decode(), response.context["form"].errors
    assert not Client.objects.exists()
