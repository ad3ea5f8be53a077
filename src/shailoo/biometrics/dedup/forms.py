"""The adjudication form: an outcome and a reason, both required."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shailoo.biometrics.dedup.models import AdjudicationDecision
from shailoo.biometrics.dedup.services import MIN_REASON


class AdjudicationForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=AdjudicationDecision.Outcome.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        min_length=MIN_REASON,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What in the records and scores decided it. Never type a full PIN."),
    )
