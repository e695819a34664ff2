"""The territory reports' list filters and forms (VIS-7); the list's state lives in the URL."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from crm.filters_base import StyledFilterSet
from crm.models import Territory
from visits.models import MarketReport
from visits.reports import late_q


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]


class MonthFilter(django_filters.DateFilter):
    field_class = MonthField


class ReportFilter(StyledFilterSet):
    month = MonthFilter(label=_("Month"), field_name="month")
    territory = django_filters.ModelChoiceFilter(label=_("Territory"), queryset=Territory.objects.order_by("name"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=MarketReport.Status.choices, empty_label=_("All"))
    late = django_filters.BooleanFilter(label=_("Late"), method="filter_late")

    class Meta:
        model = MarketReport
        fields = ["month", "territory", "status", "late"]

    def filter_late(self, queryset: QuerySet[MarketReport], name: str, value: bool | None) -> QuerySet[MarketReport]:
        if value is None:
            return queryset
        return queryset.filter(late_q()) if value else queryset.exclude(late_q())


class ReportSectionsForm(forms.ModelForm):
    """The four analysis sections the responsible account manager writes."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = MarketReport
        fields = ["summary", "competition", "demand", "actions"]
        widgets = {name: forms.Textarea(attrs={"rows": 5, "class": "form-control"}) for name in fields}


class ReportDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
