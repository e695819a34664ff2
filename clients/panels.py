"""Panels of the clients app on its own client card (crm.panels): the surveys a client was sent."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from clients.models import Client, SurveyInvitation
from crm.panels import Panel
from crm.roles import CLIENT_ROLES, Role

LIMIT = 8


def surveys_context(user, client: Client) -> dict[str, Any]:
    """The client's latest survey invitations, answered or not (MKT-4): one query."""
    invitations = (
        SurveyInvitation.objects.visible_to(user)
        .filter(client=client)
        .select_related("survey")
        .order_by("-created_at", "-pk")
    )
    return {"client": client, "invitations": list(invitations[:LIMIT]), "today": timezone.localdate()}


SURVEYS_PANEL = Panel("clients/surveys/client_panel.html", surveys_context, (*CLIENT_ROLES, Role.ADMIN), order=30)
