from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.forms import inlineformset_factory
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from clients.codes import client_code_preview
from clients.models import (
    Client,
    Complaint,
    Contact,
    DemandRecord,
    Interaction,
    KeyAccountProfile,
    ProductFeedback,
    ServicePlan,
)
from clients.selectors import assignable_owners
from crm.models import Territory, User
from crm.roles import Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ClientForm(forms.ModelForm):
    """The client file and relationship card (CLI-1, CLI-2)."""

    class Meta:
        model = Client
        fields = [
            "code",
            "name",
            "kind",
            "status",
            "channel",
            "owner",
            "territory",
            "employer",
            "position",
            "address",
            "phone",
            "email",
            "notes",
            "is_key_account",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["territory"].queryset = Territory.objects.order_by("name")
        if user.role == Role.ACCOUNT_MANAGER:
            # An account manager's clients are their own: the owner is not theirs to choose.
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = assignable_owners(user)
        if self.instance.pk:
            self.fields["is_key_account"].initial = self.instance.is_key_account
        else:
            # Left empty, the code is numbered by the policy's pattern when the client is saved.
            self.fields["code"].required = False
            self.fields["code"].help_text = _("Leave empty to number it automatically (%(example)s).") % {
                "example": client_code_preview()
            }

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().upper()


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "position", "phone", "email", "is_emergency"]


class BaseContactFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        emergency = [
            form for form in self.forms if form.cleaned_data.get("is_emergency") and not form.cleaned_data.get("DELETE")
        ]
        if len(emergency) > 1:
            for form in emergency[1:]:
                form.add_error("is_emergency", _("Only one contact can be the emergency contact."))
            raise ValidationError(_("Only one contact can be the emergency contact."))


ContactFormSet = inlineformset_factory(
    Client, Contact, form=ContactForm, formset=BaseContactFormSet, extra=1, can_delete=True
)


class KeyAccountForm(forms.ModelForm):
    class Meta:
        model = KeyAccountProfile
        fields = ["decision_makers", "annual_volume", "service_commitments", "visit_cadence_days"]
        widgets = {
            "decision_makers": forms.Textarea(attrs={"rows": 2}),
            "service_commitments": forms.Textarea(attrs={"rows": 2}),
        }


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = ["kind", "occurred_at", "outcome", "next_step", "next_contact_date"]
        widgets = {"occurred_at": DATETIME, "next_contact_date": DATE, "outcome": forms.Textarea(attrs={"rows": 3})}

    def clean_next_contact_date(self):
        value = self.cleaned_data.get("next_contact_date")
        if value and value < timezone.localdate():
            raise ValidationError(_("The next contact date cannot be in the past."))
        return value

    def clean_occurred_at(self):
        value = self.cleaned_data["occurred_at"]
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise ValidationError(_("An interaction that happened cannot be in the future."))
        return value


class ComplaintForm(forms.ModelForm):
    """A sales complaint, filed from the client's card."""

    assignee = forms.ModelChoiceField(
        label=_("Assign to"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to assign later."),
    )
    categories = Complaint.SALES_CATEGORIES

    class Meta:
        model = Complaint
        fields = ["subject", "channel", "category", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, assignees, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees
        category = self.fields["category"]
        category.choices = [(value, Complaint.Category(value).label) for value in self.categories]
        category.required = False  # the report counts it as "other" when nobody chose

    def clean_category(self) -> str:
        return self.cleaned_data["category"] or Complaint.Category.OTHER


class PropertyComplaintForm(ComplaintForm):
    """A tenant's complaint (CLI-6, 接听客户投诉), filed by the front desk or client services."""

    client = forms.ModelChoiceField(label=_("Tenant"), queryset=Client.objects.none())
    categories = Complaint.PROPERTY_CATEGORIES

    class Meta(ComplaintForm.Meta):
        fields = ["client", "subject", "channel", "category", "description"]

    def __init__(self, *args, assignees, **kwargs) -> None:
        super().__init__(*args, assignees=assignees, **kwargs)
        today = timezone.localdate()
        # Clients renting a unit now (archives.Tenancy, by its reverse name: clients does not import archives).
        tenants = Client.objects.filter(tenancies__move_in__lte=today).filter(
            Q(tenancies__move_out__isnull=True) | Q(tenancies__move_out__gte=today)
        )
        self.fields["client"].queryset = Client.objects.filter(pk__in=tenants.values("pk")).order_by("name")


class ComplaintStepForm(forms.Form):
    """The form under a complaint: the next step with an optional note (or the resolution)."""

    action = forms.CharField(widget=forms.HiddenInput)
    # The version of the complaint the page showed: a step taken on an out-of-date page is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=User.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, assignees, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignees


class FeedbackForm(forms.ModelForm):
    class Meta:
        model = ProductFeedback
        fields = ["product", "informed_on", "feedback", "rating"]
        widgets = {"informed_on": DATE, "feedback": forms.Textarea(attrs={"rows": 3})}


class DemandForm(forms.ModelForm):
    class Meta:
        model = DemandRecord
        fields = ["product", "quantity", "unit", "period_start", "period_end", "notes"]
        widgets = {"period_start": DATE, "period_end": DATE}

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The period must end on or after its start."))
        quantity = data.get("quantity")
        if quantity is not None and quantity <= 0:
            self.add_error("quantity", _("Enter a quantity greater than zero."))
        return data


class ImportForm(forms.Form):
    """The file's name, size and signature; the caps on its contents are clients.imports'."""

    file = forms.FileField(label=_("CSV or Excel file"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("Up to %(size)s and %(rows)s rows; .csv or .xlsx.") % {
            "size": filesizeformat(settings.CRM_IMPORT_MAX_UPLOAD_BYTES),
            "rows": number_format(settings.CRM_IMPORT_MAX_ROWS, force_grouping=True),
        }

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".csv", ".xlsx")):
            raise ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.CRM_IMPORT_MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("This file is larger than %(size)s; split it.")
                % {"size": filesizeformat(settings.CRM_IMPORT_MAX_UPLOAD_BYTES)}
            )
        head = upload.read(4)
        upload.seek(0)
        if name.endswith(".xlsx") and head != b"PK\x03\x04":
            raise ValidationError(_("This is not an Excel (.xlsx) file."))
        return upload


class ServicePlanForm(forms.ModelForm):
    """A key account's plan for one year (MKT-3); the year comes from the URL."""

    # The version of the plan the page showed (empty for a new plan): a save over someone else's
    # newer text is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = ServicePlan
        fields = ["commitments", "our_contacts", "client_contacts", "mid_year_review", "year_end_review"]
        widgets = {
            "commitments": forms.Textarea(attrs={"rows": 4}),
            "our_contacts": forms.Textarea(attrs={"rows": 2}),
            "client_contacts": forms.Textarea(attrs={"rows": 2}),
            "mid_year_review": DATE,
            "year_end_review": DATE,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version


MONTH = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")


class ComplaintReportForm(forms.Form):
    """The complaints report's period (whole months) and kind."""

    start = forms.DateField(label=_("From month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=MONTH)
    end = forms.DateField(label=_("To month"), input_formats=["%Y-%m", "%Y-%m-%d"], widget=MONTH)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Complaint.Kind.choices], required=False)

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if start > end:
                self.add_error("end", _("The last month comes after the first."))
            elif (end.year - start.year) * 12 + end.month - start.month >= 36:
                self.add_error("end", _("Choose at most 36 months."))
        return data
