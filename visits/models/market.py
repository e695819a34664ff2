"""Market information gathered on visits and the monthly territory report (VIS-7)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clients.models.querysets import client_scope
from crm.roles import Role


class MarketInfoQuerySet(models.QuerySet):
    def visible_to(self, user) -> MarketInfoQuerySet:
        scope = client_scope(user, "client__")
        return self if scope is None else self.filter(scope)


class MarketInfo(models.Model):
    """What the account manager saw at the client (市场信息), tagged with territory and product."""

    visit = models.OneToOneField(
        "visits.Visit",
        verbose_name=_("visit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="market_info",
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="market_info"
    )
    territory = models.ForeignKey(
        "crm.Territory",
        verbose_name=_("territory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    product = models.CharField(_("product or brand"), max_length=100, blank=True)
    competitor_activity = models.TextField(_("competitor activity"), blank=True)
    price_seen = models.DecimalField(
        _("price seen"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("Enter zero or a positive price."))],
    )
    stock_and_shelf = models.TextField(_("stock and shelf"), blank=True)
    business_condition = models.TextField(_("client's business condition"), blank=True)
    demand_signals = models.TextField(_("demand signals"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = MarketInfoQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        verbose_name = _("market information")
        verbose_name_plural = _("market information")
        indexes = [models.Index(fields=["territory", "recorded_at"], name="visits_market_territory_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_seen__isnull=True) | Q(price_seen__gte=0), name="visits_market_price_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product or _('Market information')} {self.recorded_at:%Y-%m-%d}"

    TOPICS = ("competitor_activity", "stock_and_shelf", "business_condition", "demand_signals", "notes")

    @property
    def is_empty(self) -> bool:
        return self.price_seen is None and not self.product and not any(getattr(self, f) for f in self.TOPICS)


class MarketReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> MarketReportQuerySet:
        """The responsible account manager sees their reports; a manager the reports of the
        team's territories or account managers; an administrator all."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.MANAGER and user.team_id:
            return self.filter(Q(territory__team_id=user.team_id) | Q(responsible__team_id=user.team_id))
        if user.role == Role.ACCOUNT_MANAGER:
            return self.filter(responsible=user)
        return self.none()


class MarketReport(models.Model):
    """A territory's monthly market analysis report (市场分析报告): figures assembled on the 1st,
    analysis written by the responsible account manager by the due day, reviewed by the manager."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        REVIEWED = "reviewed", _("Reviewed")
        RETURNED = "returned", pgettext_lazy("plan status", "Returned")

    territory = models.ForeignKey(
        "crm.Territory", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_date = models.DateField(_("due"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    competition = models.TextField(_("competition and prices"), blank=True)
    demand = models.TextField(_("demand and business conditions"), blank=True)
    actions = models.TextField(_("actions for next month"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_note = models.CharField(_("manager's comment"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MarketReportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "territory__name"]
        verbose_name = _("territory market report")
        verbose_name_plural = _("territory market reports")
        constraints = [
            models.UniqueConstraint(fields=["territory", "month"], name="visits_one_report_per_territory_month"),
        ]

    def __str__(self) -> str:
        return f"{self.territory} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("visits:report", args=[self.pk])

    @property
    def is_late(self) -> bool:
        """Submitted after the due day, or still not submitted once it has passed."""
        if self.submitted_at is not None:
            return timezone.localdate(self.submitted_at) > self.due_date
        return timezone.localdate() > self.due_date
