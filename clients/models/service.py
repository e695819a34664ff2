from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet


class ServicePlan(models.Model):
    """A key account's service plan for one year (MKT-3, CLI-3): what we commit to, who speaks
    for each side, and when the plan is reviewed with the client."""

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="service_plans"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    commitments = models.TextField(_("service commitments"))
    our_contacts = models.TextField(_("our contacts"), help_text=_("Who serves the account on our side."))
    client_contacts = models.TextField(_("client's contacts"), help_text=_("Who speaks for the client."))
    mid_year_review = models.DateField(_("mid-year review"), null=True, blank=True)
    year_end_review = models.DateField(_("year-end review"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("updated by"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    # Bumped by every save: an edit names the version its user saw, so of two people editing the
    # plan at once the second is told instead of silently replacing the first's text.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = _("service plan")
        verbose_name_plural = _("service plans")
        constraints = [
            models.UniqueConstraint(fields=["client", "year"], name="clients_service_plan_one_per_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="clients_service_plan_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.client} {self.year}"

    def clean(self) -> None:
        errors = {
            name: _("A review of the %(year)s plan falls in %(year)s.") % {"year": self.year}
            for name in ("mid_year_review", "year_end_review")
            if getattr(self, name) and self.year and getattr(self, name).year != self.year
        }
        if not errors and self.mid_year_review and self.year_end_review and self.year_end_review < self.mid_year_review:
            errors["year_end_review"] = _("The year-end review comes after the mid-year review.")
        if errors:
            raise ValidationError(errors)
