"""The client card's "why this level" panel (GRD-5), rendered by grading on the clients page."""

from __future__ import annotations

from typing import Any

from crm.panels import Panel
from crm.roles import CLIENT_ROLES
from grading import selectors
from grading.forms import PotentialForm


def explanation_context(user, client) -> dict[str, Any]:
    return {"explanation": selectors.explanation(client), "client": client, "potential_form": PotentialForm()}


EXPLANATION_PANEL = Panel("grading/client_panel.html", explanation_context, (*CLIENT_ROLES, "admin"), order=10)
