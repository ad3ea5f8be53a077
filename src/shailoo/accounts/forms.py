"""Forms of the login steps."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Username and password; ``authenticate`` gets the request, as django-axes needs."""


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code from the authenticator app"),
        min_length=6,
        max_length=7,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not (token.isdigit() and len(token) == 6):
            raise forms.ValidationError(_("Enter the 6 digits the app shows."))
        return token


class AccessLogFilterForm(forms.Form):
    username = forms.CharField(required=False, max_length=150, label=_("User"))
    subject = forms.IntegerField(required=False, min_value=1, label=_("Record id"))
