"""Pre-launch product surveys (新品上市前的调查, MKT-4).

A manager builds a survey (ordered questions), sends it to a client segment, which freezes one
``SurveyInvitation`` per client, and the answers come in either from the client's account
manager (on a visit or call) or from the client through a personal link. Each answered
invitation holds one row per answer: a chosen option (one row per option of a multiple-choice
question), a number (a number or a 1–5 scale) or a text, so the results are counted in SQL.

Changes go through ``clients.surveys``; an invitation is answered once, by a conditional UPDATE
on ``answered_at IS NULL``.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet, client_scope, planner_scope

TEXT_ANSWER_MAX = 2000  # characters of a free-text answer; the form says so next to the field
SCALE = (1, 5)


def token_hash(token: str) -> str:
    """The SHA-256 of a link's token: the database keeps only this, so a copy of it (a backup, a
    read replica, the admin) holds no working link."""
    return hashlib.sha256(token.encode()).hexdigest()


class SurveyQuerySet(models.QuerySet):
    def visible_to(self, user) -> SurveyQuerySet:
        """Administrators see every survey; a manager their team's and the company-wide ones;
        an account manager the surveys sent to at least one of their clients."""
        from crm.roles import Role

        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.MANAGER:
            return self.filter(planner_scope(user))
        if user.role != Role.ACCOUNT_MANAGER:
            return self.none()
        invited = SurveyInvitation.objects.visible_to(user).values("survey_id")
        return self.filter(pk__in=invited)


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", pgettext_lazy("survey status", "Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    product = models.ForeignKey(
        "clients.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
    )
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Shown above the questions."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    # The building manager's team; empty for a company-wide survey an administrator made.
    team = models.ForeignKey(
        "crm.Team", verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deadline = models.DateField(_("answer deadline"), help_text=_("Answers and links are accepted until this day."))
    # The client list's filter values the survey was sent with (clients.segments), kept to show
    # what the invitation list was chosen by.
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = SurveyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "open", "closed"]), name="clients_survey_status"),
            # Open and closed surveys were sent; a draft was not.
            models.CheckConstraint(
                condition=Q(status="draft", sent_at__isnull=True) | (~Q(status="draft") & Q(sent_at__isnull=False)),
                name="clients_survey_sent_unless_draft",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("surveys:detail", args=[self.pk])

    def accepts_answers(self, today=None) -> bool:
        """Open, and the deadline not passed (links expire with it)."""
        return self.status == self.Status.OPEN and (today or timezone.localdate()) <= self.deadline


class Question(models.Model):
    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale 1–5")
        NUMBER = "number", pgettext_lazy("question kind", "Number")
        TEXT = "text", _("Free text")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.CharField(_("question"), max_length=500)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    required = models.BooleanField(_("answer required"), default=True)
    # The options of a choice question, in order; answers refer to them by index, which stays
    # valid because questions are frozen once answers exist.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    min_value = models.DecimalField(_("smallest number"), max_digits=12, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("largest number"), max_digits=12, decimal_places=2, null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["survey", "position", "pk"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="clients_question_position_once"),
            models.CheckConstraint(
                condition=Q(kind__in=["single", "multiple", "scale", "number", "text"]), name="clients_question_kind"
            ),
            models.CheckConstraint(
                condition=Q(min_value__isnull=True) | Q(max_value__isnull=True) | Q(min_value__lte=F("max_value")),
                name="clients_question_range_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def field_name(self) -> str:
        """The question's field in answer forms and its key in a service's answers."""
        return f"q{self.pk}"

    @property
    def is_choice(self) -> bool:
        return self.kind in self.CHOICE_KINDS


class SurveyInvitation(models.Model):
    """One client asked to answer one survey; answered once, by staff or through the link."""

    class Via(models.TextChoices):
        STAFF = "staff", _("Account manager")
        LINK = "link", _("Client, through the link")

    survey = models.ForeignKey(Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="invitations")
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="survey_invitations"
    )
    # SHA-256 of the personal link's token; empty until an account manager asks for the link.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("invited"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_via = models.CharField(_("answered by"), max_length=10, choices=Via.choices, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ClientOwnedQuerySet.as_manager()
    # The link's hash stays out of the audit rows: a renewed link must leave no trace that works.
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        ordering = ["survey", "client__name", "pk"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.UniqueConstraint(fields=["survey", "client"], name="clients_invitation_once_per_client"),
            models.CheckConstraint(
                condition=(Q(answered_at__isnull=True, answered_via="", answered_by__isnull=True))
                | Q(answered_at__isnull=False, answered_via="link", answered_by__isnull=True)
                | Q(answered_at__isnull=False, answered_via="staff", answered_by__isnull=False),
                name="clients_invitation_answer_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.client}"


class AnswerQuerySet(models.QuerySet):
    def visible_to(self, user) -> AnswerQuerySet:
        scope = client_scope(user, "invitation__client__")
        return self if scope is None else self.filter(scope)


class Answer(models.Model):
    """One answer of an invitation to a question (a multiple choice: one row per option chosen).

    Written once, with the invitation's conditional UPDATE, and never changed: the invitation's
    history row says who entered the response and when; the admin shows answers read-only.
    """

    invitation = models.ForeignKey(
        SurveyInvitation, verbose_name=_("invitation"), on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="answers")
    choice = models.PositiveSmallIntegerField(_("option"), null=True, blank=True)
    number = models.DecimalField(_("number"), max_digits=12, decimal_places=2, null=True, blank=True)
    text = models.TextField(_("text"), blank=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        ordering = ["invitation", "question__position", "choice"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "question", "choice"], name="clients_answer_option_once"),
            models.UniqueConstraint(
                fields=["invitation", "question"],
                condition=Q(choice__isnull=True),
                name="clients_answer_once_per_question",
            ),
            models.CheckConstraint(
                condition=Q(choice__isnull=False) | Q(number__isnull=False) | ~Q(text=""),
                name="clients_answer_has_value",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("text"), TEXT_ANSWER_MAX), name="clients_answer_text_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.display}"

    @property
    def display(self) -> str:
        """The answer as people read it: the option's text, the number, or the text."""
        if self.choice is not None:
            options = self.question.choices
            return options[self.choice] if self.choice < len(options) else str(self.choice)
        if self.number is not None:
            return f"{self.number.normalize():f}"
        return self.text
