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
