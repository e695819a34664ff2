"""The month-end task through a real worker process."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from repairs.models import MonthlyReport
from repairs.tasks import monthly_report_generate_task
from tests.factories import RepairOrderFactory, TechnicianFactory
from tests.worker import celery_conf, celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_month_end_statistics_run_in_a_worker():
    done = timezone.make_aware(datetime(2026, 10, 5, 10))
    tech = TechnicianFactory()
    RepairOrderFactory.create_batch(
        3,
        technician=tech,
        status="closed",
        created_at=done,
        completed_at=done,
        consented_at=done,
        on_time=True,
        total=Decimal("80"),
        signature="M 1 1 L 2 2",
    )
    with celery_conf(task_always_eager=False), celery_worker() as queue:
        monthly_report_generate_task.apply_async(args=["2026-10-01"], queue=queue)
        wait_for(lambda: MonthlyReport.objects.filter(month=date(2026, 10, 1)).exists(), message="the report")
    report = MonthlyReport.objects.get()
    assert report.figures["paid"] == {"orders": 3, "fees": "240.00", "compensation": "0.00"}
    assert report.figures["timeliness"]["rate"] == 100.0
