"""The permission gate of client data (SPEC "record-level rule").

An account manager sees the clients they own; a manager the clients owned by their team;
an administrator all. Every other role sees none. Records that belong to a client (contacts,
interactions, complaints…) follow their client through ``client_scope(user, "client__")``.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from crm.roles import Role


def client_scope(user, prefix: str = "") -> Q | None:
    """The Q of the clients ``user`` may see; None means all of them."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.MANAGER:
        if user.team_id is None:
            return Q(pk__in=[])
        return Q(**{f"{prefix}owner__team_id": user.team_id})
    if user.role == Role.ACCOUNT_MANAGER:
        return Q(**{f"{prefix}owner_id": user.pk})
    return Q(pk__in=[])


class ClientQuerySet(models.QuerySet):
    def visible_to(self, user) -> ClientQuerySet:
        scope = client_scope(user)
        return self if scope is None else self.filter(scope)

    def key_accounts(self) -> ClientQuerySet:
        return self.filter(is_key_account=True)

    def stale(self, days: int, today: date | None = None) -> ClientQuerySet:
        """Cards not updated for ``days`` days (CLI-4)."""
        today = today or timezone.localdate()
        cutoff = datetime.combine(today - timedelta(days=days), time.min, tzinfo=timezone.get_current_timezone())
        return self.filter(card_updated_at__lt=cutoff)

    def followup_due(self, today: date | None = None) -> ClientQuerySet:
        """Clients whose next contact date is today or past (VIS-5, VIS-6)."""
        return self.filter(next_contact_date__lte=today or timezone.localdate())


class ClientOwnedQuerySet(models.QuerySet):
    """For records of one client: visible when their client is."""

    def visible_to(self, user):
        scope = client_scope(user, "client__")
        return self if scope is None else self.filter(scope)
