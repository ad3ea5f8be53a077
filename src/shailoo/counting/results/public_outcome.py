"""Who is elected on the accepted protocols: the seat engine applied to the public figures.

The public page marks the winners and explains the allocation, and it must say exactly what
``shailoo seats`` would say on the same figures: so the decision is the engine's
(:mod:`shailoo.counting.seats`, with the rules read from the election's law edition by
:mod:`shailoo.counting.seats.law`), and this module only gathers its inputs from the
accepted protocols and writes its evidence down as plain, language-neutral JSON: statuses,
option ids, whole votes, shares as decimal strings and each rule with its citation in
Kyrgyz, Russian and English. Pages turn that into sentences in the reader's language.

While protocols are still missing, reported or disputed, the outcome is **provisional**
(``final`` false): it is what the accepted protocols give so far, and the page says so.

Two things the page never claims. Nobody with no vote leads or is elected (every option at
zero is ``no_votes``). And nobody whose place a tie decides is marked as the winner: the
engine breaks a tie by the edition's rule (registration order, or a lot), but a tie at the
cut (for the one seat, a run-off place or the last of several seats) is reported as
``tied``, with the rule and where the edition sets it, and the commission's decision says
who takes the place.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy

from shailoo.counting.results.aggregation import ContestResults
from shailoo.counting.results.public_names import ContestInfo
from shailoo.counting.seats import (
    DistrictCandidate,
    ListCount,
    LotRequired,
    SeatError,
    allocate_list,
    elect_district,
    president_first_round,
)
from shailoo.counting.seats import Tally as SeatTally
from shailoo.counting.seats.figures import Sex
from shailoo.counting.seats.law import NoSuchSystem, district_rules, list_rules, president_rules
from shailoo.law.loader import LawError, load_edition
from shailoo.law.schema import LANGS, Cited, Edition, localize_cite

#: The definition's sex letters as the seat engine names them.
SEXES: dict[str, Sex] = {"F": "female", "M": "male"}
#: Statuses that name winners (or run-off places) a tie or a lack of votes can take away.
DECIDING = frozenset({"elected", "runoff", "leading"})
#: Why the law's rules could not be applied, by code, for the reader (the engine's English
#: reason stays in ``problem`` for programs).
PROBLEMS = {
    "sex_unknown": gettext_lazy(
        "The law limits how many winners may be of one sex, and the election definition does "
        "not give every candidate's sex: the page shows who leads, not who is elected."
    ),
    "lot_required": gettext_lazy(
        "A tie decides the result and the law breaks it by a lot drawn in public, which is "
        "not recorded yet."
    ),
}
OTHER_PROBLEM = gettext_lazy(
    "The law's seat rules cannot be applied to these figures: the page shows who leads, not "
    "who is elected."
)


class SexUnknown(SeatError):
    """The edition limits winners of one sex and the definition lacks some candidates' sex."""

    default_code = "sex_unknown"

    def __init__(self, options: list[str]) -> None:
        self.options = options
        super().__init__(
            f"the sex rule needs every candidate's sex (missing: {', '.join(options)})"
        )


def problem_json(error: SeatError) -> dict[str, Any]:
    """The engine's refusal as a code and a text in every language (and its English reason)."""
    text = PROBLEMS.get(error.code, OTHER_PROBLEM)
    texts = {}
    for lang in LANGS:
        with translation.override(lang):
            texts[lang] = str(text)
    return {"problem": error.message, "problem_code": error.code, "problem_text": texts}


def percent(value: Fraction, places: int = 2) -> str:
    """``value`` (a share, 0..1) as a percentage string with ``places`` decimals."""
    step = Decimal(1).scaleb(-places)
    return str((Decimal(value.numerator) * 100 / Decimal(value.denominator)).quantize(step))


def decimal_text(value: Fraction, places: int = 4) -> str:
    step = Decimal(1).scaleb(-places)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(step))


def citation(param: Cited[Any] | None) -> dict[str, Any] | None:
    """Where the law sets ``param``, in each language, and whether the sources confirm it."""
    if param is None:
        return None
    found: dict[str, Any] = {lang: param.citation_in(lang) for lang in LANGS}
    article = {lang: localize_cite(param.cite, lang) for lang in LANGS}
    found["article"] = article
    found["act"] = {lang: found[lang].removeprefix(f"{article[lang]}, ") for lang in LANGS}
    found["unconfirmed"] = param.unconfirmed
    return found


def edition_of(code: str) -> Edition | None:
    try:
        return load_edition(code)
    except LawError:
        return None


def tie_rule(edition: Edition | None) -> dict[str, Any] | None:
    """How the law edition breaks a tie, and where it says so (``None``: no edition to ask)."""
    if edition is None:
        return None
    return {
        "rule": edition.counting.tie_rule.value,
        "citation": citation(edition.counting.tie_rule),
    }


def outcome(
    info: ContestInfo, contest: ContestResults, law_edition: str, final: bool
) -> dict[str, Any]:
    """The outcome of one contest on its accepted protocols (see the module's docstring).

    ``status`` is ``elected``, ``runoff``, ``repeat``, ``cancelled`` (the engine's word),
    ``lot`` (a tie the law breaks by a public lot, not drawn yet), ``tied`` (a tie decides
    the seat or the run-off place: ``tied`` names who, ``winners`` only those above it),
    ``leading`` (no rule to apply: the contest's kind is not in the law edition, or no
    definition is imported), ``no_votes`` (protocols accepted, no valid vote for anyone) or
    ``none`` (no protocol accepted yet). A party list keeps ``elected`` with its seats and
    names in ``tied`` the lists whose only seat a tie gave or withheld.
    """
    base: dict[str, Any] = {
        "kind": info.kind,
        "final": final,
        "law_edition": law_edition,
        "status": "none",
        "winners": [],
        "problem": "",
    }
    tally = contest.country
    if not tally.protocols:
        return base
    if not tally.votes_valid:
        return {**base, "status": "no_votes"}
    edition = edition_of(law_edition)
    against = info.against_all
    votes = {o: int(v) for o, v in tally.votes.items() if o not in against}
    against_all = sum(int(v) for o, v in tally.votes.items() if o in against)
    invalid = int(tally.lines.get("ballots_invalid", 0))
    order = info.order(votes)
    found: dict[str, Any]
    try:
        if edition is None or not info.defined:
            raise NoSuchSystem("no rules")
        if info.kind == "president":
            found = _president(edition, votes, against_all, invalid, order)
        elif info.kind == "district":
            found = _district(edition, info, votes, against_all)
        elif info.kind == "party_list":
            regions = {
                code: _seat_tally(region.votes, against, region.lines)
                for code, region in contest.regions.items()
            }
            counted = ListCount(SeatTally(votes, against_all, invalid), regions, tuple(order))
            found = _party_list(edition, info, counted)
        else:
            raise NoSuchSystem(info.kind)
    except LotRequired as tie:
        return {
            **base,
            "status": "lot",
            "tied": list(tie.tied),
            "tie_rule": tie_rule(edition),
            **problem_json(tie),
        }
    except NoSuchSystem:
        found = _leading(info, votes, order)
    except SeatError as error:
        found = {**_leading(info, votes, order), **problem_json(error)}
    return settle({**base, **found}, votes, info, order, edition)


def settle(
    result: dict[str, Any],
    votes: Mapping[str, int],
    info: ContestInfo,
    order: list[str],
    edition: Edition | None,
) -> dict[str, Any]:
    """``result`` as the page may state it: nobody without a vote among the winners or the
    run-off, every option at zero ``no_votes``, and a tie at the cut ``tied`` (see the
    module's docstring)."""
    seats = info.seats
    if result["status"] not in DECIDING:
        return result
    if not any(votes.values()):
        settled = {**result, "status": "no_votes", "winners": []}
        if "runoff" in result:
            settled["runoff"] = []
        return settled
    sexes = {o.id: o.sex for o in info.options}
    tied = [o for o in tied_at_cut(result, votes, seats, order, sexes) if votes.get(o, 0) > 0]
    seated = _seated(result)
    if len(tied) < 2 and not seated:
        tied = []
    winners = [w for w in result["winners"] if w not in tied and votes.get(w, 0) > 0]
    settled = {**result, "winners": winners}
    if "runoff" in result:
        settled["runoff"] = [o for o in result["runoff"] if o not in tied and votes.get(o, 0)]
    if tied:
        settled["tied"] = [o for o in order if o in tied]
        settled["tie_for"] = _tie_for(result, seats)
        settled["tie_rule"] = tie_rule(edition)
        if not seated:
            settled["status"] = "tied"
            settled["tie_in"] = result["status"]
    return settled


def tied_at_cut(
    result: Mapping[str, Any],
    votes: Mapping[str, int],
    seats: int,
    order: list[str],
    sexes: Mapping[str, str],
) -> list[str]:
    """The options whose place a tie decides: equal votes across the cut between those who
    win (a seat, a run-off place) and those who do not."""
    status, kind = result["status"], result.get("kind")
    if status == "leading":
        return _cut(votes, max(1, seats), order)
    if _seated(result):
        return _list_tied(result)
    if status == "elected" and kind == "president":
        return _cut(votes, 1, order)
    # The engine's own ties: a run-off place, a district's seats ...
    found = [name for tie in result.get("ties", []) for name in tie["tied"]]
    if kind == "district":
        found += _same_sex_ties(result["winners"], votes, order, sexes)
    return found


def _same_sex_ties(
    winners: list[str], votes: Mapping[str, int], order: list[str], sexes: Mapping[str, str]
) -> list[str]:
    """... and where the sex rule passed over one of several candidates of one sex with equal
    votes, which of them it passed over was the tie rule's choice, not the sex rule's: a
    winner and a candidate not elected, of one sex and with as many votes, are tied."""
    found: list[str] = []
    for winner in winners:
        level, sex = votes.get(winner, 0), sexes.get(winner, "")
        twins = [
            o
            for o in order
            if o not in winners and votes.get(o, 0) == level and sexes.get(o, "") == sex
        ]
        if twins:
            found += [winner, *twins]
    return found


def _seated(result: Mapping[str, Any]) -> bool:
    """Seats divided among party lists by the edition's method (not a list leading)."""
    return result.get("kind") == "party_list" and result["status"] == "elected"


def _cut(votes: Mapping[str, int], places: int, order: list[str]) -> list[str]:
    ranked = sorted(order, key=lambda o: -votes.get(o, 0))
    if len(ranked) <= places:
        return []
    last = votes.get(ranked[places - 1], 0)
    if votes.get(ranked[places], 0) != last:
        return []
    return [o for o in order if votes.get(o, 0) == last]


def _list_tied(result: Mapping[str, Any]) -> list[str]:
    """Lists whose only seat a tie gave (or withheld): a list that keeps a seat whatever
    the tie is still elected, its last seat being the one in question."""
    seats = result.get("seats", {})
    found: list[str] = []
    for tie in result.get("ties", []):
        for party in tie["tied"]:
            held = int(seats.get(party, 0)) - (1 if party in tie["winners"] else 0)
            if held == 0 and party not in found:
                found.append(party)
    return found


def _tie_for(result: Mapping[str, Any], seats: int) -> str:
    """What the tie is for: ``first`` (the one seat), ``runoff`` (a place in it) or
    ``seats`` (the last of several)."""
    if result["status"] == "runoff":
        return "runoff"
    if _seated(result) or seats > 1:
        return "seats"
    return "first"


def _seat_tally(
    votes: Mapping[str, int], against: frozenset[str], lines: Mapping[str, int]
) -> SeatTally:
    return SeatTally(
        {o: int(v) for o, v in votes.items() if o not in against},
        sum(int(v) for o, v in votes.items() if o in against),
        int(lines.get("ballots_invalid", 0)),
    )


def _leading(info: ContestInfo, votes: Mapping[str, int], order: list[str]) -> dict[str, Any]:
    """No rule to apply: the ``seats`` options with the most votes lead (ballot order on a
    tie), and nobody is called elected."""
    ranked = sorted(order, key=lambda o: (-votes.get(o, 0), order.index(o)))
    return {"status": "leading", "winners": ranked[: max(1, info.seats)]}


def _president(
    edition: Edition, votes: dict[str, int], against_all: int, invalid: int, order: list[str]
) -> dict[str, Any]:
    rules = president_rules(edition)
    result = president_first_round(votes, rules, against_all, invalid, order=order)
    system = edition.counting.president
    return {
        "status": result.status,
        "winners": [result.winner] if result.winner else [],
        "runoff": list(result.runoff),
        "base": result.base,
        "required": result.required,
        "against_all": result.against_all,
        "rule": {
            "share_percent": percent(rules.majority_share),
            "base": rules.majority_base,
            "comparison": rules.majority_comparison,
            "runoff_top": rules.runoff_top,
            "runoff_within_days": rules.runoff_within_days,
            "citation": citation(system.majority_share),
            "runoff_citation": citation(system.runoff_top),
        },
        "ties": [_tie(t) for t in result.ties],
    }


def _district(
    edition: Edition, info: ContestInfo, votes: dict[str, int], against_all: int
) -> dict[str, Any]:
    rules = dataclasses.replace(district_rules(edition), seats=info.seats)
    system = edition.counting.district
    assert system is not None  # district_rules raised NoSuchSystem otherwise
    unknown = [o.id for o in info.options if o.kind != "against_all" and o.sex not in SEXES]
    if rules.max_one_sex is not None and unknown:
        raise SexUnknown(unknown)
    candidates = []
    for rank, option in enumerate(info.options, start=1):
        if option.kind == "against_all":
            continue
        sex = SEXES.get(option.sex)
        candidates.append(
            DistrictCandidate(
                option.id,
                votes.get(option.id, 0),
                rank,
                sex,
                option.party.get("ru", ""),
            )
        )
    result = elect_district(candidates, against_all, rules)
    return {
        "status": result.status,
        "winners": list(result.winners),
        "seats_total": info.seats,
        "vacant": result.vacant,
        "against_all": result.against_all,
        "passed_over": [{"option": name, "reason": why} for name, why in result.skipped],
        "rule": {
            "max_one_sex": rules.max_one_sex,
            "against_all_effect": rules.against_all_effect,
            "citation": citation(system.seats_per_district),
            "sex_citation": citation(system.max_winners_one_sex),
            "against_all_citation": citation(system.against_all_effect),
        },
        "ties": [_tie(t) for t in result.ties],
    }


def _party_list(edition: Edition, info: ContestInfo, counted: ListCount) -> dict[str, Any]:
    law = list_rules(edition)
    known = set(law.regions)
    regions = {code: t for code, t in counted.regions.items() if code in known}
    counted = dataclasses.replace(counted, regions=regions)
    rules = dataclasses.replace(law, seats=info.seats)
    result = allocate_list(counted, rules)
    system = edition.counting.party_list
    assert system is not None  # list_rules raised NoSuchSystem otherwise
    failed: dict[str, list[str]] = {}
    for check in result.checks:
        if not check.passed:
            failed.setdefault(check.party, []).append(check.area)
    national = next((c for c in result.checks if c.area == "national"), None)
    apportionment = result.apportionment
    first = apportionment.rounds[0] if apportionment is not None and apportionment.rounds else None
    thresholds: dict[str, Any] = {}
    if rules.national is not None:
        thresholds["national"] = {
            "share_percent": percent(rules.national.share),
            "base": rules.national.base,
            "comparison": rules.national.comparison,
            "required": national.required if national is not None else None,
            "of": national.base if national is not None else None,
            "citation": citation(system.threshold_share),
        }
    if rules.regional is not None:
        thresholds["regional"] = {
            "share_percent": percent(rules.regional.share),
            "base": rules.regional.base,
            "comparison": rules.regional.comparison,
            "regions": list(rules.regions),
            "checked": bool(regions),
            "citation": citation(system.region_threshold_share),
        }
    return {
        "status": "elected",
        "winners": [p.name for p in result.parties if p.seats],
        "seats_total": rules.seats,
        "seats": {p.name: p.seats for p in result.parties},
        "passed": list(result.passed),
        "failed": failed,
        "parties": [
            {
                "option": p.name,
                "votes": p.votes,
                "share_percent": percent(p.share),
                "passed": p.passed,
                "seats": p.seats,
            }
            for p in result.parties
        ],
        "base": result.base,
        "method": rules.method,
        "method_citation": citation(system.seat_method),
        "quota": decimal_text(first.quota) if first is not None and first.quota else None,
        "seat_cap": rules.seat_cap,
        "cap_citation": citation(system.seat_cap_per_party),
        "caps": [
            {"option": c.party, "wanted": c.wanted, "cap": c.cap}
            for c in (apportionment.caps if apportionment is not None else ())
        ],
        "unfilled": apportionment.unfilled if apportionment is not None else rules.seats,
        "thresholds": thresholds,
        "ties": [_tie(t) for t in (apportionment.ties if apportionment is not None else ())],
    }


def _tie(tie: Any) -> dict[str, Any]:
    return {"tied": list(tie.tied), "winners": list(tie.winners), "rule": tie.rule}
