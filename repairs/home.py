"""Home panels of the repair roles: a technician's jobs today, the supervisor's orders to assign,
finance's paid jobs to collect."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from clients.models import Complaint
from crm.panels import Panel
from crm.permissions import user_has_role
from crm.roles import COMPLAINT_ROLES, Role
from repairs.models import RepairOrder
from repairs.selectors import technician_jobs

LIMIT = 8


def jobs_context(user) -> dict[str, Any]:
    orders = RepairOrder.objects.visible_to(user).select_related("unit__floor__building")
    if user.role == Role.TECHNICIAN:
        title_kind, orders = "jobs", technician_jobs(user).select_related("unit__floor__building")
    elif user.role == Role.ENGINEERING_SUPERVISOR:
        title_kind, orders = "to_assign", orders.filter(status=RepairOrder.Status.NEW).order_by("appointment_at")
    else:
        title_kind, orders = "open", orders.open().order_by("-created_at")
    shown = list(orders[:LIMIT])
    count = len(shown) if len(shown) < LIMIT else orders.count()
    return {"repair_orders": shown, "repair_count": count, "repair_panel": title_kind, "repair_cut": count > len(shown)}


JOBS_PANEL = Panel(
    "repairs/home_panel.html", jobs_context, (Role.TECHNICIAN, Role.ENGINEERING_SUPERVISOR, Role.FRONT_DESK), order=5
)


def unit_orders_context(user, unit) -> dict[str, Any]:
    """The unit's repair orders on its archive file (ARC-2 "repair records")."""
    orders = RepairOrder.objects.filter(unit=unit).select_related("technician__user").order_by("-created_at")
    return {"unit_repair_orders": list(orders[:LIMIT]), "unit_repair_count": orders.count()}


UNIT_ORDERS_PANEL = Panel(
    "repairs/unit_panel.html",
    unit_orders_context,
    (Role.CLIENT_SERVICES_SUPERVISOR, Role.MANAGER, Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR, Role.ADMIN),
    order=10,
)


def to_collect_context(user) -> dict[str, Any]:
    """Finance's paid jobs to collect: completed with fees, not billed yet, newest first (REP-6)."""
    from repairs.billing import billable

    orders = (
        RepairOrder.objects.visible_to(user)
        .filter(billable(), billing_status=RepairOrder.BillingStatus.TO_BILL)
        .select_related("unit__floor__building", "client")
        .order_by("-first_completed_at", "-pk")
    )
    return {"collect_orders": list(orders[:LIMIT]), "collect_count": orders.count()}


TO_COLLECT_PANEL = Panel("repairs/finance_panel.html", to_collect_context, (Role.FINANCE,), order=5)
# Who may log a repair order (repairs.views.orders.INTAKE_ROLES).
INTAKE_ROLES = (Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR)


def complaint_orders_context(user, complaint) -> dict[str, Any]:
    """The repair orders a complaint led to (CLI-6 → REP-1), one query, and the button that turns a
    tenant's complaint into a prefilled order. Orders outside the user's gate show no link."""
    orders = (
        RepairOrder.objects.filter(complaint=complaint)
        .annotate(visible=Exists(RepairOrder.objects.visible_to(user).filter(pk=OuterRef("pk"))))
        .order_by("created_at")
    )
    is_property = complaint.kind == Complaint.Kind.PROPERTY
    orders = list(orders)
    return {
        "complaint_repair_orders": orders,
        "show": is_property or bool(orders),
        "can_create": is_property and complaint.status != Complaint.Status.CLOSED and user_has_role(user, INTAKE_ROLES),
        "complaint_pk": complaint.pk,
    }


COMPLAINT_ORDERS_PANEL = Panel(
    "repairs/complaint_panel.html", complaint_orders_context, (*COMPLAINT_ROLES, Role.ADMIN), order=5
)
