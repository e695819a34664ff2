"""The home panel of the register's keepers: letters waiting for their answer (ARC-8)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from archives.models import IncomingLetter
from crm.panels import Panel
from crm.roles import CORRESPONDENCE_ROLES

LIMIT = 8


def letters_context(user) -> dict[str, Any]:
    waiting = (
        IncomingLetter.objects.visible_to(user)
        .waiting_for(user)
        .select_related("unit__floor__building")
        .order_by("due_on", "received_on")
    )
    return {"letters": list(waiting[:LIMIT]), "letter_count": waiting.count(), "today": timezone.localdate()}


LETTERS_PANEL = Panel("archives/correspondence_home_panel.html", letters_context, CORRESPONDENCE_ROLES, order=14)
