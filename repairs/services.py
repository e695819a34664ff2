"""Writes of the repairs app besides the workflow steps: logging orders, suggestions, notices."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Q

from archives.models import Unit
from clients.models import Complaint
from crm.models import User
from crm.services import notification_create
from repairs.models import RepairEvent, RepairOrder, Technician


@transaction.atomic
def repair_order_create(
    *,
    unit: Unit,
    contact_name: str,
    contact_phone: str,
    channel: str,
    category: str,
    urgency: str,
    description: str,
    appointment_at: datetime,
    by: User,
    complaint: Complaint | None = None,
) -> RepairOrder:
    """Log a repair order (REP-1, REP-2); the client comes from the unit's current tenancy."""
    tenancy = unit.current_tenancy
    order = RepairOrder.objects.create(
        number=f"tmp-{uuid.uuid4().hex[:16]}",
        unit=unit,
        client=tenancy.client if tenancy else (complaint.client if complaint else None),
        complaint=complaint,
        contact_name=contact_name,
        contact_phone=contact_phone,
        channel=channel,
        category=category,
        urgency=urgency,
        description=description,
        appointment_at=appointment_at,
        created_by=by,
    )
    # A readable number: year, month and the row id (unique without a counter table).
    order.number = f"R{order.created_at:%Y%m}-{order.pk:05d}"
    RepairOrder.objects.filter(pk=order.pk).update(number=order.number)
    RepairEvent.objects.create(
        order=order, action="logged", to_status=order.status, actor=by, note=order.get_channel_display()
    )
    return order


@dataclass(frozen=True)
class Suggestion:
    technician: Technician
    specialist: bool
    nearby: bool
    open_jobs: int


def technician_suggestions(order: RepairOrder) -> list[Suggestion]:
    """Technicians in the order of REP-3: specialty first, then quickest arrival — based in the
    same building, then the same zone, then the fewest open jobs."""
    building = order.unit.floor.building
    technicians = (
        Technician.objects.filter(active=True, user__is_active=True)
        .select_related("user", "base_building")
        .annotate(open_jobs=Count("orders", filter=Q(orders__status__in=OPEN_FOR_TECHNICIAN)))
    )
    suggestions = []
    for technician in technicians:
        base = technician.base_building
        same_building = base is not None and base.pk == building.pk
        same_zone = base is not None and bool(building.zone) and base.zone == building.zone
        suggestions.append(
            (
                (
                    order.category not in technician.specialties,
                    not same_building,
                    not same_zone,
                    technician.open_jobs,
                    str(technician),
                ),
                Suggestion(
                    technician,
                    order.category in technician.specialties,
                    same_building or same_zone,
                    technician.open_jobs,
                ),
            )
        )
    return [suggestion for _key, suggestion in sorted(suggestions, key=lambda pair: pair[0])]


OPEN_FOR_TECHNICIAN = [
    RepairOrder.Status.ASSIGNED,
    RepairOrder.Status.ARRIVED,
    RepairOrder.Status.QUOTED,
    RepairOrder.Status.IN_PROGRESS,
]


def notify_assignment(order: RepairOrder) -> None:
    technician = order.technician
    notification_create(
        recipient=technician.user,
        key=f"repair:{order.pk}:assigned:{order.assigned_at:%Y%m%d%H%M%S}",
        message="repairs.assigned",
        params={"number": order.number, "unit": str(order.unit), "category": order.category, "text": order.description},
        link=order.get_absolute_url(),
    )
