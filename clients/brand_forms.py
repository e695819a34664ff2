"""Forms of the catalogue and of brand cultivation plans (MKT-4). The rules live in the models
and clients.brand_plans; the forms show them next to the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.brand_plans import month_start
from clients.forms import DATE
from clients.models import Brand, BrandPlan, BrandPlanMilestone, Product
from crm.models import Team, User
from crm.roles import Role


class MonthField(forms.DateField):
    """A month as YYYY-MM (the browser's month input), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]

    def to_python(self, value: Any) -> date | None:
        day = super().to_python(value)
        return month_start(day) if day else day


class _CodeForm(forms.ModelForm):
    def clean_code(self) -> str:
        # As the model saves it, so "hm" and "HM " meet the unique check here, not in the database.
        return self.cleaned_data["code"].strip().upper()


class BrandForm(_CodeForm):
    class Meta:
        model = Brand
        fields = ["code", "name_zh", "name_en", "description", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class ProductForm(_CodeForm):
    class Meta:
        model = Product
        fields = ["code", "name_zh", "name_en", "launch_on", "margin", "is_active"]
        widgets = {"launch_on": DATE}
        help_texts = {"code": _("As the ledger's orders name the product.")}


class BrandPlanForm(forms.ModelForm):
    start_month = MonthField(label=_("First month"))
    end_month = MonthField(label=_("Last month"))

    class Meta:
        model = BrandPlan
        fields = ["name", "team", "start_month", "end_month", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user.role == Role.ADMIN:
            self.fields["team"].queryset = Team.objects.order_by("name")
        else:
            del self.fields["team"]  # a manager's plans are their team's

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start_month"), data.get("end_month")
        if start and end and end < start:
            self.add_error("end_month", _("The last month cannot come before the first month."))
        return data

    def _post_clean(self) -> None:
        # The team is set by the view for managers: the model's checks run in the service.
        pass


class TargetAddForm(forms.Form):
    code = forms.CharField(label=_("Client code"), max_length=50)


class MilestoneForm(forms.ModelForm):
    month = MonthField(label=_("Month"))

    class Meta:
        model = BrandPlanMilestone
        fields = ["month", "distribution_points", "sales_amount"]

    def _post_clean(self) -> None:
        # The plan is set by the service, which checks the month and the unique month itself.
        pass
