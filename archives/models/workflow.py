"""Change requests for working documents, loans of unit files, notices, the yearly archive."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archives.models.documents import Document
from archives.models.property import Building, Floor, Tenancy, Unit
from crm.models import DecidedRequest


class ChangeRequestQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(document__unit__in=Unit.objects.visible_to(user).values("pk"))


class ChangeRequest(DecidedRequest):
    """A proposed new version of a working document, waiting for a manager (ARC-7)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="change_requests")
    reason = models.CharField(_("what changes and why"), max_length=300)
    base_version = models.PositiveSmallIntegerField(_("made on version"), null=True, blank=True)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)

    objects = ChangeRequestQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="archives_change_not_self_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document}: {self.reason}"


class LoanQuerySet(models.QuerySet):
    def visible_to(self, user):
        from crm.roles import Role

        if not user.is_authenticated:
            return self.none()
        if user.role in (Role.ADMIN, Role.CLIENT_SERVICES_SUPERVISOR, Role.CLIENT_SERVICES_MANAGER):
            return self
        return self.filter(borrower=user)

    def active(self):
        return self.filter(status=Loan.Status.OUT)

    def pending(self):
        return self.filter(status=Loan.Status.REQUESTED)

    def overdue(self, today=None):
        return self.active().filter(due_on__lt=today or timezone.localdate())


class Loan(models.Model):
    """Borrowing a unit's file (借阅, ARC-6): requested, approved by the client-services manager,
    out, returned. Reading it in the office (``in_office``) is a loan of the day: due back the
    day it is approved, returned when the reader hands it back."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        OUT = "out", _("Out on loan")
        REFUSED = "refused", _("Refused")
        RETURNED = "returned", _("Returned")

    unit = models.ForeignKey(Unit, verbose_name=_("unit file"), on_delete=models.PROTECT, related_name="loans")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("borrower"), on_delete=models.PROTECT, related_name="loans"
    )
    purpose = models.CharField(_("purpose"), max_length=300)
    in_office = models.BooleanField(
        _("read in the office"), default=False, help_text=_("Read at the archive desk and handed back the same day.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    due_on = models.DateField(_("due back"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("returned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = LoanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        constraints = [
            # A file is in one place: at most one loan out at a time, whoever approves it.
            models.UniqueConstraint(fields=["unit"], condition=Q(status="out"), name="archives_one_active_loan"),
            models.CheckConstraint(condition=~Q(status="out") | Q(due_on__isnull=False), name="archives_loan_due"),
            # One request waiting per person and file: a second click or a second tab asks nothing new.
            models.UniqueConstraint(
                fields=["unit", "borrower"], condition=Q(status="requested"), name="archives_one_pending_loan_request"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.borrower}"


class Notice(models.Model):
    """An outgoing notice, report or circular to tenants (ARC-8), logged when sent."""

    class Scope(models.TextChoices):
        UNIT = "unit", _("One unit")
        FLOOR = "floor", _("A floor")
        BUILDING = "building", _("A building")
        ALL = "all", _("All tenants")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    scope = models.CharField(_("sent to"), max_length=10, choices=Scope.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    floor = models.ForeignKey(
        Floor, verbose_name=_("floor"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    building = models.ForeignKey(
        Building, verbose_name=_("building"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self) -> str:
        return self.title


class NoticeDelivery(models.Model):
    """That a notice reached a unit and its tenant of the day (so it shows in the unit's file)."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="deliveries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="notice_deliveries")
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        constraints = [models.UniqueConstraint(fields=["notice", "unit"], name="archives_notice_once_per_unit")]

    def __str__(self) -> str:
        return f"{self.notice} → {self.unit}"


class YearlyArchive(models.Model):
    """The files of tenants who moved out, compiled once a year and shelved by floor (ARC-5)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    compiled_at = models.DateTimeField(_("compiled"), default=timezone.now)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("yearly archive")
        verbose_name_plural = _("yearly archives")

    def __str__(self) -> str:
        return str(self.year)


class YearlyArchiveEntry(models.Model):
    archive = models.ForeignKey(YearlyArchive, on_delete=models.CASCADE, related_name="entries")
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    shelf = models.CharField(_("shelf"), max_length=50)

    class Meta:
        ordering = ["shelf", "tenancy", "document"]
        verbose_name = _("archive entry")
        verbose_name_plural = _("archive entries")
        constraints = [models.UniqueConstraint(fields=["document"], name="archives_document_archived_once")]

    def __str__(self) -> str:
        return f"{self.archive}: {self.document}"
