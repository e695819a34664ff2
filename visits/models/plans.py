"""Monthly plans and the visits in them (VIS-1, VIS-2, VIS-4, VIS-5)."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from clients.models.querysets import client_scope
from crm.roles import Role


class TeamMonth(models.Model):
    """A manager's monthly plan for the team (月计划): the month opened, its focus, when generated."""

    team = models.ForeignKey("crm.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    focus_territories = models.ManyToManyField(
        "crm.Territory", verbose_name=_("focus territories"), blank=True, related_name="+"
    )
    focus_product = models.CharField(_("product or campaign to push"), max_length=200, blank=True)
    min_coverage = models.PositiveSmallIntegerField(
        _("minimum coverage (%)"), null=True, blank=True, help_text=_("Share of active clients to contact.")
    )
    policy = models.ForeignKey(
        "visits.VisitPolicy", verbose_name=_("policy"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "team__name"]
        verbose_name = _("team month plan")
        verbose_name_plural = _("team month plans")
        constraints = [
            models.UniqueConstraint(fields=["team", "month"], name="visits_one_team_month"),
            models.CheckConstraint(condition=Q(min_coverage__lte=100), name="visits_min_coverage_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.month:%Y-%m}"


class MonthPlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> MonthPlanQuerySet:
        # A plan has an owner as a client has: the same gate (own; the team's; all).
        scope = client_scope(user)
        return self if scope is None else self.filter(scope)


class MonthPlan(models.Model):
    """One account manager's plan for one month: drafted by generation, adjusted, submitted,
    approved or returned by the manager (月计划审批). Weeks are its ISO weeks (周计划)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", pgettext_lazy("plan status", "Returned")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account manager"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("month"))
    team_month = models.ForeignKey(
        TeamMonth, verbose_name=_("team plan"), on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField(_("version"), default=0)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("manager's comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = MonthPlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-month", "owner__username"]
        verbose_name = _("monthly plan")
        verbose_name_plural = _("monthly plans")
        constraints = [
            models.UniqueConstraint(fields=["owner", "month"], name="visits_one_plan_per_owner_month"),
        ]
        indexes = [models.Index(fields=["month", "status"], name="visits_plan_month_status")]

    def __str__(self) -> str:
        return f"{self.owner} {self.month:%Y-%m}"

    def get_absolute_url(self) -> str:
        return reverse("visits:plan", args=[self.pk])

    @property
    def editable(self) -> bool:
        """The account manager may still change it (before approval, or after it was returned)."""
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def decision_refusal(self, user) -> str | None:
        """Why ``user`` may not approve or return this plan, or None: an administrator, or a
        manager of the account manager's team. The one place of the rule: the page offers the
        buttons by it and the service refuses by it."""
        if user.role == Role.ADMIN:
            return None
        if user.role != Role.MANAGER or user.team_id is None or user.team_id != self.owner.team_id:
            return _("Only a manager of the account manager's team may decide on the plan.")
        return None

    def decidable_by(self, user) -> bool:
        return self.status == self.Status.SUBMITTED and self.decision_refusal(user) is None

    @property
    def month_end(self) -> date:
        from visits.calendar import month_end

        return month_end(self.month)


class VisitQuerySet(models.QuerySet):
    def visible_to(self, user) -> VisitQuerySet:
        scope = client_scope(user, "client__")
        return self if scope is None else self.filter(scope)

    def planned(self) -> VisitQuerySet:
        return self.filter(status=Visit.Status.PLANNED)

    def overdue(self, today: date | None = None) -> VisitQuerySet:
        return self.filter(status=Visit.Status.PLANNED, planned_for__lt=today or timezone.localdate())


class Visit(models.Model):
    """A planned or done on-site visit or phone follow-up of one client.

    Planned items come from the plan (by cadence, rotation or a booked next contact) or are
    added by hand; an unplanned visit is logged directly and counted as unplanned. ``original_date``
    is the day the approved plan gave it, against which compliance is measured when it moves."""

    class Kind(models.TextChoices):
        ONSITE = "onsite", _("On-site visit")
        PHONE = "phone", _("Phone follow-up")

    class Source(models.TextChoices):
        CADENCE = "cadence", _("Cadence")
        ROTATION = "rotation", _("Rotation")
        BOOKED = "booked", _("Booked next contact")
        ADDED = "added", _("Added by hand")
        UNPLANNED = "unplanned", _("Unplanned")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("visit status", "Planned")
        DONE = "done", pgettext_lazy("visit status", "Done")
        CANCELLED = "cancelled", _("Removed")

    # The composite indexes below lead with plan, owner and client: single-column indexes on them
    # would only slow down writing a month of plans (issue 10's benchmark).
    plan = models.ForeignKey(
        MonthPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="visits",
        db_index=False,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="visits", db_index=False
    )
    territory = models.ForeignKey(
        "crm.Territory",
        verbose_name=_("territory"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ONSITE)
    source = models.CharField(_("why"), max_length=10, choices=Source.choices, default=Source.CADENCE)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    planned_for = models.DateField(_("planned for"), null=True, blank=True)
    original_date = models.DateField(_("date in the plan"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    interaction = models.OneToOneField(
        "clients.Interaction",
        verbose_name=_("logged contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="visit",
    )
    note = models.CharField(_("reason"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["planned_for", "territory_id", "pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="planned") | Q(planned_for__isnull=False), name="visits_planned_has_date"
            ),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False), name="visits_done_has_day"),
            models.CheckConstraint(
                condition=~Q(source="unplanned") | Q(status="done"), name="visits_unplanned_is_done"
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status", "planned_for"], name="visits_owner_status_day"),
            models.Index(fields=["plan", "planned_for"], name="visits_plan_day"),
            models.Index(fields=["client", "done_on"], name="visits_client_done"),
            models.Index(fields=["done_on"], name="visits_done_on"),
            # The item's day in the approved plan: the coverage page's compliance reads a period of it.
            models.Index(Coalesce("original_date", "planned_for"), name="visits_day_in_plan"),
        ]

    def __str__(self) -> str:
        day = self.done_on or self.planned_for
        return f"{self.get_kind_display()} {self.client_id} {day}"

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PLANNED and self.planned_for < timezone.localdate()
