"""Unit documents (ARC-2, ARC-3, ARC-7): append-only records of files stored outside the web root.

A document and its versions are never updated or deleted — not by the pages (there are no such
pages), the admin (read-only), the ORM (save/update/delete raise) nor raw SQL or the ORM's own
bypasses (database triggers: PostgreSQL in migration 0003, SQLite in 0006). On PostgreSQL the app
runs as a role that can neither drop nor disable those triggers, nor TRUNCATE (crm/dbroles.py).
An *original* document keeps its single version; a *working* document gains a new version only
when a manager approves a change request.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives.models.property import Tenancy, Unit, UnitQuerySet


class ImmutableRecordError(Exception):
    """Raised when code tries to change or remove an archived record (ARC-7)."""


class Category(models.TextChoices):
    MOVE_IN = "move_in", _("Move-in data")
    RENOVATION = "renovation", _("Renovation / fit-out documents")
    CORRESPONDENCE = "correspondence", _("Correspondence")
    DOOR_LOCK = "door_lock", _("Door lock application")
    PHONE = "phone", _("Phone line application")
    PARKING = "parking", _("Parking space application")
    SIGNAGE = "signage", _("Signage application")
    AFTER_HOURS = "after_hours", _("After-hours work application")
    COMPANY = "company", _("Tenant company details")
    PAYMENTS = "payments", _("Payments and deposits")
    MOVE_IN_FORMS = "move_in_forms", _("Move-in forms and supplements")
    CONTACTS = "contacts", _("Contacts and emergency contacts")
    VIOLATIONS = "violations", _("Violations and arrears")
    REPAIRS = "repairs", _("Repair records")
    COMPLAINTS = "complaints", _("Complaint records")
    ENGINEERING = "engineering", _("Engineering files of the fit-out")
    OTHER = "other", _("Other")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError(_("Archived documents are never modified."))

    def delete(self):
        raise ImmutableRecordError(_("Archived documents are never deleted."))

    def _update(self, values):
        raise ImmutableRecordError(_("Archived documents are never modified."))

    def visible_to(self, user):
        from clients.models.querysets import client_scope
        from crm.roles import Role

        units = Unit.objects.visible_to(user)
        visible = self.filter(**{f"{self.unit_path}__in": units.values("pk")})
        if user.is_authenticated and user.role in (Role.ACCOUNT_MANAGER, Role.MANAGER):
            # Only their (team's) clients' documents, not those filed for the unit before them.
            visible = visible.filter(client_scope(user, f"{self.tenancy_path}__client__"))
        return visible


class DocumentQuerySet(AppendOnlyQuerySet):
    unit_path = "unit"
    tenancy_path = "tenancy"


class VersionQuerySet(AppendOnlyQuerySet):
    unit_path = "document__unit"
    tenancy_path = "document__tenancy"


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding or kwargs.get("update_fields"):
            raise ImmutableRecordError(_("Archived documents are never modified."))
        # Always an INSERT: a copy of a stored row with its pk must not update it in place.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(_("Archived documents are never deleted."))


class Document(AppendOnlyModel):
    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original (never modified)")
        WORKING = "working", _("Working document (revised with approval)")

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="documents")
    tenancy = models.ForeignKey(
        Tenancy, verbose_name=_("tenancy"), on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ORIGINAL)
    title = models.CharField(_("title"), max_length=200)
    dated = models.DateField(_("document date"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("filed"), default=timezone.now)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-dated", "-pk"]  # ARC-3: newest first
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [models.Index(fields=["unit", "-dated"], name="archives_document_unit_date")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("archives:document", args=[self.pk])


class DocumentVersion(AppendOnlyModel):
    """One stored file of a document; version 1 is the original upload."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("stored"), default=timezone.now)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="archives_version_unique_number"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=models.F("created_by")),
                name="archives_version_not_self_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse("archives:download", args=[self.pk])


__all__ = ["Category", "Document", "DocumentVersion", "ImmutableRecordError", "UnitQuerySet"]
