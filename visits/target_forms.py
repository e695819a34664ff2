"""Forms of the targets pages (MKT-2): the report's filters, the manager's split, the import."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Team, User
from crm.roles import Role
from visits.models import Metric, PeriodKind
from visits.periods import Period, parse_period, period_containing
from visits.selectors import account_managers_for

SELECT = {"class": "form-select form-select-sm"}
TEXT = {"class": "form-control form-control-sm"}
PERIOD_HELP = _("A month 2026-11, a quarter 2026-Q4 or a year 2026.")


class PeriodField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("help_text", PERIOD_HELP)
        super().__init__(**kwargs)

    def clean(self, value: str | None) -> Period | None:
        text = super().clean(value)
        if not text:
            return None
        period = parse_period(text)
        if period is None:
            raise forms.ValidationError(_("Enter a month 2026-11, a quarter 2026-Q4 or a year 2026."))
        return period


class TargetFilterForm(forms.Form):
    """The period and scope of /targets/; the state lives in the URL."""

    period = PeriodField(label=_("Period"), required=False, widget=forms.TextInput(attrs=TEXT))
    account_manager = forms.ModelChoiceField(
        label=_("Account manager"), queryset=User.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )
    metric = forms.ModelChoiceField(
        label=_("Metric"), queryset=Metric.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["account_manager"].queryset = account_managers_for(user).order_by("username")
        self.fields["metric"].queryset = Metric.objects.in_use()

    def chosen_period(self, default: Period | None = None) -> Period:
        fallback = default or period_containing(PeriodKind.MONTH, timezone.localdate())
        if self.is_bound and self.is_valid():
            return self.cleaned_data.get("period") or fallback
        return fallback

    def people(self):
        people = self.fields["account_manager"].queryset
        if self.is_bound and self.is_valid() and self.cleaned_data.get("account_manager"):
            return people.filter(pk=self.cleaned_data["account_manager"].pk)
        return people

    def metrics(self) -> list[Metric]:
        metrics = list(self.fields["metric"].queryset)
        if self.is_bound and self.is_valid() and self.cleaned_data.get("metric"):
            return [self.cleaned_data["metric"]]
        return metrics


class SplitForm(forms.Form):
    """A team target and its split among the team's account managers, one field each."""

    period = PeriodField(label=_("Period"), widget=forms.TextInput(attrs=TEXT))
    metric = forms.ModelChoiceField(label=_("Metric"), queryset=Metric.objects.all(), widget=forms.Select(attrs=SELECT))
    team_value = forms.CharField(label=_("Team target"), max_length=30, widget=forms.TextInput(attrs=TEXT))
    confirm_difference = forms.BooleanField(
        label=_("The split does not add up to the team target: save it anyway"), required=False
    )

    def __init__(self, *args, team: Team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team = team
        self.members = list(
            User.objects.filter(role=Role.ACCOUNT_MANAGER, team=team, is_active=True).order_by("username")
        )
        for person in self.members:
            self.fields[f"am_{person.pk}"] = forms.CharField(
                label=str(person), required=False, max_length=30, widget=forms.TextInput(attrs=TEXT)
            )

    def share_fields(self) -> list[forms.BoundField]:
        return [self[f"am_{person.pk}"] for person in self.members]

    def shares(self) -> dict[int, str]:
        return {person.pk: self.cleaned_data.get(f"am_{person.pk}", "") for person in self.members}


class ImportForm(forms.Form):
    KINDS = [("targets", _("Targets")), ("figures", _("Actual figures (imported metrics)"))]

    kind = forms.ChoiceField(label=_("What the file holds"), choices=KINDS, widget=forms.Select(attrs=SELECT))
    file = forms.FileField(
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-sm", "accept": ".csv,.xlsx"}),
    )
