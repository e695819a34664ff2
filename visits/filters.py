"""Filters of the plan list; the state lives in the URL."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from crm.filters_base import StyledFilterSet
from crm.models import User
from visits.models import MonthPlan
from visits.selectors import account_managers_for


class PlanFilter(StyledFilterSet):
    month = django_filters.DateFilter(label=_("Month"), input_formats=["%Y-%m", "%Y-%m-%d"], method="filter_month")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MonthPlan.Status.choices, empty_label=_("All"))
    owner = django_filters.ModelChoiceFilter(label=_("Account manager"), queryset=User.objects.none())

    class Meta:
        model = MonthPlan
        fields = ["month", "status", "owner"]

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.filters["owner"].queryset = account_managers_for(user).order_by("username")
        self.form.fields["month"].widget.input_type = "month"

    def filter_month(self, queryset, name, value):
        return queryset.filter(month=value.replace(day=1))
