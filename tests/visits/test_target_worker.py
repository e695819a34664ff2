"""The nightly computation of actual figures through a real worker (MKT-2): idempotent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from grading.models import SalesOrder
from tests.factories import ClientFactory
from visits.models import ActualFigure


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_nightly_run_computes_in_a_worker_and_a_rerun_changes_nothing(alice):
    from tests.worker import celery_conf, celery_worker, wait_for
    from visits.tasks import actuals_compute_task

    today = timezone.localdate()
    client = ClientFactory(owner=alice)
    SalesOrder.objects.create(client=client, ordered_on=today, amount=Decimal("120.00"), margin="0.1")
    SalesOrder.objects.create(client=client, ordered_on=today - timedelta(days=40), amount=Decimal("5"), margin="0.1")

    def sales() -> list[Decimal]:
        return list(
            ActualFigure.objects.filter(
                account_manager=alice, metric__code="sales_amount", month__gte=today.replace(day=1)
            ).values_list("value", flat=True)
        )

    with celery_conf(task_always_eager=False), celery_worker() as queue:
        actuals_compute_task.apply_async(queue=queue)
        wait_for(lambda: sales() == [Decimal("120")], message="this month's figures")
        count = ActualFigure.objects.count()
        SalesOrder.objects.create(client=client, ordered_on=today, amount=Decimal("30.00"), margin="0.1")
        actuals_compute_task.apply_async(queue=queue)
        actuals_compute_task.apply_async(queue=queue)  # a second beat, or a retry
        wait_for(lambda: sales() == [Decimal("150")], message="the rerun")
    assert ActualFigure.objects.count() == count  # the same rows, updated


def test_the_nightly_run_puts_right_a_month_a_year_ago(alice):
    """An order of eleven months ago refunded today: the nightly run recomputes that month too."""
    from visits.tasks import actuals_compute_task

    today = timezone.localdate()
    client = ClientFactory(owner=alice)
    old_day = today.replace(day=1) - timedelta(days=320)
    order = SalesOrder.objects.create(client=client, ordered_on=old_day, amount=Decimal("80.00"), margin="0.1")
    actuals_compute_task()

    def old_sales() -> list[Decimal]:
        return list(
            ActualFigure.objects.filter(
                account_manager=alice, metric__code="sales_amount", month=old_day.replace(day=1)
            ).values_list("value", flat=True)
        )

    assert old_sales() == [Decimal("80")]
    SalesOrder.objects.filter(pk=order.pk).update(status=SalesOrder.Status.REFUNDED)
    actuals_compute_task()
    assert old_sales() == [Decimal("0")], old_sales()
