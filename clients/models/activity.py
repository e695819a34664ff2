from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet


class Interaction(models.Model):
    """One contact with a client (CLI-5): what happened, what next, and when."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("On-site visit")
        CALL = "call", _("Phone call")
        MESSAGE = "message", _("Message")
        MEETING = "meeting", _("Meeting")

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="interactions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.VISIT)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    outcome = models.TextField(_("outcome"))
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_contact_date = models.DateField(_("next contact date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = [models.Index(fields=["client", "-occurred_at"], name="clients_interaction_client")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"


class ProductFeedback(models.Model):
    """New-product information sent to a client and the client's trial feedback (CLI-7)."""

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="feedback"
    )
    product = models.CharField(_("product"), max_length=200)
    informed_on = models.DateField(_("information sent on"), default=timezone.localdate)
    feedback = models.TextField(_("feedback"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating (1–5)"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 6)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("product feedback")
        verbose_name_plural = _("product feedback")

    def __str__(self) -> str:
        return self.product


class DemandRecord(models.Model):
    """Demand collected from a client: product, quantity, period (CLI-10)."""

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="demands"
    )
    product = models.CharField(_("product"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("demand record")
        verbose_name_plural = _("demand records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="clients_demand_period_ordered"
            ),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="clients_demand_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"
