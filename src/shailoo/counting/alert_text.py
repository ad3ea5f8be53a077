"""The alerts vote counting raises, as staff read them on a case (``incidents.alert_text``
finds this module and calls what is registered here).

A protocol that a control relation or the scanners' count blocks is raised as an alert
(``counting.results.services._sync_alerts``) whose evidence is data: under
``protocol_check`` the election, station, contest and protocol, and each finding as a reason
code with its figures (a failed relation with its lines and values, an option whose automatic
and manual counts differ, no automatic count at all). The page writes each finding in the
reader's language from that code — lines, relations and options by name, numbers the
reader's way — because a Kyrgyz or Russian clerk must not be handed the engine's English.

Cases raised before the evidence was structured carry the English reasons only; they are
rebuilt from the counting alert's stored verdict where it still matches them one for one,
and shown as raised otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shailoo.counting.results import aggregation, services
from shailoo.counting.results.forms import RELATION_MESSAGES, line_label
from shailoo.counting.results.models import CountingAlert
from shailoo.counting.results.presentation import RULE_NAMES, alert_reasons, lang, quoted
from shailoo.elections.models import Election
from shailoo.incidents.alert_text import (
    AlertView,
    Item,
    evidence_items,
    number_text,
    register,
    register_key,
)
from shailoo.incidents.forms import ALERT_LABELS, label
from shailoo.incidents.models import Case

#: The name of each finding's reason code (``services.FINDING_*``).
FINDING_NAMES: dict[str, Any] = {
    services.FINDING_RELATION: _("Control relation not met"),
    services.FINDING_COUNTS: _("Automatic and manual counts differ"),
    services.FINDING_NO_AUTOMATIC: _("No automatic count"),
}
CONTEST = _("Contest")
REASON = _("Reason")


class Unreadable(Exception):
    """Evidence that is not what counting writes (edited, or of a later format)."""


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise Unreadable(f"{value!r} is no count")
    return number_text(value)


def _lines(value: object) -> list[tuple[str, int]]:
    if not isinstance(value, list):
        raise Unreadable("the figures are no list")
    pairs: list[tuple[str, int]] = []
    for pair in value:
        if not (isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str)):
            raise Unreadable("a figure is no [line, value] pair")
        _number(pair[1])
        pairs.append((pair[0], int(pair[1])))
    return pairs


def _names(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(n, str) for n in value):
        raise Unreadable("the relation's sides are no list of lines")
    return list(value)


def relation_text(finding: Mapping[str, Any], options: Mapping[str, str]) -> str:
    """A failed control relation: the rule's name, the law's sentence with both sums, and each
    line's value where a side adds several lines (which line is wrong is what a clerk needs)."""
    op = finding.get("op")
    if op not in RELATION_MESSAGES:
        raise Unreadable(f"unknown operator {op!r}")
    left, right = _lines(finding.get("left")), _lines(finding.get("right"))

    def named(name: str) -> str:
        return line_label(name, options)

    text = str(RELATION_MESSAGES[op]) % {
        "left": " + ".join(named(n) for n in _names(finding.get("left_lines"))),
        "right": " + ".join(named(n) for n in _names(finding.get("right_lines"))),
        "left_total": _number(finding.get("left_total")),
        "right_total": _number(finding.get("right_total")),
    }
    rule = RULE_NAMES.get(str(finding.get("relation")))
    if rule is not None:
        text = f"{quoted(str(rule))}: {text}"
    if len(left) > 1 or len(right) > 1:
        figures = "; ".join(f"{named(n)}: {number_text(v)}" for n, v in left + right)
        text = f"{text} ({figures})"
    return text


def counts_text(finding: Mapping[str, Any], options: Mapping[str, str]) -> str:
    """An option whose automatic and manual counts differ by more than the law allows (an
    option one side did not report counts as zero there, as the engine compares it)."""
    option = str(finding.get("option"))
    return gettext(
        "Votes for %(option)s: automatic count %(automatic)s, manual count %(manual)s; "
        "the difference of %(difference)s exceeds the tolerance of %(tolerance)s."
    ) % {
        "option": options.get(option, option),
        "automatic": _number(finding.get("automatic") or 0),
        "manual": _number(finding.get("manual") or 0),
        "difference": _number(finding.get("difference")),
        "tolerance": _number(finding.get("tolerance")),
    }


def finding_item(finding: object, options: Mapping[str, str]) -> Item:
    """One finding as the reader reads it: the reason's name, then what is wrong."""
    if not isinstance(finding, Mapping):
        raise Unreadable("a finding is no object")
    code = finding.get("code")
    if code == services.FINDING_RELATION:
        text = relation_text(finding, options)
    elif code == services.FINDING_COUNTS:
        text = counts_text(finding, options)
    elif code == services.FINDING_NO_AUTOMATIC:
        text = gettext("There is no automatic count to compare the manual count with.")
    else:
        raise Unreadable(f"unknown finding {code!r}")
    return Item(str(FINDING_NAMES[code]), text, "", str(code))


def _protocol_url(ref: object) -> str:
    model, _colon, pk = str(ref).rpartition(":")
    if model != "counting_results.protocol" or not pk.isdigit():
        return ""
    try:
        return reverse("staff_results:protocol", kwargs={"pk": int(pk)})
    except NoReverseMatch:
        return ""


def _contest_item(election: Election | None, contest: str, station: object, url: str) -> Item:
    title = aggregation.contest_titles(election, lang()).get(contest) if election else None
    text = title or contest
    if isinstance(station, int) and not isinstance(station, bool):
        text = f"{text} · №{station}"
    return Item(str(CONTEST), text, url, "contest")


@register_key(services.CHECK_EVIDENCE)
def check_items(value: object) -> list[Item]:
    """The ``protocol_check`` evidence: the contest (linked to its protocol) and each finding.
    [] when it is not what counting writes: the page then shows it as stored."""
    if not isinstance(value, Mapping):
        return []
    election = Election.objects.filter(code=str(value.get("election", ""))).first()
    contest = str(value.get("contest", ""))
    options = aggregation.option_labels(election, lang()).get(contest, {}) if election else {}
    findings = value.get("findings")
    try:
        if not isinstance(findings, Sequence) or isinstance(findings, str):
            raise Unreadable("the findings are no list")
        items = [finding_item(f, options) for f in findings]
    except Unreadable:
        return []
    url = _protocol_url(value.get("protocol"))
    return [_contest_item(election, contest, value.get("station"), url), *items]


def alert_of(subject: str) -> CountingAlert | None:
    """The counting alert a case's subject (``counting_results.countingalert:<pk>``) names."""
    model, _colon, pk = subject.rpartition(":")
    if model != "counting_results.countingalert" or not pk.isdigit():
        return None
    return (
        CountingAlert.objects.select_related("protocol", "version", "election", "station")
        .filter(pk=int(pk))
        .first()
    )


def _sentence(station: object, version: object) -> str:
    if not (isinstance(station, int) and isinstance(version, int)):
        return ""
    return gettext("Polling station №%(station)s, protocol version %(version)s") % {
        "station": station,
        "version": version,
    }


@register("counting")
def render(case: Case, evidence: Mapping[str, Any]) -> AlertView | None:
    """A blocked protocol: which station, contest and version, and each finding by name."""
    title = label(ALERT_LABELS, case.alert_kind)
    check = evidence.get(services.CHECK_EVIDENCE)
    read = check_items(check)
    if isinstance(check, Mapping) and read:
        others = evidence_items(evidence, skip=frozenset({services.CHECK_EVIDENCE}))
        sentence = _sentence(check.get("station"), evidence.get("version"))
        return AlertView(title, sentence, [read[0], *others, *read[1:]])
    alert = alert_of(case.alert_subject)
    if alert is None:
        return None  # the generic reading: the reasons as raised
    protocol = alert.protocol
    options = aggregation.option_labels(alert.election, lang()).get(protocol.contest_id, {})
    url = _protocol_url(f"counting_results.protocol:{protocol.pk}")
    items = [_contest_item(alert.election, protocol.contest_id, alert.station.number, url)]
    items += evidence_items(evidence, skip=frozenset({"reasons"}))
    items += [Item(str(REASON), text, "", "reasons") for text in alert_reasons(alert, options)]
    return AlertView(title, _sentence(alert.station.number, alert.version.number), items)


__all__ = ["FINDING_NAMES", "check_items", "counts_text", "finding_item", "relation_text", "render"]
