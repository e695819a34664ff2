"""Buildings, floors, units and tenancies: the property that unit files and repairs hang on (ARC-1).

The unit files themselves (documents, loans, yearly archiving) are built on these by the
archive feature; repairs use units and their current tenancy.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from crm.roles import Role

# Who works with the whole property (SPEC roles): everyone else sees units through their clients
# (account managers their own, sales managers their team's: they read, client services decide).
PROPERTY_ROLES = (
    Role.CLIENT_SERVICES_MANAGER,
    Role.FRONT_DESK,
    Role.ENGINEERING_SUPERVISOR,
    Role.CLIENT_SERVICES_SUPERVISOR,
)


class Building(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200, blank=True)
    zone = models.CharField(
        _("zone"), max_length=50, blank=True, help_text=_("Buildings of one zone are close together.")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.name


class Floor(models.Model):
    building = models.ForeignKey(Building, verbose_name=_("building"), on_delete=models.PROTECT, related_name="floors")
    number = models.SmallIntegerField(_("floor"))

    class Meta:
        ordering = ["building", "number"]
        verbose_name = _("floor")
        verbose_name_plural = _("floors")
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="archives_floor_unique")]

    def __str__(self) -> str:
        return f"{self.building} {self.number}F"


class UnitQuerySet(models.QuerySet):
    def visible_to(self, user) -> UnitQuerySet:
        """Property staff see every unit; account managers the units their clients rent, sales
        managers those their team's clients rent; others none."""
        from clients.models.querysets import client_scope

        if not user.is_authenticated:
            return self.none()
        if user.role == Role.ADMIN or user.role in PROPERTY_ROLES:
            return self
        if user.role in (Role.ACCOUNT_MANAGER, Role.MANAGER):
            # The units their clients rent now; a past tenant's manager does not see the next tenant.
            current = Tenancy.objects.current().filter(client_scope(user, "client__"))
            return self.filter(pk__in=current.values("unit_id"))
        return self.none()

    def with_current_tenancy(self, *, with_contacts: bool = False) -> UnitQuerySet:
        current = Tenancy.objects.current().select_related("client")
        if with_contacts:
            current = current.prefetch_related("client__contacts")
        return self.select_related("floor__building").prefetch_related(
            models.Prefetch("tenancies", queryset=current, to_attr="current_tenancies")
        )


class Unit(models.Model):
    """One unit (户): the unit of the archive (一户一档) and of repair orders."""

    floor = models.ForeignKey(Floor, verbose_name=_("floor"), on_delete=models.PROTECT, related_name="units")
    number = models.CharField(_("unit number"), max_length=20)
    area = models.DecimalField(_("area (m²)"), max_digits=8, decimal_places=2, null=True, blank=True)
    usage = models.CharField(_("usage"), max_length=50, blank=True)
    file_label = models.CharField(
        _("file label"), max_length=200, blank=True, help_text=_("The name on the unit's archive file (ARC-4).")
    )

    objects = UnitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["floor__building__code", "number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [models.UniqueConstraint(fields=["floor", "number"], name="archives_unit_unique")]

    def __str__(self) -> str:
        return f"{self.floor.building.code}-{self.number}"

    @property
    def current_tenancy(self) -> Tenancy | None:
        cached = getattr(self, "current_tenancies", None)
        if cached is not None:
            return cached[0] if cached else None
        return self.tenancies.current().select_related("client").first()


class TenancyQuerySet(models.QuerySet):
    def visible_to(self, user) -> TenancyQuerySet:
        """The tenancies of the units ``user`` may open."""
        return self.filter(unit__in=Unit.objects.visible_to(user).values("pk"))

    def current(self, on=None) -> TenancyQuerySet:
        on = on or timezone.localdate()
        return self.filter(move_in__lte=on).filter(Q(move_out__isnull=True) | Q(move_out__gte=on))


class Tenancy(models.Model):
    """A client renting a unit from move-in to move-out (ARC-5)."""

    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="tenancies")
    client = models.ForeignKey(
        "clients.Client", verbose_name=_("tenant"), on_delete=models.PROTECT, related_name="tenancies"
    )
    company_name = models.CharField(_("company name"), max_length=200)
    move_in = models.DateField(_("move-in"))
    move_out = models.DateField(_("move-out"), null=True, blank=True)

    objects = TenancyQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["unit", "-move_in"]
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"], condition=Q(move_out__isnull=True), name="archives_one_open_tenancy_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(move_out__isnull=True) | Q(move_out__gte=F("move_in")), name="archives_tenancy_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.company_name}"
