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


def planner_scope(user) -> Q | None:
    """The campaigns and surveys (records with a ``team``) ``user`` may read besides those that
    reached their clients: all for an administrator, for a manager their team's and the
    company-wide ones an administrator made (no team); None means all of them."""
    if user.role == Role.ADMIN:
        return None
    if user.role == Role.MANAGER:
        return Q(team__isnull=True) | (Q(team_id=user.team_id) if user.team_id else Q(pk__in=[]))
    return Q(pk__in=[])


def may_plan(user, record) -> bool:
    """Whether ``user`` may change, launch or send ``record`` (a campaign or a survey): an
    administrator always, a manager when it is their team's; company-wide ones are the
    administrators'."""
    if user.role == Role.ADMIN:
        return True
    return user.role == Role.MANAGER and record.team_id is not None and record.team_id == user.team_id


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
