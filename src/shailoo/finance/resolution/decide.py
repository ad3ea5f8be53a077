"""Deciding from the records found by name: which one, if any, resolves the donor (pure).

A person resolves by a corroborated name (same birth date or address) with no rival as well
corroborated; an organisation by a name no other organisation's comes close to (a name is all
a statement tells of an organisation) and no other country. Records a birth date or a
country contradicts are kept, to show the reviewer the namesakes that were ruled out.
"""

from __future__ import annotations

from dataclasses import replace
from typing import NamedTuple

from shailoo.finance.resolution.records import Candidate, Status
from shailoo.finance.resolution.scoring import MATCH

#: A rival within this many points of the best organisation makes its name not unique.
ENTITY_MARGIN = 10.0
#: A person corroborated as well as the best and within this many points is a rival.
PERSON_MARGIN = 5.0
_BIRTH, _ADDRESS = 2, 1


def strength(candidate: Candidate) -> int:
    """How strongly a person is corroborated: a birth date outweighs an address."""
    birth = _BIRTH if "birth_date" in candidate.corroboration else 0
    return birth + (_ADDRESS if "address" in candidate.corroboration else 0)


def rank(candidate: Candidate) -> tuple[bool, int, float]:
    """Sort key, best first (reversed): uncontradicted, better corroborated, closer."""
    return (not candidate.contradiction, strength(candidate), candidate.score)


class Found(NamedTuple):
    """What a search by name found: the status it supports, the best record, all records
    considered (best first) and the reasons."""

    status: Status
    best: Candidate | None
    candidates: list[Candidate]
    reasons: list[str]


def decide_persons(found: list[Candidate]) -> Found:
    """A person resolves when one record fits the name, is corroborated (birth date or
    address) and has no rival as well corroborated and as close, nor a closer namesake when
    only the address corroborates it."""
    ranked = sorted(found, key=rank, reverse=True)
    eligible = [c for c in ranked if not c.contradiction]
    strong = [c for c in eligible if c.score >= MATCH and strength(c) > 0]
    reasons = []
    if strong:
        best = strong[0]
        rivals = [
            c
            for c in eligible
            if c is not best
            and c.score >= MATCH
            and (
                (strength(c) >= strength(best) and c.score >= best.score - PERSON_MARGIN)
                or (c.score > best.score and strength(best) < _BIRTH)
            )
        ]
        if not rivals:
            said = " and ".join(w.replace("_", " ") for w in best.corroboration)
            reasons.append(
                f"the name fits {best.name} ({best.shown_id}, score {best.score:g}), same {said}"
            )
            return Found(Status.NAME_MATCH, best, ranked, reasons)
        reasons.append(f"{len(rivals) + 1} persons fit the name with like corroboration: review")
        return Found(Status.AMBIGUOUS, best, ranked, reasons)
    reasons += [
        f"namesake {c.name} ({c.shown_id}, score {c.score:g}) was born on another day:"
        " not the same person"
        for c in ranked
        if "birth_date" in c.contradiction and c.score >= MATCH
    ]
    if eligible:
        best = eligible[0]
        if best.score < MATCH:
            reasons.append(
                f"the closest person, {best.name} ({best.shown_id}, score {best.score:g}),"
                f" is below {MATCH:g}: review"
            )
        else:
            reasons.append(
                f"{best.name} ({best.shown_id}) fits the name, but no birth date or address"
                " corroborates it: review"
            )
        return Found(Status.AMBIGUOUS, best, ranked, reasons)
    other = " other" if ranked else ""
    reasons.append(f"no{other} person in the register fits the name")
    return Found(Status.UNRESOLVED, None, ranked, reasons)


def decide_entities(found: list[Candidate], country: str) -> Found:
    """An organisation resolves when its name fits and no other organisation's comes close
    (a name is an organisation's only corroboration), and no country contradicts it."""
    ranked = sorted(found, key=rank, reverse=True)
    eligible = [c for c in ranked if not c.contradiction]
    reasons = [
        f"{c.name} ({c.shown_id}) has the name but is registered in {c.country},"
        f" not {country}: not the same organisation"
        for c in ranked
        if "country" in c.contradiction and c.score >= MATCH
    ]
    if not eligible:
        other = " other" if ranked else ""
        reasons.append(f"no{other} organisation in the registries fits the name")
        return Found(Status.UNRESOLVED, None, ranked, reasons)
    best = max(eligible, key=lambda c: c.score)
    rivals = [c for c in eligible if c is not best and c.score >= best.score - ENTITY_MARGIN]
    if best.score >= MATCH and not rivals:
        best = replace(best, corroboration=(*best.corroboration, "unique_name"))
        reasons.append(
            f"the name fits {best.name} ({best.shown_id}, score {best.score:g})"
            " and no other organisation's"
        )
        rest = [c for c in ranked if c.identity_key != best.identity_key]
        return Found(Status.NAME_MATCH, best, [best, *rest], reasons)
    if rivals:
        reasons.append(f"{len(rivals) + 1} organisations fit the name: review")
    else:
        reasons.append(
            f"the closest organisation, {best.name} (score {best.score:g}), is below"
            f" {MATCH:g}: review"
        )
    return Found(Status.AMBIGUOUS, best, ranked, reasons)


def either(person: Found, entity: Found) -> Found:
    """A name searched as a person's and as an organisation's, neither of which settled it
    alone: one side resolves it only when the other has nothing as close."""
    strong_p = any(c.score >= MATCH and not c.contradiction for c in person.candidates)
    strong_e = any(c.score >= MATCH and not c.contradiction for c in entity.candidates)
    if person.status is Status.NAME_MATCH and not strong_e:
        return person._replace(candidates=[*person.candidates, *entity.candidates])
    if entity.status is Status.NAME_MATCH and not strong_p:
        return entity._replace(candidates=[*entity.candidates, *person.candidates])
    merged = sorted([*person.candidates, *entity.candidates], key=rank, reverse=True)
    eligible = [c for c in merged if not c.contradiction]
    if strong_p and strong_e:
        reasons = ["the name fits both a person and an organisation: review"]
    else:
        reasons = [*person.reasons, *entity.reasons]
    status = Status.AMBIGUOUS if eligible else Status.UNRESOLVED
    return Found(status, eligible[0] if eligible else None, merged, reasons)
