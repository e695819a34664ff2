"""Tasks through a real worker process (Redis in CI, the filesystem broker on a laptop)."""

import pytest
from django.conf import settings
from django.db import connection

from crm.tasks import notification_send_email_task
from tests.factories import NotificationFactory
from tests.services import require
from tests.worker import celery_conf, celery_worker, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_ci_runs_on_postgresql_and_redis():
    """Under CRM_REQUIRE_SERVICES the suite must be exercising the real services."""
    require(not settings.CRM_REQUIRE_SERVICES or connection.vendor == "postgresql", "the database is not PostgreSQL")
    require(connection.vendor == "postgresql", "DATABASE_URL does not point at PostgreSQL (laptop default: SQLite)")
    require(settings.CELERY_BROKER_URL.startswith("redis"), "CELERY_BROKER_URL does not point at Redis")


def test_notification_email_is_sent_by_a_real_worker(alice, tmp_path):
    notification = NotificationFactory(recipient=alice, send_email=True, title="Loan due tomorrow")
    outbox = tmp_path / "mail"
    outbox.mkdir()
    with celery_conf(task_always_eager=False), celery_worker({"EMAIL_URL": f"file://{outbox}"}) as queue:
        notification_send_email_task.apply_async(args=[notification.pk], queue=queue)
        wait_for(lambda: any(outbox.iterdir()), message="the worker to write the e-mail")
        wait_for(
            lambda: type(notification).objects.filter(pk=notification.pk, emailed_at__isnull=False).exists(),
            message="the worker to record the send",
        )
    sent = "".join(path.read_text() for path in outbox.iterdir())
    assert "Loan due tomorrow" in sent
    assert "alice@example.com" in sent
