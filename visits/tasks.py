"""Scheduled work of the visits app (beat schedule in crm/settings.py); each task is a thin
wrapper around a service, and every run is idempotent."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from visits import attainment, contacts, reminders, reports
from visits.calendar import previous_month


@shared_task
def visit_reminders_send() -> int:
    """Every morning (VIS-6): one reminder per planned visit or call due, per missed key-account cadence."""
    return reminders.visit_reminders_send()


@shared_task
def team_digest_send() -> int:
    """Monday mornings: each manager's digest of the team's overdue items and unapproved plans."""
    return reminders.team_digest_send()


@shared_task
def report_drafts_create_task(month: str | None = None) -> int:
    """The 1st at 03:00 (VIS-7): last month's draft territory reports; a rerun creates nothing."""
    return reports.report_drafts_create(date.fromisoformat(month) if month else None)


@shared_task
def report_late_remind_task(today: str | None = None) -> int:
    """Every morning: reports past their due day and not submitted, reminded once a day."""
    return reports.report_late_remind(date.fromisoformat(today) if today else None)


@shared_task
def contacts_refresh_task() -> int:
    """Nightly: every client's latest contacts recomputed from the interactions and visits."""
    return contacts.contacts_refresh()


RECOMPUTED_MONTHS = 13


@shared_task
def actuals_compute_task(months: list[str] | None = None) -> int:
    """02:30 (MKT-2): the computed figures of this month and the twelve before it, the months the
    page's trend shows: an order cancelled or refunded later, a late payment or ERP load, a client
    given to another account manager change past months too. The managers' button names its
    months. Idempotent."""
    if months:
        days = [date.fromisoformat(month) for month in months]
    else:
        days = [timezone.localdate().replace(day=1)]
        for _ in range(RECOMPUTED_MONTHS - 1):
            days.insert(0, previous_month(days[0]))
    return attainment.actuals_compute(months=days)
