"""The follow-up reminder task through a real worker process."""

from datetime import timedelta

import pytest
from django.utils import timezone

from clients.tasks import followup_reminders_send
from crm.models import Notification
from tests.factories import ClientFactory
from tests.worker import celery_conf, celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_followup_reminders_run_in_a_worker(alice, tmp_path):
    ClientFactory(owner=alice, name="Due today", next_contact_date=timezone.localdate())
    ClientFactory(owner=alice, name="Overdue", next_contact_date=timezone.localdate() - timedelta(days=4))
    outbox = tmp_path / "mail"
    outbox.mkdir()
    with celery_conf(task_always_eager=False), celery_worker({"EMAIL_URL": f"file://{outbox}"}) as queue:
        followup_reminders_send.apply_async(queue=queue)
        wait_for(lambda: Notification.objects.filter(recipient=alice).count() == 3, message="the reminders")
        wait_for(lambda: any(outbox.iterdir()), message="the digest e-mail, queued by the worker itself")
    assert "Overdue" in "".join(path.read_text() for path in outbox.iterdir())
    titles = set(Notification.objects.filter(recipient=alice).values_list("title", flat=True))
    assert "2 client follow-ups are due" in titles


def test_an_import_job_is_checked_and_saved_by_a_real_worker(alice, settings, tmp_path, monkeypatch):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from clients import imports
    from clients.models import Client, ImportJob
    from clients.tasks import import_job_check_task, import_job_save_task
    from tests.imports import csv_bytes

    settings.MEDIA_ROOT = tmp_path / "media"
    # The outbox publishes to the default queue; this test sends each task to its worker's queue.
    monkeypatch.setattr(imports, "outbox_enqueue", lambda task, **kwargs: None)
    content = csv_bytes("w1,Worker Co,corporate,prospect,online,,,,,,,,0,,")
    job = imports.import_job_create(user=alice, kind="clients", upload=SimpleUploadedFile("w.csv", content))

    def status() -> str:
        return ImportJob.objects.get(pk=job.pk).status

    with (
        celery_conf(task_always_eager=False),
        celery_worker({"CRM_MEDIA_ROOT": str(settings.MEDIA_ROOT)}) as queue,
    ):
        import_job_check_task.apply_async(args=[job.pk], queue=queue)
        wait_for(lambda: status() == "ready", message="the worker to check the file")
        assert not Client.objects.exists()
        imports.import_job_confirm(job=job, by=alice)
        import_job_save_task.apply_async(args=[job.pk], queue=queue)
        wait_for(lambda: status() == "saved", message="the worker to save the rows")
    assert Client.objects.filter(code="W1", owner=alice).exists()
    assert not any((settings.MEDIA_ROOT / "imports").iterdir()), "the worker removed the file"
