"""The client card's "why this level" panel (GRD-5), rendered by grading on the clients page."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from crm.panels import Panel
from crm.roles import CLIENT_ROLES
from grading import selectors
from grading.forms import PotentialForm


def explanation_context(user, client) -> dict[str, Any]:
    return {"explanation": selectors.explanation(client), "client": client, "potential_form": PotentialForm()}


EXPLANATION_PANEL = Panel("grading/client_panel.html", explanation_context, (*CLIENT_ROLES, "admin"), order=10)


def key_account_costs_context(user, client) -> dict[str, Any]:
    """Costs against volume and profit this year, on a key account's card only (no query for others)."""
    if not client.is_key_account:
        return {"client": client, "economics": None}
    return {"client": client, "economics": selectors.key_account_economics(client, timezone.localdate().year)}


KEY_ACCOUNT_COSTS_PANEL = Panel(
    "grading/key_account_costs_panel.html", key_account_costs_context, (*CLIENT_ROLES, "admin"), order=12
)
