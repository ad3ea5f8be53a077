"""The outcome of a contest in plain words, in the reader's language, citing the law.

``public_outcome`` states what the seat engine decided as data; this module says it as a
reader would: who is elected (or leads, while protocols are still missing), by which rule,
which threshold each party list had to pass and who passed it, how the seats were divided,
and where the law edition sets each rule. Numbers go through Django's ``number_format`` so
they read as the reader's locale writes them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

from shailoo.counting.results.public_names import reader_language

METHODS = {
    "hare_largest_remainder": gettext_lazy("the largest-remainder method with the Hare quota"),
    "droop_largest_remainder": gettext_lazy("the largest-remainder method with the Droop quota"),
    "dhondt": gettext_lazy("the D'Hondt highest-averages method"),
    "sainte_lague": gettext_lazy("the Sainte-Laguë highest-averages method"),
}
BASES = {
    "took_part": gettext_lazy("of the votes of everyone who took part"),
    "valid": gettext_lazy("of the valid votes"),
    "party_votes": gettext_lazy("of the votes cast for party lists"),
}
COMPARISONS = {"at_least": gettext_lazy("at least"), "more_than": gettext_lazy("more than")}


def percent(value: str | Decimal | None, places: int = 2) -> str:
    """A percentage, its number as the reader's locale writes it (``52,3 %``, ``52.3 %``),
    then a no-break space and the sign, as ISO 80000-1 writes a percentage in every language."""
    if value is None:
        return "—"
    return f"{number_format(Decimal(value), places)}\u00a0%"


def count(value: int | None) -> str:
    return "—" if value is None else number_format(value)


def cited(citation: Mapping[str, Any] | None) -> str:
    """`` (Art. 55(4))`` in the reader's language, marked when the collected sources do not
    confirm the value; the act it is in is named once, below (:func:`acts`)."""
    if not citation:
        return ""
    lang = reader_language()
    article = citation.get("article") or {}
    text = str(article.get(lang) or citation.get(lang) or citation.get("en") or "")
    if citation.get("unconfirmed"):
        text = gettext("%(citation)s; not confirmed by the sources") % {"citation": text}
    return f" ({text})" if text else ""


def acts(value: Any) -> list[str]:
    """The acts the citations in ``value`` are in, each once, in the reader's language."""
    found: dict[str, None] = {}
    lang = reader_language()
    if isinstance(value, Mapping):
        act = value.get("act")
        if isinstance(act, Mapping) and (act.get(lang) or act.get("en")):
            found[str(act.get(lang) or act.get("en"))] = None
        for item in value.values():
            found.update(dict.fromkeys(acts(item)))
    elif isinstance(value, list):
        for item in value:
            found.update(dict.fromkeys(acts(item)))
    return list(found)


def share_of_law(value: str | None) -> str:
    """A share the law sets, as written there: ``5 %``, ``0,5 %`` (no trailing zeros)."""
    if value is None:
        return "—"
    number = Decimal(value)
    places = max(0, -number.normalize().as_tuple().exponent)  # type: ignore[operator]
    return percent(number, int(places))


def rule_words(rule: Mapping[str, Any]) -> str:
    """ "at least 5 % of the votes of everyone who took part"."""
    return str(
        format_lazy(
            "{} {} {}",
            COMPARISONS.get(rule.get("comparison", ""), ""),
            share_of_law(rule.get("share_percent")),
            BASES.get(rule.get("base", ""), ""),
        )
    )


def _joined(ids: list[str], label: Callable[[str], str]) -> str:
    return ", ".join(label(i) for i in ids)


def explain(result: Mapping[str, Any] | None, labels: Mapping[str, str]) -> dict[str, Any]:
    """``{"headline": one sentence, "details": [sentences], "provisional": bool}``."""
    if not result or result.get("status") == "none":
        return {
            "headline": gettext("No accepted protocol yet."),
            "details": [],
            "provisional": True,
        }
    if result.get("status") == "no_votes":
        return {
            "headline": gettext(
                "No option has a valid vote on the accepted protocols: nobody leads and "
                "nobody is elected."
            ),
            "details": [],
            "provisional": not result.get("final"),
            "law_edition": result.get("law_edition", ""),
            "acts": [],
        }

    def label(option: str) -> str:
        return labels.get(option, option)

    final = bool(result.get("final"))
    kind = result.get("kind", "")
    status = result.get("status")
    if kind == "party_list" and status == "elected":
        found = _party_list(result, label)
    elif kind == "president":
        found = _president(result, label, final)
    elif kind == "district":
        found = _district(result, label, final)
    else:
        found = {"headline": "", "details": []}
    if status == "lot":
        found = {
            "headline": gettext(
                "A tie between %(tied)s decides the result; the law breaks it by a lot drawn "
                "in public, which is not recorded yet."
            )
            % {"tied": _joined(list(result.get("tied", [])), label)},
            "details": [],
        }
    elif status == "tied":
        found = _tied(result, label, final, found["details"])
    elif status == "leading" or not found["headline"]:
        winners = list(result.get("winners", []))
        found = {
            "headline": gettext("Leading on the accepted protocols: %(names)s.")
            % {"names": _joined(winners, label)},
            "details": [],
        }
    if kind == "party_list" and result.get("tied"):
        found["details"] = [*found["details"], *_tie_details(result, label)]
    problem = problem_text(result)
    if problem and status != "lot":
        found["details"] = [*found["details"], problem]
    found["provisional"] = not final
    found["law_edition"] = result.get("law_edition", "")
    found["acts"] = acts(result)
    return found


TIE_FOR = {
    "first": gettext_lazy("Tied for first place: %(names)s have the same number of votes."),
    "runoff": gettext_lazy(
        "Tied for a place in the run-off: %(names)s have the same number of votes."
    ),
    "seats": gettext_lazy("Tied for a seat: %(names)s have the same number of votes."),
}


def problem_text(result: Mapping[str, Any]) -> str:
    """Why the law's rules could not be applied, in the reader's language ("" if they were)."""
    texts = result.get("problem_text")
    if not isinstance(texts, Mapping):
        return ""
    return str(texts.get(reader_language()) or texts.get("en") or "")


def tie_rule_words(result: Mapping[str, Any]) -> str:
    """How the law edition decides a tie, cited; or that the law file does not settle it."""
    found = result.get("tie_rule")
    if not isinstance(found, Mapping):
        return gettext(
            "The law file of edition %(edition)s cannot be read, so it does not settle how a "
            "tie is decided."
        ) % {"edition": result.get("law_edition", "")}
    cite = cited(found.get("citation"))
    if found.get("rule") == "lot":
        return gettext(
            "A tie is decided as the law edition says: by a lot drawn in public%(citation)s."
        ) % {"citation": cite}
    return gettext(
        "A tie is decided as the law edition says: the place goes to the one registered "
        "first%(citation)s."
    ) % {"citation": cite}


def _tie_details(result: Mapping[str, Any], label: Callable[[str], str]) -> list[str]:
    names = _joined(list(result.get("tied", [])), label)
    tie_for = TIE_FOR.get(str(result.get("tie_for")), TIE_FOR["seats"])
    return [
        str(tie_for) % {"names": names},
        tie_rule_words(result),
        gettext("None of them is marked as the winner until the commission decides."),
    ]


def _tied(
    result: Mapping[str, Any], label: Callable[[str], str], final: bool, details: list[str]
) -> dict[str, Any]:
    """A tie decides a seat or a run-off place: who is tied, the rule, and who is sure."""
    first, *rest = _tie_details(result, label)
    winners = list(result.get("winners", []))
    runoff = list(result.get("runoff", []))
    sure: list[str] = []
    if runoff:
        sure.append(gettext("In the run-off: %(names)s.") % {"names": _joined(runoff, label)})
    elif winners and result.get("tie_in") == "leading":
        sure.append(
            gettext("Leading on the accepted protocols: %(names)s.")
            % {"names": _joined(winners, label)}
        )
    elif winners:
        text = (
            gettext("Elected: %(names)s.")
            if final
            else gettext("Would be elected on these protocols: %(names)s.")
        )
        sure.append(text % {"names": _joined(winners, label)})
    return {"headline": first, "details": [*sure, *rest, *details]}


def _president(
    result: Mapping[str, Any], label: Callable[[str], str], final: bool
) -> dict[str, Any]:
    rule = result.get("rule", {})
    words = rule_words(rule)
    need = {"required": count(result.get("required")), "base": count(result.get("base"))}
    status = result.get("status")
    details = [
        gettext("To be elected in the first round a candidate needs %(rule)s%(citation)s.")
        % {"rule": words, "citation": cited(rule.get("citation"))},
        gettext("%(required)s votes were needed, of %(base)s.") % need,
    ]
    if status == "elected":
        (winner,) = result.get("winners", [""])[:1] or [""]
        text = (
            gettext("%(name)s is elected in the first round.")
            if final
            else gettext("%(name)s would be elected in the first round on these protocols.")
        )
        return {"headline": text % {"name": label(winner)}, "details": details}
    if status == "runoff":
        names = _joined(list(result.get("runoff", [])), label)
        days = rule.get("runoff_within_days")
        text = (
            gettext("No candidate has the majority: a run-off between %(names)s.")
            if final
            else gettext(
                "On these protocols no candidate has the majority: a run-off between %(names)s."
            )
        )
        if days:
            details.append(
                gettext("The run-off takes place within %(days)s days%(citation)s.")
                % {"days": days, "citation": cited(rule.get("runoff_citation"))}
            )
        return {"headline": text % {"names": names}, "details": details}
    if status == "repeat":
        return {
            "headline": gettext("“Against all” has more votes than the leader: a repeat election."),
            "details": details,
        }
    return {"headline": "", "details": details}


def _district(
    result: Mapping[str, Any], label: Callable[[str], str], final: bool
) -> dict[str, Any]:
    rule = result.get("rule", {})
    seats = int(result.get("seats_total", 1))
    details = [
        gettext("Seats: %(seats)s. The candidates with the most votes win%(citation)s.")
        % {"seats": seats, "citation": cited(rule.get("citation"))}
    ]
    if rule.get("max_one_sex"):
        details.append(
            gettext("At most %(limit)s winners may be of one sex%(citation)s.")
            % {"limit": rule["max_one_sex"], "citation": cited(rule.get("sex_citation"))}
        )
    if rule.get("against_all_effect") == "repeat_if_leads":
        details.append(
            gettext(
                "If “against all” has more votes than the leader, "
                "the election is repeated%(citation)s."
            )
            % {"citation": cited(rule.get("against_all_citation"))}
        )
    for passed in result.get("passed_over", []):
        details.append(
            gettext("%(name)s is passed over: the limit of winners of one sex is reached.")
            % {"name": label(passed["option"])}
        )
    status = result.get("status")
    winners = list(result.get("winners", []))
    if status == "elected" and winners:
        text = (
            gettext("Elected: %(names)s.")
            if final
            else gettext("Would be elected on these protocols: %(names)s.")
        )
        if result.get("vacant"):
            details.append(gettext("Seats left vacant: %(n)s.") % {"n": result["vacant"]})
        return {"headline": text % {"names": _joined(winners, label)}, "details": details}
    if status == "repeat":
        return {
            "headline": gettext("“Against all” has more votes than the leader: a repeat election."),
            "details": details,
        }
    if status == "cancelled":
        return {
            "headline": gettext(
                "Every candidate is of one sex: the election in this district is cancelled."
            ),
            "details": details,
        }
    return {"headline": "", "details": details}


def _party_list(result: Mapping[str, Any], label: Callable[[str], str]) -> dict[str, Any]:
    total = int(result.get("seats_total", 0))
    details = [
        gettext("%(seats)s seats are divided among the party lists by %(method)s%(citation)s.")
        % {
            "seats": total,
            "method": METHODS.get(result.get("method", ""), result.get("method", "")),
            "citation": cited(result.get("method_citation")),
        }
    ]
    thresholds = result.get("thresholds", {})
    national = thresholds.get("national")
    if national:
        details.append(
            gettext(
                "A list takes part in the division with %(rule)s%(citation)s: "
                "%(required)s votes of %(base)s."
            )
            % {
                "rule": rule_words(national),
                "citation": cited(national.get("citation")),
                "required": count(national.get("required")),
                "base": count(national.get("of")),
            }
        )
    regional = thresholds.get("regional")
    if regional:
        details.append(
            gettext("It must also have %(rule)s in each region%(citation)s.")
            % {"rule": rule_words(regional), "citation": cited(regional.get("citation"))}
        )
    passed = list(result.get("passed", []))
    details.append(
        gettext("Passed the threshold: %(names)s.") % {"names": _joined(passed, label) or "—"}
    )
    failed = result.get("failed", {})
    if failed:
        details.append(
            gettext("Did not pass: %(names)s.") % {"names": _joined(list(failed), label)}
        )
    if result.get("quota"):
        details.append(
            gettext(
                "Quota: %(quota)s votes per seat. Each list gets one seat per whole quota; "
                "the seats left go to the largest remainders."
            )
            % {"quota": number_format(Decimal(result["quota"]), 2)}
            if "largest_remainder" in str(result.get("method"))
            else gettext("Each seat goes to the list with the highest average at that step.")
        )
    if result.get("seat_cap"):
        details.append(
            gettext("No list may hold more than %(cap)s seats%(citation)s.")
            % {"cap": result["seat_cap"], "citation": cited(result.get("cap_citation"))}
        )
    for cap in result.get("caps", []):
        details.append(
            gettext("%(name)s is capped at %(cap)s seats; the method gave it %(wanted)s.")
            % {"name": label(cap["option"]), "cap": cap["cap"], "wanted": cap["wanted"]}
        )
    seats = result.get("seats", {})
    won = [o for o in result.get("winners", []) if seats.get(o)]
    headline = gettext("Seats: %(list)s.") % {
        "list": ", ".join(f"{label(o)} — {seats[o]}" for o in won) or "—"
    }
    return {"headline": headline, "details": details}
