"""The incoming correspondence workflow (ARC-8, 上行下达), in one place.

    received ──route──▶ routed ──answer──▶ answered
                 ▲  └─reroute─┘

Logging stores the scan (checked by archives.files) and may route at once. Every step is a
conditional UPDATE on the status and the version the user saw, so of two people acting on the
same page exactly one wins; simple-history keeps who changed what and when.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from archives import files
from archives.models import IncomingLetter, Unit
from crm.history import record_update
from crm.models import Notification, User
from crm.roles import CORRESPONDENCE_ROLES, Role
from crm.services import notification_create

S = IncomingLetter.Status
ANSWER_DAYS = 7  # the default time to answer, from the day received


def handler_choices() -> QuerySet[User]:
    """Who can answer a letter: the front desk and client services."""
    return User.objects.filter(is_active=True, role__in=CORRESPONDENCE_ROLES).order_by("first_name", "username")


def may_keep(user: User) -> bool:
    """Log and route letters: the register's keepers and administrators."""
    return user.role == Role.ADMIN or user.role in CORRESPONDENCE_ROLES


def may_answer(user: User, letter: IncomingLetter) -> bool:
    return letter.status == S.ROUTED and (letter.handler_id == user.pk or may_keep(user))


def default_due(received_on: date) -> date:
    return received_on + timedelta(days=ANSWER_DAYS)


@transaction.atomic
def letter_log(
    *,
    unit: Unit,
    received_on: date,
    sender: str,
    subject: str,
    kind: str,
    by: User,
    summary: str = "",
    scan: UploadedFile | None = None,
    handler: User | None = None,
    due_on: date | None = None,
) -> IncomingLetter:
    """Log a letter as received (with its scan); routed at once when a handler is given."""
    if not may_keep(by):
        raise PermissionDenied
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("A letter cannot be received in the future.")})
    stored = files.store(scan) if scan else None
    tenancy = unit.current_tenancy
    letter = IncomingLetter(
        unit=unit,
        tenancy=tenancy,
        received_on=received_on,
        sender=sender,
        subject=subject,
        kind=kind,
        summary=summary,
        logged_by=by,
        **(
            {
                "stored_name": stored.stored_name,
                "original_name": stored.original_name,
                "content_type": stored.content_type,
                "size": stored.size,
                "sha256": stored.sha256,
            }
            if stored
            else {}
        ),
    )
    letter._history_user = by  # the audit row's "who"
    letter.save()
    if handler is not None:
        letter = letter_route(letter=letter, handler=handler, due_on=due_on or default_due(received_on), by=by)
    return letter


def letter_route(*, letter: IncomingLetter, handler: User, due_on: date, by: User) -> IncomingLetter:
    """Route (or reroute) an unanswered letter to a handler, to be answered by ``due_on``."""
    if not may_keep(by):
        raise PermissionDenied
    if not handler_choices().filter(pk=handler.pk).exists():
        raise ValidationError({"handler": _("This person cannot answer tenants' letters.")})
    if due_on < letter.received_on:
        raise ValidationError({"due_on": _("The answer cannot be due before the letter was received.")})
    letter = _step(
        letter,
        (S.RECEIVED, S.ROUTED),
        by,
        status=S.ROUTED,
        handler=handler,
        due_on=due_on,
        routed_at=timezone.now(),
    )
    if handler.pk != by.pk:
        notification_create(
            recipient=handler,
            key=f"letter:{letter.pk}:route:{letter.version}",
            level=Notification.Level.INFO,
            message="archives.letter_routed",
            params={"subject": letter.subject, "unit": str(letter.unit), "sender": letter.sender},
            link=letter.get_absolute_url(),
        )
    return letter


def letter_answer(*, letter: IncomingLetter, answer: str, answered_on: date, by: User) -> IncomingLetter:
    """Record the answer: its text, date and who gave it."""
    if not may_answer(by, letter):
        raise PermissionDenied
    if not answer.strip():
        raise ValidationError({"answer": _("Write the answer given to the tenant.")})
    if answered_on < letter.received_on or answered_on > timezone.localdate():
        raise ValidationError({"answered_on": _("The answer's date is between the letter's and today.")})
    return _step(letter, (S.ROUTED,), by, status=S.ANSWERED, answer=answer, answered_on=answered_on, answered_by=by)


@transaction.atomic
def _step(letter: IncomingLetter, sources: tuple[str, ...], by: User, **changes) -> IncomingLetter:
    won = IncomingLetter.objects.filter(pk=letter.pk, status__in=sources, version=letter.version).update(
        version=F("version") + 1, **changes
    )
    if not won:
        raise ValidationError(
            _("Someone else changed this letter first; the step was not applied. Reload to see what changed.")
        )
    return record_update(letter, by)
