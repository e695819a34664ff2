"""The account manager's and manager's home panel: follow-ups due and complaints to handle."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from clients.models import Client, Complaint
from crm.panels import Panel
from crm.permissions import user_has_role
from crm.roles import ARCHIVE_ROLES, CLIENT_ROLES, PROPERTY_COMPLAINT_ROLES, Role

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


def unit_complaints_context(user, unit) -> dict[str, Any]:
    """Complaints of the unit's tenants, on its archive file (ARC-2 "complaint records"). The unit
    file's own gate applies; account managers still see only their clients' complaints."""
    complaints = Complaint.objects.filter(client__tenancies__unit=unit).distinct().select_related("client")
    if user.role == Role.ACCOUNT_MANAGER:
        complaints = complaints.visible_to(user)
    tenancy = unit.current_tenancy
    return {
        "unit_complaints": list(complaints.order_by("-received_at")[:LIMIT]),
        # The front desk and client services take a tenant's complaint from the unit's file.
        "unit_tenant_id": tenancy.client_id if tenancy and user_has_role(user, PROPERTY_COMPLAINT_ROLES) else None,
    }


UNIT_COMPLAINTS_PANEL = Panel(
    "clients/unit_panel.html",
    unit_complaints_context,
    (*ARCHIVE_ROLES, Role.ADMIN),
    order=20,
)


def property_complaints_context(user) -> dict[str, Any]:
    """The property side's home: tenants' complaints assigned to the user, and those nobody took yet."""
    complaints = Complaint.objects.visible_to(user).filter(kind=Complaint.Kind.PROPERTY).open()
    mine = complaints.filter(assignee=user).select_related("client").order_by("received_at")
    return {
        "my_complaints": list(mine[:LIMIT]),
        "my_complaint_count": mine.count(),
        "unassigned_count": complaints.filter(status=Complaint.Status.RECEIVED).count(),
    }


PROPERTY_COMPLAINTS_PANEL = Panel(
    "clients/property_home_panel.html", property_complaints_context, PROPERTY_COMPLAINT_ROLES, order=12
)
