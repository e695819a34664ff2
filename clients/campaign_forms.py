from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.forms import DATE
from clients.models import Campaign, CampaignContact, Product
from clients.models.campaigns import Response


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "name",
            "channel",
            "product",
            "offer",
            "starts_on",
            "ends_on",
            "budget",
            "actual_cost",
            "attribution_days",
            "holdout_percent",
        ]
        widgets = {"starts_on": DATE, "ends_on": DATE, "offer": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = Product.objects.filter(is_active=True).select_related("brand")
        self.fields["product"].help_text = _("When set, the evaluation counts this product's orders only.")
        self.fields["offer"].max_length = 2000
        self.fields["offer"].widget.attrs["maxlength"] = 2000
        if self.instance.launched_at is not None:
            # The list was frozen with this share held out; changing it now would misstate the lift.
            self.fields["holdout_percent"].disabled = True
            self.fields["channel"].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The campaign must end on or after its start."))
        return data


class CampaignContactForm(forms.ModelForm):
    class Meta:
        model = CampaignContact
        fields = ["method", "response", "note"]
        widgets = {"response": forms.RadioSelect}

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("method", campaign.channel)
        super().__init__(*args, **kwargs)
        self.fields["response"].choices = Response.choices
