"""The incoming correspondence register (ARC-8, 上行下达): letters, reports and requests from
tenants, logged when received, routed to a handler and answered by a due date. Its state changes
only through archives.correspondence."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from archives.models.property import Tenancy, Unit
from crm.roles import CORRESPONDENCE_ROLES, Role


class IncomingLetterQuerySet(models.QuerySet):
    def visible_to(self, user) -> IncomingLetterQuerySet:
        """The front desk and client services keep the whole register; nobody else sees it."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN or user.role in CORRESPONDENCE_ROLES:
            return self
        return self.none()

    def unanswered(self) -> IncomingLetterQuerySet:
        return self.exclude(status=IncomingLetter.Status.ANSWERED)

    def overdue(self, today: date | None = None) -> IncomingLetterQuerySet:
        """Not answered, and the due date has passed."""
        return self.unanswered().filter(due_on__lt=today or timezone.localdate())

    def waiting_for(self, user) -> IncomingLetterQuerySet:
        return self.unanswered().filter(handler=user)


class IncomingLetter(models.Model):
    """One letter, report or request a tenant sent in; its scan is served only through a permission check."""

    class Kind(models.TextChoices):
        LETTER = "letter", _("Letter")
        REPORT = "report", _("Report")
        REQUEST = "request", _("Request")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("status", "Received")
        ROUTED = "routed", _("Waiting for an answer")
        ANSWERED = "answered", _("Answered")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="letters")
    # The tenant of the day, so the letter stays with that tenancy's file after a move-out.
    tenancy = models.ForeignKey(
        Tenancy, verbose_name=_("tenancy"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_on = models.DateField(_("date received"), default=timezone.localdate)
    sender = models.CharField(_("from"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.LETTER)
    summary = models.TextField(_("summary"), blank=True)
    # The scan (optional), stored by archives.files under a server-made name.
    stored_name = models.CharField(max_length=100, blank=True, editable=False)
    original_name = models.CharField(_("scan"), max_length=200, blank=True, editable=False)
    content_type = models.CharField(max_length=100, blank=True, editable=False)
    size = models.PositiveIntegerField(default=0, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RECEIVED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handler"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="letters_to_answer",
    )
    routed_at = models.DateTimeField(_("routed"), null=True, blank=True)
    due_on = models.DateField(_("answer due"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Bumped by every step: a step names the version its user saw, so of two concurrent steps one wins.
    version = models.PositiveIntegerField(default=1, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)

    objects = IncomingLetterQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-pk"]
        verbose_name = _("incoming letter")
        verbose_name_plural = _("incoming correspondence")
        indexes = [
            models.Index(fields=["status", "handler"], name="archives_letter_status"),
            models.Index(fields=["unit", "-received_on"], name="archives_letter_unit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="received") | (Q(handler__isnull=False) & Q(due_on__isnull=False)),
                name="archives_letter_routed_has_handler",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | (Q(answered_on__isnull=False) & Q(answered_by__isnull=False)),
                name="archives_letter_answered_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("archives:letter", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.ANSWERED and self.due_on is not None and self.due_on < timezone.localdate()
