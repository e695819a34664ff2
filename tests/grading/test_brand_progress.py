"""A brand plan's progress from the ledger (MKT-4): figures computed by hand, month edges,
what does not count (cancelled or refunded orders, other brands, non-target clients for the
target figures, orders outside the plan) and the product code's case and spaces."""

from datetime import date
from decimal import Decimal

import pytest

from clients.models import BrandPlan
from grading.brand_progress import bought, plan_progress, plan_targets, with_last_orders
from tests.factories import (
    BrandFactory,
    BrandPlanFactory,
    BrandPlanMilestoneFactory,
    BrandPlanTargetFactory,
    ClientFactory,
    ProductFactory,
    SalesOrderFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(manager):
    brand = BrandFactory(code="HM")
    ProductFactory(brand=brand, code="HM-1")
    ProductFactory(brand=brand, code="HM-2")
    ProductFactory(code="YX-1")  # another brand's
    return BrandPlanFactory(
        brand=brand, created_by=manager, team=manager.team, start_month=date(2026, 1, 1), end_month=date(2026, 2, 1)
    )


@pytest.fixture
def a(plan, alice):
    return BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=alice, name="A")).client


@pytest.fixture
def b(plan, bob):
    return BrandPlanTargetFactory(plan=plan, client=ClientFactory(owner=bob, name="B")).client


def order(client, day, amount, product="HM-1", status="booked"):
    return SalesOrderFactory(client=client, ordered_on=day, amount=Decimal(amount), product=product, status=status)


def figures(plan):
    return [(row.month, row.points, row.sales, row.all_sales) for row in plan_progress(plan)]


def test_the_worked_example_of_the_module_docstring(plan, a, b):
    c = ClientFactory(name="C")  # not a target
    order(a, date(2026, 1, 31), "100.00", product=" hm-1 ")
    order(b, date(2026, 2, 1), "50.00")
    order(b, date(2026, 2, 2), "30.00", status="cancelled")
    order(c, date(2026, 1, 15), "70.00")
    assert figures(plan) == [
        (date(2026, 1, 1), 1, Decimal("100.00"), Decimal("170.00")),
        (date(2026, 2, 1), 2, Decimal("50.00"), Decimal("50.00")),
    ]


def test_distribution_points_are_cumulative_and_count_a_client_once(plan, a, b):
    order(a, date(2026, 1, 3), "10")
    order(a, date(2026, 1, 4), "10", product="HM-2")
    order(a, date(2026, 2, 9), "10")  # bought again: still one point
    assert [row.points for row in plan_progress(plan)] == [1, 1]
    order(b, date(2026, 2, 28), "5")
    assert [row.points for row in plan_progress(plan)] == [1, 2]


def test_month_edges_first_and_last_day_count_the_days_around_do_not(plan, a, b):
    order(a, date(2025, 12, 31), "1000")  # the day before the plan
    order(a, date(2026, 3, 1), "1000")  # the day after
    order(a, date(2026, 1, 1), "1")
    order(b, date(2026, 2, 28), "2")
    assert figures(plan) == [
        (date(2026, 1, 1), 1, Decimal("1.00"), Decimal("1.00")),
        (date(2026, 2, 1), 2, Decimal("2.00"), Decimal("2.00")),
    ]


def test_cancelled_and_refunded_orders_count_nowhere(plan, a):
    order(a, date(2026, 1, 5), "10", status="cancelled")
    order(a, date(2026, 1, 6), "20", status="refunded")
    assert figures(plan)[0] == (date(2026, 1, 1), 0, Decimal("0.00"), Decimal("0.00"))


def test_other_brands_and_unknown_product_lines_are_not_the_brands(plan, a):
    order(a, date(2026, 1, 5), "10", product="YX-1")
    order(a, date(2026, 1, 6), "20", product="HM")  # the brand's code is no product code
    order(a, date(2026, 1, 7), "40", product="HM-1X")
    order(a, date(2026, 1, 8), "80", product="")
    assert figures(plan)[0] == (date(2026, 1, 1), 0, Decimal("0.00"), Decimal("0.00"))


def test_product_codes_match_whatever_their_case_and_surrounding_spaces(plan, a, b):
    order(a, date(2026, 1, 5), "10.10", product="hm-2")
    order(b, date(2026, 1, 6), "0.90", product="  Hm-1 ")
    assert figures(plan)[0] == (date(2026, 1, 1), 2, Decimal("11.00"), Decimal("11.00"))


def test_non_target_clients_count_only_in_all_clients_sales(plan, a):
    other = ClientFactory()
    order(other, date(2026, 2, 10), "500")
    assert figures(plan)[1] == (date(2026, 2, 1), 0, Decimal("0.00"), Decimal("500.00"))


def test_a_target_of_another_plan_is_no_target_here(plan, a, manager):
    elsewhere = BrandPlanTargetFactory(plan=BrandPlanFactory(brand=plan.brand, created_by=manager, team=manager.team))
    order(elsewhere.client, date(2026, 1, 10), "7")
    assert figures(plan)[0] == (date(2026, 1, 1), 0, Decimal("0.00"), Decimal("7.00"))


def test_attainment_against_milestones(plan, a, b):
    BrandPlanMilestoneFactory(plan=plan, month=date(2026, 1, 1), distribution_points=4, sales_amount=Decimal("200"))
    order(a, date(2026, 1, 5), "150")
    jan, feb = plan_progress(plan)
    assert (jan.target_points, jan.points, jan.points_rate) == (4, 1, Decimal("25.0"))
    assert (jan.target_sales, jan.sales, jan.sales_rate) == (Decimal("200.00"), Decimal("150.00"), Decimal("75.0"))
    assert (feb.target_points, feb.target_sales, feb.points_rate, feb.sales_rate) == (None, None, None, None)


def test_a_zero_target_has_no_rate():
    from grading.brand_progress import _rate

    assert _rate(5, 0) is None
    assert _rate(3, 2) == Decimal("150.0")


def test_a_brand_without_products_shows_every_month_at_zero(manager):
    plan = BrandPlanFactory(
        created_by=manager, team=manager.team, start_month=date(2026, 1, 1), end_month=date(2026, 3, 1)
    )
    assert figures(plan) == [(date(2026, m, 1), 0, Decimal("0.00"), Decimal("0.00")) for m in (1, 2, 3)]


def test_progress_is_one_query_whatever_the_orders_and_months(plan, a, b, django_assert_num_queries):
    for day in range(1, 28):
        order(a, date(2026, 1, day), "1")
        order(b, date(2026, 2, day), "1")
    plan = BrandPlan.objects.select_related("brand").get(pk=plan.pk)  # as the page loads it
    # the brand's codes, the milestones, the one grouped statement
    with django_assert_num_queries(3):
        plan_progress(plan)


def test_target_rows_say_who_bought_when_and_follow_the_readers_scope(plan, a, b, alice, manager):
    order(a, date(2026, 1, 5), "10")
    order(a, date(2026, 2, 7), "10")
    order(a, date(2026, 3, 9), "10")  # after the plan
    order(b, date(2026, 1, 9), "10", status="cancelled")
    rows = {row.client.name: row.last_order_on for row in with_last_orders(plan, list(plan_targets(manager, plan)))}
    assert rows == {"A": date(2026, 2, 7), "B": None}
    assert [row.client.name for row in plan_targets(alice, plan)] == ["A"]  # her own target clients only
    assert [row.client.name for row in plan_targets(manager, plan).filter(bought(plan))] == ["A"]
    assert [row.client.name for row in plan_targets(manager, plan).exclude(bought(plan))] == ["B"]


def test_last_orders_of_a_page_are_one_query(plan, a, b, manager, django_assert_num_queries):
    order(a, date(2026, 1, 5), "10")
    targets = list(plan_targets(manager, plan))
    plan = BrandPlan.objects.select_related("brand").get(pk=plan.pk)
    with django_assert_num_queries(2):  # the brand's codes, the grouped last orders
        with_last_orders(plan, targets)


def test_months_not_begun_yet_have_no_attainment(plan, a):
    BrandPlanMilestoneFactory(plan=plan, month=date(2026, 2, 1), distribution_points=1, sales_amount=Decimal("10"))
    order(a, date(2026, 1, 5), "10")
    jan, feb = plan_progress(plan, today=date(2026, 1, 20))
    assert (jan.future, feb.future) == (False, True)
    assert (feb.points, feb.points_rate, feb.sales_rate) == (1, None, None)  # not a shortfall: not begun
    assert plan_progress(plan, today=date(2026, 2, 1))[1].points_rate == Decimal("100.0")
