"""The sales ledger, the grading policy, grading runs and client scores (GRD-1…7)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import F, Q
from django.db.models.functions import Trim, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet, client_scope
from crm.models import DecidedRequest
from crm.roles import Role


def validate_positive(value: Decimal) -> None:
    """Greater than zero (a quantity of nothing is no order line)."""
    if value is not None and value <= 0:
        raise ValidationError(_("Enter a number greater than zero."), code="min_value")


NOT_NEGATIVE = MinValueValidator(0, message=_("Enter zero or a positive amount."))


class SalesOrder(models.Model):
    """One order line of the ERP ledger: what a client bought, for how much, at what margin.

    A cancelled or refunded line stays in the ledger (the key account's history shows it) but
    counts in no total: neither the grades' volume and profit nor the service page's months."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("Booked")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="sales_orders"
    )
    ordered_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[NOT_NEGATIVE])
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=2, default=Decimal("1"), validators=[validate_positive]
    )
    product = models.CharField(_("product or product line"), max_length=100, blank=True)
    # db_default too: the ERP loads and the volume data insert rows with raw SQL, without a status
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.BOOKED, db_default=Status.BOOKED
    )
    margin = models.DecimalField(
        _("profit margin"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(-1), MaxValueValidator(1)],
        help_text=_("0.12 for 12 %"),
    )

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-ordered_on", "-pk"]
        verbose_name = _("sales order")
        verbose_name_plural = _("sales orders")
        indexes = [
            models.Index(fields=["ordered_on", "client"], name="grading_order_date_client"),
            # Booked orders of a date range with what their sums need, read from the index alone:
            # a campaign's evaluation joins its 20,000 clients to them without touching the table.
            models.Index(
                fields=["ordered_on", "client"],
                include=["amount", "product"],
                condition=Q(status="booked"),
                name="grading_order_booked_date",
            ),
            # A brand's booked orders (grading.brand_progress), by the product code as the catalogue
            # keeps it. PostgreSQL answers from the index alone: it holds what the query reads
            # (the raw product too: the planner does not see an expression as covering its column).
            models.Index(
                Upper(Trim("product")),
                F("ordered_on"),
                name="grading_order_product_date",
                include=["client", "amount", "product"],
                condition=Q(status="booked"),
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="grading_order_amount_positive"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="grading_order_quantity_positive"),
            models.CheckConstraint(condition=Q(margin__gte=-1, margin__lte=1), name="grading_order_margin_range"),
            models.CheckConstraint(
                condition=Q(status__in=["booked", "cancelled", "refunded"]), name="grading_order_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.ordered_on} {self.amount}"

    @property
    def number(self) -> str:
        """How pages, imports and exports name the line: the ERP export has no order number."""
        return f"#{self.pk}"

    @property
    def counts(self) -> bool:
        return self.status == self.Status.BOOKED


class Receivable(models.Model):
    """An invoice to be paid: when it was due, when it was paid, and why it was late (GRD-1)."""

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="receivables"
    )
    invoice = models.CharField(_("invoice number"), max_length=50, unique=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, validators=[NOT_NEGATIVE])
    due_on = models.DateField(_("due date"))
    paid_on = models.DateField(_("paid date"), null=True, blank=True)
    delay_reason = models.CharField(_("reason for delay"), max_length=200, blank=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-due_on", "-pk"]
        verbose_name = _("receivable")
        verbose_name_plural = _("receivables")
        indexes = [models.Index(fields=["due_on", "client"], name="grading_receivable_due_client")]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="grading_receivable_amount_positive")]

    def __str__(self) -> str:
        return self.invoice

    def clean(self) -> None:
        # Not a CHECK: the database cannot compare with "today" once and for all. Forms, the
        # admin and imports all reach it through full_clean().
        if self.paid_on and self.paid_on > timezone.localdate():
            raise ValidationError({"paid_on": _("A payment cannot be in the future.")})

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class LedgerCorrectionQuerySet(models.QuerySet):
    def visible_to(self, user) -> LedgerCorrectionQuerySet:
        """Account managers see the requests they made; managers those of their team's clients
        (their own included); administrators all."""
        if user.is_authenticated and user.role == Role.ACCOUNT_MANAGER:
            return self.filter(requested_by=user)
        scope = client_scope(user, "client__")
        return self if scope is None else self.filter(scope)

    def pending(self) -> LedgerCorrectionQuerySet:
        return self.filter(status=LedgerCorrection.Status.PENDING)


class LedgerCorrection(DecidedRequest):
    """A change of a recorded ledger row, asked for and decided by two different people
    (issue 9, GRD-1). A client's account manager cannot rewrite a late payment as on time (their
    grade and discount would rise); they ask, and a manager who neither asked nor owns the client
    approves or refuses. Approving applies the change and writes it to the row's history."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    # The fields a correction may change, per kind of ledger row.
    RECEIVABLE_FIELDS = ("paid_on", "delay_reason", "due_on", "amount")
    ORDER_FIELDS = ("ordered_on", "amount", "quantity", "product", "margin", "status")

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.PROTECT, related_name="ledger_corrections"
    )
    receivable = models.ForeignKey(
        Receivable,
        verbose_name=_("receivable"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    sales_order = models.ForeignKey(
        SalesOrder,
        verbose_name=_("sales order"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    field = models.CharField(_("field"), max_length=30)
    old_value = models.CharField(_("recorded value"), max_length=200, blank=True)
    new_value = models.CharField(_("correct value"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)

    objects = LedgerCorrectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("ledger correction")
        verbose_name_plural = _("ledger corrections")
        indexes = [models.Index(fields=["status", "-requested_at"], name="grading_correction_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(receivable__isnull=False, sales_order__isnull=True)
                | Q(receivable__isnull=True, sales_order__isnull=False),
                name="grading_correction_one_target",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "approved", "refused"]), name="grading_correction_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="pending", decided_at__isnull=True)
                | (~Q(status="pending") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="grading_correction_decided_with_who_and_when",
            ),
            # One open question per field of a row: two pending answers could not both apply.
            models.UniqueConstraint(
                fields=["receivable", "field"],
                condition=Q(status="pending"),
                name="grading_correction_one_pending_per_receivable_field",
            ),
            models.UniqueConstraint(
                fields=["sales_order", "field"],
                condition=Q(status="pending"),
                name="grading_correction_one_pending_per_order_field",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} · {self.field}: {self.old_value} → {self.new_value}"

    @classmethod
    def fields_for(cls, record: Receivable | SalesOrder) -> tuple[str, ...]:
        return cls.RECEIVABLE_FIELDS if isinstance(record, Receivable) else cls.ORDER_FIELDS

    @property
    def target(self) -> Receivable | SalesOrder:
        return self.receivable if self.receivable_id else self.sales_order

    @property
    def field_label(self) -> str:
        return str(type(self.target)._meta.get_field(self.field).verbose_name)

    def decision_refusal(self, user) -> str | None:
        """Why ``user`` may not decide, or None: a manager (or administrator) who neither asked
        nor owns the client decides. The one place of the rule: pages offer the buttons by it and
        the service refuses by it."""
        if user.role not in (Role.MANAGER, Role.ADMIN):
            return _("Only a manager decides on ledger corrections.")
        if user.pk == self.requested_by_id:
            return _("Someone other than the requester decides on a correction.")
        if user.pk == self.client.owner_id:
            return _("The client's account manager cannot decide on corrections of its ledger.")
        return None

    def decidable_by(self, user) -> bool:
        return self.status == self.Status.PENDING and self.decision_refusal(user) is None


class PotentialAssessment(models.Model):
    """An account manager's judgement of a new client's potential (潜在价值, GRD-3)."""

    SCALE = [(1, _("1 – low")), (2, "2"), (3, _("3 – medium")), (4, "4"), (5, _("5 – high"))]

    client = models.ForeignKey(
        "clients.Client", verbose_name=_("client"), on_delete=models.CASCADE, related_name="potential_assessments"
    )
    score = models.PositiveSmallIntegerField(_("potential"), choices=SCALE)
    reason = models.TextField(_("reason"))
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assessed by"), on_delete=models.PROTECT, related_name="+"
    )
    assessed_at = models.DateTimeField(_("assessed"), default=timezone.now)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-pk"]
        verbose_name = _("potential assessment")
        verbose_name_plural = _("potential assessments")
        constraints = [models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="grading_potential_scale")]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.score}"


FIRST_POLICY_LOCK = 7_202_611  # any number no other advisory lock of the app uses


class GradingPolicy(models.Model):
    """The policy a manager tunes (GRD-5, CLI-9). Never edited in place: each change is a new row,
    so every run names the exact policy it used."""

    class Basis(models.TextChoices):
        AMOUNT = "amount", _("Order amount")
        QUANTITY = "quantity", _("Quantity")

    window_months = models.PositiveSmallIntegerField(
        _("volume window (months)"), choices=[(12, "12"), (24, "24")], default=12
    )
    volume_basis = models.CharField(_("volume basis"), max_length=10, choices=Basis.choices, default=Basis.AMOUNT)
    weight_credit = models.PositiveSmallIntegerField(_("weight of credit"), default=30)
    weight_volume = models.PositiveSmallIntegerField(_("weight of volume"), default=35)
    weight_profit = models.PositiveSmallIntegerField(_("weight of profit"), default=35)
    weight_potential = models.PositiveSmallIntegerField(
        _("weight of potential"), default=100, help_text=_("Used only for clients without order history.")
    )
    threshold_a = models.PositiveSmallIntegerField(_("level A from score"), default=75)
    threshold_b = models.PositiveSmallIntegerField(_("level B from score"), default=55)
    threshold_c = models.PositiveSmallIntegerField(_("level C from score"), default=35)
    discount_a = models.CharField(_("discount for A"), max_length=50, default="8%")
    discount_b = models.CharField(_("discount for B"), max_length=50, default="5%")
    discount_c = models.CharField(_("discount for C"), max_length=50, default="2%")
    discount_d = models.CharField(_("discount for D"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("set"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("grading policy")
        verbose_name_plural = _("grading policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold_a__gt=F("threshold_b"), threshold_b__gt=F("threshold_c")),
                name="grading_policy_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(weight_credit__gt=0) | Q(weight_volume__gt=0) | Q(weight_profit__gt=0),
                name="grading_policy_some_weight",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Policy')} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def current(cls) -> GradingPolicy:
        """The newest policy. The defaults are written on first use, once even when several
        people press "grade now" on a fresh install at the same moment."""
        policy = cls.objects.first()
        if policy is not None:
            return policy
        with transaction.atomic():
            if connection.vendor == "postgresql":  # SQLite's IMMEDIATE transactions queue already
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FIRST_POLICY_LOCK])
            return cls.objects.first() or cls.objects.create()

    def discount_for(self, level: str) -> str:
        return {"A": self.discount_a, "B": self.discount_b, "C": self.discount_c, "D": self.discount_d}.get(level, "")


class GradingRunQuerySet(models.QuerySet):
    def current(self) -> GradingRunQuerySet:
        """Finished runs whose grades stand: not replaced by a later run of their day."""
        return self.filter(status=GradingRun.Status.DONE, superseded_by__isnull=True)


class GradingRun(models.Model):
    """One computation of every client's grades (GRD-6); runs are kept."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    as_of = models.DateField(_("as of"))
    policy = models.ForeignKey(GradingPolicy, verbose_name=_("policy"), on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    step = models.CharField(_("progress"), max_length=100, blank=True)
    clients_graded = models.PositiveIntegerField(_("clients graded"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What the run grades from: the policy and a mark of the ledger and the potentials
    # (grading.services.grading_basis). Same day, same basis: the same grades, computed once.
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    # A later run of the same day, on a changed ledger, potential or policy, replaces this one
    # (the dashboard and the levels show the newest); this one is kept, marked.
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("superseded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="superseded",
    )
    levels_moved = models.PositiveIntegerField(_("levels moved"), null=True, blank=True)

    objects = GradingRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("grading run")
        verbose_name_plural = _("grading runs")
        constraints = [
            # One run at a time, whoever starts it (a second concurrent start is refused).
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"), name="grading_one_running_run"),
            # The same date and basis (policy, ledger, potentials) give the same grades: computed
            # once. A run still running counts too, so a second start racing the end of the first
            # cannot open a twin; a changed ledger makes a new basis, so "grade now" runs again.
            models.UniqueConstraint(
                fields=["as_of", "basis"],
                condition=Q(status__in=["running", "done"]),
                name="grading_one_run_per_day_and_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.get_status_display()})"

    @property
    def scheduled(self) -> bool:
        """Started by the nightly schedule rather than by a manager's "grade now"."""
        return self.started_by_id is None


class ClientScore(models.Model):
    """A client's measures, ranks and level in one run (GRD-1…5)."""

    run = models.ForeignKey(GradingRun, on_delete=models.CASCADE, related_name="scores")
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="scores")
    # The client's account manager and territory when graded: the dashboard's breakdowns group by
    # them without joining 100,000 clients, and describe the portfolio as it was at the run.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    territory = models.ForeignKey("crm.Territory", on_delete=models.SET_NULL, null=True, related_name="+")
    # GRD-1 credit
    invoices = models.PositiveIntegerField(default=0)
    late_payments = models.PositiveIntegerField(default=0)
    days_late_total = models.PositiveIntegerField(default=0)
    days_late_max = models.PositiveIntegerField(default=0)
    on_time_share = models.FloatField(null=True)
    credit_score = models.FloatField(null=True)
    # GRD-2 volume, GRD-4 profit
    volume = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    volume_rank = models.PositiveIntegerField(null=True)
    volume_score = models.FloatField(null=True)
    profit = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    profit_rank = models.PositiveIntegerField(null=True)
    profit_score = models.FloatField(null=True)
    # GRD-3 potential (clients without history)
    potential_score = models.FloatField(null=True)
    # GRD-5
    composite = models.FloatField(null=True)
    level = models.CharField(max_length=1, blank=True)

    objects = ClientOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-composite"]
        verbose_name = _("client score")
        verbose_name_plural = _("client scores")
        constraints = [models.UniqueConstraint(fields=["run", "client"], name="grading_score_once_per_run")]
        indexes = [
            models.Index(fields=["client", "run"], name="grading_score_client_run"),
            # The dashboard's top lists read the first rows of a run in rank order.
            models.Index(fields=["run", "volume_rank"], name="grading_score_run_volume"),
            models.Index(fields=["run", "profit_rank"], name="grading_score_run_profit"),
            models.Index(fields=["run", "level"], name="grading_score_run_level"),
            models.Index(fields=["run", "-credit_score", "days_late_total"], name="grading_score_run_credit"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.level}"


class DeliveryQuerySet(models.QuerySet):
    def visible_to(self, user) -> DeliveryQuerySet:
        """Visible with the order's client (the client gate)."""
        scope = client_scope(user, "order__client__")
        return self if scope is None else self.filter(scope)


class Delivery(models.Model):
    """One shipment of an order to a key account (MKT-3): who carries it, when it left and
    arrived, and whether something went wrong. Entered on the service page or imported from the
    carrier's list; the import finds a delivery again by its order and waybill number."""

    class Status(models.TextChoices):
        SHIPPED = "shipped", _("Shipped")
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered")
        PROBLEM = "problem", _("Problem")

    order = models.ForeignKey(SalesOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SHIPPED)
    carrier = models.CharField(_("carrier"), max_length=100)
    tracking_number = models.CharField(_("waybill number"), max_length=50, blank=True)
    shipped_on = models.DateField(_("shipped on"))
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-shipped_on", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["shipped", "in_transit", "delivered", "problem"]),
                name="grading_delivery_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(delivered_on__isnull=True) | Q(delivered_on__gte=F("shipped_on")),
                name="grading_delivery_arrives_after_shipping",
            ),
            models.CheckConstraint(
                condition=~Q(status="delivered") | Q(delivered_on__isnull=False),
                name="grading_delivery_delivered_has_date",
            ),
            # The import's key: one waybill per order.
            models.UniqueConstraint(
                fields=["order", "tracking_number"],
                condition=~Q(tracking_number=""),
                name="grading_delivery_one_waybill_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.carrier} {self.tracking_number}".strip()

    def clean(self) -> None:
        # The order's date lives in another table, so no CHECK can hold this one: forms, the
        # admin and the import reach it through full_clean().
        errors: dict[str, str] = {}
        order = SalesOrder.objects.filter(pk=self.order_id).only("ordered_on").first() if self.order_id else None
        if order is not None and self.shipped_on and self.shipped_on < order.ordered_on:
            errors["shipped_on"] = _("A delivery cannot leave before its order was placed (%(date)s).") % {
                "date": order.ordered_on.isoformat()
            }
        if self.delivered_on and self.shipped_on and self.delivered_on < self.shipped_on:
            errors["delivered_on"] = _("A delivery cannot arrive before it left.")
        if self.status == self.Status.DELIVERED and not self.delivered_on:
            errors["delivered_on"] = _("Give the day it was delivered.")
        if self.status == self.Status.PROBLEM and not self.problem.strip():
            errors["problem"] = _("Describe the problem.")
        if errors:
            raise ValidationError(errors)


class OrderComplaintQuerySet(models.QuerySet):
    def visible_to(self, user) -> OrderComplaintQuerySet:
        scope = client_scope(user, "order__client__")
        return self if scope is None else self.filter(scope)


class OrderComplaint(models.Model):
    """An after-sales complaint about an order (MKT-3, CLI-6). The complaint itself lives in
    clients and follows its workflow there; the link is kept here, on the ledger's side, because
    clients does not know the ledger (DESIGN.md: dependencies point one way)."""

    complaint = models.OneToOneField(
        "clients.Complaint", verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="order_link"
    )
    order = models.ForeignKey(
        SalesOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="complaint_links"
    )

    objects = OrderComplaintQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("order complaint")
        verbose_name_plural = _("order complaints")

    def __str__(self) -> str:
        return f"{self.order.number}: {self.complaint}"
