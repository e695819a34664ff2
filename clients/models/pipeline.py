"""The key-account pipeline (招商, MKT-3): accounts not yet won, card by card, stage by stage.

A card's stage changes only through ``clients.pipeline``, each move a conditional UPDATE on
the stage its user saw, with a ``LeadStageChange`` row saying who moved it, from what, when.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import client_scope


class LeadQuerySet(models.QuerySet):
    def visible_to(self, user) -> LeadQuerySet:
        """The gate of clients, on the card's own owner: an account manager sees their cards, a
        manager the team's, an administrator all (a card may have no client yet)."""
        scope = client_scope(user)
        return self if scope is None else self.filter(scope)

    def open(self) -> LeadQuerySet:
        return self.filter(stage__in=Lead.OPEN_STAGES)


class Lead(models.Model):
    """A key account being pursued: a company not yet a client, or a prospect client."""

    class Stage(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        CONTACTED = "contacted", _("Contacted")
        NEGOTIATING = "negotiating", _("Negotiating")
        SIGNED = "signed", _("Signed")
        LOST = "lost", _("Lost")

    OPEN_STAGES = (Stage.PROSPECT, Stage.CONTACTED, Stage.NEGOTIATING)

    name = models.CharField(_("company"), max_length=200)
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        help_text=_("An existing prospect client; signing creates the client when there is none."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account manager"), on_delete=models.PROTECT, related_name="leads"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PROSPECT)
    expected_volume = models.DecimalField(
        _("expected annual volume"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("Enter zero or a positive volume."))],
    )
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    next_step_on = models.DateField(_("next step date"), null=True, blank=True)
    lost_reason = models.CharField(_("reason lost"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    stage_changed_at = models.DateTimeField(_("stage changed"), default=timezone.now)

    objects = LeadQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-stage_changed_at", "-pk"]
        verbose_name = _("pipeline card")
        verbose_name_plural = _("pipeline cards")
        indexes = [
            # The board reads each stage's latest cards, for everyone and per owner.
            models.Index(fields=["stage", "stage_changed_at"], name="clients_lead_stage_changed"),
            models.Index(fields=["owner", "stage"], name="clients_lead_owner_stage"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=["prospect", "contacted", "negotiating", "signed", "lost"]),
                name="clients_lead_stage_valid",
            ),
            models.CheckConstraint(
                condition=Q(expected_volume__isnull=True) | Q(expected_volume__gte=0),
                name="clients_lead_volume_not_negative",
            ),
            # A lost card says why; a signed card names the client it became.
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(lost_reason=""), name="clients_lead_lost_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(stage="signed") | Q(client__isnull=False), name="clients_lead_signed_has_client"
            ),
            # One open card per client: two account managers cannot pursue the same prospect.
            models.UniqueConstraint(
                fields=["client"],
                condition=Q(stage__in=["prospect", "contacted", "negotiating"]),
                name="clients_lead_one_open_per_client",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("clients:lead_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES


class LeadStageChange(models.Model):
    """One move of a pipeline card: from which stage to which, by whom, when, and why."""

    lead = models.ForeignKey(Lead, verbose_name=_("pipeline card"), on_delete=models.CASCADE, related_name="moves")
    from_stage = models.CharField(_("from"), max_length=20, choices=Lead.Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=Lead.Stage.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")

    def __str__(self) -> str:
        return f"{self.from_stage or '—'} → {self.to_stage}"
