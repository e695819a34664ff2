from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from clients.models.querysets import ClientOwnedQuerySet, ClientQuerySet
from clients.signals import client_reassigned

# Digits with an optional leading +, and spaces, dashes or brackets between groups:
# 010-6512 3456, +86 138 0013 8000, (021) 5888-1234.
phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 ()\-]{5,22}[0-9]$",
    _("Enter a phone number of digits, optionally with +, spaces, dashes or brackets."),
)


class Client(models.Model):
    """A client file (CLI-1) with its relationship card (CLI-2)."""

    class Kind(models.TextChoices):
        CORPORATE = "corporate", _("Corporate")
        RETAIL = "retail", _("Retail shop")
        TENANT = "tenant", _("Property tenant")
        INDIVIDUAL = "individual", _("Individual")

    class Channel(models.TextChoices):
        TRADITIONAL = "traditional", _("Traditional")
        PHONE = "phone", _("Phone")
        ONLINE = "online", _("Online")
        REFERRAL = "referral", _("Referral")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("Prospect")
        ACTIVE = "active", _("Active")
        DORMANT = "dormant", _("Dormant")
        MOVED_OUT = "moved_out", _("Moved out")

    class Level(models.TextChoices):
        A = "A", "A"
        B = "B", "B"
        C = "C", "C"
        D = "D", "D"

    code = models.CharField(_("client code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORPORATE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROSPECT)
    channel = models.CharField(_("source channel"), max_length=20, choices=Channel.choices, default=Channel.TRADITIONAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("account manager"), on_delete=models.PROTECT, related_name="clients"
    )
    territory = models.ForeignKey(
        "crm.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="clients",
    )
    # The relationship card (CLI-2).
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_key_account = models.BooleanField(_("key account"), default=False)
    # Written by the grading app (CLI-9, GRD-5); read-only everywhere else.
    level = models.CharField(_("level"), max_length=1, choices=Level.choices, blank=True)
    discount_tier = models.CharField(_("discount tier"), max_length=50, blank=True)
    graded_at = models.DateTimeField(_("graded"), null=True, blank=True)
    # The open follow-up: set by the last logged interaction (CLI-5, VIS-4/5/6).
    next_contact_date = models.DateField(_("next contact"), null=True, blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    # Set when the client asked not to be contacted by campaigns (MKT-1); later segments skip them.
    contact_opt_out_at = models.DateTimeField(_("asked not to be contacted"), null=True, blank=True)
    card_updated_at = models.DateTimeField(_("card updated"), default=timezone.now)
    # When the owner was last reminded to review the card (CLI-4): once per time it goes stale.
    card_review_reminded_at = models.DateTimeField(_("review reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ClientQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["next_contact_date", "next_step", "card_review_reminded_at"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        indexes = [
            # The list's default order, for everyone and per owner (its first page is an index scan).
            models.Index(fields=["name", "id"], name="clients_name_id"),
            models.Index(fields=["owner", "name", "id"], name="clients_owner_name_id"),
            models.Index(fields=["next_contact_date"], name="clients_next_contact"),
            models.Index(fields=["card_updated_at"], name="clients_card_updated"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=["", "A", "B", "C", "D"]), name="clients_client_level_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def save(self, *args, **kwargs) -> None:
        # One spelling of a code everywhere (form, admin, import), so imports find the client.
        self.code = self.code.strip().upper()
        super().save(*args, **kwargs)
        # Another account manager, whoever saved it (card, admin, import): the apps built on
        # clients follow (visit plans move the visits still to do).
        previous = getattr(self, "_owner_id_read", None)
        update_fields = kwargs.get("update_fields")
        written = update_fields is None or "owner" in update_fields or "owner_id" in update_fields
        if previous is not None and written and previous != self.owner_id:
            client_reassigned.send(sender=Client, client=self, previous_owner_id=previous)
        if written:
            self._owner_id_read = self.owner_id

    def get_absolute_url(self) -> str:
        return reverse("clients:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values) -> Client:
        client = super().from_db(db, field_names, values)
        client._owner_id_read = client.__dict__.get("owner_id")  # None when deferred
        return client


class Contact(models.Model):
    """A person at the client; one of them may be the emergency contact (CLI-2)."""

    client = models.ForeignKey(Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    is_emergency = models.BooleanField(_("emergency contact"), default=False)
    notes = models.CharField(_("notes"), max_length=300, blank=True)

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_emergency", "name", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=Q(is_emergency=True), name="clients_one_emergency_contact"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KeyAccountProfile(models.Model):
    """The extra card of a key account (CLI-3, MKT-3)."""

    client = models.OneToOneField(
        Client, verbose_name=_("client"), on_delete=models.CASCADE, related_name="key_account"
    )
    decision_makers = models.TextField(_("decision makers"), blank=True)
    annual_volume = models.DecimalField(
        _("annual volume"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0, message=_("Enter zero or a positive volume."))],
    )
    service_commitments = models.TextField(_("service commitments"), blank=True)
    visit_cadence_days = models.PositiveSmallIntegerField(
        _("visit every (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
        help_text=_("Key accounts are visited more often (VIS-2)."),
    )

    objects = ClientOwnedQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key account profile")
        verbose_name_plural = _("key account profiles")
        constraints = [
            models.CheckConstraint(condition=Q(visit_cadence_days__gte=1), name="clients_key_account_cadence_positive"),
            # NULL (unknown volume) passes; spelt out so Django's own validation agrees with SQL.
            models.CheckConstraint(
                condition=Q(annual_volume__isnull=True) | Q(annual_volume__gte=0),
                name="clients_key_account_volume_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return str(self.client)
