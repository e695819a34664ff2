"""The periodic tasks are installed once into django-celery-beat, where admins edit them; a
restart of beat or a later migrate never puts an admin's change back."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from crm.celery import app
from crm.schedule import beat_schedule_install


@pytest.mark.django_db
def test_migrate_installs_every_periodic_task_with_its_default_time():
    tasks = {task.name: task for task in PeriodicTask.objects.select_related("crontab", "interval")}
    assert set(settings.CRM_BEAT_SCHEDULE) <= set(tasks)
    grading = tasks["grading-nightly-run"]
    assert (grading.task, grading.crontab.hour, grading.crontab.minute) == (
        "grading.tasks.grading_run_nightly",
        "1",
        "30",
    )
    relay = tasks["crm-outbox-relay"]
    assert (relay.interval.every, relay.interval.period) == (60, IntervalSchedule.SECONDS)


def _move_grading_to(hour: str) -> None:
    task = PeriodicTask.objects.get(name="grading-nightly-run")
    task.crontab = CrontabSchedule.objects.create(minute="15", hour=hour, timezone=settings.TIME_ZONE)
    task.enabled = False
    task.save()


def _grading_time() -> tuple[str, str, bool]:
    task = PeriodicTask.objects.select_related("crontab").get(name="grading-nightly-run")
    return task.crontab.hour, task.crontab.minute, task.enabled


@pytest.mark.django_db(transaction=True)
def test_an_admins_change_of_a_time_survives_a_restart_of_beat():
    _move_grading_to("5")
    DatabaseScheduler(app=app, lazy=False)  # what `celery beat` does when it starts
    assert _grading_time() == ("5", "15", False)


@pytest.mark.django_db(transaction=True)
def test_a_later_migrate_keeps_the_change_and_brings_back_a_missing_task():
    _move_grading_to("6")
    PeriodicTask.objects.filter(name="crm-outbox-relay").delete()
    call_command("migrate", verbosity=0)
    assert _grading_time() == ("6", "15", False)
    assert PeriodicTask.objects.filter(name="crm-outbox-relay", enabled=True).exists()


@pytest.mark.django_db
def test_installing_twice_creates_nothing_the_second_time():
    PeriodicTask.objects.filter(name="visits-reminders").delete()
    assert beat_schedule_install() == ["visits-reminders"]
    assert beat_schedule_install() == []


def test_every_scheduled_task_is_registered():
    app.loader.import_default_modules()
    for entry in settings.CRM_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
