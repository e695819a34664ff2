"""The period and scope of the coverage page (VIS-3); the state lives in the URL."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.models import Team, Territory, User
from crm.roles import Role
from visits.calendar import month_end, month_start
from visits.coverage import NOT_GRADED, Scope
from visits.models import VisitPolicy
from visits.selectors import account_managers_for

SELECT = {"class": "form-select form-select-sm"}
EARLIEST = date(2000, 1, 1)  # older records were not kept; and dates near year 1 overflow
MAX_DAYS = 366  # a year and a day: longer periods are read year by year

LEVEL_CHOICES = [("", _("Every level")), ("A", "A"), ("B", "B"), ("C", "C"), ("D", "D"), (NOT_GRADED, _("Not graded"))]


class CoverageForm(forms.Form):
    """A month, or a custom from/to (which wins); by default this month so far. Administrators
    choose a team; managers see their team's account managers and territories."""

    month = forms.DateField(
        label=_("Month"),
        required=False,
        input_formats=["%Y-%m"],
        widget=forms.DateInput(attrs={"type": "month", "class": "form-control form-control-sm"}, format="%Y-%m"),
    )
    date_from = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.all(), required=False, widget=forms.Select(attrs=SELECT)
    )
    owner = forms.ModelChoiceField(
        label=_("Account manager"), queryset=User.objects.none(), required=False, widget=forms.Select(attrs=SELECT)
    )
    territory = forms.ModelChoiceField(
        label=_("Territory"), queryset=Territory.objects.all(), required=False, widget=forms.Select(attrs=SELECT)
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=LEVEL_CHOICES, required=False, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, user: User, today: date | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.today = today or timezone.localdate()
        # Departed account managers too: they may still own clients, and each row of the page links here.
        account_managers = account_managers_for(user).order_by("first_name", "username")
        if user.role != Role.ADMIN:
            del self.fields["team"]  # a manager's team is theirs; an account manager's portfolio is theirs
            self.fields["territory"].queryset = Territory.objects.filter(team_id=user.team_id)
        if user.role == Role.ADMIN or (user.role == Role.MANAGER and user.team_id):
            self.fields["owner"].queryset = account_managers
        else:
            del self.fields["owner"]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if any(day and day < EARLIEST for day in (start, end, data.get("month"))):
            self.add_error(None, _("Choose a period from the year 2000 on."))
        elif start and start > self.today:
            self.add_error("date_from", _("The period cannot start after today."))
        elif start and end and end < start:
            self.add_error("date_to", _("The end comes before the start."))
        elif start and (min(end or self.today, self.today) - start).days >= MAX_DAYS:
            self.add_error("date_from", _("Choose a period of at most a year."))
        elif data.get("month") and month_start(data["month"]) > self.today:
            self.add_error("month", _("This month has not started yet."))
        else:
            return data
        for name in ("month", "date_from", "date_to"):  # a wrong period shows this month so far
            data.pop(name, None)
        return data

    def _data(self) -> dict:
        """The valid fields: a wrong field is shown with its error, and the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()  # cleans once; the wrong fields are left out of cleaned_data
        return self.cleaned_data

    def period(self) -> tuple[date, date]:
        """The period asked for (ending today at the latest), else this month so far."""
        data = self._data()
        if data.get("date_from") or data.get("date_to"):
            end = min(data.get("date_to") or self.today, self.today)
            start = data.get("date_from") or month_start(end)
        elif data.get("month"):
            start, end = data["month"], min(month_end(data["month"]), self.today)
        else:
            start, end = month_start(self.today), self.today
        return start, end

    def scope(self) -> Scope:
        data = self._data()
        start, end = self.period()
        return Scope(
            start=start,
            end=end,
            rotation_days=VisitPolicy.current().rotation_days,
            today=self.today,
            team=data.get("team"),
            owner=data.get("owner"),
            territory=data.get("territory"),
            level=data.get("level") or "",
        )
