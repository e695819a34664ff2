"""The beat schedule of settings is loaded into django-celery-beat, where admins edit it."""

import pytest
from django.conf import settings
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from crm.celery import app


@pytest.mark.django_db(transaction=True)
def test_database_scheduler_loads_the_schedule():
    DatabaseScheduler(app=app, lazy=False)
    names = set(PeriodicTask.objects.values_list("name", flat=True))
    assert set(settings.CELERY_BEAT_SCHEDULE) <= names


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
