from celery import shared_task

from grading import services
from grading.models import GradingRun


@shared_task
def grading_run_nightly() -> int:
    """Every night: grade every client as of today (GRD-6); a rerun the same day changes nothing."""
    return services.grading_run().pk


@shared_task
def grading_run_execute_task(run_id: int) -> int:
    """A run started from the dashboard's button."""
    run = GradingRun.objects.select_related("policy").get(pk=run_id)
    return services.grading_run_execute(run=run).pk
