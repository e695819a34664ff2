"""The periodic tasks' defaults (settings.CRM_BEAT_SCHEDULE), installed into django-celery-beat.

Each entry is created once, when no periodic task of its name exists; an existing one is never
changed, so a time an admin set in the periodic-task admin survives restarts and upgrades. An
entry switched off stays off; one deleted comes back at the next migrate (switch it off instead).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction


@transaction.atomic
def beat_schedule_install() -> list[str]:
    """Create the missing periodic tasks of CRM_BEAT_SCHEDULE; return the names created."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    from crm.celery import app

    wanted = settings.CRM_BEAT_SCHEDULE
    existing = set(PeriodicTask.objects.filter(name__in=wanted).values_list("name", flat=True))
    created = []
    for name, entry in wanted.items():
        if name not in existing:
            ModelEntry.from_entry(name, app=app, **entry)
            created.append(name)
    return created
