"""A grading run started from the button, executed by a real worker process."""

from datetime import date
from decimal import Decimal

import pytest

from grading import services
from grading.models import GradingRun, SalesOrder
from grading.tasks import grading_run_execute_task
from tests.factories import ClientFactory
from tests.worker import celery_conf, celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_grading_run_in_a_worker(alice):
    big, small = ClientFactory(owner=alice), ClientFactory(owner=alice)
    for client, amount in ((big, 9000), (small, 10)):
        SalesOrder.objects.create(
            client=client, ordered_on=date(2026, 6, 1), amount=Decimal(amount), margin=Decimal("0.1")
        )
    run = services.grading_run_start(as_of=date(2026, 11, 28))
    with celery_conf(task_always_eager=False), celery_worker() as queue:
        grading_run_execute_task.apply_async(args=[run.pk], queue=queue)
        wait_for(lambda: GradingRun.objects.get(pk=run.pk).status == "done", message="the grading run")
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.level, small.level) == ("A", "D")
    assert GradingRun.objects.get(pk=run.pk).clients_graded == 2
