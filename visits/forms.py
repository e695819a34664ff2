"""Forms of visit plans: opening a month, adjusting a plan, logging a visit, the policy."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.models import Client
from crm.forms import IdMultipleChoiceField
from crm.models import Team, Territory
from visits.calendar import month_start, next_month
from visits.models import MarketInfo, Visit, VisitPolicy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # what <input type=date> reads, in any language


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value):
        day = super().to_python(value)
        return month_start(day) if day else day


class OpenMonthForm(forms.Form):
    """The manager's monthly plan for the team: the month, its focus, then draft plans."""

    month = MonthField(label=_("Month"))
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, empty_label=_("Every team")
    )
    focus_territories = IdMultipleChoiceField(
        label=_("Focus territories"),
        queryset=Territory.objects.all(),
        required=False,
        help_text=_("Every active client there gets at least a phone follow-up this month."),
    )
    focus_product = forms.CharField(label=_("Product or campaign to push"), max_length=200, required=False)
    min_coverage = forms.IntegerField(
        label=_("Minimum coverage (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_(
            "Where the due visits reach fewer of an account manager's active clients, phone follow-ups "
            "are added for the clients contacted longest ago."
        ),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = next_month(timezone.localdate())
        if user.role != "admin":  # a manager plans their own team, never every team
            self.fields["team"].required = True
            self.fields["team"].queryset = Team.objects.filter(pk=user.team_id)
            self.fields["team"].initial = user.team_id
            self.fields["team"].widget = forms.HiddenInput()
            self.fields["focus_territories"].queryset = Territory.objects.filter(team_id=user.team_id)


class VisitLogForm(forms.Form):
    """One form for a visit or phone follow-up done, with the next one booked (VIS-4)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Visit.Kind.choices, widget=forms.RadioSelect)
    outcome = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 3}))
    next_contact_date = forms.DateField(
        label=_("Next contact"),
        required=False,
        widget=DATE,
        help_text=_("Booked with the client now (required after an on-site visit); the cadence's date is filled in."),
    )
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)
    occurred_on = forms.DateField(label=_("Done on"), widget=DATE)
    late_reason = forms.CharField(label=_("Why late"), max_length=300, required=False)


class MarketInfoForm(forms.ModelForm):
    """Market information seen at the visit (VIS-7); every field is optional."""

    class Meta:
        model = MarketInfo
        fields = [
            "product",
            "price_seen",
            "competitor_activity",
            "stock_and_shelf",
            "business_condition",
            "demand_signals",
            "notes",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in ("competitor_activity", "stock_and_shelf", "business_condition", "demand_signals", "notes")
        }


class MoveForm(forms.Form):
    day = forms.DateField(label=_("New day"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class RemoveForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class AddVisitForm(forms.Form):
    client = forms.ModelChoiceField(label=_("Client"), queryset=Client.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=Visit.Kind.choices)
    day = forms.DateField(label=_("Day"), widget=DATE)

    def __init__(self, *args, owner, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = (
            Client.objects.filter(owner=owner, status__in=[Client.Status.ACTIVE, Client.Status.PROSPECT])
            .only("pk", "name", "code")
            .order_by("name")
        )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("return", _("Return"))])
    note = forms.CharField(label=_("Comment"), max_length=500, required=False)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = VisitPolicy
        fields = list(VisitPolicy.SETTINGS)
