"""The visit policy (cadence by level, rotation) and the working-day calendar (VIS-2, VIS-3, VIS-5)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

FIRST_POLICY_LOCK = 7_310_001  # pg_advisory_xact_lock key: the default policy is written once

LEVELS = ("A", "B", "C", "D", "")  # "" is "not graded"


def _rate(label, default: str) -> models.DecimalField:
    return models.DecimalField(
        label,
        max_digits=4,
        decimal_places=2,
        default=Decimal(default),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("31"))],
    )


class VisitPolicy(models.Model):
    """How often each level is visited on site and called, per month; never edited in place:
    each change is a new row, so a plan names the policy it was generated with."""

    a_onsite = _rate(_("A: on-site visits per month"), "2")
    a_phone = _rate(_("A: phone follow-ups per month"), "2")
    b_onsite = _rate(_("B: on-site visits per month"), "1")
    b_phone = _rate(_("B: phone follow-ups per month"), "1")
    c_onsite = _rate(_("C: on-site visits per month"), "0.5")
    c_phone = _rate(_("C: phone follow-ups per month"), "1")
    d_onsite = _rate(_("D: on-site visits per month"), "0")
    d_phone = _rate(_("D: phone follow-ups per month"), "0.34")
    none_onsite = _rate(_("Not graded: on-site visits per month"), "0.5")
    none_phone = _rate(_("Not graded: phone follow-ups per month"), "1")
    rotation_days = models.PositiveSmallIntegerField(
        _("contact every active client at least every (days)"),
        default=90,
        validators=[MinValueValidator(7), MaxValueValidator(366)],
    )
    report_due_day = models.PositiveSmallIntegerField(
        _("territory reports due on day of month"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
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
        verbose_name = _("visit policy")
        verbose_name_plural = _("visit policies")
        constraints = [
            models.CheckConstraint(condition=Q(rotation_days__gte=7), name="visits_policy_rotation_min"),
            models.CheckConstraint(
                condition=Q(report_due_day__gte=1, report_due_day__lte=28), name="visits_policy_due_day_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Visit policy')} {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def current(cls) -> VisitPolicy:
        """The newest policy; the defaults are written once on first use."""
        policy = cls.objects.first()
        if policy is not None:
            return policy
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FIRST_POLICY_LOCK])
            return cls.objects.first() or cls.objects.create()

    # What a manager sets (the rest says who and when): the form, the admin and tests list these.
    SETTINGS = (
        *(f"{level}_{kind}" for level in ("a", "b", "c", "d", "none") for kind in ("onsite", "phone")),
        "rotation_days",
        "report_due_day",
    )

    def rates(self, level: str) -> tuple[Decimal, Decimal]:
        """(on-site, phone) per month for a level; "" is not graded."""
        prefix = level.lower() if level in ("A", "B", "C", "D") else "none"
        return getattr(self, f"{prefix}_onsite"), getattr(self, f"{prefix}_phone")


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a public holiday on a weekday, or a weekend day that is a
    working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_working = models.BooleanField(
        _("working day"), default=False, help_text=_("Tick for a swapped working day on a weekend (调休).")
    )
    name = models.CharField(_("name"), max_length=100, blank=True, help_text=_("e.g. 国庆节, 春节调休"))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("holiday calendar")

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()
