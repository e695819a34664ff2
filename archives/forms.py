from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from archives import files
from archives.models import Building, Category, Document, Floor, Notice, TenantProfile, Unit

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UploadField(forms.FileField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", _("PDF, PNG, JPEG, Word, Excel or text; up to 20 MB."))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            files.check(upload)  # size, path in the name, content against the extension
        return upload


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    # Two distinct labels: "Category" and "Kind" both read 类别 in Chinese.
    category = forms.ChoiceField(label=_("Document category"), choices=Category.choices)
    kind = forms.ChoiceField(
        label=_("Original or working copy"), choices=Document.Kind.choices, initial=Document.Kind.ORIGINAL
    )
    dated = forms.DateField(label=_("Document date"), widget=DATE, initial=timezone.localdate)
    upload = UploadField(label=_("File"))

    def clean_dated(self):
        value = self.cleaned_data["dated"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The document date cannot be in the future."))
        return value


class ChangeRequestForm(forms.Form):
    reason = forms.CharField(label=_("What changes and why"), max_length=300)
    upload = UploadField(label=_("New version"))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    due_on = forms.DateField(label=_("Due back"), required=False, widget=DATE)


class LoanRequestForm(forms.Form):
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    in_office = forms.BooleanField(label=_("Read in the office (returned the same day)"), required=False)


class TenantProfileForm(forms.ModelForm):
    class Meta:
        model = TenantProfile
        fields = ["staff_count", "company_type", "fees_paid_until", "arrears", "notes"]
        widgets = {"fees_paid_until": DATE}


class MoveOutForm(forms.Form):
    move_out = forms.DateField(label=_("Move-out date"), widget=DATE, initial=timezone.localdate)


class NoticeForm(forms.ModelForm):
    class Meta:
        model = Notice
        fields = ["title", "body", "scope", "building", "floor", "unit"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["floor"].queryset = Floor.objects.select_related("building")
        self.fields["unit"].queryset = Unit.objects.select_related("floor__building")
        self.fields["building"].queryset = Building.objects.all()

    def clean(self):
        data = super().clean()
        target = {Notice.Scope.UNIT: "unit", Notice.Scope.FLOOR: "floor", Notice.Scope.BUILDING: "building"}.get(
            data.get("scope")
        )
        if target and not data.get(target):
            self.add_error(target, _("Choose where the notice goes."))
        return data
