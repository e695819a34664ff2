"""The account manager's and manager's home panel: follow-ups due and complaints to handle."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from clients.models import Client, Complaint
from crm.panels import Panel
from crm.roles import CLIENT_ROLES

LIMIT = 8


def followups_context(user) -> dict[str, Any]:
    today = timezone.localdate()
    due = (
        Client.objects.visible_to(user)
        .followup_due(today)
        .select_related("owner")
        .order_by("next_contact_date", "name")
    )
    complaints = (
        Complaint.objects.visible_to(user).open().filter(assignee=user).select_related("client").order_by("received_at")
    )
    return {
        "due_clients": list(due[:LIMIT]),
        "due_count": due.count(),
        "my_complaints": list(complaints[:LIMIT]),
        "my_complaint_count": complaints.count(),
        "today": today,
    }


FOLLOWUPS_PANEL = Panel("clients/home_panel.html", followups_context, CLIENT_ROLES, order=10)
