"""Home page and notification list with a realistic inbox (2,000 notifications)."""

from __future__ import annotations

from django.test import Client

from bench.timing import time_page
from crm.models import Notification, User
from crm.roles import Role

INBOX = 2000


def run() -> list[str]:
    user, _ = User.objects.get_or_create(username="bench-user", defaults={"role": Role.ACCOUNT_MANAGER})
    missing = INBOX - Notification.objects.filter(recipient=user).count()
    Notification.objects.bulk_create(
        [
            Notification(recipient=user, key=f"bench:{i}", title=f"Reminder {i}", send_email=False)
            for i in range(missing)
        ],
        ignore_conflicts=True,
    )
    client = Client()
    client.force_login(user)
    return [
        time_page(client, "/", label="home (account manager)").line(),
        time_page(client, "/notifications/", label=f"notifications, {INBOX} in inbox").line(),
        time_page(client, "/notifications/?status=unread&q=Reminder+1", label="notifications, filtered").line(),
        time_page(client, "/healthz", label="healthz").line(),
    ]
