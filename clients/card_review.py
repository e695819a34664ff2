"""Cards not updated within the policy's period (CLI-4): flagged, queued for review, reminded once."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from clients.models import Client, ClientFilePolicy
from crm.models import Notification, User
from crm.services import notification_create


def stale_before(today: date | None = None, days: int | None = None) -> datetime:
    """Cards updated before this moment are due for review (``days``: the policy's period)."""
    days = days or ClientFilePolicy.current().review_after_days
    today = today or timezone.localdate()
    return datetime.combine(today - timedelta(days=days), time.min, tzinfo=timezone.get_current_timezone())


def client_card_reviewed(*, client: Client, by: User) -> Client:
    """The owner read the card and found it current: it counts as updated today (audited)."""
    with transaction.atomic():
        client.card_updated_at = timezone.now()
        client._history_user = by
        client.save(update_fields=["card_updated_at"])
    return client


def card_review_reminders_send(*, today: date | None = None) -> int:
    """Remind each owner once of their cards that went stale since the last reminder.

    A card is reminded once per time it goes stale: after a reminder nothing more is sent until
    the card is updated and goes stale again. One notification per owner and day lists how many;
    returns the number of cards reminded.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    days = ClientFilePolicy.current().review_after_days  # read once, not per owner
    with transaction.atomic():
        due = (
            Client.objects.filter(card_updated_at__lt=stale_before(today, days), owner__is_active=True)
            .exclude(status=Client.Status.MOVED_OUT)
            .filter(Q(card_review_reminded_at__isnull=True) | Q(card_review_reminded_at__lt=F("card_updated_at")))
        )
        by_owner: dict[int, list[int]] = defaultdict(list)
        for client_id, owner_id in due.values_list("pk", "owner_id"):
            by_owner[owner_id].append(client_id)
        owners = User.objects.in_bulk(by_owner)
        for owner_id, client_ids in by_owner.items():
            count = len(client_ids)
            notification_create(
                recipient=owners[owner_id],
                key=f"card-review:{today.isoformat()}",
                level=Notification.Level.REMINDER,
                message="clients.cards_to_review",
                params={"count": count, "days": days},
                link=reverse("clients:review"),
            )
        # The same rows, set-based (the per-day notification key keeps a rerun from sending twice).
        due.filter(owner_id__in=list(by_owner)).update(card_review_reminded_at=now)
    return sum(len(ids) for ids in by_owner.values())
