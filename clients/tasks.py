from celery import shared_task

from clients import services


@shared_task
def followup_reminders_send() -> int:
    """Every morning: remind account managers of due follow-ups (VIS-5, VIS-6)."""
    return services.followup_reminders_send()
