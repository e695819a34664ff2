"""The key account's costs against its volume and profit in the ledger, on the client card
(MKT-3): a panel of grading on the clients page, computed in two set-based queries."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.roles import Role
from grading.models import SalesOrder
from grading.selectors import key_account_economics
from tests.factories import ClientFactory, KeyAccountCostFactory


@pytest.fixture
def other_manager(make_user, other_team):
    return make_user(Role.MANAGER, username="otherboss", team=other_team)


@pytest.fixture
def account(alice):
    """The docstring's worked example of ``key_account_economics``, plus rows that must not count."""
    account = ClientFactory(owner=alice, name="四川郎酒", is_key_account=True)
    year = timezone.localdate().year
    for amount, margin, day in [
        ("10000.00", "0.2000", date(year, 1, 5)),
        ("5000.00", "0.1000", date(year, 1, 6)),
        ("70000.00", "0.5000", date(year - 1, 12, 31)),  # last year
    ]:
        SalesOrder.objects.create(client=account, ordered_on=day, amount=Decimal(amount), margin=Decimal(margin))
    KeyAccountCostFactory(client=account, kind="events", amount=Decimal("600.00"), incurred_on=date(year, 1, 7))
    KeyAccountCostFactory(client=account, kind="travel", amount=Decimal("150.00"), incurred_on=date(year, 1, 8))
    KeyAccountCostFactory(client=account, kind="rebates", amount=Decimal("9999"), incurred_on=date(year - 1, 6, 1))
    other = ClientFactory(owner=alice, is_key_account=True)  # another account's rows stay its own
    SalesOrder.objects.create(client=other, ordered_on=date(year, 1, 5), amount=1000, margin=Decimal("0.1"))
    KeyAccountCostFactory(client=other, amount=Decimal("77"), incurred_on=date(year, 1, 5))
    return account


def test_costs_against_volume_and_profit_as_computed_by_hand(account, django_assert_num_queries):
    with django_assert_num_queries(2):
        economics = key_account_economics(account, timezone.localdate().year)
    # volume 10,000 + 5,000; profit 10,000 × 0.2 + 5,000 × 0.1 = 2,500; costs 600 + 150 = 750
    assert economics["volume"] == Decimal("15000.00")
    assert economics["profit"] == Decimal("2500.00")
    assert economics["orders"] == 2
    assert economics["costs"] == Decimal("750.00")
    assert economics["cost_share_of_volume"] == Decimal("5.0")  # 750 / 15,000
    assert economics["cost_share_of_profit"] == Decimal("30.0")  # 750 / 2,500
    assert economics["profit_after_costs"] == Decimal("1750.00")
    assert dict(economics["by_kind"]) == {
        "Events": Decimal("600.00"),
        "Samples": Decimal("0.00"),
        "Rebates": Decimal("0.00"),
        "Travel": Decimal("150.00"),
        "Other": Decimal("0.00"),
    }


def test_an_account_without_orders_has_no_shares(alice):
    account = ClientFactory(owner=alice, is_key_account=True)
    KeyAccountCostFactory(client=account, amount=Decimal("50"))
    economics = key_account_economics(account, timezone.localdate().year)
    assert (economics["volume"], economics["cost_share_of_volume"], economics["cost_share_of_profit"]) == (
        Decimal("0.00"),
        None,
        None,
    )
    assert economics["profit_after_costs"] == Decimal("-50.00")


@pytest.mark.parametrize("who", ["alice", "manager", "admin_user"])
def test_the_key_account_card_shows_the_panel(client, request, account, who):
    client.force_login(request.getfixturevalue(who))
    html = client.get(reverse("clients:detail", args=[account.pk])).content.decode()
    assert 'data-testid="key-account-costs"' in html
    assert 'data-testid="economics-net">1,750.00<' in html
    assert reverse("clients:costs", args=[account.pk]) in html


@pytest.mark.parametrize("who", ["bob", "charlie", "other_manager"])
def test_outsiders_do_not_see_the_card_nor_its_costs(client, request, account, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("clients:detail", args=[account.pk])).status_code == 404


def test_a_client_that_is_not_a_key_account_has_no_cost_panel_and_no_query_for_it(client, alice):
    plain = ClientFactory(owner=alice)
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("clients:detail", args=[plain.pk])).content.decode()
    assert 'data-testid="key-account-costs"' not in html
    assert not [q for q in queries.captured_queries if "clients_keyaccountcost" in q["sql"]]
