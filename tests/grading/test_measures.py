"""Every grading measure on small hand-computed data (GRD-1…5)."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import Client
from grading import services
from grading.models import ClientScore, GradingPolicy, GradingRun, PotentialAssessment, Receivable, SalesOrder
from tests.factories import ClientFactory

AS_OF = date(2026, 11, 28)


def order(client, amount, margin="0.10", quantity=1, on=date(2026, 6, 1)):
    return SalesOrder.objects.create(
        client=client, ordered_on=on, amount=Decimal(amount), margin=Decimal(margin), quantity=Decimal(quantity)
    )


_numbers = iter(range(1, 10**6))


def invoice(client, due, paid):
    return Receivable.objects.create(
        client=client, invoice=f"INV-{next(_numbers)}", amount=100, due_on=due, paid_on=paid
    )


def score(run, client) -> ClientScore:
    return ClientScore.objects.get(run=run, client=client)


@pytest.fixture
def clients(alice):
    return [ClientFactory(owner=alice, name=f"C{n}") for n in range(5)]


def test_credit_counts_late_payments_and_days(alice):
    client = ClientFactory(owner=alice)
    invoice(client, date(2026, 3, 1), date(2026, 3, 1))  # on time
    invoice(client, date(2026, 4, 1), date(2026, 4, 16))  # 15 days late
    invoice(client, date(2026, 5, 1), date(2026, 5, 4))  # 3 days late
    invoice(client, date(2026, 11, 20), None)  # unpaid, 8 days late on the 28th
    invoice(client, date(2025, 1, 1), date(2025, 6, 1))  # outside the 12 months
    run = services.grading_run(as_of=AS_OF)
    s = score(run, client)
    assert (s.invoices, s.late_payments, s.days_late_total, s.days_late_max) == (4, 3, 26, 15)
    assert s.on_time_share == pytest.approx(0.25)
    assert s.credit_score == pytest.approx(100 * 0.25 - 5)


def test_an_all_late_payer_gets_zero_credit(alice):
    client = ClientFactory(owner=alice)
    invoice(client, date(2026, 1, 1), date(2026, 6, 1))  # 151 days late
    invoice(client, date(2026, 2, 1), date(2026, 3, 1))
    run = services.grading_run(as_of=AS_OF)
    assert score(run, client).credit_score == 0


@pytest.mark.parametrize(
    ("days_late", "credit"),
    [
        (60, 90 - 20),  # under the cap: a third of the days
        (90, 90 - 30),  # exactly at the cap
        (150, 90 - 30),  # 50 points by days, capped at 30
        (300, 90 - 30),
    ],
)
def test_the_lateness_penalty_is_a_third_of_the_worst_delay_capped_at_30_points(alice, days_late, credit):
    client = ClientFactory(owner=alice)
    for month in range(1, 10):  # nine invoices paid on their due day
        invoice(client, date(2026, month, 1), date(2026, month, 1))
    due = date(2026, 1, 5)
    invoice(client, due, due + timezone.timedelta(days=days_late))
    run = services.grading_run(as_of=AS_OF)
    s = score(run, client)
    assert (s.invoices, s.late_payments, s.days_late_max) == (10, 1, days_late)
    assert s.credit_score == pytest.approx(credit)


def test_volume_and_profit_ranks_with_ties(clients):
    a, b, c, d, e = clients
    order(a, 500, "0.10")  # profit 50
    order(b, 300, "0.50")  # profit 150
    order(c, 300, "0.05")  # profit 15 (volume tie with b)
    order(d, 100, "0.20")  # profit 20
    run = services.grading_run(as_of=AS_OF)
    ranks = {cl.name: (score(run, cl).volume_rank, score(run, cl).profit_rank) for cl in (a, b, c, d)}
    assert ranks == {"C0": (1, 2), "C1": (2, 1), "C2": (2, 4), "C3": (4, 3)}
    assert score(run, a).volume_score == 100 and score(run, d).volume_score == 0
    assert score(run, b).volume_score == pytest.approx(100 * 2 / 3), "ties share the rank"
    assert score(run, b).profit == Decimal("150.00")
    assert not ClientScore.objects.filter(run=run, client=e).exists(), "no orders, invoices or assessment: not graded"


def test_quantity_basis_and_24_month_window(clients, manager):
    a, b = clients[:2]
    order(a, 1000, quantity=1, on=date(2025, 6, 1))  # only in a 24-month window
    order(b, 10, quantity=50)
    services.policy_update(changes={"volume_basis": "quantity", "window_months": 24}, by=manager)
    run = services.grading_run(as_of=AS_OF)
    assert score(run, b).volume == 50 and score(run, b).volume_rank == 1
    assert score(run, a).volume == 1


def test_potential_only_for_clients_without_history(alice, clients):
    new, old = clients[:2]
    services.potential_record(client=new, score=4, reason="Big chain opening", by=alice)
    services.potential_record(client=old, score=5, reason="ignored: has orders", by=alice)
    PotentialAssessment.objects.update(assessed_at=timezone.make_aware(datetime(2026, 11, 20, 10)))
    order(old, 100)
    run = services.grading_run(as_of=AS_OF)
    assert score(run, new).potential_score == 80 and score(run, new).composite == 80
    assert score(run, new).level == "A"
    assert score(run, old).potential_score is None


def test_potential_needs_a_reason(alice, clients):
    with pytest.raises(ValidationError):
        services.potential_record(client=clients[0], score=3, reason=" ", by=alice)


def test_the_worked_example_of_the_docstring(alice):
    """credit 75, volume 2nd of 5 → 75, profit 4th of 5 → 25: composite 57.5 → B."""
    target = ClientFactory(owner=alice, name="Target")
    others = [ClientFactory(owner=alice) for _ in range(4)]
    for month in range(1, 11):
        due = date(2026, month, 1)
        late = {1: 15, 2: 5}.get(month, 0)
        invoice(target, due, date(2026, month, 1 + late))
    order(target, 800, "0.02")  # volume 800 (2nd), profit 16 (4th)
    for other, (amount, margin) in zip(
        others, [(900, "0.05"), (500, "0.10"), (300, "0.50"), (100, "0.01")], strict=True
    ):
        order(other, amount, margin)
    run = services.grading_run(as_of=AS_OF)
    s = score(run, target)
    assert (s.credit_score, s.volume_rank, s.volume_score, s.profit_rank, s.profit_score) == (75, 2, 75, 4, 25)
    assert s.composite == pytest.approx(57.5) and s.level == "B"


def test_levels_and_discounts_are_written_to_the_clients_and_move(alice, clients):
    a, b = clients[:2]
    order(a, 1000)
    order(b, 10)
    services.grading_run(as_of=AS_OF)
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.level, a.discount_tier, b.level, b.discount_tier) == ("A", "8%", "D", "")
    order(b, 5000, on=date(2026, 11, 27))
    services.grading_run(as_of=date(2026, 11, 29))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.level, b.level) == ("D", "A"), "a client moves between levels from one run to the next"
    assert GradingRun.objects.filter(status="done").count() == 2, "each run is kept"


def test_a_rerun_the_same_day_changes_nothing(clients):
    order(clients[0], 100)
    first = services.grading_run(as_of=AS_OF)
    second = services.grading_run(as_of=AS_OF)
    assert first.pk == second.pk and ClientScore.objects.count() == 1


def test_a_second_run_while_one_runs_is_refused(clients):
    services.grading_run_start(as_of=AS_OF)
    with pytest.raises(ValidationError, match="in progress"):
        services.grading_run_start(as_of=date(2026, 11, 29))


def test_policy_changes_are_kept_and_thresholds_must_be_ordered(manager):
    first = GradingPolicy.current()
    second = services.policy_update(changes={"weight_credit": 50}, by=manager)
    assert GradingPolicy.objects.count() == 2 and first.pk != second.pk and GradingPolicy.current() == second
    with pytest.raises(ValidationError):
        services.policy_update(changes={"threshold_b": 90}, by=manager)


def test_clients_losing_all_history_lose_their_level(clients):
    Client.objects.filter(pk=clients[0].pk).update(level="B", discount_tier="5%")
    order(clients[1], 100)
    services.grading_run(as_of=AS_OF)
    clients[0].refresh_from_db()
    assert clients[0].level == "" and clients[0].discount_tier == ""


def test_an_abandoned_run_stops_blocking_after_two_hours(clients):
    from django.utils import timezone

    stuck = services.grading_run_start(as_of=AS_OF)
    GradingRun.objects.filter(pk=stuck.pk).update(started_at=timezone.now() - services.STALE_AFTER * 2)
    fresh = services.grading_run_start(as_of=date(2026, 11, 29))
    assert fresh.pk != stuck.pk
    assert GradingRun.objects.get(pk=stuck.pk).status == "failed"


def test_profit_is_ranked_only_among_clients_buying_in_its_12_months(clients, manager):
    old_only, recent = clients[:2]
    order(old_only, 1000, "0.1", on=date(2025, 6, 1))  # in the 24-month volume window only
    order(recent, 10, "0.1")
    services.policy_update(changes={"window_months": 24}, by=manager)
    run = services.grading_run(as_of=AS_OF)
    assert score(run, old_only).profit_rank is None and score(run, old_only).profit_score is None
    assert score(run, recent).profit_rank == 1 and score(run, recent).volume_rank == 2


def test_a_past_run_ignores_later_payments_and_assessments(alice, clients):
    late = clients[0]
    invoice(late, date(2026, 10, 1), date(2026, 12, 1))  # paid after the run's day
    services.potential_record(client=clients[1], score=5, reason="later", by=alice)
    run = services.grading_run(as_of=date(2026, 11, 1))
    assert score(run, late).late_payments == 1 and score(run, late).days_late_total == 31
    assert not ClientScore.objects.filter(run=run, client=clients[1]).exists()


@pytest.mark.parametrize(
    ("assessed_local", "counted"),
    [
        (datetime(2026, 11, 28, 0, 5), True),  # early on the run's day
        (datetime(2026, 11, 28, 23, 30), True),  # late on the run's day
        (datetime(2026, 11, 29, 0, 30), False),  # just after the run's day (16:30 UTC on the 28th)
        (datetime(2026, 11, 29, 7, 59), False),  # the next morning, still the 28th in UTC
        (datetime(2026, 11, 29, 10, 0), False),  # the next day
    ],
)
def test_an_assessment_counts_up_to_the_end_of_the_runs_local_day(alice, settings, assessed_local, counted):
    """The run's day ends at midnight local time (Asia/Shanghai, UTC+8), whatever the database."""
    settings.TIME_ZONE = "Asia/Shanghai"
    client = ClientFactory(owner=alice)
    services.potential_record(client=client, score=3, reason="Opening a branch", by=alice)
    when = timezone.make_aware(assessed_local, timezone.get_current_timezone())
    PotentialAssessment.objects.update(assessed_at=when)
    run = services.grading_run(as_of=AS_OF)
    graded = ClientScore.objects.filter(run=run, client=client).values_list("potential_score", "level").first()
    assert graded == ((60, "B") if counted else None)


def test_the_latest_assessment_on_or_before_the_runs_day_is_the_one_that_counts(alice, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    client = ClientFactory(owner=alice)
    for score_, day in [(2, 10), (4, 20), (5, 29)]:  # the last one is after the run's day
        services.potential_record(client=client, score=score_, reason=f"day {day}", by=alice)
        PotentialAssessment.objects.filter(score=score_).update(
            assessed_at=timezone.make_aware(datetime(2026, 11, day, 12), timezone.get_current_timezone())
        )
    run = services.grading_run(as_of=AS_OF)
    assert score(run, client).potential_score == 80


def test_the_run_records_how_many_clients_it_graded(alice, clients):
    order(clients[0], 100)
    order(clients[1], 200)
    invoice(clients[2], date(2026, 5, 1), date(2026, 5, 1))
    run = services.grading_run(as_of=AS_OF)
    assert run.clients_graded == 3
    assert sorted(ClientScore.objects.filter(run=run).values_list("client__name", flat=True)) == ["C0", "C1", "C2"]
