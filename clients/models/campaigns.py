"""Campaigns per channel (MKT-1): who was in the target, who was held out, every contact attempt
and its response. Grown from the promotions of CLI-8 (migration 0011 kept every one)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet, planner_scope

MONEY = {"max_digits": 14, "decimal_places": 2}


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user) -> CampaignQuerySet:
        """Administrators see every campaign; a manager their team's and the company-wide ones;
        an account manager those whose target holds one of their clients."""
        from crm.roles import Role

        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN:
            return self
        if user.role == Role.MANAGER:
            return self.filter(planner_scope(user))
        if user.role != Role.ACCOUNT_MANAGER:
            return self.none()
        mine = CampaignMember.objects.filter(campaign=OuterRef("pk"), client__owner_id=user.pk)
        return self.filter(Exists(mine))

    def in_status(self, status: str, today=None) -> CampaignQuerySet:
        """Campaigns in ``status`` (draft, running, finished) on ``today``: computed, not stored."""
        today = today or timezone.localdate()
        if status == Campaign.Status.DRAFT:
            return self.filter(launched_at__isnull=True)
        if status == Campaign.Status.RUNNING:
            return self.filter(launched_at__isnull=False, ends_on__gte=today)
        return self.filter(launched_at__isnull=False, ends_on__lt=today)


class Campaign(models.Model):
    """A marketing campaign on one channel with a target segment, an offer and a budget."""

    class Channel(models.TextChoices):
        TRADITIONAL = "traditional", _("On-site (traditional)")
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WECHAT = "wechat", _("WeChat")
        EVENT = "event", _("Event")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    # Channels whose message goes to everyone in the target at launch; the others are contacted
    # one by one (a call, a visit, an invitation to an event) and reached when recorded.
    BROADCAST = (Channel.EMAIL, Channel.SMS, Channel.WECHAT)
    # Channels an account manager works through personally: they show in the visit plans.
    PERSONAL = (Channel.TRADITIONAL, Channel.PHONE)

    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, default=Channel.TRADITIONAL)
    offer = models.TextField(_("offer"))
    product = models.ForeignKey(
        "clients.Product",
        verbose_name=_("product"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("ends"))
    budget = models.DecimalField(_("budget"), **MONEY, default=0, validators=[MinValueValidator(0)])
    actual_cost = models.DecimalField(_("actual cost"), **MONEY, default=0, validators=[MinValueValidator(0)])
    attribution_days = models.PositiveSmallIntegerField(
        _("attribution window (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("An order counts for the campaign when placed within this many days after the client was reached."),
    )
    holdout_percent = models.PositiveSmallIntegerField(
        _("hold-out share (%)"),
        default=0,
        validators=[MaxValueValidator(50)],
        help_text=_("Share of the segment kept out at random at launch, to measure the effect against."),
    )
    segment = models.JSONField(_("target segment"), default=dict, blank=True)
    # The planning manager's team; empty for a company-wide campaign an administrator made.
    team = models.ForeignKey(
        "crm.Team", verbose_name=_("team"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    launched_at = models.DateTimeField(_("launched"), null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("launched by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = CampaignQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="clients_campaign_dates_ordered"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="clients_campaign_budget_not_negative"),
            models.CheckConstraint(condition=Q(actual_cost__gte=0), name="clients_campaign_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(attribution_days__gte=1, attribution_days__lte=365), name="clients_campaign_window_range"
            ),
            models.CheckConstraint(condition=Q(holdout_percent__lte=50), name="clients_campaign_holdout_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    def status_on(self, today) -> str:
        if self.launched_at is None:
            return self.Status.DRAFT
        return self.Status.FINISHED if self.ends_on < today else self.Status.RUNNING

    @property
    def status(self) -> str:
        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return str(self.Status(self.status).label)

    @property
    def is_broadcast(self) -> bool:
        return self.channel in self.BROADCAST


class Response(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    ORDERED = "ordered", _("Ordered")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")
    OPT_OUT = "opt_out", _("Asked not to be contacted")


# Responses that count as a response to the offer (the response rate's numerator). A client
# who declined or asked not to be contacted was reached but did not respond.
RESPONDED = (Response.INTERESTED, Response.ORDERED)


class CampaignMemberQuerySet(ClientOwnedQuerySet):
    def figures(self) -> dict[str, int]:
        """The list's figures as one row of counts (one query): targeted, held out, contacted,
        reached and responded."""
        return self.aggregate(**_FIGURES)

    def figures_by_campaign(self, campaign_ids: list[int]) -> dict[int, dict[str, int]]:
        """The same figures for each of ``campaign_ids`` (one grouped query), zeros where none."""
        rows = self.filter(campaign_id__in=campaign_ids).values("campaign_id").annotate(**_FIGURES).order_by()
        found = {row.pop("campaign_id"): row for row in rows} if campaign_ids else {}
        empty = dict.fromkeys(_FIGURES, 0)
        return {pk: found.get(pk, empty) for pk in campaign_ids}


class CampaignMember(models.Model):
    """A client of a campaign's frozen list, in its target or in its hold-out group (once each)."""

    class Group(models.TextChoices):
        TARGET = "target", _("Target")
        HOLDOUT = "holdout", _("Hold-out")

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="members")
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    group = models.CharField(_("group"), max_length=10, choices=Group.choices, default=Group.TARGET)
    # The client's account manager and territory at launch: the evaluation groups by them, and
    # a later transfer of the client does not move past results to someone else.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    territory = models.ForeignKey(
        "crm.Territory", verbose_name=_("territory"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("added by"), on_delete=models.PROTECT, related_name="+"
    )
    # First time the offer reached the client (a broadcast at launch, or the first answered contact).
    reached_at = models.DateTimeField(_("reached"), null=True, blank=True)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices, blank=True)
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("contact attempts"), default=0)

    objects = CampaignMemberQuerySet.as_manager()

    class Meta:
        ordering = ["campaign", "client__name", "pk"]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "client"], name="clients_campaign_member_once"),
            models.CheckConstraint(condition=Q(group__in=["target", "holdout"]), name="clients_campaign_group_valid"),
            # The hold-out group is never contacted: that is what makes it a comparison.
            models.CheckConstraint(
                condition=Q(group="target") | Q(reached_at__isnull=True, response="", attempts=0),
                name="clients_campaign_holdout_untouched",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "group", "owner"], name="clients_campaign_member_group")]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.client}"


class CampaignContact(models.Model):
    """One contact attempt of a campaign member and what came of it (append-only)."""

    member = models.ForeignKey(
        CampaignMember, verbose_name=_("campaign member"), on_delete=models.CASCADE, related_name="contacts"
    )
    method = models.CharField(_("how"), max_length=20, choices=Campaign.Channel.choices)
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("campaign contact")
        verbose_name_plural = _("campaign contacts")

    def __str__(self) -> str:
        return f"{self.member}: {self.get_response_display()}"


_TARGET = Q(group=CampaignMember.Group.TARGET)
_FIGURES = {
    "targeted": models.Count("pk", filter=_TARGET),
    "held_out": models.Count("pk", filter=Q(group=CampaignMember.Group.HOLDOUT)),
    "contacted": models.Count("pk", filter=_TARGET & Q(attempts__gt=0)),
    "reached": models.Count("pk", filter=_TARGET & Q(reached_at__isnull=False)),
    "responded": models.Count("pk", filter=_TARGET & Q(response__in=RESPONDED)),
}
