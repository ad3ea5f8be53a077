"""Forms of the adjudication pages: a decision on one contest, or on the whole sheet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shailoo.counting.models import Adjudication, Contest, ContestOption

_REASON = forms.CharField(
    label=_("Reason"),
    max_length=1000,
    widget=forms.Textarea(attrs={"rows": 2}),
    help_text=_("What you saw on the paper; it goes on the public ledger with your name."),
)


class ContestDecisionForm(forms.Form):
    """How one contest on the sheet counts, and why."""

    contest = forms.CharField(widget=forms.HiddenInput)
    style = forms.CharField(widget=forms.HiddenInput, required=False)
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[
            ("vote", _("valid vote for")),
            ("overvote", _("overvote (more marks than allowed)")),
            ("blank", _("blank (no mark)")),
        ],
    )
    options = forms.MultipleChoiceField(
        label=_("Option"), required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = _REASON

    def __init__(self, *args: Any, contest: Contest, style: str = "", **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"c-{style}-{contest.code}" if style else f"c-{contest.code}")
        kwargs.setdefault("initial", {"contest": contest.code, "style": style})
        super().__init__(*args, **kwargs)
        self.contest_row = contest
        self.fields["options"].choices = [(o.code, _label(o)) for o in contest.options.all()]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision, options = data.get("decision"), data.get("options") or []
        if decision == Adjudication.Decision.VOTE and not options:
            self.add_error("options", gettext("Choose the option the vote goes to."))
        if decision and decision != Adjudication.Decision.VOTE and options:
            self.add_error("options", gettext("Only a valid vote names options."))
        return data


def _label(option: ContestOption) -> str:
    """The option as the ballot prints it: both spellings only where they differ."""
    name = (
        option.name_ky
        if option.name_ru == option.name_ky
        else f"{option.name_ky} / {option.name_ru}"
    )
    return f"{name} ({option.party_ru})" if option.party_ru else name


class SheetInvalidForm(forms.Form):
    """Take the whole sheet out of the count (not this election's or station's, or spoilt)."""

    reason = _REASON

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "sheet")
        super().__init__(*args, **kwargs)
