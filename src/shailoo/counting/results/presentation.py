"""What results pages show of a contest: options in ballot order, shares, region and TEC
rows, and a protocol's lines and reasons in the reader's language. Shared by the staff pages
(cut to the user's territory) and the public pages."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext

from shailoo.counting.results import aggregation
from shailoo.counting.results.forms import LINE_LABELS
from shailoo.counting.results.models import CountingAlert
from shailoo.counting.results.services import ALERT_CONTROL, ALERT_DISCREPANCY, ALERT_NO_AUTOMATIC
from shailoo.elections.models import Election


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
            "name": f["relation"],
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
