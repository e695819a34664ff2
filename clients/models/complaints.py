from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clients.models.querysets import client_scope
from crm.roles import PROPERTY_COMPLAINT_ROLES


class ComplaintQuerySet(models.QuerySet):
    def visible_to(self, user) -> ComplaintQuerySet:
        """Visible with the client, and to the person assigned to resolve it."""
        scope = client_scope(user, "client__")
        if scope is None:
            return self
        if not user.is_authenticated:
            return self.none()
        if user.role in PROPERTY_COMPLAINT_ROLES:
            # Tenants' complaints are the property side's to handle, whoever owns the client (CLI-6).
            return self.filter(kind=Complaint.Kind.PROPERTY)
        # The assignee sees it while they may still take it: same team as the client's owner.
        eligible = Q(client__owner__team_id=user.team_id) if user.team_id else Q(client__owner_id=user.pk)
        return self.filter(scope | (Q(assignee_id=user.pk) & eligible))

    def open(self) -> ComplaintQuerySet:
        return self.exclude(status=Complaint.Status.CLOSED)


class Complaint(models.Model):
    """A client's complaint (CLI-6); its status changes only through clients.complaints."""

    class Status(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("status", "Received")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        VISIT = "visit", _("In person")
        WRITTEN = "written", _("Written")
        ONLINE = "online", _("Online")

    class Kind(models.TextChoices):
        SALES = "sales", _("Sales")
        PROPERTY = "property", _("Property (tenant)")

    class Category(models.TextChoices):
        PRODUCT = "product", _("Product quality")
        DELIVERY = "delivery", _("Delivery")
        REPAIR = "repair", _("Repairs / defect")
        NOISE = "noise", _("Noise")
        CLEANING = "cleaning", _("Cleaning")
        SECURITY = "security", _("Security")
        FEES = "fees", _("Fees")
        ATTITUDE = "attitude", _("Service attitude")
        OTHER = "other", _("Other")

    SALES_CATEGORIES = (Category.PRODUCT, Category.DELIVERY, Category.FEES, Category.ATTITUDE, Category.OTHER)
    PROPERTY_CATEGORIES = (
        Category.REPAIR,
        Category.NOISE,
        Category.CLEANING,
        Category.SECURITY,
        Category.FEES,
        Category.ATTITUDE,
        Category.OTHER,
    )

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="complaints"
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"))
    channel = models.CharField(_("received via"), max_length=20, choices=Channel.choices, default=Channel.PHONE)
    # Sales complaints follow their client's owner; property (tenant) complaints are handled by
    # the front desk and client services, whoever owns the client.
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SALES)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_complaints",
    )
    resolution = models.TextField(_("resolution"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Bumped by every workflow step: a step names the version its user saw, so of two people
    # acting on the same page exactly one wins (a reassignment cannot silently replace another).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("filed by"), on_delete=models.PROTECT, related_name="+"
    )
    # Repair orders point at the complaint they came from (repairs.RepairOrder.complaint, CLI-6 → REP-1).

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "assignee"], name="clients_complaint_status"),
            models.Index(fields=["kind", "received_at"], name="clients_complaint_kind"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="received") | Q(assignee__isnull=False),
                name="clients_complaint_assigned_has_assignee",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("clients:complaint_detail", args=[self.pk])


class ComplaintEvent(models.Model):
    """One step of a complaint's workflow: who did what, when."""

    class Action(models.TextChoices):
        FILED = "filed", _("Filed")
        ASSIGNED = "assigned", _("Assigned")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        REOPENED = "reopened", _("Reopened")

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"
