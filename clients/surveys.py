"""Pre-launch product surveys (新品上市前的调查, MKT-4): building, sending, answering, closing.

    draft ──send: the segment's clients frozen into invitations──▶ open ──close──▶ closed
    (questions editable until the first answer)                    (answers until the deadline)

Status changes are conditional UPDATEs on the status their user saw, so of two managers sending
(or closing) the same survey at once exactly one does it. A response is written in one
transaction with the UPDATE of its invitation ``WHERE answered_at IS NULL``: of two submits of
the same invitation (the account manager on a call and the client through the link, or a
double click) exactly one is kept, whole; the other is told and saves nothing.

The personal link carries a random token (``secrets.token_urlsafe(32)``) of which the database
keeps only the SHA-256. Rather than a signed invitation id (django.core.signing): a stored hash
can be revoked by renewing it, a leaked database or backup holds no working link, and the link
dies with its use (the hash is cleared when the invitation is answered). As only the hash is
kept, nobody can read a link back: an account manager who wants one for a client makes a new
one (the old one stops working), and sees it once.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from clients.models import Answer, Product, Question, Survey, SurveyInvitation
from clients.models.surveys import SCALE, TEXT_ANSWER_MAX, token_hash
from clients.segments import segment_clients, segment_params
from crm.history import record_update
from crm.models import User
from crm.roles import Role
from crm.services import notification_create

S = Survey.Status
K = Question.Kind

SURVEY_FIELDS = ("title", "product", "intro", "deadline")
QUESTION_FIELDS = ("text", "kind", "required", "choices", "min_value", "max_value")
MAX_CHOICES = 20
CHOICE_MAX_LENGTH = 200
NUMBER_LIMIT = Decimal("9999999999.99")  # what the answer's column holds (12 digits, 2 decimals)


# --- building ---


def _check_deadline(deadline: date) -> None:
    if deadline < timezone.localdate():
        raise ValidationError({"deadline": _("The deadline cannot be before today.")})


def survey_create(*, by: User, title: str, deadline: date, product: Product | None = None, intro: str = "") -> Survey:
    """A new survey, as a draft: questions next, then the segment to send it to."""
    _check_deadline(deadline)
    team = by.team if by.role == Role.MANAGER else None  # an administrator's survey is company-wide
    survey = Survey(
        title=title.strip(), product=product, intro=intro.strip(), deadline=deadline, created_by=by, team=team
    )
    survey._history_user = by
    survey.save()
    return survey


def survey_update(*, survey: Survey, by: User, **fields: Any) -> Survey:
    """Change the title, product, introduction or deadline of a survey not closed yet."""
    unknown = set(fields) - set(SURVEY_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    # The stored row, not ``survey``: a ModelForm has already copied its data onto it.
    stored = Survey.objects.get(pk=survey.pk)
    if stored.status == S.CLOSED:
        raise ValidationError(_("A closed survey cannot be changed."))
    if "deadline" in fields and fields["deadline"] != stored.deadline:
        _check_deadline(fields["deadline"])
    with transaction.atomic():
        for name, value in fields.items():
            setattr(survey, name, value.strip() if isinstance(value, str) else value)
        survey._history_user = by
        survey.save(update_fields=list(fields))
    return survey


def questions_editable(survey: Survey) -> bool:
    return survey.status != S.CLOSED and not Answer.objects.filter(question__survey=survey).exists()


def _lock_for_questions(survey: Survey) -> Survey:
    """Lock the survey's row (a response being written waits, and so does this), then check
    that the questions may still change: answers keep the question they were given to."""
    locked = Survey.objects.select_for_update().get(pk=survey.pk)
    if locked.status == S.CLOSED:
        raise ValidationError(_("A closed survey cannot be changed."))
    if Answer.objects.filter(question__survey=survey).exists():
        raise ValidationError(
            _(
                "Answers have come in, so the questions can no longer be changed: every answer must keep "
                "the question it was given to."
            )
        )
    return locked


def _clean_question(fields: dict[str, Any]) -> dict[str, Any]:
    """The same rules for a new and a changed question; errors name their field."""
    kind = fields["kind"]
    errors: dict[str, str] = {}
    text = (fields.get("text") or "").strip()
    if not text:
        errors["text"] = _("Write the question.")
    choices = [str(choice).strip() for choice in fields.get("choices") or [] if str(choice).strip()]
    if kind in Question.CHOICE_KINDS:
        if len(choices) < 2:
            errors["choices"] = _("Give at least two choices, one per line.")
        elif len(choices) > MAX_CHOICES:
            errors["choices"] = _("Give at most %(count)d choices.") % {"count": MAX_CHOICES}
        elif len(set(choices)) < len(choices):
            errors["choices"] = _("Each choice must be different.")
        elif any(len(choice) > CHOICE_MAX_LENGTH for choice in choices):
            errors["choices"] = _("A choice can be at most %(count)d characters long.") % {"count": CHOICE_MAX_LENGTH}
    else:
        choices = []
    low, high = (fields.get("min_value"), fields.get("max_value")) if kind == K.NUMBER else (None, None)
    if low is not None and high is not None and low > high:
        errors["max_value"] = _("The largest number cannot be below the smallest.")
    if errors:
        raise ValidationError(errors)
    return {**fields, "text": text, "choices": choices, "min_value": low, "max_value": high}


def question_add(
    *,
    survey: Survey,
    by: User,
    text: str,
    kind: str,
    required: bool = True,
    choices: list[str] | None = None,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
) -> Question:
    """Add a question at the end of the survey."""
    fields = _clean_question(
        {"text": text, "kind": kind, "required": required, "choices": choices, "min_value": min_value,
         "max_value": max_value}
    )  # fmt: skip
    with transaction.atomic():
        _lock_for_questions(survey)
        last = survey.questions.order_by("-position").values_list("position", flat=True).first() or 0
        question = Question(survey=survey, position=last + 1, **fields)
        question._history_user = by
        question.save()
    return question


def question_update(*, question: Question, by: User, **fields: Any) -> Question:
    unknown = set(fields) - set(QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    stored = Question.objects.get(pk=question.pk)
    fields = _clean_question({name: fields.get(name, getattr(stored, name)) for name in QUESTION_FIELDS})
    with transaction.atomic():
        _lock_for_questions(question.survey)
        for name, value in fields.items():
            setattr(question, name, value)
        question._history_user = by
        question.save(update_fields=list(QUESTION_FIELDS))
    return question


def question_remove(*, question: Question, by: User) -> None:
    """Remove a question; the others keep their positions (gaps do not matter to the order)."""
    with transaction.atomic():
        _lock_for_questions(question.survey)
        question._history_user = by
        question.delete()


def question_move(*, question: Question, by: User, up: bool) -> bool:
    """Swap a question with the one before (``up``) or after it; False at either end."""
    with transaction.atomic():
        _lock_for_questions(question.survey)
        question.refresh_from_db()
        siblings = Question.objects.filter(survey_id=question.survey_id).exclude(pk=question.pk)
        if up:
            other = siblings.filter(position__lt=question.position).order_by("-position").first()
        else:
            other = siblings.filter(position__gt=question.position).order_by("position").first()
        if other is None:
            return False
        # Through position 0 (never used otherwise): the unique (survey, position) holds at each step.
        mine, theirs = question.position, other.position
        Question.objects.filter(pk=question.pk).update(position=0)
        Question.objects.filter(pk=other.pk).update(position=mine)
        Question.objects.filter(pk=question.pk).update(position=theirs)
        record_update(question, by, fields=("position",))
        record_update(other, by, fields=("position",))
    return True


# --- sending and closing ---


def survey_send(*, survey: Survey, by: User, params: Mapping[str, Any]) -> int:
    """Freeze the segment's clients as the survey's invitations and open it; returns how many.

    The clients are those ``by`` may address (their gate), not moved out and not among those
    who asked not to be contacted (clients.segments). Their account managers are told.
    """
    params = segment_params(params)
    if survey.status != S.DRAFT:
        raise ValidationError(_("This survey has been sent already; its invitation list is fixed."))
    if not survey.questions.exists():
        raise ValidationError(_("Add at least one question before sending the survey."))
    if survey.deadline < timezone.localdate():
        raise ValidationError(_("The deadline has passed: move it to today or later before sending."))
    try:
        clients = dict(segment_clients(by, params).values_list("pk", "owner_id"))
    except ValueError as error:
        raise ValidationError(str(error)) from None
    if not clients:
        raise ValidationError(
            _(
                "No client is in this segment (clients who asked not to be contacted and moved-out clients "
                "are left out). Nothing was sent."
            )
        )
    now = timezone.now()
    with transaction.atomic():
        won = Survey.objects.filter(pk=survey.pk, status=S.DRAFT).update(
            status=S.OPEN, sent_at=now, sent_by=by, segment=params
        )
        if not won:
            raise ValidationError(_("This survey has been sent already; its invitation list is fixed."))
        invitations = [SurveyInvitation(survey=survey, client_id=pk, created_at=now) for pk in clients]
        bulk_create_with_history(invitations, SurveyInvitation, batch_size=500, default_user=by, default_date=now)
        record_update(survey, by, fields=("status", "sent_at", "sent_by", "segment"))
        _tell_owners(survey, Counter(clients.values()))
    return len(clients)


def _tell_owners(survey: Survey, per_owner: Counter) -> None:
    for owner in User.objects.filter(pk__in=per_owner):
        count = per_owner[owner.pk]
        notification_create(
            recipient=owner,
            key=f"survey:{survey.pk}:sent",
            message="clients.survey_sent",
            params={"count": count, "survey": survey.title, "date": survey.deadline.isoformat()},
            link=survey.get_absolute_url(),
        )


def survey_close(*, survey: Survey, by: User) -> Survey:
    """Stop accepting answers before the deadline; the links stop working."""
    with transaction.atomic():
        if not Survey.objects.filter(pk=survey.pk, status=S.OPEN).update(status=S.CLOSED):
            raise ValidationError(_("Only an open survey can be closed."))
        return record_update(survey, by)


# --- the personal link ---


def invitation_link_renew(*, invitation: SurveyInvitation, by: User) -> str:
    """A new token for the client's link (the previous one stops working); returns the token,
    which is not stored and so is shown only this once."""
    if invitation.answered_at is not None:
        raise ValidationError(_("This client has answered already; no link is needed."))
    if not invitation.survey.accepts_answers():
        raise ValidationError(_("This survey no longer accepts answers."))
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        won = SurveyInvitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
            token_hash=token_hash(token)
        )
        if not won:
            raise ValidationError(_("This client has answered already; no link is needed."))
        invitation._change_reason = _("A new personal link was made")
        record_update(invitation, by, fields=("token_hash",))
    return token


def invitation_for_token(token: str) -> SurveyInvitation | None:
    """The invitation a link opens, or None: unknown, already answered or expired links look the
    same to whoever holds them (they learn nothing about the survey or the client)."""
    invitation = (
        SurveyInvitation.objects.select_related("survey", "survey__product")
        .filter(token_hash=token_hash(token), answered_at__isnull=True)
        .first()
    )
    if invitation is None or not invitation.survey.accepts_answers():
        return None
    return invitation


# --- answering ---


def response_submit(
    *, invitation: SurveyInvitation, answers: Mapping[str, Any], via: str, by: User | None = None
) -> SurveyInvitation:
    """Record the answers of one client, all or nothing. ``answers`` maps each question's
    ``field_name`` to an option index (a list of them for a multiple choice), a number or a text.
    """
    if via == SurveyInvitation.Via.STAFF and by is None:
        raise ValueError("answers entered by staff name who entered them")
    with transaction.atomic():
        # The lock makes a question edit wait for this response (and this one for the edit), so
        # the answers are checked against the questions as they are when written.
        survey = Survey.objects.select_for_update().get(pk=invitation.survey_id)
        if not survey.accepts_answers():
            raise ValidationError(_("This survey no longer accepts answers."))
        rows = _answer_rows(invitation, list(survey.questions.all()), answers)
        won = SurveyInvitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
            answered_at=timezone.now(),
            answered_via=via,
            answered_by=by if via == SurveyInvitation.Via.STAFF else None,
            token_hash=None,  # a used link is dead
        )
        if not won:
            raise ValidationError(
                _(
                    "This client's answers have been recorded already; the first answers were kept "
                    "and nothing was changed."
                )
            )
        Answer.objects.bulk_create(rows)
        invitation._change_reason = _("Answered: %(via)s") % {"via": SurveyInvitation.Via(via).label}
        return record_update(invitation, by, fields=("answered_at", "answered_via", "answered_by", "token_hash"))


def _answer_rows(invitation: SurveyInvitation, questions: list[Question], answers: Mapping[str, Any]) -> list[Answer]:
    """The rows of a response; a ValidationError names each question whose answer is missing or
    not allowed (the form checks the same, this holds for any other caller)."""
    rows: list[Answer] = []
    errors: dict[str, str] = {}
    for question in questions:
        value = answers.get(question.field_name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", [], ()):
            if question.required:
                errors[question.field_name] = _("This question needs an answer.")
            continue
        try:
            rows += [Answer(invitation=invitation, question=question, **fields) for fields in _values(question, value)]
        except ValidationError as error:
            errors[question.field_name] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return rows


def _values(question: Question, value: Any) -> list[dict[str, Any]]:
    if question.is_choice:
        chosen = list(value) if isinstance(value, list | tuple) else [value]
        if question.kind == K.SINGLE and len(chosen) != 1:
            raise ValidationError(_("Choose one answer."))
        try:
            indices = sorted({int(index) for index in chosen})
        except (TypeError, ValueError):
            raise ValidationError(_("Choose one of the answers offered.")) from None
        if any(not 0 <= index < len(question.choices) for index in indices):
            raise ValidationError(_("Choose one of the answers offered."))
        return [{"choice": index} for index in indices]
    if question.kind == K.TEXT:
        text = str(value)
        if len(text) > TEXT_ANSWER_MAX:
            raise ValidationError(_("Keep the answer under %(count)d characters.") % {"count": TEXT_ANSWER_MAX})
        return [{"text": text}]
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a number.")) from None
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise ValidationError(_("Enter a number."))
    if question.kind == K.SCALE:
        if number != number.to_integral_value() or not SCALE[0] <= number <= SCALE[1]:
            raise ValidationError(_("Choose a value from 1 to 5."))
        return [{"number": number}]
    if question.min_value is not None and number < question.min_value:
        raise ValidationError(_("Enter a number of at least %(low)s.") % {"low": question.min_value})
    if question.max_value is not None and number > question.max_value:
        raise ValidationError(_("Enter a number of at most %(high)s.") % {"high": question.max_value})
    return [{"number": number.quantize(Decimal("0.01"))}]
