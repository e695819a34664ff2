"""Grading's panels on clients' pages: the card's "why this level" (GRD-5), and the orders of a
key account's service page (MKT-3) with their deliveries and complaints."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from clients.selectors import TIMELINE_PER_SOURCE, TimelineEntry
from crm.panels import Panel
from crm.roles import CLIENT_ROLES
from grading import selectors, services
from grading.forms import PotentialForm
from grading.models import OrderComplaint, SalesOrder


def explanation_context(user, client) -> dict[str, Any]:
    """Why the client has its level, its recorded potential, and the potential form for a client
    without booked orders only (one with orders is graded on them). Three queries."""
    return {
        "explanation": selectors.explanation(client),
        "client": client,
        "potential": client.potential_assessments.select_related("assessed_by").first(),
        "asks_potential": not services.client_has_orders(client),
        "potential_form": PotentialForm(),
    }


def potential_timeline(client) -> list[TimelineEntry]:
    """The client's potential assessments on its timeline (GRD-3): one query."""
    assessments = client.potential_assessments.select_related("assessed_by")[:TIMELINE_PER_SOURCE]
    return [
        TimelineEntry(
            a.assessed_at,
            "potential",
            "stars",
            _("Potential assessed: %(score)s of 5") % {"score": a.score},
            a.reason,
            a.assessed_by,
        )
        for a in assessments
    ]


EXPLANATION_PANEL = Panel("grading/client_panel.html", explanation_context, (*CLIENT_ROLES, "admin"), order=10)


def key_account_costs_context(user, client) -> dict[str, Any]:
    """Costs against volume and profit this year, on a key account's card only (no query for others)."""
    if not client.is_key_account:
        return {"client": client, "economics": None}
    return {"client": client, "economics": selectors.key_account_economics(client, timezone.localdate().year)}


KEY_ACCOUNT_COSTS_PANEL = Panel(
    "grading/key_account_costs_panel.html", key_account_costs_context, (*CLIENT_ROLES, "admin"), order=12
)


def orders_context(user, client) -> dict[str, Any]:
    """Four queries whatever the number of orders: the months, the orders, their deliveries and
    their complaints. ``client`` comes through the page's gate."""
    today = timezone.localdate()
    months = selectors.order_months(client, today)
    return {
        "client": client,
        "wide": True,  # the service page's main column
        "months": months,
        "year_total": sum((month["total"] for month in months), Decimal("0")),
        "chart": {"labels": [f"{m['month']:%Y-%m}" for m in months], "totals": [float(m["total"]) for m in months]},
        "orders": selectors.service_orders(client, today),
        "order_limit": selectors.SERVICE_ORDERS,
        "window_start": selectors.service_window(today)[0],
    }


ORDERS_PANEL = Panel("grading/service_orders_panel.html", orders_context, (*CLIENT_ROLES, "admin"), order=10)


def complaint_order_context(user, complaint) -> dict[str, Any]:
    """The order an after-sales complaint is about (MKT-3), one query. Its details only for those
    who see the order's client: an assignee who does not is told there is an order, no more."""
    link = (
        OrderComplaint.objects.filter(complaint=complaint)
        .select_related("order")
        .annotate(visible=Exists(SalesOrder.objects.visible_to(user).filter(pk=OuterRef("order_id"))))
        .first()
    )
    return {"link": link, "order": link.order if link else None, "visible": bool(link and link.visible)}


COMPLAINT_ORDER_PANEL = Panel(
    "grading/complaint_order_panel.html", complaint_order_context, (*CLIENT_ROLES, "admin"), order=10
)
