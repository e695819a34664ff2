"""Forms and filters of the incoming correspondence register (ARC-8)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives import correspondence
from archives.forms import DATE, UploadField
from archives.models import Building, IncomingLetter, Unit
from crm.filters_base import StyledFilterSet
from crm.models import User


class LetterForm(forms.Form):
    """Log a letter as it comes in; routing it now is optional."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    received_on = forms.DateField(label=_("Date received"), widget=DATE, initial=timezone.localdate)
    sender = forms.CharField(label=_("From"), max_length=200)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of letter"), choices=IncomingLetter.Kind.choices)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scan = UploadField(label=_("Scan"), required=False)
    handler = forms.ModelChoiceField(
        label=_("Route to"), queryset=User.objects.none(), required=False, help_text=_("Leave empty to route later.")
    )
    due_on = forms.DateField(
        label=_("Answer due"),
        widget=DATE,
        required=False,
        help_text=_("Empty: %(days)s days after it was received.") % {"days": correspondence.ANSWER_DAYS},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.select_related("floor__building")
        self.fields["handler"].queryset = correspondence.handler_choices()

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("A letter cannot be received in the future."))
        return value


class RouteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    handler = forms.ModelChoiceField(label=_("Route to"), queryset=User.objects.none())
    due_on = forms.DateField(label=_("Answer due"), widget=DATE)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = correspondence.handler_choices()


class AnswerForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    answer = forms.CharField(label=_("Answer given"), widget=forms.Textarea(attrs={"rows": 3}))
    answered_on = forms.DateField(label=_("Answered on"), widget=DATE, initial=timezone.localdate)


class LetterFilter(StyledFilterSet):
    """The register's list; the state lives in the URL (shareable, and what the export exports)."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=[
            ("mine", _("Waiting for my answer")),
            ("open", _("Not answered")),
            ("overdue", _("Overdue")),
            *IncomingLetter.Status.choices,
        ],
        method="filter_state",
    )
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=IncomingLetter.Kind.choices)
    building = django_filters.ModelChoiceFilter(
        label=_("Building"), field_name="unit__floor__building", queryset=Building.objects.order_by("code")
    )
    handler = django_filters.ModelChoiceFilter(label=_("Handler"), queryset=User.objects.none())
    received_from = django_filters.DateFilter(
        label=_("Received from"), field_name="received_on", lookup_expr="gte", widget=DATE
    )
    received_to = django_filters.DateFilter(
        label=_("Received to"), field_name="received_on", lookup_expr="lte", widget=DATE
    )

    class Meta:
        model = IncomingLetter
        fields: list[str] = []

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.filters["handler"].queryset = correspondence.handler_choices()

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(subject__icontains=value) | Q(sender__icontains=value) | Q(unit__number__icontains=value)
        )

    def filter_state(self, queryset, name, value):
        if value == "mine":
            return queryset.waiting_for(self.user)
        if value == "open":
            return queryset.unanswered()
        if value == "overdue":
            return queryset.overdue()
        return queryset.filter(status=value)
