from celery import shared_task

from visits import reminders

# --- reminders (VIS-6): thin wrappers of visits.reminders; every run is idempotent ----------


@shared_task
def visit_reminders_send() -> int:
    """Every morning: one reminder per planned visit or call due, per missed key-account cadence."""
    return reminders.visit_reminders_send()


@shared_task
def team_digest_send() -> int:
    """Monday mornings: each manager's digest of the team's overdue items and unapproved plans."""
    return reminders.team_digest_send()


# --- end of reminders -----------------------------------------------------------------------
