"""Writes of the crm app: notifications (used by every later feature) and role groups."""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from crm.models import Notification, User
from crm.outbox import outbox_enqueue
from crm.roles import ROLE_PERMISSIONS, Role, group_name

logger = logging.getLogger(__name__)


def notification_create(
    *,
    recipient: User,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    level: str = Notification.Level.INFO,
    send_email: bool = True,
) -> tuple[Notification, bool]:
    """Create a notification once per (recipient, key); returns (notification, created).

    A second call with the same key changes nothing, which makes reminder tasks safe to rerun.
    The e-mail is recorded in the outbox with the row and sent after the surrounding
    transaction commits (later, if the broker is down).
    """
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient,
            key=key,
            defaults={
                "title": single_line(title)[:200],
                "body": body,
                "link": link,
                "level": level,
                "send_email": send_email and bool(recipient.email),
            },
        )
        if created and notification.send_email:
            outbox_enqueue("crm.tasks.notification_send_email_task", args=[notification.pk])
    return notification, created


def single_line(text: str) -> str:
    """A title fit for an e-mail subject: line breaks (header injection, or a subject the mail
    library refuses on every retry) become spaces."""
    return " ".join(str(text).split())


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.visible_to(user).unread().update(read_at=timezone.now())


def notification_send_email(*, notification_id: int) -> bool:
    """E-mail one notification; returns False when it was already sent (or needs none).

    The row is claimed with a conditional UPDATE so two workers never send it twice. If the
    mail server is unreachable or answers "try later", the claim is released and the error
    propagates for the task to retry; a permanent error (a refused address, a header the mail
    library rejects) is recorded on the row and never retried.
    """
    claimed_at = timezone.now()
    claimed = Notification.objects.email_pending().filter(pk=notification_id).update(emailed_at=claimed_at)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        _deliver(notification)
    except Exception as error:
        if is_transient_mail_error(error):
            Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(emailed_at=None)
            raise
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(
            emailed_at=None, email_failed_at=timezone.now(), email_error=f"{type(error).__name__}: {error}"[:500]
        )
        logger.error("notification %s: e-mail failed permanently: %s", notification_id, error)
        return False
    return True


def is_transient_mail_error(error: BaseException) -> bool:
    """Trouble with the server or its configuration (unreachable, "try later", a refused login)
    passes once mended; trouble with this message (a refused recipient, content the server or
    the mail library rejects) fails again on every retry."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code < 500 for code, _message in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code < 500
    return isinstance(error, OSError)


def _deliver(notification: Notification) -> None:
    # The recipient reads the e-mail in the language the site uses by default; the in-app
    # notification follows each page's language.
    with translation.override(settings.LANGUAGE_CODE):
        context = {"notification": notification, "site_url": settings.CRM_SITE_URL}
        body = render_to_string("crm/email/notification.txt", context)
        send_mail(
            subject=single_line(notification.title),
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,  # pragma: no mutate - None means this very setting to send_mail
            recipient_list=[notification.recipient.email],
        )


def role_groups_sync(*, group_model: type[Group] = Group, permission_model: type[Permission] = Permission) -> None:
    """Give each role's group exactly the permissions of ROLE_PERMISSIONS (idempotent).

    Takes the models as arguments so the data migration can pass its historical ones.
    """
    by_name = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in permission_model.objects.values_list("pk", "content_type__app_label", "codename")
    }
    for role in Role.values:
        group, _created = group_model.objects.get_or_create(name=group_name(role))
        group.permissions.set([by_name[name] for name in ROLE_PERMISSIONS.get(role, set()) if name in by_name])
