"""The race gate for grading: many managers pressing "grade now" at once start one run (GRD-6)."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.models import Notification, OutboxMessage
from grading.models import ClientScore, GradingRun, SalesOrder
from tests.concurrency import RACERS, post_race
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_grade_now_presses_at_once_start_one_run_and_grade_each_client_once(manager, alice):
    for n, amount in enumerate((9000, 100, 5000)):
        client = ClientFactory(owner=alice, code=f"R{n}")
        SalesOrder.objects.create(
            client=client, ordered_on=date(2026, 6, 1), amount=Decimal(amount), margin=Decimal("0.1")
        )
    responses = post_race([(manager, reverse("grading:run_start"), {})] * RACERS)
    assert all(response.status_code == 302 for response in responses)
    run = GradingRun.objects.get()
    assert run.status == GradingRun.Status.DONE
    assert ClientScore.objects.filter(run=run).count() == 3
    assert OutboxMessage.objects.filter(task="grading.tasks.grading_run_execute_task").count() == 1


def test_many_approvals_of_one_correction_at_once_apply_it_once(manager, alice, bob):
    from grading import services
    from grading.models import LedgerCorrection, Receivable
    from tests.concurrency import assert_one_winner

    late = Receivable.objects.create(
        client=ClientFactory(owner=alice),
        invoice="RACE-1",
        amount=Decimal(800),
        due_on=date(2026, 2, 28),
        paid_on=date(2026, 3, 10),
    )
    correction = services.ledger_correction_request(
        record=late, field="paid_on", new_value="2026-02-20", reason="Bank booked it late", by=alice
    )
    url = reverse("grading:correction_decide", args=[correction.pk])
    responses = post_race([(manager, url, {"decision": "approve"})] * RACERS)
    assert_one_winner(responses, loser_text="already been decided")
    late.refresh_from_db()
    assert late.paid_on == date(2026, 2, 20)
    assert late.history.filter(history_change_reason=f"Ledger correction #{correction.pk}").count() == 1
    assert LedgerCorrection.objects.get().status == "approved"
    assert Notification.objects.filter(recipient=alice).count() == 1, "the requester is told once"
