"""Home panels of the archives: the client-services manager's requests waiting (ARC-6, ARC-7) and
the letters waiting for the user's answer (ARC-8)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from archives.models import IncomingLetter
from archives.selectors import waiting_for_approval
from crm.panels import Panel
from crm.roles import ARCHIVE_APPROVER_ROLES, CORRESPONDENCE_ROLES

LIMIT = 8


def approvals_context(user) -> dict[str, Any]:
    waiting = waiting_for_approval()
    loans, changes = waiting["loan_requests"].order_by("requested_at"), waiting["changes"].order_by("requested_at")
    return {
        "waiting_loans": list(loans[:LIMIT]),
        "waiting_changes": list(changes[:LIMIT]),
        "waiting_count": loans.count() + changes.count(),
    }


def letters_context(user) -> dict[str, Any]:
    waiting = (
        IncomingLetter.objects.visible_to(user)
        .waiting_for(user)
        .select_related("unit__floor__building")
        .order_by("due_on", "received_on")
    )
    return {"letters": list(waiting[:LIMIT]), "letter_count": waiting.count(), "today": timezone.localdate()}


APPROVALS_PANEL = Panel("archives/home_panel.html", approvals_context, ARCHIVE_APPROVER_ROLES, order=5)
LETTERS_PANEL = Panel("archives/correspondence_home_panel.html", letters_context, CORRESPONDENCE_ROLES, order=14)
