"""Forms for entering a station protocol and an automatic count by hand.

The page's form has one numeric field per protocol line and per option of the contest,
labelled with the line's and the option's names, because a clerk copies a paper protocol
line by line and must not have to know option ids. The law's control relations are checked
here on submit (and live in the browser by ``static/shailoo/protocol-form.js``, which reads
the same relations and messages from the page): a protocol that does not add up is shown
again with the error next to the line, and is recorded only when the clerk confirms that
the signed paper protocol says exactly this (the services then store it as a blocked
version, since a commission's figures are evidence even when they are wrong).

The older free-form entry (``option-id: 123`` one per line) stays for contests without an
imported election definition, where no option names are known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

from shailoo.counting.results.protocol import (
    ALL_VOTES,
    BASE_LINES,
    MAX_COUNT,
    VOTES_PREFIX,
    VOTES_VALID,
    Relation,
    RelationFailure,
    StationProtocol,
    check_relations,
)

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

#: How a failed control relation reads, by operator: the lines by name, both sums.
RELATION_MESSAGES = {
    "=": gettext_lazy("%(left)s (%(left_total)s) must equal %(right)s (%(right_total)s)."),
    "<=": gettext_lazy(
        "%(left)s (%(left_total)s) must not be more than %(right)s (%(right_total)s)."
    ),
    ">=": gettext_lazy(
        "%(left)s (%(left_total)s) must not be less than %(right)s (%(right_total)s)."
    ),
}

#: The prefix of an option's field: ``vote-<option id>``.
VOTE_FIELD = "vote-"
#: The checkbox that records a protocol that does not add up, as the paper says.
AS_WRITTEN = "as_written"


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


def line_label(name: str, options: Mapping[str, str]) -> str:
    """What a relation's line is called on the page: its printed name, never its id."""
    if name in LINE_LABELS:
        return str(LINE_LABELS[name])
    if name == VOTES_VALID:
        return gettext("Valid votes")
    if name == ALL_VOTES:
        return gettext("the votes for every option")
    option = name.removeprefix(VOTES_PREFIX)
    return options.get(option, option)


def relation_message(
    relation: Relation,
    failure: RelationFailure,
    label: Callable[[str], str],
    number: Callable[[int], str] = str,
) -> str:
    """A failed relation in the reader's language: ``Ballots received (1000) must equal …``.

    The sides are named as the law's relation names them (``Valid votes``, not each option),
    so the sentence is the rule the clerk can check on the paper form.
    """
    return str(RELATION_MESSAGES[failure.op]) % {
        "left": " + ".join(label(n) for n in relation.left),
        "right": " + ".join(label(n) for n in relation.right),
        "left_total": number(failure.left_total),
        "right_total": number(failure.right_total),
    }


def _number(value: int) -> str:
    return number_format(value)


def _count_field(label: Any, line: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MAX_COUNT,
        widget=forms.NumberInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "data-line": line}
        ),
    )


def _describe(form: forms.Form) -> None:
    """Point each count field at the element beside it that holds its message."""
    for name, field in form.fields.items():
        if isinstance(field, forms.IntegerField):
            field.widget.attrs["aria-describedby"] = f"{form[name].auto_id}-msg"


class ProtocolLinesForm(forms.Form):
    """One contest's protocol: a field per line and per option, checked against the law.

    ``options`` are ``(option id, name)`` in ballot order; ``relations`` the law edition's
    control relations (none: only the fields are checked, the services still decide).
    A form bound with a prefix (``c-<contest>``) can share a page with other contests.
    """

    def __init__(
        self,
        *args: Any,
        options: Sequence[tuple[str, str]],
        relations: Sequence[Relation] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.options = list(options)
        self.relations = tuple(relations)
        #: The relations that do not hold, each with its failure (after ``is_valid``).
        self.failures: tuple[tuple[Relation, RelationFailure], ...] = ()
        for name in BASE_LINES:
            self.fields[name] = _count_field(LINE_LABELS[name], name)
        for option, name in self.options:
            self.fields[VOTE_FIELD + option] = _count_field(name, VOTES_PREFIX + option)
        self.fields[AS_WRITTEN] = forms.BooleanField(
            required=False,
            label=gettext_lazy(
                "The signed paper protocol says exactly this: record it as written "
                "(it will be blocked and raise an alert)"
            ),
        )
        _describe(self)

    # -- what the template shows --------------------------------------------------------

    def line_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in BASE_LINES]

    def vote_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(option, self[VOTE_FIELD + option]) for option, _ in self.options]

    def field_for(self, line: str) -> str | None:
        """The form field a protocol line is typed into (``votes_valid`` has none)."""
        if line in BASE_LINES:
            return line
        option = line.removeprefix(VOTES_PREFIX)
        if line.startswith(VOTES_PREFIX) and VOTE_FIELD + option in self.fields:
            return VOTE_FIELD + option
        return None

    def client_config(self) -> dict[str, Any]:
        """What ``protocol-form.js`` needs to run the server's checks live, in the same words.

        Fields by protocol line (``ballots_found``, ``votes.<option>``), the relations as the
        law file states them, each line's printed name and the message per operator.
        """
        labels = dict(self.options)
        fields = {name: self[name].auto_id for name in BASE_LINES}
        fields |= {VOTES_PREFIX + o: self[VOTE_FIELD + o].auto_id for o, _ in self.options}
        names = [*fields, VOTES_VALID, ALL_VOTES]
        return {
            "relations": [
                {"left": list(r.left), "op": r.op, "right": list(r.right)} for r in self.relations
            ],
            "fields": fields,
            "labels": {name: line_label(name, labels) for name in names},
            "messages": {op: str(text) for op, text in RELATION_MESSAGES.items()},
        }

    # -- checking -----------------------------------------------------------------------

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors or not self.relations:
            return data
        protocol = StationProtocol(self.lines(), self.votes())
        self.failures = tuple(
            (relation, failure)
            for relation in self.relations
            for failure in check_relations(protocol, (relation,))
        )
        if not self.failures or data.get(AS_WRITTEN):
            return data
        labels = dict(self.options)
        for relation, failure in self.failures:
            message = relation_message(relation, failure, lambda n: line_label(n, labels), _number)
            target = next(filter(None, map(self.field_for, failure.lines)), None)
            self.add_error(target, message)
            for line in failure.lines:
                field = self.field_for(line)
                if field is not None:
                    self.fields[field].widget.attrs["aria-invalid"] = "true"
        raise forms.ValidationError(
            gettext(
                "The protocol does not add up. Correct the lines marked; if the signed paper "
                "protocol says exactly this, tick the box below and record it as written."
            ),
            code="does_not_add_up",
        )

    @property
    def does_not_add_up(self) -> bool:
        """The server found a failed relation (the page then offers ``as_written``)."""
        return bool(self.failures)

    def lines(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in BASE_LINES}

    def votes(self) -> dict[str, int]:
        return {option: self.cleaned_data[VOTE_FIELD + option] for option, _ in self.options}


class AutomaticCountFieldsForm(forms.Form):
    """The scanners' count typed from the printout: a field per option of the contest."""

    def __init__(self, *args: Any, options: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = list(options)
        for option, name in self.options:
            self.fields[VOTE_FIELD + option] = _count_field(name, VOTES_PREFIX + option)
        _describe(self)

    def vote_fields(self) -> list[tuple[str, forms.BoundField]]:
        return [(option, self[VOTE_FIELD + option]) for option, _ in self.options]

    def counts(self) -> dict[str, int]:
        return {option: self.cleaned_data[VOTE_FIELD + option] for option, _ in self.options}


class _ContestForm(forms.Form):
    contest = forms.RegexField(
        label=gettext_lazy("Contest"),
        regex=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$",
        max_length=64,
    )


class ProtocolForm(_ContestForm):
    """Free-form entry for a contest without a definition: lines, and ``option: votes``."""

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
