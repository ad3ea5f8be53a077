"""Forms of the staff register pages: what staff type, checked before any service runs."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from shailoo.geo.models import PollingStation
from shailoo.register.models import ListCorrection
from shailoo.register.pin import check_pin

#: The reasons :func:`~shailoo.register.pin.check_pin` gives for a PIN typed without a birth
#: date or sex, marked here for the catalogues (``pin.py`` imports nothing from Django); the
#: callers pass them to ``gettext`` so a voter reads them in the interface language.
PIN_REASONS = (
    gettext_noop("must be exactly 14 digits"),
    gettext_noop("first digit must be 1 (female) or 2 (male)"),
    gettext_noop("digits 2-9 are not a valid date DDMMYYYY"),
)


def clean_pin_value(value: str) -> str:
    """A PIN as typed, spaces removed, or a ValidationError saying what is wrong."""
    pin = "".join(value.split())
    problem = check_pin(pin)
    if problem is not None:
        raise forms.ValidationError(gettext(problem.why))
    return pin


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or PIN"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


class VotingPlaceForm(forms.Form):
    """The station a voter asks to vote at, by its official number."""

    station_number = forms.IntegerField(label=_("Polling station number"), min_value=1)

    def clean_station_number(self) -> PollingStation:
        number = self.cleaned_data["station_number"]
        station = PollingStation.objects.filter(number=number).first()
        if station is None:
            raise forms.ValidationError(
                gettext("There is no polling station №%(number)s.") % {"number": number}
            )
        return station


class CorrectionRequestForm(forms.Form):
    """A voter's correction request, taken down by staff after identifying the voter."""

    pin = forms.CharField(label=_("PIN"), max_length=20)
    kind = forms.ChoiceField(label=_("What is wrong"), choices=ListCorrection.Kind.choices)
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}))

    def clean_pin(self) -> str:
        return clean_pin_value(self.cleaned_data["pin"])


class CorrectionAnswerForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("accept", _("Accept")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))

    def accepted(self) -> bool:
        data: dict[str, Any] = self.cleaned_data
        return bool(data["decision"] == "accept")
