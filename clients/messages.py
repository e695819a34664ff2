"""The notifications clients sends, rendered in each reader's language (crm.messages)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy

from crm.messages import Message, messages

FOLLOWUPS = "followups"  # the digest's own section; the others come from clients.digest


def followup_heading(count: int) -> str:
    return ngettext("%(count)d client follow-up is due", "%(count)d client follow-ups are due", count) % {
        "count": count
    }


def _digest(values: dict[str, Any]) -> dict[str, Any]:
    """The digest's title and body from its parts ({"section", "count", "lines"}), with each
    heading in the reader's language. One part: its heading is the title and its lines the body.
    (A section no longer registered raises KeyError: the stored text is shown instead.)"""
    from clients import digest

    headings = {section.name: section.heading for section in digest.sections()}
    headings[FOLLOWUPS] = followup_heading
    parts = [(headings[part["section"]](part["count"]), part["lines"]) for part in values["parts"]]
    if len(parts) == 1:
        return {"title": parts[0][0], "body": "\n".join(parts[0][1])}
    total = sum(len(lines) for _heading, lines in parts)
    title = ngettext("%(count)d reminder for today", "%(count)d reminders for today", total) % {"count": total}
    return {"title": title, "body": "\n\n".join(f"{heading}:\n" + "\n".join(lines) for heading, lines in parts)}


MESSAGES = [
    Message("clients.followup", _("Follow up with %(client)s (due %(date)s)"), kind="followups"),
    Message("clients.digest", "%(title)s", body="%(body)s", kind="followups", prepare=_digest),
    Message("clients.complaint_assigned", _("Complaint assigned to you: %(subject)s"), kind="complaints"),
    Message(
        "clients.cards_to_review",
        ngettext_lazy("%(count)d client card to review", "%(count)d client cards to review", "count"),
        body=_("These cards have not been updated for %(days)d days: check they are still right."),
        kind="followups",
    ),
    Message(
        "clients.survey_sent",
        ngettext_lazy(
            "%(count)d of your clients was invited to the survey “%(survey)s”",
            "%(count)d of your clients were invited to the survey “%(survey)s”",
            "count",
        ),
        body=_("Fill in their answers on a visit or call, or give them their personal link, by %(date)s."),
        kind="campaigns",
    ),
    Message(
        "clients.campaign_sent",
        ngettext_lazy(
            "%(count)d of your clients was sent “%(campaign)s”",
            "%(count)d of your clients were sent “%(campaign)s”",
            "count",
        ),
        kind="campaigns",
    ),
    Message(
        "clients.campaign_to_contact",
        ngettext_lazy(
            "%(count)d of your clients is to be contacted for “%(campaign)s”",
            "%(count)d of your clients are to be contacted for “%(campaign)s”",
            "count",
        ),
        kind="campaigns",
    ),
]


def register() -> None:
    messages.register_kind("followups", _("Follow-ups and reminders"))
    messages.register_kind("complaints", _("Complaints"))
    messages.register_kind("campaigns", _("Campaigns and surveys"))
    for message in MESSAGES:
        messages.register(message)
