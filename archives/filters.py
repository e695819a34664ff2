"""Filters of the archive's list pages."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from archives.models import Building, TenantProfile
from crm.filters_base import StyledFilterSet


class ArrearsFilter(StyledFilterSet):
    """The arrears list (欠费): who owes property fees, by building, company type and amount."""

    q = django_filters.CharFilter(label=_("Tenant or unit"), method="filter_search")
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), field_name="tenancy__unit__floor__building", queryset=Building.objects.all()
    )
    company_type = django_filters.ChoiceFilter(label=_("Company type"), choices=TenantProfile.CompanyType.choices)
    min_arrears = django_filters.NumberFilter(label=_("Arrears at least"), field_name="arrears", lookup_expr="gte")
    paid_before = django_filters.DateFilter(
        label=_("Fees paid only until before"),
        field_name="fees_paid_until",
        lookup_expr="lt",
        widget=django_filters.widgets.forms.DateInput(attrs={"type": "date"}),
    )
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(("arrears", "arrears"), ("fees_paid_until", "paid_until"), ("tenancy__company_name", "tenant")),
        field_labels={
            "arrears": _("Arrears"),
            "fees_paid_until": _("Paid until"),
            "tenancy__company_name": _("Tenant"),
        },
    )

    class Meta:
        model = TenantProfile
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(tenancy__company_name__icontains=value) | Q(tenancy__unit__number__icontains=value))
