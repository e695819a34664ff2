"""Writes of the crm app: notifications (used by every later feature) and role groups."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from crm.models import Notification, User
from crm.roles import ROLE_PERMISSIONS, Role, group_name


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
    The e-mail is queued only after the surrounding transaction commits.
    """
    with transaction.atomic():
        notification, created = Notification.objects.get_or_create(
            recipient=recipient,
            key=key,
            defaults={
                "title": title,
                "body": body,
                "link": link,
                "level": level,
                "send_email": send_email and bool(recipient.email),
            },
        )
    if created and notification.send_email:
        from crm.tasks import notification_send_email_task

        transaction.on_commit(lambda: notification_send_email_task.delay(notification.pk))
    return notification, created


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.visible_to(user).unread().update(read_at=timezone.now())


def notification_send_email(*, notification_id: int) -> bool:
    """E-mail one notification; returns False when it was already sent (or needs none).

    The row is claimed with a conditional UPDATE so two workers never send it twice; if
    sending fails the claim is released and the error propagates for the task to retry.
    """
    claimed_at = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, send_email=True, emailed_at__isnull=True).update(
        emailed_at=claimed_at
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    try:
        _deliver(notification)
    except Exception:
        Notification.objects.filter(pk=notification_id, emailed_at=claimed_at).update(emailed_at=None)
        raise
    return True


def _deliver(notification: Notification) -> None:
    # The recipient reads the e-mail in the language the site uses by default; the in-app
    # notification follows each page's language.
    with translation.override(settings.LANGUAGE_CODE):
        context = {"notification": notification, "site_url": settings.CRM_SITE_URL}
        body = render_to_string("crm/email/notification.txt", context)
        send_mail(
            subject=notification.title,
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
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
