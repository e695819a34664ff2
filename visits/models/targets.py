"""Targets and attainment per account manager (MKT-2): the metrics (reference data, two sets),
the deployment's choice of set, the targets per period, and the actual figures per month.

A month's plan is its visits and its targets (月计划): targets live with the plans.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.roles import Role


class MetricSet(models.TextChoices):
    BANK = "bank", _("Bank")
    TRADE = "trade", _("Trading company")


class MetricQuerySet(models.QuerySet):
    def in_use(self) -> MetricQuerySet:
        """The metrics of the set this deployment uses (``TargetSettings``)."""
        return self.filter(metric_set=TargetSettings.current().metric_set)


class Metric(models.Model):
    """A measure an account manager is held to. Reference data: both sets ship in a data
    migration; the admin picks the set in ``TargetSettings``."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Higher is better")
        LOWER = "lower", _("Lower is better")

    class Source(models.TextChoices):
        COMPUTED = "computed", _("Computed from the sales ledger and client files")
        IMPORTED = "imported", _("Imported from another system")

    class Aggregation(models.TextChoices):
        # How months add up to a quarter or a year, and whether the expected-to-date line
        # scales the target with time (only what accumulates does).
        SUM = "sum", _("Sum of the months (accumulates)")
        AVERAGE = "average", _("Average of the months")
        LAST = "last", _("Last month's figure")
        RATIO = "ratio", _("Ratio of the summed parts")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. 万元, %, 件"))
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices, default=Direction.HIGHER)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices)
    aggregation = models.CharField(_("aggregation"), max_length=8, choices=Aggregation.choices, default="sum")
    metric_set = models.CharField(_("metric set"), max_length=5, choices=MetricSet.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    objects = MetricQuerySet.as_manager()

    class Meta:
        ordering = ["metric_set", "position", "code"]
        verbose_name = _("metric")
        verbose_name_plural = _("metrics")
        constraints = [
            models.CheckConstraint(condition=Q(direction__in=["higher", "lower"]), name="visits_metric_direction"),
            models.CheckConstraint(condition=Q(source__in=["computed", "imported"]), name="visits_metric_source"),
            models.CheckConstraint(condition=Q(metric_set__in=["bank", "trade"]), name="visits_metric_set"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def accumulates(self) -> bool:
        return self.aggregation == self.Aggregation.SUM

    @property
    def lower_is_better(self) -> bool:
        return self.direction == self.Direction.LOWER


class TargetSettings(models.Model):
    """Which metric set this deployment uses: one row, edited by an administrator."""

    metric_set = models.CharField(_("metric set"), max_length=5, choices=MetricSet.choices, default=MetricSet.TRADE)
    changed_at = models.DateTimeField(_("changed"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target settings")
        verbose_name_plural = _("target settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="visits_target_settings_singleton")]

    def __str__(self) -> str:
        return str(self.get_metric_set_display())

    @classmethod
    def current(cls) -> TargetSettings:
        settings_row, _created = cls.objects.get_or_create(pk=1)
        return settings_row


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> TargetQuerySet:
        """An account manager sees their own targets; a manager the team's and its members';
        an administrator all."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.MANAGER and user.team_id:
            return self.filter(Q(team_id=user.team_id) | Q(account_manager__team_id=user.team_id))
        if user.role == Role.ACCOUNT_MANAGER:
            return self.filter(account_manager=user)
        return self.none()

    def of_period(self, kind: str, start: date) -> TargetQuerySet:
        return self.filter(period_kind=kind, period_start=start)


class Target(models.Model):
    """A target for one period: the team's (set by its manager) or one account manager's (the
    team's split). ``period_start`` is the first day of the month, quarter or year."""

    period_kind = models.CharField(_("period"), max_length=7, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    team = models.ForeignKey(
        "crm.Team", verbose_name=_("team"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="targets",
    )
    metric = models.ForeignKey(Metric, verbose_name=_("metric"), on_delete=models.PROTECT, related_name="targets")
    value = models.DecimalField(_("target"), max_digits=16, decimal_places=2)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    set_at = models.DateTimeField(_("set"), default=timezone.now)

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-period_start", "metric__position"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(condition=Q(value__gte=0), name="visits_target_not_negative"),
            models.CheckConstraint(
                condition=Q(period_kind__in=["month", "quarter", "year"]), name="visits_target_period_kind"
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True, account_manager__isnull=False)
                | Q(team__isnull=False, account_manager__isnull=True),
                name="visits_target_team_or_account_manager",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "metric", "team"],
                condition=Q(team__isnull=False),
                name="visits_target_one_per_team",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start", "metric", "account_manager"],
                condition=Q(account_manager__isnull=False),
                name="visits_target_one_per_account_manager",
            ),
        ]
        indexes = [models.Index(fields=["period_kind", "period_start"], name="visits_target_period")]

    def __str__(self) -> str:
        who = self.account_manager if self.account_manager_id else self.team
        return f"{who} · {self.metric} · {self.period_start:%Y-%m}: {self.value}"


class ActualFigureQuerySet(models.QuerySet):
    def visible_to(self, user) -> ActualFigureQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.MANAGER and user.team_id:
            return self.filter(account_manager__team_id=user.team_id)
        if user.role == Role.ACCOUNT_MANAGER:
            return self.filter(account_manager=user)
        return self.none()


class ActualFigure(models.Model):
    """One account manager's figure for one metric and month.

    Computed metrics are written set-based by ``visits.attainment.actuals_compute`` (``value``
    the sum or numerator, ``base`` the denominator of a ratio). Imported metrics are a monthly
    snapshot from another system; a re-import corrects the row and the old figure stays in its
    history (who, when, old → new)."""

    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.CASCADE,
        related_name="actual_figures",
    )
    metric = models.ForeignKey(Metric, verbose_name=_("metric"), on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    value = models.DecimalField(_("actual"), max_digits=18, decimal_places=4, default=Decimal("0"))
    base = models.DecimalField(_("base"), max_digits=18, decimal_places=4, null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    objects = ActualFigureQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "account_manager_id", "metric__position"]
        verbose_name = _("actual figure")
        verbose_name_plural = _("actual figures")
        constraints = [
            models.UniqueConstraint(fields=["account_manager", "metric", "month"], name="visits_actual_one_per_month"),
        ]
        indexes = [models.Index(fields=["month", "metric"], name="visits_actual_month_metric")]

    def __str__(self) -> str:
        return f"{self.account_manager_id} · {self.metric_id} · {self.month:%Y-%m}: {self.value}"
