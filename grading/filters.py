"""Filters of the ledger-corrections list (issue 9); the state lives in the URL."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from crm.filters_base import StyledFilterSet
from grading.models import LedgerCorrection


class CorrectionFilter(StyledFilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=LedgerCorrection.Status.choices, empty_label=_("All")
    )

    class Meta:
        model = LedgerCorrection
        fields = ["status"]
