"""Tasks through a real worker process (Redis in CI, the filesystem broker on a laptop)."""

import time

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


def test_a_wecom_group_message_is_sent_by_a_real_worker_once(alice, tmp_path):
    from crm.models import Channel, NotificationDelivery
    from crm.tasks import notification_deliver_task
    from tests.fake_http import fake_provider

    with fake_provider() as fake:
        webhook = f"{fake.url}/cgi-bin/webhook/send?key=ROBOT"
        notification = NotificationFactory(recipient=alice, title="Loan due", body="")
        delivery = NotificationDelivery.objects.create(notification=notification, channel=Channel.WECOM_GROUP)
        fake.script.append((500, {}))  # the first attempt fails: the worker retries
        env = {"CRM_WECOM_WEBHOOK_URL": webhook}
        with celery_conf(task_always_eager=False), celery_worker(env) as queue:
            notification_deliver_task.apply_async(args=[delivery.pk], queue=queue, countdown=0)
            wait_for(
                lambda: NotificationDelivery.objects.filter(pk=delivery.pk, status="sent").exists(),
                timeout=120,
                message="the worker to send the WeCom message after a retry",
            )
            notification_deliver_task.apply_async(args=[delivery.pk], queue=queue)  # a duplicate publish
            notification_deliver_task.apply_async(args=[delivery.pk], queue=queue)
            wait_for(lambda: len(fake.received) >= 2, message="the requests")
            time.sleep(3)  # time for the duplicates to run
    assert len(fake.to("/cgi-bin/webhook/send")) == 2, "one failure, one send; the duplicates send nothing"
    assert fake.received[-1].json["text"]["content"].startswith("Loan due")
