"""The tenant profile of a tenancy: who the tenant is and whether its property fees are paid (ARC-2
"tenant's company details", "violations and arrears"; ARC-9 "tenant details, searchable")."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from archives.models.property import Tenancy, Unit


class TenantProfileQuerySet(models.QuerySet):
    def visible_to(self, user) -> TenantProfileQuerySet:
        return self.filter(tenancy__unit__in=Unit.objects.visible_to(user).values("pk"))

    def in_arrears(self) -> TenantProfileQuerySet:
        return self.filter(arrears__gt=0)


class TenantProfile(models.Model):
    """One per tenancy: kept by client services, every change audited (X-2). ``version`` is what
    an editor saw: of two concurrent saves one wins and the other is told (crm.history)."""

    class CompanyType(models.TextChoices):
        STATE_OWNED = "state_owned", _("State-owned enterprise")
        PRIVATE = "private", _("Private enterprise")
        FOREIGN = "foreign", _("Foreign-invested enterprise")
        JOINT_VENTURE = "joint_venture", _("Joint venture")
        INSTITUTION = "institution", _("Public institution")
        REPRESENTATIVE = "representative", _("Representative office")
        OTHER = "other", _("Other")

    tenancy = models.OneToOneField(Tenancy, verbose_name=_("tenancy"), on_delete=models.PROTECT, related_name="profile")
    staff_count = models.PositiveIntegerField(_("staff count"), null=True, blank=True)
    company_type = models.CharField(_("company type"), max_length=20, choices=CompanyType.choices, blank=True)
    fees_paid_until = models.DateField(
        _("property fees paid until"), null=True, blank=True, help_text=_("The last day the paid property fees cover.")
    )
    arrears = models.DecimalField(
        _("arrears (yuan)"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("Property fees due and not paid; 0 when the tenant is up to date."),
    )
    notes = models.CharField(_("notes"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = TenantProfileQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-arrears", "tenancy__company_name"]
        verbose_name = _("tenant profile")
        verbose_name_plural = _("tenant profiles")
        constraints = [
            models.CheckConstraint(condition=Q(arrears__gte=0), name="archives_profile_arrears_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.tenancy)

    @property
    def fees_overdue(self) -> bool:
        """Paid until a day already past, or money owed."""
        return self.arrears > 0 or (self.fees_paid_until is not None and self.fees_paid_until < timezone.localdate())
