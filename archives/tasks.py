from celery import shared_task
from django.utils import timezone

from archives import services


@shared_task
def loans_overdue_notify() -> int:
    """Every morning: borrowers and archivists hear of files overdue (ARC-6)."""
    return services.loans_overdue_notify()


@shared_task
def yearly_archive_compile(year: int | None = None) -> int:
    """Early January: last year's moved-out files into that year's archive (ARC-5)."""
    return services.yearly_archive_compile(year=year or timezone.localdate().year - 1).pk
