"""Import of targets and of imported metrics' figures (MKT-2): preview, row messages, all or none."""

import io
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from visits.models import ActualFigure, Target, TargetSettings

pytestmark = pytest.mark.django_db

URL = reverse("targets:import")


def upload(client, kind: str, text: str):
    file = SimpleUploadedFile("rows.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(URL, {"kind": kind, "file": file})


def test_a_clean_file_is_previewed_then_imported(client, manager, alice, bob):
    client.force_login(manager)
    response = upload(
        client,
        "targets",
        "period,account_manager,metric,value\n2026-12,alice,sales_amount,1000\n2026-Q4,BOB,sales_quantity,30\n",
    )
    assert [row.errors for row in response.context["preview"]] == [[], []]
    assert not Target.objects.exists()  # a preview saves nothing
    confirmed = client.post(URL, {"confirm": "1"})
    assert confirmed.status_code == 302
    assert Target.objects.get(account_manager=alice, period_kind="month").value == Decimal("1000")
    assert Target.objects.get(account_manager=bob, period_kind="quarter", period_start=date(2026, 10, 1)).value == 30
    assert Target.objects.get(account_manager=alice).history.get().history_user == manager


BAD_ROWS = [
    ("2026-13,alice,sales_amount,1", "Unknown period"),
    ("2026-12,charlie,sales_amount,1", "Unknown account manager"),  # the other team: unknown, not forbidden
    ("2026-12,nobody,sales_amount,1", "Unknown account manager"),
    ("2026-12,alice,deposit_avg_balance,1", "other metric set"),
    ("2026-12,alice,sales_amount,-5", "zero or a positive"),
    ("2026-12,alice,sales_amount,many", "Enter a number"),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_a_bad_row_is_named_and_nothing_is_imported(client, manager, alice, bob, charlie, row, message):
    client.force_login(manager)
    text = f"period,account_manager,metric,value\n2026-12,bob,sales_amount,10\n{row}\n"
    response = upload(client, "targets", text)
    preview = response.context["preview"]
    assert preview[0].errors == []
    assert preview[1].number == 3 and message in " ".join(preview[1].errors)
    assert response.context["has_errors"]
    assert client.post(URL, {"confirm": "1"}).status_code == 302  # nothing kept to confirm
    assert not Target.objects.exists()


def test_a_failure_at_confirmation_rolls_every_row_back(client, manager, alice, bob):
    client.force_login(manager)
    upload(
        client,
        "targets",
        "period,account_manager,metric,value\n2026-12,alice,sales_amount,1\n2026-12,bob,sales_amount,2\n",
    )
    bob.team = None  # bob leaves the team between the preview and the confirmation
    bob.save()
    client.post(URL, {"confirm": "1"})
    assert not Target.objects.exists()


def test_figures_correct_a_month_and_keep_the_old_value(client, manager, alice):
    TargetSettings.objects.filter(pk=1).update(metric_set="bank")
    client.force_login(manager)
    upload(client, "figures", "month,account_manager,metric,value\n2026-11,alice,deposit_avg_balance,3200.5\n")
    client.post(URL, {"confirm": "1"})
    upload(client, "figures", "month,account_manager,metric,value\n2026-11,alice,deposit_avg_balance,3300\n")
    client.post(URL, {"confirm": "1"})
    figure = ActualFigure.objects.get(account_manager=alice)
    assert figure.value == Decimal("3300")
    assert [h.value for h in figure.history.order_by("history_date")] == [Decimal("3200.5"), Decimal("3300")]
    assert {h.history_user for h in figure.history.all()} == {manager}


def test_a_computed_metric_or_a_quarter_is_not_an_imported_figure(client, manager, alice):
    TargetSettings.objects.filter(pk=1).update(metric_set="bank")
    client.force_login(manager)
    text = "month,account_manager,metric,value\n2026-11,alice,bank_new_clients,3\n2026-Q4,alice,npl_ratio,1.2\n"
    preview = upload(client, "figures", text).context["preview"]
    assert "computed here" in preview[0].errors[0]
    assert "Unknown period" in preview[1].errors[0]


def test_a_file_without_the_columns_is_refused_next_to_the_file(client, manager):
    client.force_login(manager)
    response = upload(client, "targets", "who,what\nx,y\n")
    assert "Columns missing" in response.context["form"].errors["file"][0]


def test_account_managers_cannot_import(client, alice):
    client.force_login(alice)
    assert client.get(URL).status_code == 403


def xlsx(rows: list[list]) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    return SimpleUploadedFile(
        "rows.xlsx", data.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_an_excel_date_cell_reads_as_its_month(client, manager, alice, bob):
    """Excel turns a typed 2026-11 into a date; it read as "2026-11-01 00:00:00", an unknown period."""
    client.force_login(manager)
    file = xlsx(
        [
            ["period", "account_manager", "metric", "value"],
            [datetime(2026, 11, 1), "alice", "sales_amount", 1000.0],
            ["2026-Q4", "bob", "sales_quantity", 30],
        ]
    )
    response = client.post(URL, {"kind": "targets", "file": file})
    assert [row.errors for row in response.context["preview"]] == [[], []]
    assert response.context["preview"][0].cells["period"] == "2026-11"
    client.post(URL, {"confirm": "1"})
    assert Target.objects.get(account_manager=alice, period_start=date(2026, 11, 1)).value == Decimal("1000")


def test_an_excel_date_cell_in_the_figures_month_column(client, manager, alice):
    TargetSettings.objects.filter(pk=1).update(metric_set="bank")
    client.force_login(manager)
    file = xlsx(
        [["month", "account_manager", "metric", "value"], [date(2026, 11, 1), "alice", "deposit_avg_balance", 3200]]
    )
    response = client.post(URL, {"kind": "figures", "file": file})
    assert [row.errors for row in response.context["preview"]] == [[]]
    client.post(URL, {"confirm": "1"})
    assert ActualFigure.objects.get(account_manager=alice, month=date(2026, 11, 1)).value == Decimal("3200")
