"""The outbox: a change commits with its background work recorded, whether or not the broker
answers; the relay publishes what waited (DESIGN "Nothing on the request path depends on the broker")."""

import smtplib
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from crm import outbox, services
from crm.models import Notification, OutboxMessage
from crm.tasks import outbox_relay
from tests.worker import broker_at

# A port where nothing listens: a publish fails as it does while Redis is stopped.
BROKER_DOWN = "redis://127.0.0.1:9/0"


def age(minutes: int = 5) -> None:
    """Make every waiting message older than the relay's grace period."""
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_a_notification_commits_and_its_email_waits_while_the_broker_is_down(alice, django_capture_on_commit_callbacks):
    with broker_at(BROKER_DOWN), django_capture_on_commit_callbacks(execute=True):
        notification, created = services.notification_create(recipient=alice, key="k", title="Visit due")
    assert created and Notification.objects.filter(pk=notification.pk).exists()
    message = OutboxMessage.objects.get()
    assert (message.task, message.args) == ("crm.tasks.notification_send_email_task", [notification.pk])
    assert message.published_at is None and message.attempts == 1
    assert "OperationalError" in message.last_error
    assert len(mail.outbox) == 0


def test_the_relay_sends_what_waited_once_the_broker_is_back(alice, django_capture_on_commit_callbacks):
    with broker_at(BROKER_DOWN), django_capture_on_commit_callbacks(execute=True):
        notification, _ = services.notification_create(recipient=alice, key="k", title="Visit due")
    age()
    assert outbox_relay() == 1  # tests publish eagerly: the broker is "back"
    assert [m.subject for m in mail.outbox] == ["[CRM] Visit due"]
    assert OutboxMessage.objects.get().published_at is not None
    assert Notification.objects.get(pk=notification.pk).emailed_at is not None
    assert outbox_relay() == 0, "published once"


def test_the_relay_stops_at_the_first_broker_error_and_counts_the_attempt(alice):
    for key in ("a", "b", "c"):
        with transaction.atomic():
            outbox.outbox_enqueue("crm.tasks.notification_send_email_task", args=[key])
    age()
    with broker_at(BROKER_DOWN):
        assert outbox.outbox_relay() == 0
    attempts = list(OutboxMessage.objects.values_list("attempts", flat=True))
    assert attempts == [1, 0, 0], "one failed publish says the broker is down; the rest wait untouched"


def test_a_rolled_back_change_leaves_no_work_behind(alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.notification_create(recipient=alice, key="k", title="Visit due")
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert not Notification.objects.exists()


def test_the_relay_leaves_a_fresh_message_to_the_publish_after_its_commit(alice):
    with broker_at(BROKER_DOWN):
        services.notification_create(recipient=alice, key="k", title="Visit due")
    assert outbox.outbox_relay() == 0
    assert OutboxMessage.objects.pending().count() == 1


def test_published_messages_are_kept_a_week(alice):
    OutboxMessage.objects.create(task="x.y", published_at=timezone.now() - timedelta(days=8))
    recent = OutboxMessage.objects.create(task="x.y", published_at=timezone.now() - timedelta(days=6))
    outbox.outbox_relay()
    assert list(OutboxMessage.objects.all()) == [recent]


def test_a_subject_with_line_breaks_is_sent_on_one_line(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification, _ = services.notification_create(
            recipient=alice, key="k", title="Complaint assigned: late\r\nBcc: victim@example.com"
        )
    assert notification.title == "Complaint assigned: late Bcc: victim@example.com"
    assert mail.outbox[0].subject == f"[CRM] {notification.title}"
    assert mail.outbox[0].bcc == []


def test_a_permanent_mail_error_is_recorded_once_and_never_retried(alice):
    notification = Notification.objects.create(recipient=alice, key="k", title="t", send_email=True)
    refused = smtplib.SMTPRecipientsRefused({"alice@example.com": (550, b"no such user")})
    with mock.patch("crm.services.send_mail", side_effect=refused):
        assert services.notification_send_email(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_failed_at is not None and "550" in notification.email_error
    assert notification.emailed_at is None
    assert not Notification.objects.email_pending().exists(), "the sweep does not queue it again"
    with mock.patch("crm.services.send_mail") as send:
        assert services.notification_send_email(notification_id=notification.pk) is False
    send.assert_not_called()


def test_a_mail_server_that_is_down_releases_the_claim_for_a_retry(alice):
    notification = Notification.objects.create(recipient=alice, key="k", title="t", send_email=True)
    with mock.patch("crm.services.send_mail", side_effect=ConnectionRefusedError()), pytest.raises(OSError):
        services.notification_send_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.emailed_at is None and notification.email_failed_at is None
    assert Notification.objects.email_pending().filter(pk=notification.pk).exists()


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(), True),
        (TimeoutError(), True),
        (smtplib.SMTPServerDisconnected(), True),
        (smtplib.SMTPAuthenticationError(535, b"bad login"), True),
        (smtplib.SMTPDataError(451, b"try later"), True),
        (smtplib.SMTPDataError(554, b"rejected"), False),
        (smtplib.SMTPRecipientsRefused({"a": (450, b"busy")}), True),
        (smtplib.SMTPRecipientsRefused({"a": (550, b"unknown")}), False),
        (ValueError("Header values can't contain newlines"), False),
    ],
)
def test_which_mail_errors_are_retried(error, transient):
    assert services.is_transient_mail_error(error) is transient
