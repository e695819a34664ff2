"""From a tenant's complaint to a repair order (CLI-6 → REP-1): which unit, and what the form starts with."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from archives.models import Tenancy, Unit
from clients.models import Client, Complaint
from repairs.models import RepairOrder

# How the complaint came in -> how the repair request came in.
CHANNELS: dict[str, str] = {
    Complaint.Channel.PHONE: RepairOrder.Channel.PHONE,
    Complaint.Channel.VISIT: RepairOrder.Channel.WALK_IN,
    Complaint.Channel.WRITTEN: RepairOrder.Channel.WRITTEN,
    Complaint.Channel.ONLINE: RepairOrder.Channel.VERBAL,
}


def tenant_units(client: Client) -> QuerySet[Unit]:
    """The units ``client`` rents today (one query with their tenancy for the form's tenant line)."""
    rented = Tenancy.objects.current().filter(client=client).values("unit_id")
    return Unit.objects.with_current_tenancy().filter(pk__in=rented).order_by("floor__building__code", "number")


def order_initial_from_complaint(complaint: Complaint, units: list[Unit]) -> dict[str, Any]:
    """The repair form's first values: the complaint's text, the tenant's contact, its one unit."""
    contact = complaint.client.contacts.order_by("-is_emergency", "name", "pk").first()
    initial: dict[str, Any] = {
        "description": f"{complaint.subject}\n{complaint.description}",
        "channel": CHANNELS.get(complaint.channel, RepairOrder.Channel.PHONE),
        "contact_name": contact.name if contact else complaint.client.name,
        "contact_phone": (contact.phone if contact and contact.phone else complaint.client.phone),
    }
    if len(units) == 1:
        initial["unit"] = units[0].pk
    return initial
