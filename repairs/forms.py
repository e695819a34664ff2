from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from archives.models import Unit
from clients.models.clients import phone_validator
from repairs.models import Callback, FeeItem, RepairOrder, Technician
from repairs.workflow import LineInput, completion_errors, lines_total

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RepairOrderForm(forms.ModelForm):
    """The front desk's form (REP-1, REP-2): a unit found by search, then the request."""

    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.all(),
        widget=forms.HiddenInput,
        error_messages={"required": _("Search for the unit and pick it from the list.")},
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=30, validators=[phone_validator])

    class Meta:
        model = RepairOrder
        fields = [
            "unit",
            "contact_name",
            "contact_phone",
            "channel",
            "category",
            "urgency",
            "description",
            "appointment_at",
        ]
        widgets = {"appointment_at": DATETIME, "description": forms.Textarea(attrs={"rows": 3})}


class AssignForm(forms.Form):
    technician = forms.ModelChoiceField(label=_("Technician"), queryset=Technician.objects.none())

    def __init__(self, *args, suggestions, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["technician"].queryset = Technician.objects.filter(pk__in=[s.technician.pk for s in suggestions])


class RescheduleForm(forms.Form):
    new_time = forms.DateTimeField(label=_("New time agreed with the client"), widget=DATETIME)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LineForm(forms.Form):
    fee_item = forms.ModelChoiceField(
        label=_("Fee item"),
        queryset=FeeItem.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quantity = forms.DecimalField(
        label=_("Quantity"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2, required=False
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Today's schedule (REP-5): a price that took effect this morning is quoted this morning.
        self.fields["fee_item"].queryset = FeeItem.objects.in_effect()

    def clean(self):
        data = super().clean()
        if data.get("fee_item") and not data.get("quantity"):
            self.add_error("quantity", _("Enter the quantity."))
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if not any(form.errors for form in self.forms):
            lines_total(self.lines())  # its ValidationError is shown above the lines

    def lines(self) -> list[LineInput]:
        return [
            LineInput(form.cleaned_data["fee_item"], form.cleaned_data["quantity"])
            for form in self.forms
            if form.cleaned_data.get("fee_item")
        ]


LineFormSet = formset_factory(LineForm, formset=BaseLineFormSet, extra=3)


class ConsentForm(forms.Form):
    """The client's agreement to the fees, and to moving indoor furniture when the work needs it."""

    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    furniture_moved = forms.BooleanField(
        label=_("The work needs indoor furniture moved, and the client agrees"), required=False
    )
    furniture_consent_by = forms.CharField(label=_("Agreed by"), max_length=100, required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("furniture_moved") and not data.get("furniture_consent_by", "").strip():
            self.add_error("furniture_consent_by", _("Write the name of the person who agreed to move the furniture."))
        return data


class CompleteForm(forms.Form):
    """Completion (REP-5): every rule of workflow.complete is checked here too, so one submit
    shows every message next to its field (X-4)."""

    work_notes = forms.CharField(
        label=_("Work done and test of the result"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    damage = forms.CharField(label=_("Damage caused, if any"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    compensation = forms.DecimalField(label=_("Compensation"), min_value=0, initial=0, max_digits=10, decimal_places=2)
    signed_by = forms.CharField(label=_("Signed by"), max_length=100, required=False)
    signature = forms.CharField(widget=forms.HiddenInput, required=False)
    technician_signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self) -> dict:
        data = super().clean()
        errors = completion_errors(
            work_notes=data.get("work_notes", ""),
            signature=data.get("signature", ""),
            signed_by=data.get("signed_by", ""),
            technician_signature=data.get("technician_signature", ""),
            damage=data.get("damage", ""),
            compensation=data.get("compensation"),
        )
        for field, message in errors.items():
            if field not in self.errors:
                self.add_error(field, message)
        return data


class CallbackForm(forms.ModelForm):
    class Meta:
        model = Callback
        fields = ["result", "note"]
        widgets = {"note": forms.TextInput()}


class FeeItemForm(forms.ModelForm):
    """An item of the draft fee schedule (REP-5): finance adds one or changes its price."""

    class Meta:
        model = FeeItem
        fields = ["code", "name", "kind", "category", "unit", "price"]


class PublishForm(forms.Form):
    effective_from = forms.DateField(label=_("Takes effect on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class BillingForm(forms.Form):
    status = forms.ChoiceField(label=_("Billing"), choices=RepairOrder.BillingStatus.choices)
    reason = forms.CharField(label=_("Reason for waiving"), required=False, max_length=300)
