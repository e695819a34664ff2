"""The notifications archives sends, rendered in each reader's language (crm.messages)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from crm.messages import Message, messages

MESSAGES = [
    Message("archives.change_requested", _("Change to “%(doc)s” waits for your approval"), kind="archives"),
    Message("archives.loan_requested", _("%(who)s asks to borrow the file of %(unit)s"), kind="archives"),
    Message(
        "archives.loan_requested_in_office",
        _("%(who)s asks to read the file of %(unit)s in the office"),
        kind="archives",
    ),
    Message(
        "archives.letter_routed",
        _("A tenant's letter waits for your answer: %(subject)s"),
        body=_("%(unit)s · %(sender)s"),
        kind="archives",
    ),
    Message("archives.change_approved", _("Your change to “%(doc)s” was approved"), kind="archives"),
    Message("archives.change_refused", _("Your change to “%(doc)s” was refused"), kind="archives"),
    Message(
        "archives.loan_approved",
        _("You may borrow the file of %(unit)s until %(due)s"),
        body="",
        kind="archives",
    ),
    Message(
        "archives.loan_refused",
        _("Your request to borrow the file of %(unit)s was refused"),
        body="",
        kind="archives",
    ),
    Message(
        "archives.loan_overdue",
        _("The file of %(unit)s was due back on %(due)s"),
        body="",
        kind="archives",
    ),
]


def register() -> None:
    messages.register_kind("archives", _("Unit files and loans"))
    for message in MESSAGES:
        messages.register(message)
