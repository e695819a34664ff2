from celery import shared_task

from repairs import statistics


@shared_task
def monthly_report_generate_task(month: str | None = None) -> int:
    """Month end (REP-7): the previous month's statistics and callback sample (idempotent)."""
    from datetime import date

    target = date.fromisoformat(month) if month else statistics.previous_month()
    return statistics.monthly_report_generate(month=target).pk
