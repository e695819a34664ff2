"""Scheduled work of the visits app; each task is a thin wrapper around a service."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from visits import reports


@shared_task
def report_drafts_create_task(month: str | None = None) -> int:
    """The 1st at 03:00 (VIS-7): last month's draft territory reports; a rerun creates nothing."""
    return reports.report_drafts_create(date.fromisoformat(month) if month else None)


@shared_task
def report_late_remind_task(today: str | None = None) -> int:
    """Every morning: reports past their due day and not submitted, reminded once a day."""
    return reports.report_late_remind(date.fromisoformat(today) if today else None)
