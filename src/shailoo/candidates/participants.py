"""Who may act in an election besides the candidates: representatives, proxies, observers.

A pure engine: a person's :class:`ParticipantFacts` for one role, the edition's
:class:`~shailoo.law.schema.ParticipantRules` and the country's citizenship
(``edition.voters.citizenship.value``) give a :class:`ParticipantDecision`: *admitted*,
*refused* (every bar that applies, each with its cited parameter) or *undecided* (naming the
facts that are missing). The texts are in :mod:`shailoo.candidates.participant_messages`.

Readings of the law taken here:

* **A foreign citizen** is a person who does *not* hold the country's citizenship and holds
  another's. A dual citizen who holds the country's citizenship is a citizen of the country,
  not a foreign citizen, and is not barred by ``foreign_citizens_barred``: the law bars
  "foreign citizens" from these roles, and, unlike the candidates' rule, says nothing of a
  second citizenship (where a law means to bar one it says so, as ``other_citizenship_bars``
  does for candidates).
* **A stateless person** holds no citizenship at all (``citizenships == ()``).
* **International observers** are foreign by nature: they need the commission's accreditation
  (``international_observers_accredited``), not a citizenship. The engine applies the bar lists
  as the edition writes them; an edition that named international observers there would bar
  them too.
* The voter requirement and the office bars are the law's rules for *domestic observers* only.
* An unknown fact (None) that a rule of the role needs makes that rule undecided, never a
  silent pass; a fact no rule of the role needs may stay unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Final, Literal, get_args

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.law.schema import (
    PARTICIPANT_ROLES,
    BarredOffice,
    Cited,
    ParticipantRole,
    ParticipantRules,
)

__all__ = [
    "BARRED_OFFICES",
    "PARTICIPANT_CODES",
    "ParticipantCheck",
    "ParticipantDecision",
    "ParticipantFacts",
    "ParticipantInputError",
    "admit",
]

CheckOutcome = Literal["met", "refused", "undecided"]
Admission = Literal["admitted", "refused", "undecided"]
#: A fact a rule may need, as :class:`ParticipantFacts` names it.
Fact = Literal["citizenships", "is_voter", "offices", "accredited"]

#: Every reason code, in the order checks are reported.
PARTICIPANT_CODES: Final[tuple[str, ...]] = (
    "FOREIGN_CITIZEN",
    "STATELESS",
    "NOT_A_VOTER",
    "BARRED_OFFICE",
    "NOT_ACCREDITED",
)
#: Every office the schema knows, in its order.
BARRED_OFFICES: Final[tuple[BarredOffice, ...]] = get_args(BarredOffice)
_COUNTRY = re.compile(r"^[A-Z]{2}$")
#: The register's code for "no citizenship"; here statelessness is ``()``, never a code.
_STATELESS_MARK = "XX"


class ParticipantInputError(InvalidInput):
    """Facts that cannot be judged: an unknown role, a malformed country code, a bad office."""

    default_code = "participant_input"


@dataclass(frozen=True, slots=True)
class ParticipantFacts:
    """What is known of a person proposed for ``role``; ``None`` is an unknown fact.

    ``citizenships`` are ISO 3166-1 alpha-2 codes, ``()`` for a stateless person; ``offices``
    are the offices the person holds now (``()`` for none); ``country`` is the state (or the
    organisation's seat) an international observer comes from, shown on the badge.
    """

    role: ParticipantRole
    citizenships: tuple[str, ...] | None
    is_voter: bool | None
    offices: tuple[BarredOffice, ...] | None
    accredited: bool | None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class ParticipantCheck:
    """One rule applied to one person.

    ``outcome`` is ``met``, ``refused`` or ``undecided``; ``missing`` names the unknown fact of
    an undecided check; ``office`` the barred office of a BARRED_OFFICE check; ``citizenships``
    the codes the citizenship checks read (``""`` for stateless).
    """

    code: str
    outcome: CheckOutcome
    cite: Cited[Any]
    missing: Fact | None = None
    office: BarredOffice | None = None
    citizenships: str = ""


@dataclass(frozen=True, slots=True)
class ParticipantDecision:
    """Every rule of the role applied: refused when one refuses, else undecided when one is
    undecided, else admitted (also when the role has no rule at all)."""

    role: ParticipantRole
    outcome: Admission
    checks: tuple[ParticipantCheck, ...]
    citizenship: str

    @property
    def reasons(self) -> tuple[ParticipantCheck, ...]:
        """The checks that refused or could not decide: why the person is not admitted."""
        return tuple(check for check in self.checks if check.outcome != "met")

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes of the reasons, each once, refusals first."""
        ordered = sorted(self.reasons, key=lambda c: c.outcome != "refused")
        return tuple(dict.fromkeys(check.code for check in ordered))

    @property
    def missing(self) -> tuple[Fact, ...]:
        """The unknown facts that keep the decision open, each once."""
        return tuple(dict.fromkeys(c.missing for c in self.checks if c.missing is not None))


def admit(
    facts: ParticipantFacts, rules: ParticipantRules, citizenship: str
) -> ParticipantDecision:
    """Apply every rule ``rules`` sets for ``facts.role``; ``citizenship`` is the country's.

    Raises :class:`ParticipantInputError` with located problems for a role the law does not
    know, a citizenship or country that is not a two-letter code, or an unknown office.
    """
    _validate(facts, citizenship)
    role = facts.role
    checks: list[ParticipantCheck] = []
    checks += _citizenship(facts, rules, citizenship)
    if role == "domestic_observer":
        must_vote = rules.domestic_observer_must_be_voter
        if must_vote.value:
            checks.append(_flag_check("NOT_A_VOTER", facts.is_voter, must_vote, "is_voter"))
        checks += _offices(facts, rules.domestic_observer_barred_offices)
    if role == "international_observer":
        accredited = rules.international_observers_accredited
        if accredited.value:
            checks.append(_flag_check("NOT_ACCREDITED", facts.accredited, accredited, "accredited"))
    outcomes = {check.outcome for check in checks}
    outcome: Admission = (
        "refused"
        if "refused" in outcomes
        else "undecided"
        if "undecided" in outcomes
        else "admitted"
    )
    return ParticipantDecision(role, outcome, tuple(checks), citizenship)


def _citizenship(
    facts: ParticipantFacts, rules: ParticipantRules, citizenship: str
) -> list[ParticipantCheck]:
    barred: list[tuple[str, Cited[Any]]] = []
    if facts.role in rules.foreign_citizens_barred.value:
        barred.append(("FOREIGN_CITIZEN", rules.foreign_citizens_barred))
    if facts.role in rules.stateless_barred.value:
        barred.append(("STATELESS", rules.stateless_barred))
    held = facts.citizenships
    if held is None:
        return [
            ParticipantCheck(code, "undecided", cite, missing="citizenships")
            for code, cite in barred
        ]
    codes = ";".join(held)
    foreign = citizenship not in held and bool(held)
    stateless = not held
    return [
        ParticipantCheck(
            code,
            "refused" if (foreign if code == "FOREIGN_CITIZEN" else stateless) else "met",
            cite,
            citizenships=codes,
        )
        for code, cite in barred
    ]


def _offices(facts: ParticipantFacts, barred: Cited[list[BarredOffice]]) -> list[ParticipantCheck]:
    if not barred.value:
        return []
    if facts.offices is None:
        return [ParticipantCheck("BARRED_OFFICE", "undecided", barred, missing="offices")]
    held = [office for office in dict.fromkeys(facts.offices) if office in barred.value]
    if not held:
        return [ParticipantCheck("BARRED_OFFICE", "met", barred)]
    return [ParticipantCheck("BARRED_OFFICE", "refused", barred, office=office) for office in held]


def _flag_check(code: str, fact: bool | None, cite: Cited[bool], name: Fact) -> ParticipantCheck:
    if fact is None:
        return ParticipantCheck(code, "undecided", cite, missing=name)
    return ParticipantCheck(code, "met" if fact else "refused", cite)


def _validate(facts: ParticipantFacts, citizenship: str) -> None:
    problems: list[Problem] = []
    if facts.role not in PARTICIPANT_ROLES:
        problems.append(
            Problem("role", f"unknown role {facts.role!r}; one of {', '.join(PARTICIPANT_ROLES)}")
        )
    if not isinstance(citizenship, str) or not _COUNTRY.match(citizenship):
        problems.append(Problem("citizenship", "the country's code must be two capital letters"))
    if facts.citizenships is not None:
        for i, code in enumerate(facts.citizenships):
            if code == _STATELESS_MARK:
                problems.append(
                    Problem(f"citizenships.{i}", "XX marks a stateless person; pass () instead")
                )
            elif not isinstance(code, str) or not _COUNTRY.match(code):
                problems.append(
                    Problem(
                        f"citizenships.{i}",
                        f"{code!r} is not a two-letter country code; () is stateless",
                    )
                )
    if facts.offices is not None:
        for i, office in enumerate(facts.offices):
            if office not in BARRED_OFFICES:
                problems.append(
                    Problem(
                        f"offices.{i}",
                        f"unknown office {office!r}; one of {', '.join(BARRED_OFFICES)}",
                    )
                )
    if facts.country is not None and (
        not isinstance(facts.country, str) or not _COUNTRY.match(facts.country)
    ):
        problems.append(Problem("country", f"{facts.country!r} is not a two-letter country code"))
    if problems:
        raise ParticipantInputError(
            message="the participant's facts cannot be judged", problems=problems
        )
