"""Repair orders from the front desk to the signed slip and the month-end figures (REP-1…8)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.roles import Role


class Category(models.TextChoices):
    ELECTRICAL = "electrical", _("Electrical")
    PLUMBING = "plumbing", _("Plumbing")
    LOCKS = "locks", _("Locks and doors")
    HVAC = "hvac", _("Heating and air conditioning")
    CARPENTRY = "carpentry", _("Carpentry and fittings")
    OTHER = "other", _("Other")


class RepairSettings(models.Model):
    """The time rules an admin can change (REP-2, REP-7). One row."""

    arrival_tolerance_minutes = models.PositiveSmallIntegerField(
        _("arrival tolerance (minutes)"), default=10, validators=[MaxValueValidator(240)]
    )
    callback_share_percent = models.PositiveSmallIntegerField(
        _("callback sample (percent of completed orders)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    slip_one_copy_per_page = models.BooleanField(
        _("print one copy of the slip per page"),
        default=False,
        help_text=_("Off: the three copies share one A4 page, to be cut apart (REP-6)."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("repair settings")
        verbose_name_plural = _("repair settings")

    def __str__(self) -> str:
        return str(_("Repair settings"))

    @classmethod
    def current(cls) -> RepairSettings:
        return cls.objects.get_or_create(pk=1)[0]


class Technician(models.Model):
    """A technician (维修人员) with specialties and a home building for "quickest arrival" (REP-3)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="technician")
    specialties = models.JSONField(_("specialties"), default=list, help_text=_("Repair categories this person does."))
    base_building = models.ForeignKey(
        "archives.Building", verbose_name=_("based in"), on_delete=models.SET_NULL, null=True, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["user__first_name", "user__username"]
        verbose_name = _("technician")
        verbose_name_plural = _("technicians")

    def __str__(self) -> str:
        return str(self.user)

    def get_specialties_display(self) -> str:
        labels = dict(Category.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.specialties)


class FeeScheduleQuerySet(models.QuerySet):
    def published(self) -> FeeScheduleQuerySet:
        return self.filter(state=FeeSchedule.State.PUBLISHED)

    def in_force(self, on: date | None = None) -> FeeSchedule | None:
        """The published schedule in force on ``on`` (today if None): the latest effective date not after it."""
        on = on or timezone.localdate()
        return self.published().filter(effective_from__lte=on).order_by("-effective_from").first()


class FeeSchedule(models.Model):
    """One edition of the paid-service fee schedule (有偿服务收费标准, REP-5). Finance drafts the next
    edition (a copy of the one in force), edits its items and publishes it with an effective date;
    a published edition is never edited again, so the prices it quoted stay readable."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted"), default=timezone.now)

    objects = FeeScheduleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = [models.F("effective_from").desc(nulls_first=True), "-pk"]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        constraints = [
            # One draft at a time: finance edits "the next schedule", not several competing ones.
            models.UniqueConstraint(fields=["state"], condition=Q(state="draft"), name="repairs_fee_one_draft"),
            # One edition per effective date, so "the schedule in force on a day" is never ambiguous.
            models.UniqueConstraint(
                fields=["effective_from"], condition=Q(state="published"), name="repairs_fee_one_per_date"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | (Q(effective_from__isnull=False) & Q(published_at__isnull=False)),
                name="repairs_fee_published_dated",
            ),
        ]

    def __str__(self) -> str:
        if self.state == self.State.DRAFT:
            return str(_("Draft fee schedule"))
        return str(_("Fee schedule from %(date)s") % {"date": f"{self.effective_from:%Y-%m-%d}"})

    def get_absolute_url(self) -> str:
        return reverse("repairs:fee_schedule", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT


class FeeItemQuerySet(models.QuerySet):
    def in_effect(self, on: date | None = None) -> FeeItemQuerySet:
        """The items of the schedule in force on ``on`` (today if None), none before the first one."""
        on = on or timezone.localdate()
        in_force = (
            FeeSchedule.objects.published().filter(effective_from__lte=on).order_by("-effective_from").values("pk")[:1]
        )
        return self.filter(schedule__in=in_force, active=True)


class FeeItem(models.Model):
    """An item of one fee schedule edition (有偿服务收费标准, REP-5). Its code is stable across
    editions; its price is that edition's."""

    class Kind(models.TextChoices):
        LABOUR = "labour", _("Labour")
        MATERIAL = "material", _("Material")

    schedule = models.ForeignKey(
        FeeSchedule, verbose_name=_("fee schedule"), on_delete=models.PROTECT, related_name="items"
    )
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="次")
    price = models.DecimalField(_("price"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)])
    usual_quantity = models.DecimalField(
        _("usual quantity"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
        help_text=_("Above 0: a quote for this item's category starts with this line and quantity."),
    )
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = FeeItemQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("fee item")
        verbose_name_plural = _("fee items")
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="repairs_fee_price_positive"),
            models.CheckConstraint(condition=Q(usual_quantity__gte=0), name="repairs_fee_usual_quantity_positive"),
            models.UniqueConstraint(fields=["schedule", "code"], name="repairs_fee_code_per_schedule"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.price}/{self.unit})"


class RepairOrderQuerySet(models.QuerySet):
    def visible_to(self, user) -> RepairOrderQuerySet:
        """Front desk and the supervisor see all orders, a technician their own, finance the
        completed ones, account managers those of their clients (issue 4 rules)."""
        if not user.is_authenticated:
            return self.none()
        if user.role in (Role.ADMIN, Role.FRONT_DESK, Role.ENGINEERING_SUPERVISOR):
            return self
        if user.role == Role.TECHNICIAN:
            return self.filter(technician__user=user)
        if user.role == Role.FINANCE:
            return self.filter(status__in=RepairOrder.DONE_STATUSES)
        if user.role == Role.ACCOUNT_MANAGER:
            return self.filter(client__owner=user)
        if user.role == Role.MANAGER and user.team_id:
            return self.filter(client__owner__team_id=user.team_id)
        return self.none()

    def open(self) -> RepairOrderQuerySet:
        return self.exclude(status__in=[*RepairOrder.DONE_STATUSES, RepairOrder.Status.CANCELLED])

    def paid(self) -> RepairOrderQuerySet:
        return self.filter(total__gt=0)


class RepairOrder(models.Model):
    """A repair order (维修单). Its status changes only through repairs.workflow."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        ASSIGNED = "assigned", _("Assigned")
        ARRIVED = "arrived", _("Technician on site")
        QUOTED = "quoted", _("Fee quoted")
        IN_PROGRESS = "in_progress", _("Client agreed, work in progress")
        COMPLETED = "completed", _("Completed and signed")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        WRITTEN = "written", _("Written form")
        PHONE = "phone", _("Phone")
        WALK_IN = "walk_in", _("Walk-in")
        VERBAL = "verbal", _("Verbal")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal")
        URGENT = "urgent", _("Urgent")
        EMERGENCY = "emergency", _("Emergency")

    class BillingStatus(models.TextChoices):
        TO_BILL = "to_bill", _("To bill")
        BILLED = "billed", _("Billed")
        PAID = "paid", _("Paid")
        WAIVED = "waived", _("Waived")

    DONE_STATUSES = (Status.COMPLETED, Status.CLOSED)

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    unit = models.ForeignKey(
        "archives.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="repair_orders"
    )
    client = models.ForeignKey(
        "clients.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repair_orders",
    )
    complaint = models.ForeignKey(
        "clients.Complaint",
        verbose_name=_("from complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repair_orders",
        help_text=_("A complaint can lead to a repair order (CLI-6)."),
    )
    contact_name = models.CharField(_("contact"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=30)
    channel = models.CharField(_("received via"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    description = models.TextField(_("description"))
    appointment_at = models.DateTimeField(_("appointment"))
    rescheduled_at = models.DateTimeField(
        _("new agreed time"), null=True, blank=True, help_text=_("A later time the client agreed to (REP-2).")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    technician = models.ForeignKey(
        Technician,
        verbose_name=_("technician"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, help_text=_("Arrived within the tolerance (REP-2)."))
    consented_at = models.DateTimeField(_("client agreed"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    work_notes = models.TextField(_("work done"), blank=True)
    damage = models.TextField(_("damage caused"), blank=True)
    compensation = models.DecimalField(
        _("compensation"), max_digits=10, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    total = models.DecimalField(_("fees total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    signature = models.TextField(_("client signature"), blank=True, help_text=_("An SVG path drawn on the screen."))
    signed_by = models.CharField(_("signed by"), max_length=100, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # The job on site (issue 13): moving the client's indoor furniture needs their consent first,
    # recorded with the fees' consent; every signature given is kept in RepairSignature.
    furniture_moved = models.BooleanField(_("indoor furniture to be moved"), default=False)
    furniture_consent_by = models.CharField(_("furniture moving agreed by"), max_length=100, blank=True)
    furniture_consent_at = models.DateTimeField(_("furniture moving agreed"), null=True, blank=True)
    # Finance and month-end (issue 13). The first completion keeps the job in the figures of its
    # month; completing it again after a reopening counts a rework, not a second job (REP-7).
    first_completed_at = models.DateTimeField(_("first completed"), null=True, blank=True)
    rework_count = models.PositiveSmallIntegerField(_("reworks"), default=0)
    # The finance copy (经前台交财务部联, REP-6) handed over to finance, and the billing it leads to.
    finance_copy_received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("finance copy received by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    finance_copy_received_at = models.DateTimeField(_("finance copy received"), null=True, blank=True)
    billing_status = models.CharField(
        _("billing"), max_length=10, choices=BillingStatus.choices, default=BillingStatus.TO_BILL
    )
    billing_reason = models.CharField(_("reason for waiving"), max_length=300, blank=True)
    billing_changed_at = models.DateTimeField(_("billing changed"), null=True, blank=True)
    # Bumped by every workflow step: a step names the version its user saw, so of two people
    # acting on the same page exactly one wins (a reassignment cannot silently replace another).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("logged"), default=timezone.now, db_index=True)

    objects = RepairOrderQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["signature"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("repair order")
        verbose_name_plural = _("repair orders")
        indexes = [
            models.Index(fields=["status", "-created_at"], name="repairs_order_status"),
            models.Index(fields=["technician", "status"], name="repairs_order_technician"),
            models.Index(fields=["completed_at"], name="repairs_order_completed"),
            models.Index(fields=["first_completed_at"], name="repairs_order_first_completed"),
            models.Index(fields=["billing_status", "first_completed_at"], name="repairs_order_billing"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["new", "cancelled"]) | Q(technician__isnull=False),
                name="repairs_order_assigned_has_technician",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["in_progress", "completed", "closed"]) | Q(consented_at__isnull=False),
                name="repairs_order_work_needs_consent",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "closed"]) | ~Q(signature=""),
                name="repairs_order_completion_is_signed",
            ),
            models.CheckConstraint(condition=Q(compensation__gte=0), name="repairs_order_compensation_positive"),
            models.CheckConstraint(
                condition=Q(furniture_moved=False)
                | (~Q(furniture_consent_by="") & Q(furniture_consent_at__isnull=False)),
                name="repairs_order_furniture_needs_consent",
            ),
            models.CheckConstraint(
                condition=~Q(billing_status="waived") | ~Q(billing_reason=""), name="repairs_order_waiver_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("repairs:detail", args=[self.pk])

    @property
    def due_at(self):
        """The time the technician must arrive by, before the tolerance (REP-2)."""
        return self.rescheduled_at or self.appointment_at

    @property
    def lines_total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0"))


class RepairLine(models.Model):
    """A fee line: labour or material from the fee schedule, with quantity (REP-4, REP-5)."""

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="lines")
    fee_item = models.ForeignKey(FeeItem, verbose_name=_("fee item"), on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("description"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=FeeItem.Kind.choices)
    quantity = models.DecimalField(
        _("quantity"), max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(_("unit price"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("fee line")
        verbose_name_plural = _("fee lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="repairs_line_quantity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class RepairEvent(models.Model):
    """One step in an order's history: who, when, what (REP-1…8, X-2)."""

    class Action(models.TextChoices):
        LOGGED = "logged", _("Logged")
        ASSIGN = "assign", _("Assign")
        RESCHEDULE = "reschedule", _("New agreed time")
        ARRIVE = "arrive", _("Arrived")
        QUOTE = "quote", _("Quote fees")
        CONSENT = "consent", _("Client agrees")
        COMPLETE = "complete", _("Complete and sign")
        CLOSE = "close", _("Close")
        REOPEN = "reopen", _("Reopen")
        CANCEL = "cancel", _("Cancel")

    order = models.ForeignKey(RepairOrder, on_delete=models.CASCADE, related_name="events")
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
        verbose_name = _("repair event")
        verbose_name_plural = _("repair events")

    def __str__(self) -> str:
        return f"{self.order} {self.action}"


class SignatureChangeError(Exception):
    """Raised when code tries to change or remove a given signature: they are kept as given."""


class AppendOnlySignatureQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise SignatureChangeError(_("A signature is never changed."))

    def delete(self):
        raise SignatureChangeError(_("A signature is never deleted."))

    def _update(self, values):
        raise SignatureChangeError(_("A signature is never changed."))

    def latest_by_signer(self) -> dict[str, RepairSignature]:
        """The last signature of each signer (client, technician): the ones a slip shows."""
        return {signature.signer: signature for signature in self.order_by("signed_at", "pk")}


class RepairSignature(models.Model):
    """A signature given on an order (REP-5): the client's acceptance, the technician's own
    (维修人签名). Append-only: a completion after a reopen adds rows, the first ones stay."""

    class Signer(models.TextChoices):
        CLIENT = "client", _("Client")
        TECHNICIAN = "technician", _("Technician")

    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="signatures")
    event = models.ForeignKey(
        RepairEvent, verbose_name=_("step"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer = models.CharField(_("signed as"), max_length=20, choices=Signer.choices)
    signer_name = models.CharField(_("signer"), max_length=100)
    path = models.TextField(_("signature"), help_text=_("An SVG path drawn on the screen."))
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = AppendOnlySignatureQuerySet.as_manager()

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        indexes = [models.Index(fields=["order", "signed_at"], name="repairs_signature_order")]
        constraints = [models.CheckConstraint(condition=~Q(path=""), name="repairs_signature_not_empty")]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_signer_display()} · {self.signer_name}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding or kwargs.get("update_fields"):
            raise SignatureChangeError(_("A signature is never changed."))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise SignatureChangeError(_("A signature is never deleted."))


class RepairSlipFiling(models.Model):
    """The slip's PDF filed in the unit's archive for one completion (its COMPLETE event): the
    unique event makes filing idempotent, a re-completion after a reopen files a new one."""

    event = models.OneToOneField(RepairEvent, on_delete=models.PROTECT, related_name="slip_filing")
    order = models.ForeignKey(RepairOrder, on_delete=models.PROTECT, related_name="slip_filings")
    document = models.OneToOneField("archives.Document", on_delete=models.PROTECT, related_name="+")
    filed_at = models.DateTimeField(_("filed"), default=timezone.now)

    class Meta:
        ordering = ["filed_at", "pk"]
        verbose_name = _("filed slip")
        verbose_name_plural = _("filed slips")

    def __str__(self) -> str:
        return f"{self.order} · {self.document}"


class Callback(models.Model):
    """A spot-check callback (抽查回访) of a completed order picked for the month's sample (REP-7)."""

    class Result(models.TextChoices):
        PENDING = "pending", _("Not called yet")
        SATISFIED = "satisfied", _("Satisfied")
        UNSATISFIED = "unsatisfied", _("Not satisfied")
        UNREACHABLE = "unreachable", _("Could not reach")

    order = models.OneToOneField(RepairOrder, on_delete=models.CASCADE, related_name="callback")
    month = models.DateField(_("month"))
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.PENDING)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["month", "order"]
        # The month's sample in order: the stats page reads one page of it with a nested loop.
        indexes = [models.Index(fields=["month", "order"], name="repairs_callback_month_order")]
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")

    def __str__(self) -> str:
        return f"{self.order} · {self.get_result_display()}"


class MonthlyReport(models.Model):
    """The month's statistics (REP-7); one row per month, recomputed in place."""

    month = models.DateField(_("month"), unique=True)
    figures = models.JSONField(_("figures"), default=dict)
    generated_at = models.DateTimeField(_("generated"), default=timezone.now)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly repair report")
        verbose_name_plural = _("monthly repair reports")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlySignOff(models.Model):
    """The engineering supervisor's sign-off of a month's statistics (REP-7, X-2): who, when, and
    the figures as they were signed. Later callbacks change the report, never this snapshot."""

    month = models.DateField(_("month"), unique=True)
    figures = models.JSONField(_("figures as signed"), default=dict)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("signed by"), on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(_("signed"), default=timezone.now)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("monthly sign-off")
        verbose_name_plural = _("monthly sign-offs")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} · {self.signed_by}"
