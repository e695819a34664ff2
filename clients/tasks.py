from celery import shared_task

from clients import imports, services


@shared_task
def followup_reminders_send() -> int:
    """Every morning: remind account managers of due follow-ups (VIS-5, VIS-6)."""
    return services.followup_reminders_send()


@shared_task
def import_job_check_task(job_id: int) -> str | None:
    """Read an uploaded file and keep its preview (X-3); a second delivery does nothing."""
    job = imports.import_job_check(job_id=job_id)
    return job.status if job else None


@shared_task
def import_job_save_task(job_id: int) -> str | None:
    """Save a confirmed import, every row or none (X-3); a second delivery does nothing."""
    job = imports.import_job_save(job_id=job_id)
    return job.status if job else None


@shared_task
def card_review_reminders_send_task() -> int:
    """Every morning: remind owners once of cards that went stale (CLI-4)."""
    from clients.card_review import card_review_reminders_send

    return card_review_reminders_send()
