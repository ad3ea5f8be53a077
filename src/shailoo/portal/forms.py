"""Forms of the public portal."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shailoo.register.forms import clean_pin_value


class SelfCheckForm(forms.Form):
    """A voter's PIN and birth date: both must match the register for an answer."""

    pin = forms.CharField(
        label=_("Personal identification number (PIN)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )

    def clean_pin(self) -> str:
        return clean_pin_value(self.cleaned_data["pin"])


class StationSearchForm(forms.Form):
    q = forms.CharField(label=_("Number, name or address"), max_length=100, required=False)
    region = forms.CharField(label=_("Region"), max_length=8, required=False)
