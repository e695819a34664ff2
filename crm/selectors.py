"""Reads of the crm app: what each role's home page shows."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from crm.models import Notification, Team, User
from crm.panels import home_panels
from crm.roles import ROLE_DUTIES, Role


def home_context(user: User) -> dict[str, Any]:
    context: dict[str, Any] = {
        "duties": ROLE_DUTIES.get(user.role, []),
        "recent_notifications": list(Notification.objects.visible_to(user).unread()[:5]),
        "territories": list(user.territories.all()),
        "panels": home_panels.for_user(user),
    }
    if user.role == Role.MANAGER:
        context["team_members"] = team_members(user)
    if user.role == Role.ADMIN:
        context["role_counts"] = users_per_role()
        context["teams"] = list(Team.objects.annotate(member_count=Count("members")).order_by("name"))
    return context


def team_members(user: User) -> list[User]:
    """The active colleagues in a manager's team (empty without a team)."""
    if user.team_id is None:
        return []
    return list(
        User.objects.filter(team_id=user.team_id, is_active=True)
        .exclude(pk=user.pk)
        .prefetch_related("territories")
        .order_by("role", "username")
    )


def users_per_role() -> list[dict[str, Any]]:
    """Active users per role in one aggregate query, every role listed (zero included)."""
    counts = User.objects.aggregate(**{role: Count("pk", filter=Q(role=role, is_active=True)) for role in Role.values})
    return [{"role": role, "label": label, "count": counts[role]} for role, label in Role.choices]
