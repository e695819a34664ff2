"""The transactional outbox: background work recorded with the change that needs it.

A service that must start a Celery task calls ``outbox_enqueue`` inside its transaction. The
message row commits (or rolls back) with the change. After the commit it is published at once
if the broker answers; if not, the request still succeeds and ``outbox_relay`` (a beat task
every minute) publishes it when the broker is back. A message may be published twice (the
broker took it, then the mark failed), so every task the outbox starts is idempotent.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery.utils.imports import symbol_by_name
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError

from crm.models import OutboxMessage

logger = logging.getLogger(__name__)

# What a publish raises when the broker cannot be reached (kombu wraps the transport's errors).
BROKER_ERRORS = (OperationalError, OSError)
# The relay leaves fresh messages to the publish that follows their commit.
RELAY_GRACE = timedelta(seconds=10)
KEEP_PUBLISHED = timedelta(days=7)


def outbox_enqueue(task: str, *, args: list[Any] | None = None, kwargs: dict[str, Any] | None = None) -> OutboxMessage:
    """Record that ``task`` (its dotted name) must run; it is published after the commit."""
    message = OutboxMessage.objects.create(task=task, args=list(args or []), kwargs=dict(kwargs or {}))
    transaction.on_commit(lambda: _publish_quietly(message))
    return message


def _publish_quietly(message: OutboxMessage) -> None:
    try:
        outbox_publish(message=message)
    except BROKER_ERRORS as error:
        logger.warning("outbox: %s not published yet, the relay will retry: %s", message, error)


def outbox_publish(*, message: OutboxMessage) -> bool:
    """Publish one message; False if it had been published already. Broker errors are
    recorded on the row and raised."""
    if message.published_at is not None:
        return False
    try:
        # The task object, not app.send_task: it honours task_always_eager and its own options.
        symbol_by_name(message.task).apply_async(args=message.args, kwargs=message.kwargs, retry=False)
    except BROKER_ERRORS as error:
        OutboxMessage.objects.filter(pk=message.pk).update(
            attempts=F("attempts") + 1, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    message.published_at = timezone.now()
    return bool(
        OutboxMessage.objects.filter(pk=message.pk, published_at__isnull=True).update(published_at=message.published_at)
    )


def outbox_relay(*, limit: int = 500) -> int:
    """Publish what is still pending (oldest first); stop at the first broker error, since
    the rest would fail the same way. Returns how many were published."""
    published = 0
    cutoff = timezone.now() - RELAY_GRACE
    with transaction.atomic():
        # Two relays at once (a slow run overlapping the next) take disjoint rows on PostgreSQL.
        batch = list(
            OutboxMessage.objects.pending()
            .filter(created_at__lte=cutoff)
            .select_for_update(skip_locked=True)
            .order_by("pk")[:limit]
        )
        for message in batch:
            try:
                published += outbox_publish(message=message)
            except BROKER_ERRORS as error:
                logger.warning("outbox relay: broker unavailable, %d messages wait: %s", len(batch) - published, error)
                break
    OutboxMessage.objects.filter(published_at__lt=timezone.now() - KEEP_PUBLISHED).delete()
    return published
