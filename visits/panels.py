"""The visit plan's panels: on the home page (today's items, overdue, missed key-account cadences;
for managers the team's overdue items and plans awaiting approval) and on the client card
(next planned and last done visits). Each reads a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils import timezone

from clients.models import Client
from crm.panels import Panel
from crm.roles import CLIENT_ROLES, Role
from visits.models import MonthPlan, Visit
from visits.reminders import cadences, missed_cadences

LIMIT = 5


def home_context(user) -> dict[str, Any]:
    today = timezone.localdate()
    visits = Visit.objects.visible_to(user)
    if user.role == Role.MANAGER:
        team_overdue = list(
            visits.overdue(today)
            .values("owner_id", "owner__username", "owner__first_name", "owner__last_name")
            .annotate(n=Count("pk"))
            .order_by("-n", "owner__username")
        )
        awaiting = list(
            MonthPlan.objects.visible_to(user)
            .filter(status=MonthPlan.Status.SUBMITTED)
            .select_related("owner")
            .order_by("month", "owner__username")
        )
        return {"is_manager": True, "team_overdue": team_overdue, "awaiting": awaiting, "today": today}
    mine = visits.filter(owner=user)
    missed = missed_cadences(today, Client.objects.visible_to(user).filter(owner=user))
    return {
        "is_manager": False,
        "today_items": list(mine.planned().filter(planned_for=today).select_related("client")),
        "overdue_count": mine.overdue(today).count(),
        "missed": missed[:LIMIT],
        "missed_count": len(missed),
        "today": today,
    }


HOME_PANEL = Panel("visits/home_panel.html", home_context, CLIENT_ROLES, order=15)


def client_context(user, client: Client) -> dict[str, Any]:
    visits = Visit.objects.visible_to(user).filter(client=client).select_related("owner")
    return {
        "client": client,
        "next_visits": list(visits.planned().order_by("planned_for", "pk")[:LIMIT]),
        "done_visits": list(visits.filter(status=Visit.Status.DONE).order_by("-done_on", "-pk")[:LIMIT]),
        "today": timezone.localdate(),
    }


CLIENT_PANEL = Panel("visits/client_panel.html", client_context, (*CLIENT_ROLES, Role.ADMIN), order=20)


def targets_context(user) -> dict[str, Any]:
    """The account manager's "3 of 6 targets on track" for this month (MKT-2)."""
    from visits.models import Metric
    from visits.periods import period_containing
    from visits.selectors import account_managers_for
    from visits.target_report import attainment_report, on_track_summary

    period = period_containing("month", timezone.localdate())
    report = attainment_report(people=account_managers_for(user), metrics=list(Metric.objects.in_use()), period=period)
    on, total = on_track_summary(report, user)
    return {"period": period, "on": on, "total": total}


TARGETS_PANEL = Panel("visits/targets_home_panel.html", targets_context, (Role.ACCOUNT_MANAGER,), order=16)


def cadence_context(user, client: Client) -> dict[str, Any]:
    """The key account's visit cadence against its last on-site contact (VIS-2, MKT-3), and the
    next planned visit: two queries."""
    today = timezone.localdate()
    entry = next(iter(cadences(Client.objects.filter(pk=client.pk))), None)
    next_visit = Visit.objects.visible_to(user).filter(client=client).planned().order_by("planned_for", "pk").first()
    late = entry is not None and (entry.due is None or entry.due < today)
    return {
        "client": client,
        "entry": entry,
        "late": late,
        "days_since": entry.days_since(today) if entry else None,
        "days_late": (today - entry.due).days if late and entry.due else None,
        "next_visit": next_visit,
        "today": today,
    }


CADENCE_PANEL = Panel("visits/service_cadence_panel.html", cadence_context, (*CLIENT_ROLES, Role.ADMIN), order=5)
