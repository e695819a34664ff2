"""Writes of the crm app: notifications (used by every later feature) and role groups."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from crm.channels import CHANNELS, DEFAULT_ON, ChannelError, configured_channels
from crm.messages import TEXT, message_render, messages
from crm.models import Channel, Notification, NotificationDelivery, NotificationPreference, User
from crm.outbox import outbox_enqueue
from crm.roles import ROLE_PERMISSIONS, Role, group_name

logger = logging.getLogger(__name__)
# A channel down for longer than the task's retries and this many sweeps: given up, for the admins.
MAX_DELIVERY_ATTEMPTS = 20


def notification_create(
    *,
    recipient: User,
    key: str,
    message: str = "",
    params: dict[str, Any] | None = None,
    title: str = "",
    body: str = "",
    link: str = "",
    level: str = Notification.Level.INFO,
    send_email: bool = True,
) -> tuple[Notification, bool]:
    """Create a notification once per (recipient, key); returns (notification, created).

    ``message`` and ``params`` say what happened (a key registered in crm.messages and its
    values); the words are chosen in the recipient's language when they read it or it is sent.
    ``title``/``body`` without ``message`` are literal text (a "text" message).

    A second call with the same key changes nothing, which makes reminder tasks safe to rerun.
    The e-mail and the other channels the recipient chose are recorded in the outbox with the
    row and sent after the surrounding transaction commits (later, if the broker is down).
    """
    params = params or {}
    if message and messages.get(message) is None:
        raise ValueError(f"Unknown notification message {message!r}: register it in its app's ready().")
    if message:
        # Stored in the site's language too: what the admin's list and the search see.
        with translation.override(settings.LANGUAGE_CODE):
            title, body = message_render(message, params, title=title, body=body)
    chosen = channels_chosen(user=recipient, kind=messages.kind_of(message or TEXT))
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient,
            key=key,
            defaults={
                "message": message or TEXT,
                "send_email": send_email and bool(recipient.email) and Channel.EMAIL in chosen,
                "params": params,
                "title": single_line(title)[:200],
                "body": body,
                "link": link,
                "level": level,
            },
        )
        if created and notification.send_email:
            outbox_enqueue("crm.tasks.notification_send_email_task", args=[notification.pk])
        if created:
            deliveries_create(notification=notification, channels=[c for c in chosen if c != Channel.EMAIL])
    return notification, created


def channels_chosen(*, user: User, kind: str) -> list[str]:
    """The configured channels this user receives ``kind`` on (their choice, else the default)."""
    choices = dict(NotificationPreference.objects.filter(user=user, kind=kind).values_list("channel", "enabled"))
    return [code for code in configured_channels() if choices.get(code, code in DEFAULT_ON)]


def preferences_on(*, user: User, kinds: list[str]) -> set[str]:
    """``<kind>:<channel>`` of every (kind, configured channel) the user receives."""
    choices = {
        (kind, channel): enabled
        for kind, channel, enabled in NotificationPreference.objects.filter(user=user).values_list(
            "kind", "channel", "enabled"
        )
    }
    return {
        f"{kind}:{code}"
        for kind in kinds
        for code in configured_channels()
        if choices.get((kind, code), code in DEFAULT_ON)
    }


@transaction.atomic
def preferences_save(*, user: User, choices: dict[str, bool]) -> None:
    """Store the user's choices (``<kind>:<channel>`` → on/off); what is not in them is kept."""
    for name, enabled in choices.items():
        kind, channel = name.split(":", 1)
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, channel=channel, defaults={"enabled": bool(enabled)}
        )


def deliveries_create(*, notification: Notification, channels: list[str]) -> list[NotificationDelivery]:
    """One delivery row per channel the recipient can be reached on, due now or, for what is not
    urgent, at the end of their quiet hours; published through the outbox."""
    recipient = notification.recipient
    now = timezone.now()
    due = now if notification.urgent else quiet_hours_end(recipient, now)
    rows = [
        NotificationDelivery.objects.create(notification=notification, channel=code, due_at=due)
        for code in channels
        if CHANNELS[code].address(recipient)
    ]
    for row in rows:
        if due <= now:  # the others wait for the sweep (crm.tasks.notification_deliveries_due)
            outbox_enqueue("crm.tasks.notification_deliver_task", args=[row.pk])
    return rows


def quiet_hours_end(user: User, moment: datetime) -> datetime:
    """``moment`` itself, or the end of the user's quiet hours when it falls inside them (local
    time; a period such as 22:00–07:30 runs over midnight)."""
    start, end = user.quiet_start, user.quiet_end
    if start is None or end is None or start == end:
        return moment
    local = timezone.localtime(moment)
    now = local.time()
    inside = start <= now < end if start < end else (now >= start or now < end)
    if not inside:
        return moment
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, end), local.tzinfo)


def notification_deliver(*, delivery_id: int) -> bool:
    """Send one delivery; False when it was sent already, is not due yet or cannot be sent.

    Claimed with a conditional UPDATE (pending and due → sending), so a task run twice, or by two
    workers, sends once. A transient error puts it back to pending and propagates for the task
    to retry; any other error is recorded on the row (visible to admins) and not retried.
    """
    now = timezone.now()
    claimed = (
        NotificationDelivery.objects.due()
        .filter(pk=delivery_id)
        .update(status=NotificationDelivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return False
    delivery = NotificationDelivery.objects.select_related("notification__recipient").get(pk=delivery_id)
    mine = NotificationDelivery.objects.filter(
        pk=delivery_id, status=NotificationDelivery.Status.SENDING, claimed_at=now
    )
    channel = CHANNELS[delivery.channel]
    recipient = delivery.notification.recipient
    try:
        if not channel.is_configured():
            raise ChannelError(gettext("The channel is not configured any more."))
        channel.send(channel.address(recipient), notification_text(delivery.notification))
    except ChannelError as error:
        retry = error.transient and delivery.attempts < MAX_DELIVERY_ATTEMPTS
        status = NotificationDelivery.Status.PENDING if retry else NotificationDelivery.Status.FAILED
        mine.update(status=status, error=str(error)[:500])
        if retry:
            raise
        logger.error("delivery %s failed permanently: %s", delivery_id, error)
        return False
    mine.update(status=NotificationDelivery.Status.SENT, sent_at=timezone.now(), error="")
    return True


def notification_text(notification: Notification) -> str:
    """The short text of a WeCom or SMS message, in the recipient's language."""
    with translation.override(notification.recipient.preferred_language):
        title, body = notification.render()
        lines = [title, body, f"{settings.CRM_SITE_URL}{notification.link or reverse('notifications:list')}"]
    return "\n".join(line for line in lines if line)


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
    # Written in the recipient's language (their account's), whoever caused the notification.
    with translation.override(notification.recipient.preferred_language):
        title, body = notification.render()
        context = {"notification": notification, "title": title, "body": body, "site_url": settings.CRM_SITE_URL}
        text = render_to_string("crm/email/notification.txt", context)
        send_mail(
            subject=gettext("[CRM] %(title)s") % {"title": single_line(title)},
            message=text,
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
