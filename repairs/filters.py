from __future__ import annotations

import django_filters
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives.models import Building
from crm.filters_base import StyledFilterSet
from crm.roles import Role
from repairs.models import Category, RepairOrder, Technician


class RepairOrderFilter(StyledFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=[("open", _("Open")), *RepairOrder.Status.choices], method="filter_status"
    )
    category = django_filters.ChoiceFilter(label=_("Category"), choices=Category.choices)
    urgency = django_filters.ChoiceFilter(label=_("Urgency"), choices=RepairOrder.Urgency.choices)
    technician = django_filters.ModelChoiceFilter(
        label=_("Technician"), queryset=Technician.objects.select_related("user")
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), field_name="unit__floor__building", queryset=Building.objects.all()
    )
    today = django_filters.BooleanFilter(label=_("Today's jobs"), method="filter_today")
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("created_at", "logged"), ("appointment_at", "appointment"), ("number", "number")),
        field_labels={"created_at": _("Logged"), "appointment_at": _("Appointment"), "number": _("Number")},
    )

    class Meta:
        model = RepairOrder
        fields: list[str] = []

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.TECHNICIAN:
            del self.filters["technician"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value)
            | Q(unit__number__icontains=value)
            | Q(contact_name__icontains=value)
            | Q(client__name__icontains=value)
        )

    def filter_status(self, queryset, name, value):
        return queryset.open() if value == "open" else queryset.filter(status=value)

    def filter_today(self, queryset, name, value):
        if not value:
            return queryset
        today = timezone.localdate()
        start = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time()))
        # Due by the end of today, overdue ones included; a rescheduled job is due at its new time.
        return (
            queryset.open()
            .alias(due=Coalesce("rescheduled_at", "appointment_at"))
            .filter(due__lt=start + timezone.timedelta(days=1))
            .order_by("due", "pk")
        )


class BillingFilter(StyledFilterSet):
    """Finance's list of paid jobs: billing status, hand-over of the finance copy, completion date."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    billing_status = django_filters.ChoiceFilter(label=_("Billing"), choices=RepairOrder.BillingStatus.choices)
    received = django_filters.BooleanFilter(
        label=_("Finance copy received"), field_name="finance_copy_received_at", lookup_expr="isnull", exclude=True
    )
    completed = django_filters.DateFromToRangeFilter(
        label=_("First completed"),
        field_name="first_completed_at__date",
        widget=django_filters.widgets.RangeWidget(attrs={"type": "date"}),
    )
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), field_name="unit__floor__building", queryset=Building.objects.all()
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("first_completed_at", "completed"), ("total", "total"), ("number", "number")),
        field_labels={"first_completed_at": _("Completed"), "total": _("Fees"), "number": _("Number")},
    )

    class Meta:
        model = RepairOrder
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | Q(unit__number__icontains=value) | Q(client__name__icontains=value)
        )
