"""Computed actual figures and attainment (MKT-2), checked against hand-computed examples."""

from datetime import date
from decimal import Decimal

import pytest

from crm.models import User
from grading.models import Receivable, SalesOrder
from tests.factories import ClientFactory
from visits.attainment import actuals_compute
from visits.models import ActualFigure, CalendarDay, Metric, Target
from visits.periods import Period, parse_period
from visits.target_report import attainment_report, combine, elapsed_share, on_track_summary

pytestmark = pytest.mark.django_db

NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)


def order(client, day: date, amount: str, quantity: str = "1", status: str = "booked") -> SalesOrder:
    return SalesOrder.objects.create(
        client=client, ordered_on=day, amount=Decimal(amount), quantity=Decimal(quantity), margin="0.1", status=status
    )


def invoice(client, number: str, due: date, amount: str, paid: date | None) -> Receivable:
    return Receivable.objects.create(client=client, invoice=number, due_on=due, amount=Decimal(amount), paid_on=paid)


@pytest.fixture
def ledger(alice, bob):
    """The worked example of visits/attainment.py's docstring."""
    x, y, z = (ClientFactory(owner=alice) for _i in range(3))
    order(x, date(2026, 11, 30), "1000.00", "2")  # the month's last day counts
    order(x, date(2026, 12, 1), "500.00")  # the next month's first does not
    order(y, date(2026, 11, 5), "300.00", status="cancelled")
    order(z, date(2026, 11, 6), "200.00", status="refunded")
    old = ClientFactory(owner=alice)
    order(old, date(2026, 10, 31), "50.00")  # an existing client: its November order is not "new"
    order(old, date(2026, 11, 2), "0.00", "3")
    invoice(x, "INV-1", date(2026, 11, 10), "800.00", date(2026, 11, 20))
    invoice(x, "INV-2", date(2026, 11, 30), "200.00", date(2026, 12, 3))  # paid after the month: not received
    invoice(x, "INV-3", date(2026, 12, 1), "999.00", None)  # due next month
    ClientFactory(owner=bob)  # a client file without an order is a prospect, not a new client
    return x


def figures(person: User, month: date) -> dict[str, tuple[Decimal, Decimal | None]]:
    rows = ActualFigure.objects.filter(account_manager=person, month=month).select_related("metric")
    return {row.metric.code: (row.value, row.base) for row in rows}


def test_computed_figures_match_the_worked_example(ledger, alice, bob):
    actuals_compute(months=[NOVEMBER, DECEMBER])
    november = figures(alice, NOVEMBER)
    assert november["sales_amount"] == (Decimal("1000.00"), None)
    assert november["sales_quantity"] == (Decimal("5.00"), None)  # 2 + the old client's 3
    assert november["new_clients"][0] == 1  # X; the cancelled Y, refunded Z and old client are not new
    assert november["collection_rate"] == (Decimal("800.00"), Decimal("1000.00"))
    december = figures(alice, DECEMBER)
    assert december["sales_amount"][0] == Decimal("500.00")
    assert december["new_clients"][0] == 0  # X was new in November
    assert figures(bob, NOVEMBER)["new_clients"][0] == 0
    assert figures(bob, NOVEMBER)["collection_rate"] == (Decimal("0"), None)  # nothing due: no rate


def test_a_rerun_changes_nothing_and_a_cancellation_is_taken_back(ledger, alice):
    actuals_compute(months=[NOVEMBER])
    count = ActualFigure.objects.count()
    actuals_compute(months=[NOVEMBER])
    assert ActualFigure.objects.count() == count
    SalesOrder.objects.filter(client=ledger, ordered_on=date(2026, 11, 30)).update(status="cancelled")
    actuals_compute(months=[NOVEMBER])
    assert figures(alice, NOVEMBER)["sales_amount"][0] == 0
    assert figures(alice, NOVEMBER)["new_clients"][0] == 0


def test_the_collection_rate_of_a_quarter_is_received_over_due_not_a_mean_of_months():
    rate = Metric.objects.get(code="collection_rate")
    # October 100 of 100 (100 %), November 800 of 1 000 (80 %): the quarter is 900 ÷ 1 100.
    assert combine(rate, [(Decimal(100), Decimal(100)), (Decimal(800), Decimal(1000))]).quantize(
        Decimal("0.01")
    ) == Decimal("81.82")


def test_expected_to_date_counts_working_days_with_holidays():
    # October 2026: 22 weekdays; 1–7 October are the national holiday (5 of them weekdays), and
    # Saturday 10 October is a swapped working day (调休): 22 − 5 + 1 = 18 working days.
    for day in range(1, 8):
        CalendarDay.objects.create(date=date(2026, 10, day), name="国庆节")
    CalendarDay.objects.create(date=date(2026, 10, 10), is_working=True, name="国庆节调休")
    october = Period("month", date(2026, 10, 1))
    # By 12 October (Monday): the 8th, 9th, 10th (Saturday, worked) and 12th = 4 of 18.
    assert elapsed_share(october, date(2026, 10, 12)) == Decimal(4) / Decimal(18)
    assert elapsed_share(october, date(2026, 10, 5)) == 0
    assert elapsed_share(october, date(2026, 11, 1)) == 1


def test_attainment_percent_expected_line_and_rank(alice, bob, settings):
    sales = Metric.objects.get(code="sales_amount")
    rate = Metric.objects.get(code="collection_rate")
    month = parse_period("2026-12")
    for person, target, actual in ((alice, "1000", "600"), (bob, "1000", "300")):
        Target.objects.create(
            period_kind="month", period_start=DECEMBER, account_manager=person, metric=sales, value=target
        )
        ActualFigure.objects.create(account_manager=person, metric=sales, month=DECEMBER, value=actual)
    Target.objects.create(period_kind="month", period_start=DECEMBER, account_manager=bob, metric=rate, value="90")
    ActualFigure.objects.create(account_manager=bob, metric=rate, month=DECEMBER, value="95", base="100")
    # December 2026 has 23 working days; by Friday 11 December 9 have elapsed.
    report = attainment_report(
        people=User.objects.filter(pk__in=[alice.pk, bob.pk]),
        metrics=[sales, rate],
        period=month,
        today=date(2026, 12, 11),
    )
    first, second = report.rows
    assert first.account_manager == bob  # (30 % + 105.6 %) ÷ 2 = 67.8 % beats alice's 60 %
    assert (first.rank, second.rank) == (1, 2)
    alice_sales = second.cells[0]
    assert alice_sales.percent == Decimal("60.0")
    assert alice_sales.expected.quantize(Decimal("0.01")) == Decimal("391.30")  # 1 000 × 9 ÷ 23
    assert alice_sales.on_track is True
    bob_sales, bob_rate = first.cells
    assert bob_sales.on_track is False  # 300 < 391.30
    assert bob_rate.actual == Decimal(95) and bob_rate.expected == Decimal(90)  # a ratio is not scaled by time
    assert bob_rate.on_track is True
    assert second.cells[1].on_track is None  # no target


def test_lower_is_better_is_on_track_at_or_below_its_target(alice):
    npl = Metric.objects.get(code="npl_ratio")
    Target.objects.create(period_kind="month", period_start=DECEMBER, account_manager=alice, metric=npl, value="2")
    ActualFigure.objects.create(account_manager=alice, metric=npl, month=DECEMBER, value="1.6")
    report = attainment_report(
        people=User.objects.filter(pk=alice.pk), metrics=[npl], period=parse_period("2026-12"), today=DECEMBER
    )
    cell = report.rows[0].cells[0]
    assert cell.percent == Decimal("125.0")  # 2 ÷ 1.6
    assert cell.on_track is True


def test_no_figure_is_neither_on_track_nor_counted_as_such(alice):
    """A missing actual was read as 0: a lower-is-better target showed on track, and every
    accumulating target of a future period too (expected 0)."""
    npl = Metric.objects.get(code="npl_ratio")
    sales = Metric.objects.get(code="sales_amount")
    for metric in (npl, sales):
        Target.objects.create(
            period_kind="month", period_start=DECEMBER, account_manager=alice, metric=metric, value="2"
        )
    report = attainment_report(
        people=User.objects.filter(pk=alice.pk),
        metrics=[npl, sales],
        period=parse_period("2026-12"),
        today=date(2026, 11, 15),  # before the period: expected 0
    )
    row = report.rows[0]
    assert [cell.on_track for cell in row.cells] == [None, None]
    assert on_track_summary(report, alice) == (0, 2)  # both targets set, none on track


def test_lower_is_better_at_zero_is_on_track_and_ranked(alice):
    npl = Metric.objects.get(code="npl_ratio")
    Target.objects.create(period_kind="month", period_start=DECEMBER, account_manager=alice, metric=npl, value="2")
    ActualFigure.objects.create(account_manager=alice, metric=npl, month=DECEMBER, value="0")
    report = attainment_report(
        people=User.objects.filter(pk=alice.pk), metrics=[npl], period=parse_period("2026-12"), today=DECEMBER
    )
    row = report.rows[0]
    assert row.cells[0].on_track is True
    assert row.cells[0].percent == Decimal("100.0")
    assert row.rank == 1
