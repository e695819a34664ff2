"""Celery tasks of the crm app: thin wrappers that load ids and call one service."""

from __future__ import annotations

from celery import shared_task

from crm import outbox, services
from crm.channels import ChannelError
from crm.models import Notification, NotificationDelivery
from crm.sessions import SessionStore


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def notification_send_email_task(self, notification_id: int) -> bool:
    try:
        return services.notification_send_email(notification_id=notification_id)
    except Notification.DoesNotExist:
        return False
    except OSError as exc:  # SMTP down or "try later": again in a minute; the sweep takes over after
        raise self.retry(exc=exc) from exc


@shared_task
def notifications_email_pending() -> int:
    """Queue the e-mails whose retries ran out while the mail server was down."""
    pending = list(Notification.objects.email_pending().values_list("pk", flat=True)[:500])
    for pk in pending:
        notification_send_email_task.delay(pk)
    return len(pending)


@shared_task
def outbox_relay() -> int:
    """Publish the background work whose first publish failed (the broker was down)."""
    return outbox.outbox_relay()


@shared_task
def sessions_clear_expired() -> None:
    """Delete the stored sessions past their expiry date (what ``manage.py clearsessions`` does)."""
    SessionStore.clear_expired()


@shared_task(bind=True, max_retries=5, default_retry_delay=30)
def notification_deliver_task(self, delivery_id: int) -> bool:
    """One WeCom or SMS message; a rerun sends nothing twice (the delivery row is claimed)."""
    try:
        return services.notification_deliver(delivery_id=delivery_id)
    except NotificationDelivery.DoesNotExist:
        return False
    except ChannelError as exc:  # transient only: a permanent one is recorded and not raised
        raise self.retry(exc=exc, countdown=min(30 * 2**self.request.retries, 600)) from exc


@shared_task
def notification_deliveries_due() -> int:
    """Queue the deliveries due: after their recipient's quiet hours, or whose retries ran out."""
    due = list(NotificationDelivery.objects.due().values_list("pk", flat=True)[:500])
    for pk in due:
        notification_deliver_task.delay(pk)
    return len(due)
