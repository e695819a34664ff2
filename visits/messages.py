"""The notifications visits sends, rendered in each reader's language (crm.messages)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm.messages import Message, messages


def _team_digest(values: dict[str, Any]) -> dict[str, Any]:
    """The Monday digest's lines in the reader's language, from its figures: ``overdue`` (one
    entry per account manager) and ``plans`` (owner, month, status code)."""
    from visits.models import MonthPlan

    overdue = [
        "- " + _("%(am)s: visits or calls %(visits)d, follow-ups %(followups)d, key accounts %(cadences)d") % entry
        for entry in values["overdue"]
    ]
    plans = [
        f"- {plan['owner']} {plan['month']}: "
        + (
            _("waiting for your decision")
            if plan["status"] == MonthPlan.Status.SUBMITTED
            else str(MonthPlan.Status(plan["status"]).label)
        )
        for plan in values["plans"]
    ]
    parts = []
    if overdue:
        parts.append(_("Overdue, per account manager:") + "\n" + "\n".join(overdue))
    if plans:
        parts.append(_("Plans not approved yet:") + "\n" + "\n".join(plans))
    return {"people": len(overdue), "plans": len(plans), "body": "\n\n".join(parts)}


MESSAGES = [
    Message(
        "visits.report_late",
        gettext_lazy("Territory report %(territory)s %(month)s is late (due %(due)s)"),
        body="",
        kind="followups",
    ),
    Message(
        "visits.team_digest",
        gettext_lazy("Your team this week: %(people)d with overdue items, %(plans)d plans not approved"),
        body="%(body)s",
        kind="followups",
        prepare=_team_digest,
    ),
]


def register() -> None:
    for message in MESSAGES:
        messages.register(message)
