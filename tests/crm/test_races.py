"""The race gate for the crm core: an e-mail claimed by many workers at once is sent once, and
relays running at once publish each outbox message once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from crm import outbox, services
from crm.models import Notification, OutboxMessage
from tests.concurrency import RACERS, race
from tests.factories import NotificationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_many_workers_sending_one_notification_at_once_send_it_once(alice):
    notification = NotificationFactory(recipient=alice, send_email=True, title="Loan due")
    results = race([lambda: services.notification_send_email(notification_id=notification.pk)] * RACERS)
    assert sorted(results) == [False] * (RACERS - 1) + [True]
    assert len(mail.outbox) == 1
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None


def test_relays_running_at_once_publish_each_message_once(alice):
    notifications = [NotificationFactory(recipient=alice, send_email=True) for _ in range(5)]
    old = timezone.now() - timedelta(minutes=5)
    OutboxMessage.objects.bulk_create(
        [
            OutboxMessage(task="crm.tasks.notification_send_email_task", args=[n.pk], created_at=old)
            for n in notifications
        ]
    )
    published = race([outbox.outbox_relay] * 4)
    assert sum(published) == 5
    assert not OutboxMessage.objects.pending().exists()
    assert len(mail.outbox) == 5
