"""Forms of the key-account pipeline and of key-account costs (MKT-3)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clients.forms import DATE
from clients.models import Client, KeyAccountCost, Lead
from clients.selectors import assignable_owners
from crm.models import User


class LeadForm(forms.ModelForm):
    """A pipeline card's details; on a new card, optionally an existing prospect client."""

    class Meta:
        model = Lead
        fields = ["name", "client", "owner", "expected_volume", "next_step", "next_step_on", "notes"]
        widgets = {"next_step_on": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Leave empty to use the chosen client's name.")
        self.fields["owner"].queryset = assignable_owners(user)
        if user.role == "account_manager":
            self.fields["owner"].initial = user.pk
        if self.instance.pk:
            del self.fields["client"]  # a card keeps the client it was opened for
        else:
            # Prospects that are not key accounts yet: what the pipeline is for.
            self.fields["client"].queryset = (
                Client.objects.visible_to(user)
                .filter(status=Client.Status.PROSPECT, is_key_account=False)
                .order_by("name", "pk")
            )

    def clean(self) -> dict:
        data = super().clean()
        if not (data.get("name") or "").strip() and not data.get("client"):
            self.add_error("name", _("Name the company, or choose an existing client."))
        return data


class LeadMoveForm(forms.Form):
    """Move a card: the stage it goes to, and the stage the page showed (a move made on an
    out-of-date page is refused)."""

    stage = forms.ChoiceField(label=_("Move to"), choices=Lead.Stage.choices)
    seen = forms.ChoiceField(choices=Lead.Stage.choices, widget=forms.HiddenInput)
    lost_reason = forms.CharField(label=_("Reason lost"), max_length=300, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CostForm(forms.ModelForm):
    class Meta:
        model = KeyAccountCost
        fields = ["kind", "amount", "incurred_on", "note"]
        widgets = {"incurred_on": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update(min="0", step="0.01")
        self.fields["incurred_on"].widget.attrs["max"] = timezone.localdate().isoformat()
        self.fields["incurred_on"].initial = timezone.localdate()
