"""What results pages show of a contest: options in ballot order, shares, region and TEC
rows, and a protocol's lines and reasons in the reader's language. Shared by the staff pages
(cut to the user's territory) and the public pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext, gettext_lazy

from shailoo.counting.results import aggregation
from shailoo.counting.results.forms import LINE_LABELS
from shailoo.counting.results.models import CountingAlert
from shailoo.counting.results.services import ALERT_CONTROL, ALERT_DISCREPANCY, ALERT_NO_AUTOMATIC
from shailoo.elections.models import Election

#: Names of the control relations the law editions define (``protocol.control_relations``),
#: by their ``name``. The editions give a relation no title of its own; a relation an edition
#: adds later is shown by its lines (``rule_name``) until it is named here.
RULE_NAMES: dict[str, Any] = {
    "ballots_balance": gettext_lazy("balance of the ballots received"),
    "issued_within_list": gettext_lazy("no more ballots issued than voters on the list"),
    "found_within_issued": gettext_lazy("no more ballots in the box than issued"),
    "found_balance": gettext_lazy("balance of the ballots found"),
}

#: Names of the kinds of counting alert (``CountingAlert.Kind``) for pages that hold a code.
ALERT_NAMES: dict[str, Any] = dict(CountingAlert.Kind.choices)


def alert_name(code: str) -> str:
    """The name of a counting alert kind in the reader's language (the code if unknown)."""
    name = ALERT_NAMES.get(code)
    return str(name) if name is not None else code


def line_name(code: str, labels: dict[str, str] | None = None) -> str:
    """A protocol line (``ballots_issued``, ``votes_valid``, ``votes.<option>``) by name."""
    return _line_label(code, labels or {})


def rule_name(code: str, relation: Any = None) -> str:
    """A control relation by name; one not named here reads as its lines (``relation`` is
    the edition's ``ControlRelation``, when the caller has it)."""
    name = RULE_NAMES.get(code)
    if name is not None:
        return str(name)
    if relation is not None:
        left = " + ".join(line_name(n) for n in relation.left)
        right = " + ".join(line_name(n) for n in relation.right)
        return f"{left} {relation.op} {right}"
    return code


def _relation(code: str) -> str:
    """A failed relation in a sentence: its name in quotation marks, or its bare code."""
    return quoted(rule_name(code)) if code in RULE_NAMES else code


def quoted(text: str) -> str:
    """``text`` in the quotation marks of the reader's language (« » in Kyrgyz and Russian)."""
    return f"“{text}”" if (get_language() or "")[:2] == "en" else f"«{text}»"


def contest_name(event: Election, code: str) -> str:
    """A contest of ``event`` by its title in the reader's language (the code if unknown)."""
    return aggregation.contest_titles(event, lang()).get(code) or code


def lang() -> str:
    """The language option and contest names are shown in (Kyrgyz or Russian)."""
    return "ky" if (get_language() or "")[:2] == "ky" else "ru"


def contest_view(
    contest: aggregation.ContestResults, labels: dict[str, str], title: str
) -> dict[str, Any]:
    """What a page shows of one contest: options in ballot order, region rows, TEC rows."""
    order = list(labels) or [o for o, _, _ in contest.country.rows()]
    options = [o for o in order if o in contest.country.votes] + [
        o for o in contest.country.votes if o not in order
    ]

    def row(tally: aggregation.Tally) -> dict[str, Any]:
        share = tally.shares()
        return {
            "tally": tally,
            "cells": [(tally.votes.get(o, 0), share.get(o)) for o in options],
        }

    return {
        "id": contest.contest_id,
        "title": title,
        "options": [(o, labels.get(o, o)) for o in options],
        "country": contest.country,
        "rows": [(labels.get(o, o), v, share) for o, v, share in contest.country.rows(options)],
        "lines": [(LINE_LABELS[n], contest.country.lines[n]) for n in LINE_LABELS],
        "regions": [row(t) for _, t in sorted(contest.regions.items())],
        "tecs": [row(t) for _, t in sorted(contest.tecs.items())],
    }


def contest_views(
    event: Election, contests: dict[str, aggregation.ContestResults]
) -> list[dict[str, Any]]:
    labels = aggregation.option_labels(event, lang())
    titles = aggregation.contest_titles(event, lang())
    return [
        contest_view(c, labels.get(c.contest_id, {}), titles.get(c.contest_id, c.contest_id))
        for c in contests.values()
    ]


def _line_label(name: str, labels: dict[str, str]) -> str:
    if name in LINE_LABELS:
        return str(LINE_LABELS[name])
    if name == "votes_valid":
        return gettext("Valid votes")
    option = name.removeprefix("votes.")
    return labels.get(option, option)


def localized_reasons(verdict: dict[str, Any], labels: dict[str, str]) -> list[str]:
    """The stored verdict's reasons in the interface language, every line and value named."""

    def side(items: list[list[Any]]) -> str:
        return " + ".join(f"{_line_label(n, labels)} ({v})" for n, v in items)

    reasons = [
        gettext(
            "Control relation %(name)s fails: %(left)s %(op)s %(right)s, "
            "but %(left_total)s against %(right_total)s."
        )
        % {
            "name": _relation(str(f["relation"])),
            "left": side(f["left"]),
            "op": f["op"],
            "right": side(f["right"]),
            "left_total": f["left_total"],
            "right_total": f["right_total"],
        }
        for f in verdict.get("failures", [])
    ]
    reasons += [
        gettext(
            "Votes for %(option)s: automatic count %(automatic)s, manual count %(manual)s; "
            "the difference of %(difference)s exceeds the tolerance of %(tolerance)s."
        )
        % {
            "option": labels.get(d["option"], d["option"]),
            "automatic": d["automatic"] if d["automatic"] is not None else 0,
            "manual": d["manual"] if d["manual"] is not None else 0,
            "difference": d["difference"],
            "tolerance": d["tolerance"],
        }
        for d in verdict.get("differences", [])
    ]
    if verdict.get("missing_automatic"):
        reasons.append(gettext("There is no automatic count to compare the manual count with."))
    return reasons


#: The part of a verdict each kind of alert is raised for (``services._alert_kinds``).
ALERT_VERDICT_KEYS: dict[str, str] = {
    ALERT_CONTROL: "failures",
    ALERT_DISCREPANCY: "differences",
    ALERT_NO_AUTOMATIC: "missing_automatic",
}


def alert_reasons(alert: CountingAlert, labels: dict[str, str]) -> list[str]:
    """An alert's reasons in the interface language, rebuilt from the verdict it was raised for.

    The stored ``reasons`` stay English because they are what the ledger entry says. The
    verdict is the protocol's latest evaluation when the alert is about the current version
    (an automatic count arriving later changes it), else the version's own. Where the
    verdict no longer matches the stored reasons one for one, the stored text is shown
    rather than a translation of something else.
    """
    protocol = alert.protocol
    current = alert.version_id == protocol.current_id
    verdict = protocol.verdict if current else alert.version.verdict
    key = ALERT_VERDICT_KEYS.get(alert.kind, "")
    part = {key: verdict[key]} if key and verdict.get(key) else {}
    reasons = localized_reasons(part, labels)
    stored = [str(r) for r in alert.reasons]
    return reasons if len(reasons) == len(stored) else stored


def version_rows(version: Any, labels: dict[str, str]) -> list[tuple[str, int, bool]]:
    """``(label, value, is_total)`` for each line, ``votes_valid`` and each option."""
    rows = [(str(LINE_LABELS[name]), int(version.lines[name]), False) for name in LINE_LABELS]
    rows.append((gettext("Valid votes"), version.votes_valid, True))
    rows += [(labels.get(o, o), int(n), False) for o, n in version.votes.items()]
    return rows
