"""Costs of key accounts (MKT-3): entering them, the rules on their values, the list and its
export, and who may see them."""

import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from clients.costs import costs_by_kind, key_account_cost_record
from clients.models import KeyAccountCost
from tests.factories import ClientFactory, KeyAccountCostFactory


@pytest.fixture
def account(alice):
    return ClientFactory(owner=alice, name="长沙银行", code="KA1", is_key_account=True)


def url(client_, name="clients:costs"):
    return reverse(name, args=[client_.pk])


def test_entering_a_cost_records_who_and_audits_it(client, alice, account):
    client.force_login(alice)
    today = timezone.localdate()
    response = client.post(
        url(account), {"kind": "events", "amount": "1234.50", "incurred_on": today.isoformat(), "note": "答谢会"}
    )
    assert response.status_code == 302
    cost = KeyAccountCost.objects.get()
    assert (cost.client, cost.kind, cost.amount, cost.incurred_on, cost.recorded_by) == (
        account,
        "events",
        Decimal("1234.50"),
        today,
        alice,
    )
    assert cost.history.get().history_user == alice


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "-1", "Enter zero or a positive amount."),
        ("amount", "abc", "Enter a number."),
        ("amount", "", "This field is required."),
        ("incurred_on", "tomorrow", "Enter a valid date."),
        ("incurred_on", "future", "A cost cannot be dated in the future."),
        ("kind", "bribes", "Select a valid choice. bribes is not one of the available choices."),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_nothing_is_saved(client, alice, account, field, value, message):
    data = {"kind": "travel", "amount": "80", "incurred_on": timezone.localdate().isoformat()}
    data[field] = (timezone.localdate() + timedelta(days=1)).isoformat() if value == "future" else value
    client.force_login(alice)
    response = client.post(url(account), data)
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    assert message in response.content.decode()
    assert not KeyAccountCost.objects.exists()


def test_the_service_holds_imports_and_the_admin_to_the_same_rules(alice, account):
    with pytest.raises(ValidationError) as error:
        key_account_cost_record(
            client=account, by=alice, kind="events", amount=Decimal("-5"), incurred_on=timezone.localdate()
        )
    assert "amount" in error.value.message_dict
    plain = ClientFactory(owner=alice)
    with pytest.raises(ValidationError, match="key accounts only"):
        key_account_cost_record(
            client=plain, by=alice, kind="events", amount=Decimal("5"), incurred_on=date(2025, 1, 1)
        )
    assert not KeyAccountCost.objects.exists()


def test_the_database_refuses_a_negative_amount(account, alice):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        KeyAccountCost.objects.create(
            client=account, kind="events", amount=Decimal("-1"), incurred_on=date(2025, 1, 1), recorded_by=alice
        )


def test_the_page_sums_this_years_costs_by_kind(client, alice, account):
    year = timezone.localdate().year
    for kind, amount, day in [
        ("events", "600.00", date(year, 1, 2)),
        ("events", "400.00", date(year, 1, 3)),
        ("travel", "150.50", date(year, 1, 4)),
        ("rebates", "999.00", date(year - 1, 12, 31)),  # last year: not in this year's sums
    ]:
        KeyAccountCostFactory(client=account, kind=kind, amount=Decimal(amount), incurred_on=day)
    assert costs_by_kind(account, year) == {
        "events": Decimal("1000.00"),
        "samples": Decimal("0.00"),
        "rebates": Decimal("0.00"),
        "travel": Decimal("150.50"),
        "other": Decimal("0.00"),
    }
    client.force_login(alice)
    response = client.get(url(account))
    assert response.context["year_total"] == Decimal("1150.50")
    assert len(response.context["page_obj"].object_list) == 4


@pytest.mark.parametrize("name", ["clients:costs", "clients:cost_export"])
@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("alice", 200),
        ("bob", 404),
        ("charlie", 404),
        ("manager", 200),
        ("other_manager", 404),
        ("admin_user", 200),
        ("front_desk", 403),
    ],
)
def test_cost_pages_and_export_follow_the_gate(client, request, account, name, who, status):
    KeyAccountCostFactory(client=account)
    client.force_login(request.getfixturevalue(who))
    assert client.get(url(account, name)).status_code == status


@pytest.mark.parametrize("who", ["bob", "charlie", "other_manager"])
def test_outsiders_cannot_enter_costs(client, request, account, who):
    client.force_login(request.getfixturevalue(who))
    data = {"kind": "events", "amount": "1", "incurred_on": "2025-01-01"}
    assert client.post(url(account), data).status_code == 404
    assert not KeyAccountCost.objects.exists()


@pytest.mark.parametrize("name", ["clients:costs", "clients:cost_export"])
def test_a_client_that_is_not_a_key_account_has_no_cost_pages(client, alice, name):
    client.force_login(alice)
    assert client.get(url(ClientFactory(owner=alice), name)).status_code == 404


def test_the_export_lists_every_cost_oldest_first(client, manager, account):
    KeyAccountCostFactory(client=account, kind="travel", amount=Decimal("80.5"), incurred_on=date(2025, 3, 1))
    KeyAccountCostFactory(
        client=account, kind="events", amount=Decimal("600"), incurred_on=date(2025, 1, 1), note="=1+2"
    )
    client.force_login(manager)
    response = client.get(url(account, "clients:cost_export"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("长沙银行", "KA1")
    assert rows[1][:3] == ("date", "kind", "amount")
    assert [(row[1], row[2], row[3]) for row in rows[2:]] == [("Events", 600, "=1+2"), ("Travel", 80.5, None)]
    assert sheet.cell(row=3, column=4).data_type == "s"  # a note that looks like a formula stays text


@pytest.mark.parametrize("rows", [1, 50])
@pytest.mark.parametrize("name", ["clients:costs", "clients:cost_export"])
def test_cost_list_and_export_run_a_constant_number_of_queries(
    client, alice, account, rows, name, django_assert_max_num_queries
):
    KeyAccountCostFactory.create_batch(rows, client=account)
    client.force_login(alice)
    with django_assert_max_num_queries(8):
        response = client.get(url(account, name), {"per_page": 50})
    assert response.status_code == 200
