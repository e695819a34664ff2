from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    # The column's max_length, declared: AuthenticationForm sets it only after the validators are
    # built, so a longer name reached authenticate() and django-axes' 255-character log column
    # (a 500 on PostgreSQL beyond that).
    username = forms.CharField(
        label=_("Username"),
        max_length=get_user_model()._meta.get_field("username").max_length,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's refusal on the form: next to the field it names when the form has that
    field, on top of the form otherwise (a race lost, a rule about the whole record)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of records by id that refuses ids no database column can hold.

    Django turns an out-of-range id into "no match" for one record but not for an ``IN`` list,
    which SQLite then fails to bind (a 500 for a tampered form)."""

    def _check_values(self, value):
        for pk in value or ():
            try:
                valid = -(2**63) <= int(str(pk)) < 2**63
            except (TypeError, ValueError):
                valid = True  # Django's own check names it
            if not valid:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class ProfileForm(forms.ModelForm):
    """What a user sets on their own account: language, contacts, quiet hours."""

    class Meta:
        model = get_user_model()
        fields = ["first_name", "last_name", "email", "phone", "wecom_id", "language", "quiet_start", "quiet_end"]
        widgets = {
            "quiet_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "quiet_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self) -> dict:
        data = super().clean()
        if bool(data.get("quiet_start")) != bool(data.get("quiet_end")):
            self.add_error("quiet_end", _("Give both ends of the quiet hours, or neither."))
        return data


class PreferencesForm(forms.Form):
    """A checkbox per kind of notification and configured channel (``<kind>:<channel>``)."""

    def __init__(
        self, *args, kinds: list[tuple[str, str]], channels: list[tuple[str, str]], initial_on: set[str], **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kinds, self.channels = kinds, channels
        for kind, kind_label in kinds:
            for channel, channel_label in channels:
                name = f"{kind}:{channel}"
                self.fields[name] = forms.BooleanField(
                    label=f"{kind_label}: {channel_label}", required=False, initial=name in initial_on
                )

    def rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(label, [self[f"{kind}:{channel}"] for channel, _l in self.channels]) for kind, label in self.kinds]
