"""Forms for entering a station protocol and an automatic count by hand.

Votes are typed one option a line (``option-id: 123``) so the form works for any contest,
with or without an imported definition; a bad line is reported with its number.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from shailoo.counting.results.protocol import BASE_LINES, MAX_COUNT

_VOTE_LINE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9_.-]{0,63})\s*[:=]\s*(\d{1,10})\s*$")

LINE_LABELS = {
    "voters_on_list": gettext_lazy("Voters on the list"),
    "ballots_received": gettext_lazy("Ballots received"),
    "ballots_issued": gettext_lazy("Ballots issued"),
    "ballots_spoiled": gettext_lazy("Ballots spoiled"),
    "ballots_unused": gettext_lazy("Ballots unused (cancelled)"),
    "ballots_found": gettext_lazy("Ballots found in the box"),
    "ballots_invalid": gettext_lazy("Invalid ballots"),
}


def parse_vote_lines(text: str) -> dict[str, int]:
    """``option: votes`` lines to a dict; ValidationError names every bad line."""
    votes: dict[str, int] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        match = _VOTE_LINE.match(raw)
        if match is None:
            errors.append(
                gettext("line %(n)s: write an option id, a colon and the votes, e.g. c1: 120")
                % {"n": number}
            )
            continue
        option, count = match[1], int(match[2])
        if option in votes:
            errors.append(
                gettext("line %(n)s: option %(option)s appears twice")
                % {"n": number, "option": option}
            )
        elif count > MAX_COUNT:
            errors.append(gettext("line %(n)s: implausibly large count") % {"n": number})
        else:
            votes[option] = count
    if errors:
        raise forms.ValidationError(errors)
    if not votes:
        raise forms.ValidationError(gettext("Enter the votes of at least one option."))
    return votes


class _ContestForm(forms.Form):
    contest = forms.RegexField(
        label=gettext_lazy("Contest"),
        regex=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        max_length=64,
    )


class ProtocolForm(_ContestForm):
    """The protocol's lines and the votes per option as the commission counted them."""

    votes = forms.CharField(
        label=gettext_lazy("Votes per option (one per line: option id: votes)"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in BASE_LINES:
            self.fields[name] = forms.IntegerField(
                label=LINE_LABELS[name], min_value=0, max_value=MAX_COUNT
            )

    def clean_votes(self) -> dict[str, int]:
        return parse_vote_lines(self.cleaned_data["votes"])

    def lines(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in BASE_LINES}


class AutomaticCountForm(_ContestForm):
    """The scanners' count, typed from the scanner's printout when no device can send it."""

    counts = forms.CharField(
        label=gettext_lazy("Automatic count per option (one per line: option id: votes)"),
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean_counts(self) -> dict[str, int]:
        return parse_vote_lines(self.cleaned_data["counts"])


class DisputeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
