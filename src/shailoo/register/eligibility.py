"""Who may vote on a polling day under a law edition, and why: the eligibility engine.

Two faces of one rule set. :func:`evaluate` explains a single person rule by rule (evidence and
citation per rule) for the self-check page and ``shailoo register check``. :func:`compile_rules`
turns the same rules into a :class:`CompiledRules` whose :meth:`~CompiledRules.fail_codes`
decides a million registry rows without building any object per row. A property test holds
the two to the same answers.

Decisions the law file makes (see docs/law.md): the age is reached on the birthday, on or before
polling day; a birthday of 29 February falls on 1 March or 28 February of a common year as
``voters.leap_day_birthday`` says. Decisions made here: a person whose death is recorded for a
day *before* polling day fails ALIVE (one who dies on polling day was a voter that morning);
citizenship is the registry's main ``citizenship``, and ``other_citizenships`` matter only
where ``voters.dual_citizens_may_vote`` is false.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date
from types import MappingProxyType
from typing import Any, cast

from shailoo.law.schema import Cited, Edition, LeapDayBirthday
from shailoo.register.facts import PersonFacts
from shailoo.register.messages import (
    BASIS,
    FINDINGS,
    LANGS,
    OUTCOME,
    RULE_NAMES,
    STATELESS,
    UNCONFIRMED,
    Lang,
)

__all__ = [
    "CODES",
    "CompiledRules",
    "RuleCheck",
    "Verdict",
    "coming_of_age",
    "compile_rules",
    "evaluate",
    "latest_birth_date",
    "render",
]

CODES: tuple[str, ...] = ("AGE", "CITIZENSHIP", "CAPACITY", "CONFINEMENT", "BIOMETRICS", "ALIVE")
STATELESS_CODE = "XX"
_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """One rule applied to one person.

    ``citation`` is the English reference; ``citations`` holds it per language (ky, ru, en)
    for :func:`render`; ``unconfirmed`` repeats the law file's flag on the cited parameter.
    """

    code: str
    passed: bool
    citation: str
    evidence: Mapping[str, str]
    citations: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    unconfirmed: bool = False


@dataclass(frozen=True, slots=True)
class Verdict:
    """All rules for one person; eligible when every rule passed."""

    eligible: bool
    checks: tuple[RuleCheck, ...]

    @property
    def failing(self) -> tuple[str, ...]:
        """Codes of the rules that failed, in :data:`CODES` order."""
        return tuple(check.code for check in self.checks if not check.passed)

    @property
    def codes(self) -> str:
        """The failing codes comma-joined, as :meth:`CompiledRules.fail_codes` returns them."""
        return ",".join(self.failing)


# -- dates ---------------------------------------------------------------------------------


def coming_of_age(birth_date: date, min_age: int, leap_day: LeapDayBirthday) -> date:
    """The day a person born on ``birth_date`` reaches ``min_age`` (``date.max`` if never)."""
    year = birth_date.year + min_age
    if year > MAXYEAR:
        return date.max
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1) if leap_day == "march_1" else date(year, 2, 28)
    return birth_date.replace(year=year)


def latest_birth_date(polling_day: date, min_age: int, leap_day: LeapDayBirthday) -> date:
    """The last birth date that reaches ``min_age`` on or before ``polling_day``.

    Raises ValueError for a polling day earlier than year 1 + ``min_age`` (no one qualifies).
    """
    year = polling_day.year - min_age
    if year < MINYEAR:
        raise ValueError(f"polling day {polling_day} is too early for a minimum age {min_age}")
    if polling_day.month == 2 and polling_day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    latest = polling_day.replace(year=year)
    if (
        leap_day == "february_28"
        and (polling_day.month, polling_day.day) == (2, 28)
        and calendar.isleap(year)
        and not calendar.isleap(polling_day.year)
    ):
        # born 29 February in a leap year: the birthday falls on this 28 February
        latest = date(year, 2, 29)
    return latest


# -- explained verdict ---------------------------------------------------------------------


def evaluate(facts: PersonFacts, polling_day: date, law: Edition) -> Verdict:
    """Apply every rule of ``law`` to ``facts`` for ``polling_day``, with evidence."""
    voters = law.voters
    required = voters.citizenship.value
    others = tuple(c for c in facts.other_citizenships if c and c != required)
    dual_ok = voters.dual_citizens_may_vote.value
    comes = coming_of_age(facts.birth_date, voters.min_age.value, voters.leap_day_birthday.value)
    death = facts.death_date
    checks = (
        _check(
            "AGE",
            comes <= polling_day,
            voters.min_age,
            birth_date=facts.birth_date.isoformat(),
            min_age=str(voters.min_age.value),
            comes_of_age=comes.isoformat(),
            polling_day=polling_day.isoformat(),
            leap_day_birthday=voters.leap_day_birthday.value,
        ),
        _check(
            "CITIZENSHIP",
            facts.citizenship == required and (dual_ok or not others),
            voters.citizenship if dual_ok or not others else voters.dual_citizens_may_vote,
            citizenship=facts.citizenship,
            required=required,
            others=";".join(others),
            dual_citizens_may_vote=_flag(dual_ok),
        ),
        _exclusion("CAPACITY", facts.legally_incapable, voters.incapacity_excludes),
        _exclusion("CONFINEMENT", facts.in_confinement, voters.confinement_excludes),
        _check(
            "BIOMETRICS",
            facts.biometric_registered or not voters.biometric_registration_required.value,
            voters.biometric_registration_required,
            registered=_flag(facts.biometric_registered),
            required=_flag(voters.biometric_registration_required.value),
        ),
        _check(
            "ALIVE",
            death is None or death >= polling_day,
            voters.list_from_population_register,
            death_date=death.isoformat() if death is not None else "",
            polling_day=polling_day.isoformat(),
        ),
    )
    return Verdict(all(check.passed for check in checks), checks)


def _exclusion(code: str, found: bool, excludes: Cited[bool]) -> RuleCheck:
    return _check(
        code,
        not (found and excludes.value),
        excludes,
        found=_flag(found),
        excludes=_flag(excludes.value),
    )


def _check(code: str, passed: bool, param: Cited[Any], **evidence: str) -> RuleCheck:
    return RuleCheck(
        code=code,
        passed=passed,
        citation=param.citation,
        evidence=MappingProxyType(evidence),
        citations=MappingProxyType({lang: param.citation_in(lang) for lang in LANGS}),
        unconfirmed=param.unconfirmed,
    )


def _flag(value: bool) -> str:
    return "true" if value else "false"


# -- the importer's fast path --------------------------------------------------------------


class CompiledRules:
    """The rules of one edition fixed to one polling day, for deciding many rows fast.

    Every answer is precomputed: the latest birth date allowed, which exclusions apply, and
    the comma-joined code string for each of the 64 combinations of failures, so that
    :meth:`fail_codes` only compares and indexes.
    """

    __slots__ = (
        "_bio_bit",
        "_capacity_bit",
        "_citizenship",
        "_confinement_bit",
        "_dual_forbidden",
        "_table",
        "latest_birth",
        "polling_day",
    )

    def __init__(self, law: Edition, polling_day: date) -> None:
        voters = law.voters
        self.polling_day = polling_day
        self.latest_birth = latest_birth_date(
            polling_day, voters.min_age.value, voters.leap_day_birthday.value
        )
        self._citizenship = voters.citizenship.value
        self._dual_forbidden = not voters.dual_citizens_may_vote.value
        self._capacity_bit = 4 if voters.incapacity_excludes.value else 0
        self._confinement_bit = 8 if voters.confinement_excludes.value else 0
        self._bio_bit = 16 if voters.biometric_registration_required.value else 0
        self._table = tuple(
            ",".join(code for bit, code in enumerate(CODES) if mask >> bit & 1)
            for mask in range(1 << len(CODES))
        )

    def fail_codes(
        self,
        birth_date: date,
        citizenship: str,
        legally_incapable: bool,
        in_confinement: bool,
        biometric_registered: bool,
        death_date: date | None,
        other_citizenships: str | tuple[str, ...] = (),
    ) -> str:
        """Failing codes comma-joined in :data:`CODES` order; ``""`` for an eligible person.

        ``other_citizenships`` (a tuple, or the registry's ``;``-separated text) is read only
        when the edition bars dual citizens.
        """
        return self._table[
            self.age_mask(birth_date)
            | self.status_mask(
                citizenship,
                legally_incapable,
                in_confinement,
                biometric_registered,
                death_date,
                other_citizenships,
            )
        ]

    def age_mask(self, birth_date: date) -> int:
        """The failure bit of the age rule; ``codes(age_mask | status_mask)`` = fail_codes."""
        return 1 if birth_date > self.latest_birth else 0

    def status_mask(
        self,
        citizenship: str,
        legally_incapable: bool,
        in_confinement: bool,
        biometric_registered: bool,
        death_date: date | None,
        other_citizenships: str | tuple[str, ...] = (),
    ) -> int:
        """The failure bits of every rule but age (few combinations: the import caches them)."""
        mask = 0
        if citizenship != self._citizenship or (
            self._dual_forbidden and self._holds_other(other_citizenships)
        ):
            mask |= 2
        if legally_incapable:
            mask |= self._capacity_bit
        if in_confinement:
            mask |= self._confinement_bit
        if not biometric_registered:
            mask |= self._bio_bit
        if death_date is not None and death_date < self.polling_day:
            mask |= 32
        return mask

    def codes(self, mask: int) -> str:
        """The comma-joined codes of a failure mask."""
        return self._table[mask]

    def _holds_other(self, others: str | tuple[str, ...]) -> bool:
        codes = others.split(";") if isinstance(others, str) else others
        return any(code and code != self._citizenship for code in codes)


def compile_rules(law: Edition, polling_day: date) -> CompiledRules:
    """The rules of ``law`` fixed to ``polling_day``; see :class:`CompiledRules`."""
    return CompiledRules(law, polling_day)


# -- words -----------------------------------------------------------------------------------

_DATE_KEYS = frozenset({"birth_date", "comes_of_age", "polling_day", "death_date"})


def render(verdict: Verdict, lang: str) -> list[str]:
    """One line per rule in ``lang`` (ky, ru or en): outcome, evidence, legal basis."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    language = cast(Lang, lang)
    lines = []
    for check in verdict.checks:
        values = {key: _show(key, value, language) for key, value in check.evidence.items()}
        finding = FINDINGS[f"{check.code}.{_finding(check)}"][language].format(**values)
        citation = check.citations.get(language, check.citation)
        if check.unconfirmed:
            citation = f"{citation} {UNCONFIRMED[language]}"
        mark = "✓" if check.passed else "✗"
        name = RULE_NAMES[check.code][language]
        lines.append(
            f"{mark} {name}: {OUTCOME[check.passed][language]} — {finding}. "
            f"{BASIS[language]}: {citation}"
        )
    return lines


def _finding(check: RuleCheck) -> str:
    """Which template explains ``check``: the evidence says which case applied."""
    evidence = check.evidence
    if check.code == "CITIZENSHIP":
        dual = bool(evidence["others"])
        if check.passed:
            return "pass_dual" if dual else "pass"
        return "fail" if evidence["citizenship"] != evidence["required"] else "fail_dual"
    if check.code in ("CAPACITY", "CONFINEMENT") and evidence["excludes"] == "false":
        return "not_applied"
    if check.code == "BIOMETRICS" and evidence["required"] == "false":
        return "not_applied"
    if check.code == "ALIVE" and check.passed and evidence["death_date"]:
        return "pass_later"
    return "pass" if check.passed else "fail"


def _show(key: str, value: str, lang: Lang) -> str:
    if key in _DATE_KEYS and value and lang != "en":
        year, month, day = value.split("-")
        return f"{day}.{month}.{year}"
    if key in ("citizenship", "required") and value == STATELESS_CODE:
        return STATELESS[lang]
    if key == "others":
        return ", ".join(value.split(";"))
    return value
