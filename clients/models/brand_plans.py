"""Brand cultivation plans (品牌培育, MKT-4): which clients a brand is to reach, and month by month
how many of them should be buying it and for how much. Progress is measured from the ledger
(grading.brand_progress), never stored here."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet
from crm.roles import Role


def plan_scope(user, prefix: str = "") -> Q | None:
    """The Q of the plans ``user`` may read; None means all. A plan is its team's: the team's
    manager and account managers read it (each sees only the target clients of their own
    scope, ``BrandPlanTarget.objects.visible_to``), administrators every plan."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.role == Role.ADMIN:
        return None
    if user.role in (Role.MANAGER, Role.ACCOUNT_MANAGER) and user.team_id is not None:
        return Q(**{f"{prefix}team_id": user.team_id})
    return Q(pk__in=[])


class BrandPlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> BrandPlanQuerySet:
        scope = plan_scope(user)
        return self if scope is None else self.filter(scope)

    def running(self, month: date) -> BrandPlanQuerySet:
        return self.filter(start_month__lte=month, end_month__gte=month)


class MilestoneQuerySet(models.QuerySet):
    def visible_to(self, user) -> MilestoneQuerySet:
        scope = plan_scope(user, "plan__")
        return self if scope is None else self.filter(scope)


class BrandPlan(models.Model):
    brand = models.ForeignKey("clients.Brand", verbose_name=_("brand"), on_delete=models.PROTECT, related_name="plans")
    name = models.CharField(_("name"), max_length=200)
    team = models.ForeignKey("crm.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="brand_plans")
    # First days of the months: the plan runs from the start month to the end of the end month.
    start_month = models.DateField(_("first month"))
    end_month = models.DateField(_("last month"))
    # The client-list filters the targets were chosen with (clients.segments), for the record.
    segment = models.JSONField(_("segment"), default=dict, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = BrandPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-start_month", "name", "pk"]
        verbose_name = _("brand plan")
        verbose_name_plural = _("brand plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_month__gte=F("start_month")), name="clients_brandplan_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("brands:plan", args=[self.pk])


class BrandPlanTarget(models.Model):
    """A client the plan is to win for the brand (an outlet, a distribution point)."""

    plan = models.ForeignKey(BrandPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets")
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="brand_plan_targets"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["client__name", "pk"]
        verbose_name = _("brand plan target")
        verbose_name_plural = _("brand plan targets")
        constraints = [models.UniqueConstraint(fields=["plan", "client"], name="clients_brandplantarget_once")]

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.client_id}"


class BrandPlanMilestone(models.Model):
    """What the plan should have reached by a month: distribution points (target clients that
    have bought any of the brand's products since the plan started, cumulative) and the month's
    sales to target clients."""

    plan = models.ForeignKey(BrandPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="milestones")
    month = models.DateField(_("month"))
    distribution_points = models.IntegerField(
        _("distribution points"),
        validators=[MinValueValidator(0, message=_("Enter zero or a positive number."))],
        help_text=_("Target clients buying the brand by the end of this month, counted from the first month."),
    )
    sales_amount = models.DecimalField(
        _("sales target"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0, message=_("Enter zero or a positive amount."))],
        help_text=_("Sales of the brand to target clients in this month."),
    )

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "month"]
        verbose_name = _("brand plan milestone")
        verbose_name_plural = _("brand plan milestones")
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="clients_brandplanmilestone_once_a_month"),
            models.CheckConstraint(
                condition=Q(distribution_points__gte=0), name="clients_brandplanmilestone_points_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(sales_amount__gte=0), name="clients_brandplanmilestone_sales_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.month:%Y-%m}"
