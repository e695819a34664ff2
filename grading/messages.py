"""The notifications grading sends, rendered in each reader's language (crm.messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.messages import Message, messages

MESSAGES = [
    Message(
        "grading.correction_requested",
        _("A ledger correction waits for your decision: %(client)s"),
        kind="ledger",
    ),
    Message("grading.correction_approved", _("Your ledger correction was approved: %(client)s"), kind="ledger"),
    Message("grading.correction_refused", _("Your ledger correction was refused: %(client)s"), kind="ledger"),
]


def register() -> None:
    messages.register_kind("ledger", _("Ledger corrections"))
    for message in MESSAGES:
        messages.register(message)
