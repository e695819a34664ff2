from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm.models import User
from grading import services
from grading.models import Delivery, GradingPolicy, LedgerCorrection, PotentialAssessment, Receivable, SalesOrder


class PotentialForm(forms.ModelForm):
    class Meta:
        model = PotentialAssessment
        fields = ["score", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 2})}


class PolicyForm(forms.ModelForm):
    class Meta:
        model = GradingPolicy
        fields = [
            "window_months",
            "volume_basis",
            "weight_credit",
            "weight_volume",
            "weight_profit",
            "weight_potential",
            "threshold_a",
            "threshold_b",
            "threshold_c",
            "discount_a",
            "discount_b",
            "discount_c",
            "discount_d",
        ]

    def clean(self):
        data = super().clean()
        a, b, c = (data.get(f"threshold_{x}") for x in "abc")
        if None not in (a, b, c) and not a > b > c:
            self.add_error("threshold_b", _("Thresholds must fall from A to C (A > B > C)."))
        if not any(data.get(f"weight_{x}") for x in ("credit", "volume", "profit")):
            self.add_error("weight_credit", _("Give at least one of credit, volume and profit a weight."))
        return data


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SalesOrderForm(forms.ModelForm):
    class Meta:
        model = SalesOrder
        # A line entered by hand is booked; a cancellation or refund comes from the ERP's import
        # or, once recorded, by a correction request (it lowers the client's grade).
        fields = ["ordered_on", "amount", "quantity", "product", "margin"]
        widgets = {"ordered_on": DATE}


class ReceivableForm(forms.ModelForm):
    class Meta:
        model = Receivable
        fields = ["invoice", "amount", "due_on", "paid_on", "delay_reason"]
        widgets = {"due_on": DATE, "paid_on": DATE}


class PaymentForm(forms.Form):
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE)
    delay_reason = forms.CharField(label=_("Reason for delay"), max_length=200, required=False)


class CorrectionRequestForm(forms.Form):
    """Ask for a recorded ledger value to be corrected; a manager decides (issue 9)."""

    field = forms.ChoiceField(label=_("Field to correct"))
    new_value = forms.CharField(
        label=_("Correct value"),
        max_length=200,
        required=False,
        help_text=_("Dates as YYYY-MM-DD; leave empty to clear a paid date."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, record: Receivable | SalesOrder, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            (name, capfirst(record._meta.get_field(name).verbose_name)) for name in LedgerCorrection.fields_for(record)
        ]


class CorrectionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class LedgerAdminForm(forms.ModelForm):
    """The admin's form of orders and receivables: a recorded row is not rewritten by its own
    client's account manager (issue 9). The admin sets ``user`` per request."""

    user: User | None = None

    def clean(self) -> dict:
        data = super().clean()
        if self.instance.pk:
            changes = {name: data[name] for name in self.changed_data if name in data}
            services.ledger_change_check(record=self.instance, changes=changes, by=self.user)
        return data


class DeliveryForm(forms.ModelForm):
    """A delivery of an order (MKT-3). Built on an instance that knows its order, so the model's
    rule (no delivery before its order) shows next to the date."""

    # The status the page showed, for an edit: a change made meanwhile is not overwritten.
    seen_status = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Delivery
        fields = ["status", "carrier", "tracking_number", "shipped_on", "delivered_on", "problem"]
        widgets = {"shipped_on": DATE, "delivered_on": DATE}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_status"].initial = self.instance.status
