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
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

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


def outcome(
    info: ContestInfo, contest: ContestResults, law_edition: str, final: bool
) -> dict[str, Any]:
    """The outcome of one contest on its accepted protocols (see the module's docstring).

    ``status`` is ``elected``, ``runoff``, ``repeat``, ``cancelled`` (the engine's word),
    ``lot`` (a tie the law breaks by a public lot, not drawn yet), ``leading`` (no rule to
    apply: the contest's kind is not in the law edition, or no definition is imported) or
    ``none`` (no votes counted yet).
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
    if not tally.protocols or not tally.votes_valid:
        return base
    edition = edition_of(law_edition)
    against = info.against_all
    votes = {o: int(v) for o, v in tally.votes.items() if o not in against}
    against_all = sum(int(v) for o, v in tally.votes.items() if o in against)
    invalid = int(tally.lines.get("ballots_invalid", 0))
    order = info.order(votes)
    try:
        if edition is None or not info.defined:
            raise NoSuchSystem("no rules")
        if info.kind == "president":
            return {**base, **_president(edition, votes, against_all, invalid, order)}
        if info.kind == "district":
            return {**base, **_district(edition, info, votes, against_all)}
        if info.kind == "party_list":
            regions = {
                code: _seat_tally(region.votes, against, region.lines)
                for code, region in contest.regions.items()
            }
            counted = ListCount(SeatTally(votes, against_all, invalid), regions, tuple(order))
            return {**base, **_party_list(edition, info, counted)}
        raise NoSuchSystem(info.kind)
    except LotRequired as tie:
        return {**base, "status": "lot", "tied": list(tie.tied), "problem": tie.message}
    except NoSuchSystem:
        return {**base, **_leading(info, votes, order)}
    except SeatError as error:
        return {**base, **_leading(info, votes, order), "problem": error.message}


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
