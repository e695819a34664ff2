from celery import shared_task

from repairs import statistics


@shared_task
def monthly_report_generate_task(month: str | None = None) -> int:
    """Month end (REP-7): the previous month's statistics and callback sample (idempotent)."""
    from datetime import date

    target = date.fromisoformat(month) if month else statistics.previous_month()
    return statistics.monthly_report_generate(month=target).pk


@shared_task
def repair_slip_file_task(event_id: int) -> int:
    """After a completion commits: its slip's PDF into the unit's archive (idempotent)."""
    from repairs.models import RepairEvent
    from repairs.slips import repair_slip_file

    return repair_slip_file(event=RepairEvent.objects.select_related("actor").get(pk=event_id)).pk
