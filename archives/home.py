"""The client-services manager's home panel: borrowing requests and changes waiting (ARC-6, ARC-7)."""

from __future__ import annotations

from typing import Any

from archives.selectors import waiting_for_approval
from crm.panels import Panel
from crm.roles import ARCHIVE_APPROVER_ROLES

LIMIT = 8


def approvals_context(user) -> dict[str, Any]:
    waiting = waiting_for_approval()
    loans, changes = waiting["loan_requests"].order_by("requested_at"), waiting["changes"].order_by("requested_at")
    return {
        "waiting_loans": list(loans[:LIMIT]),
        "waiting_changes": list(changes[:LIMIT]),
        "waiting_count": loans.count() + changes.count(),
    }


APPROVALS_PANEL = Panel("archives/home_panel.html", approvals_context, ARCHIVE_APPROVER_ROLES, order=5)
