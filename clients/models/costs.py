"""What winning and serving a key account costs (招商及运营成本, MKT-3)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet


class KeyAccountCost(models.Model):
    """One cost entry of a key account: an event, samples, a rebate, travel…"""

    class Kind(models.TextChoices):
        EVENTS = "events", _("Events")
        SAMPLES = "samples", _("Samples")
        REBATES = "rebates", _("Rebates")
        TRAVEL = "travel", _("Travel")
        OTHER = "other", _("Other")

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="costs"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    amount = models.DecimalField(
        _("amount"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0, message=_("Enter zero or a positive amount."))],
    )
    incurred_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("entered by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("entered"), default=timezone.now)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-incurred_on", "-pk"]
        verbose_name = _("key-account cost")
        verbose_name_plural = _("key-account costs")
        indexes = [models.Index(fields=["client", "incurred_on"], name="clients_cost_client_date")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="clients_cost_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(kind__in=["events", "samples", "rebates", "travel", "other"]),
                name="clients_cost_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} ({self.incurred_on})"

    def clean(self) -> None:
        # Not a CHECK: "today" moves. Forms and the admin reach it through full_clean().
        if self.incurred_on and self.incurred_on > timezone.localdate():
            raise ValidationError({"incurred_on": _("A cost cannot be dated in the future.")})
