"""Filters of grading's lists (the ledger corrections, the runs, the movers) and of the dashboard
and its export; the state lives in the URL."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from crm.filters_base import StyledFilterSet
from crm.models import Team, Territory
from grading.models import ClientScore, GradingRun, LedgerCorrection

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CorrectionFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=LedgerCorrection.Status.choices, empty_label=_("All")
    )

    class Meta:
        model = LedgerCorrection
        fields = ["status"]


LEVEL_CHOICES = [(level, level) for level in "ABCD"]


class GradeFilter(StyledFilterSet):
    """The dashboard's filters; the Excel export reads the same ones, so it holds the rows the
    page counts (GRD-7)."""

    team = django_filters.ModelChoiceFilter(label=_("Team"), field_name="owner__team", queryset=Team.objects.all())
    territory = django_filters.ModelChoiceFilter(label=_("Territory"), queryset=Territory.objects.all())

    class Meta:
        model = ClientScore
        fields = ["team", "territory"]


class RunFilter(StyledFilterSet):
    """The list of grading runs (GRD-6): by status, by who started it, by the day graded."""

    KINDS = [("scheduled", _("Scheduled")), ("on_demand", _("On demand"))]

    status = django_filters.ChoiceFilter(label=_("Status"), choices=GradingRun.Status.choices)
    kind = django_filters.ChoiceFilter(label=_("Started"), choices=KINDS, method="filter_kind")
    as_of_from = django_filters.DateFilter(
        label=_("As of, from"), field_name="as_of", lookup_expr="gte", widget=DATE_INPUT
    )
    as_of_to = django_filters.DateFilter(label=_("As of, to"), field_name="as_of", lookup_expr="lte", widget=DATE_INPUT)
    superseded = django_filters.BooleanFilter(
        label=_("Superseded"), field_name="superseded_by", lookup_expr="isnull", exclude=True
    )

    class Meta:
        model = GradingRun
        fields = ["status", "kind", "as_of_from", "as_of_to", "superseded"]

    def filter_kind(self, queryset: QuerySet[GradingRun], name: str, value: str) -> QuerySet[GradingRun]:
        return queryset.filter(started_by__isnull=value == "scheduled")


class MoverFilter(StyledFilterSet):
    """Movers between two runs, by the level they left and the level they reached."""

    from_level = django_filters.ChoiceFilter(label=_("From level"), field_name="before", choices=LEVEL_CHOICES)
    to_level = django_filters.ChoiceFilter(label=_("To level"), field_name="level", choices=LEVEL_CHOICES)
    direction = django_filters.ChoiceFilter(
        label=_("Direction"), choices=[("up", _("Up")), ("down", _("Down"))], method="filter_direction"
    )

    class Meta:
        model = ClientScore
        fields = ["from_level", "to_level", "direction"]

    def filter_direction(self, queryset: QuerySet[ClientScore], name: str, value: str) -> QuerySet[ClientScore]:
        # "A" < "B": a smaller letter is a better level.
        return queryset.filter(level__lt=F("before")) if value == "up" else queryset.filter(level__gt=F("before"))
