from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
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
