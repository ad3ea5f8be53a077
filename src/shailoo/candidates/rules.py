"""Who may stand for an office on a polling day, and why: the candidate-eligibility engine.

:func:`decide` applies one office's rules (``candidates.offices.<office>`` of a law edition)
to what is known about a person and returns a :class:`Decision`: one :class:`Check` per rule,
each with the value found, the value required, the legal parameters applied (for their
citation), the evidence (which registry said what, when) and, when the fact is missing, the
document that would settle it. Pure: the services feed it registry answers, ``candidates
explain`` feeds it a file of stated facts, and both get the same answer.

**A missing fact is never a pass.** Every fact is optional (``None`` = unknown); a rule whose
fact is unknown is *undecided* and names the document it needs. The verdict is the worst
outcome: ineligible if any rule is not met, else undecided if any rule is undecided, else
eligible. A rule the office does not have (no term limit, no period of residence, no level of
education) is reported as met with ``required == "none"``, so every decision lists the same
rules in the same order (:data:`CODES`).

How each rule counts (see the docstring of each ``_check_*`` for the reason):

* age on polling day, with the voters' convention for a 29 February birthday;
* residence stated in years, or counted from a history of stays (days present);
* the state-language test: a test not yet taken is undecided, not failed;
* a criminal record barred as the edition says: never, only unexpunged, or even expunged.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import MAXYEAR, MINYEAR, date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final, Literal, cast, get_args

from shailoo.law.schema import (
    EDUCATION_LEVELS,
    OFFICES,
    Cited,
    Education,
    LeapDayBirthday,
    Office,
    OfficeRules,
)
from shailoo.register.eligibility import coming_of_age

__all__ = [
    "CODES",
    "DOCUMENTS",
    "DOCUMENT_OF",
    "NOT_REQUIRED",
    "STATELESS",
    "CandidateFacts",
    "Check",
    "Decision",
    "Evidence",
    "Outcome",
    "Stay",
    "Verdict",
    "age_on",
    "days_present",
    "decide",
    "merged_stays",
    "rule_codes",
    "years_before",
]

Outcome = Literal["met", "not_met", "undecided"]
Verdict = Literal["eligible", "ineligible", "undecided"]
LanguageTest = Literal["passed", "failed", "not_taken"]
CriminalRecord = Literal["none", "expunged", "unexpunged"]
Lang = Literal["ky", "ru", "en"]

#: Every rule, in the order a decision lists them.
CODES: Final[tuple[str, ...]] = (
    "AGE",
    "CITIZENSHIP",
    "OTHER_CITIZENSHIP",
    "RESIDENCE",
    "LANGUAGE",
    "EDUCATION",
    "CRIMINAL_RECORD",
    "TERMS",
)
#: The document each rule needs when its fact is unknown.
DOCUMENT_OF: Final[Mapping[str, str]] = MappingProxyType(
    {
        "AGE": "passport",
        "CITIZENSHIP": "citizenship_certificate",
        "OTHER_CITIZENSHIP": "citizenship_certificate",
        "RESIDENCE": "residence_record",
        "LANGUAGE": "language_certificate",
        "EDUCATION": "diploma",
        "CRIMINAL_RECORD": "criminal_record_certificate",
        "TERMS": "term_record",
    }
)
#: Every document code a check may ask for.
DOCUMENTS: Final[tuple[str, ...]] = tuple(dict.fromkeys(DOCUMENT_OF.values()))
#: ``required`` of a rule the office does not have.
NOT_REQUIRED: Final = "none"
#: ``found`` of a person who holds no citizenship (``citizenships == ()``).
STATELESS: Final = "stateless"

_LEAP_DAYS: tuple[str, ...] = get_args(LeapDayBirthday)
_LANGUAGE_TESTS: tuple[str, ...] = get_args(LanguageTest)
_RECORDS: tuple[str, ...] = get_args(CriminalRecord)
_EMPTY: Mapping[str, str] = MappingProxyType({})
_LANGUAGE_OUTCOME: Mapping[LanguageTest, Outcome] = MappingProxyType(
    {"passed": "met", "failed": "not_met", "not_taken": "undecided"}
)


def rule_codes() -> tuple[str, ...]:
    """The code of every rule, in the order a :class:`Decision` lists them."""
    return CODES


# -- facts ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stay:
    """A period of residence in the country: from ``start`` up to ``end`` (``None``: still
    resident).

    The period is half-open: ``start`` is the day of arrival, counted as a day present;
    ``end`` is the day of departure, not counted. So adjacent stays add up without a day
    counted twice, and a stay from a date to the same date N years later lasts N years.
    """

    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"a stay cannot end ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where a fact comes from: which ``source`` (a registry, or ``stated`` for a file of
    stated facts) ``said`` what, ``at`` what moment, under which ``reference``."""

    source: str
    said: str
    at: datetime | None = None
    reference: str = ""


@dataclass(frozen=True, slots=True)
class CandidateFacts:
    """What is known about a person nominated for ``office``; ``None`` is an unknown fact.

    ``citizenships`` are ISO 3166-1 alpha-2 codes; ``()`` is a stateless person.
    ``residence_years`` are years of residence as the office counts them, as stated; when it is
    ``None``, ``residence`` (a registry's history of stays) is counted instead.
    ``evidence`` says, per fact name (``birth_date``, ``citizenships``, ``residence_years``,
    ``residence``, ``state_language``, ``education``, ``criminal_record``, ``terms_served``),
    where the fact came from.
    """

    office: Office
    birth_date: date | None = None
    citizenships: tuple[str, ...] | None = None
    residence_years: Decimal | None = None
    residence: tuple[Stay, ...] | None = None
    state_language: LanguageTest | None = None
    education: Education | None = None
    criminal_record: CriminalRecord | None = None
    terms_served: int | None = None
    evidence: Mapping[str, Evidence] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        """Refuse values no registry or file may give: the types alone do not hold at run time,
        and a value outside its set would otherwise be read as some other value."""
        _one_of("office", self.office, OFFICES)
        _one_of("state_language", self.state_language, _LANGUAGE_TESTS)
        _one_of("education", self.education, EDUCATION_LEVELS)
        _one_of("criminal_record", self.criminal_record, _RECORDS)
        years = self.residence_years
        if years is not None and not (years.is_finite() and years >= 0):
            raise ValueError(f"residence_years must be a non-negative number, not {years}")
        if self.terms_served is not None and self.terms_served < 0:
            raise ValueError(f"terms_served must not be negative, not {self.terms_served}")


def _one_of(name: str, value: object, allowed: Sequence[str]) -> None:
    if value is not None and value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


# -- the decision --------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One rule applied to one person.

    ``found`` and ``required`` are machine-readable: AGE ``1990-03-14`` and ``>=35`` (or
    ``35..70``), CITIZENSHIP ``KG;RU`` (or ``stateless``) and ``KG``, OTHER_CITIZENSHIP ``RU``
    and ``only:KG``, RESIDENCE ``15`` (stated years), ``5479d`` (days present) or
    ``absent<=120d`` and ``total>=15y`` or ``last:5y,absent<=183d``, TERMS ``2`` and ``<2``;
    ``found`` is empty for a fact unknown, and ``required == "none"`` marks a rule the office
    does not have. ``cite`` holds the legal parameters applied, for :meth:`citation_in`.
    ``needs_document`` names the document that would settle an undecided rule. ``finding``
    and ``values`` are for the texts of :mod:`shailoo.candidates.messages`: which
    explanation applies and the values it quotes.
    """

    code: str
    outcome: Outcome
    found: str
    required: str
    cite: tuple[Cited[Any], ...] = ()
    needs_document: str | None = None
    evidence: Evidence | None = None
    finding: str = ""
    values: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    def citation_in(self, lang: Lang) -> str:
        """The legal basis in ``lang``: each parameter's reference, ``; ``-joined."""
        return "; ".join(dict.fromkeys(param.citation_in(lang) for param in self.cite))

    @property
    def unconfirmed(self) -> bool:
        """Whether the law file marks a parameter applied as not confirmed by its sources."""
        return any(param.unconfirmed for param in self.cite)


@dataclass(frozen=True)
class Decision:
    """Every rule for one person, and the verdict: the worst outcome among them."""

    verdict: Verdict
    checks: tuple[Check, ...]

    @classmethod
    def of(cls, checks: Sequence[Check]) -> Decision:
        """The decision the checks make: ineligible if any is not met, else undecided if
        any is undecided, else eligible."""
        outcomes = {check.outcome for check in checks}
        verdict: Verdict = (
            "ineligible"
            if "not_met" in outcomes
            else "undecided"
            if "undecided" in outcomes
            else "eligible"
        )
        return cls(verdict, tuple(checks))

    @property
    def failing(self) -> tuple[str, ...]:
        """Codes of the rules not met, in :data:`CODES` order."""
        return tuple(check.code for check in self.checks if check.outcome == "not_met")

    @property
    def undecided(self) -> tuple[str, ...]:
        """Codes of the rules left undecided for want of a fact."""
        return tuple(check.code for check in self.checks if check.outcome == "undecided")

    @property
    def needs_documents(self) -> tuple[str, ...]:
        """The documents that would settle the undecided rules, each once."""
        return tuple(
            dict.fromkeys(
                check.needs_document
                for check in self.checks
                if check.outcome == "undecided" and check.needs_document
            )
        )

    def check(self, code: str) -> Check:
        """The check of rule ``code`` (KeyError if there is none)."""
        for check in self.checks:
            if check.code == code:
                return check
        raise KeyError(code)


def decide(
    facts: CandidateFacts,
    rules: OfficeRules,
    polling_day: date,
    leap_day: str = "march_1",
) -> Decision:
    """Apply every rule of one office to ``facts`` for ``polling_day``.

    ``leap_day`` is the voters' ``leap_day_birthday`` convention (``march_1`` or
    ``february_28``): the day a person born on 29 February has a birthday in a common year.
    """
    if leap_day not in _LEAP_DAYS:
        raise ValueError(f"leap_day must be one of {', '.join(_LEAP_DAYS)}, not {leap_day!r}")
    return Decision.of(
        (
            _check_age(facts, rules, polling_day, cast(LeapDayBirthday, leap_day)),
            _check_citizenship(facts, rules),
            _check_other_citizenship(facts, rules),
            _check_residence(facts, rules, polling_day),
            _check_language(facts, rules),
            _check_education(facts, rules),
            _check_record(facts, rules),
            _check_terms(facts, rules),
        )
    )


@dataclass
class _Rule:
    """What a rule's check carries whatever its outcome; calling it makes the check."""

    code: str
    required: str
    cite: tuple[Cited[Any], ...]
    evidence: Evidence | None
    values: dict[str, str] = field(default_factory=dict)

    def __call__(
        self,
        outcome: Outcome,
        finding: str,
        found: str = "",
        *,
        required: str | None = None,
        cite: tuple[Cited[Any], ...] | None = None,
    ) -> Check:
        return Check(
            code=self.code,
            outcome=outcome,
            found=found,
            required=self.required if required is None else required,
            cite=self.cite if cite is None else cite,
            needs_document=DOCUMENT_OF[self.code] if outcome == "undecided" else None,
            evidence=self.evidence,
            finding=finding,
            values=MappingProxyType(dict(self.values)),
        )


# -- age -----------------------------------------------------------------------------------


def age_on(birth_date: date, day: date, leap_day: LeapDayBirthday) -> int:
    """Full years of age on ``day``: a birthday on ``day`` counts (negative before birth)."""
    years = day.year - birth_date.year
    if coming_of_age(birth_date, years, leap_day) > day:
        years -= 1
    return years


def _check_age(
    facts: CandidateFacts, rules: OfficeRules, polling_day: date, leap_day: LeapDayBirthday
) -> Check:
    """The age is reached on the birthday: one whose birthday is polling day is of age that
    day, one whose birthday is the day after is not. A maximum age is exceeded only once the
    person is *older* than it (an office open "up to 70" is open at 70)."""
    low, high = rules.min_age, rules.max_age
    rule = _Rule(
        "AGE",
        f">={low.value}" if high is None else f"{low.value}..{high.value}",
        (low,) if high is None else (low, high),
        facts.evidence.get("birth_date"),
        {"min_age": str(low.value)},
    )
    if high is not None:
        rule.values["max_age"] = str(high.value)
    born = facts.birth_date
    if born is None:
        return rule("undecided", "unknown")
    comes = coming_of_age(born, low.value, leap_day)
    age = age_on(born, polling_day, leap_day)
    rule.values.update(
        birth_date=born.isoformat(),
        polling_day=polling_day.isoformat(),
        age=str(age),
        comes_of_age=comes.isoformat() if comes != date.max else "",
    )
    found = born.isoformat()
    if comes > polling_day:
        return rule("not_met", "too_young", found, cite=(low,))
    if high is not None and age > high.value:
        return rule("not_met", "too_old", found, cite=(high,))
    return rule("met", "met" if high is None else "met_window", found)


# -- citizenship ---------------------------------------------------------------------------


def _check_citizenship(facts: CandidateFacts, rules: OfficeRules) -> Check:
    """The office's citizenship must be among the person's; a stateless person fails."""
    own = rules.citizenship.value
    held = facts.citizenships
    rule = _Rule(
        "CITIZENSHIP",
        own,
        (rules.citizenship,),
        facts.evidence.get("citizenships"),
        {"required": own},
    )
    if held is None:
        return rule("undecided", "unknown")
    rule.values["citizenships"] = ", ".join(held)
    if not held:
        return rule("not_met", "stateless", STATELESS)
    found = ";".join(held)
    return rule("met", "met", found) if own in held else rule("not_met", "foreign", found)


def _check_other_citizenship(facts: CandidateFacts, rules: OfficeRules) -> Check:
    """Where the edition bars it, any citizenship besides the office's fails. A stateless
    person holds no other citizenship (CITIZENSHIP fails for them, not this rule)."""
    bars = rules.other_citizenship_bars
    own = rules.citizenship.value
    held = facts.citizenships
    others = () if held is None else tuple(code for code in held if code != own)
    rule = _Rule(
        "OTHER_CITIZENSHIP",
        f"only:{own}",
        (bars,),
        facts.evidence.get("citizenships"),
        {"others": ", ".join(others), "required": own},
    )
    found = ";".join(others)
    if not bars.value:
        return rule("met", "not_applied", found, required=NOT_REQUIRED)
    if held is None:
        return rule("undecided", "unknown")
    return rule("not_met", "held", found) if others else rule("met", "met", found)


# -- residence -----------------------------------------------------------------------------


def years_before(day: date, years: int) -> date:
    """The same calendar date ``years`` years before ``day``; 29 February becomes 28 February
    in a common year (the latest date from which ``years`` full years have passed by ``day``);
    ``date.min`` before year 1."""
    year = day.year - years
    if year < MINYEAR:
        return date.min
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def merged_stays(stays: Sequence[Stay], until: date) -> list[tuple[date, date]]:
    """The stays as disjoint half-open periods ``[start, end)`` cut at ``until``, in order;
    periods that overlap (two registry records of one stay) count once."""
    periods = sorted(
        (stay.start, min(stay.end or until, until)) for stay in stays if stay.start < until
    )
    merged: list[tuple[date, date]] = []
    for start, end in periods:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _years_after(day: date, years: int) -> date:
    """The same calendar date ``years`` later; 29 February becomes 1 March in a common year
    (the first day on which ``years`` full years have passed)."""
    year = day.year + years
    if year > MAXYEAR:
        return date.max
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return day.replace(year=year)


def years_and_days(periods: Sequence[tuple[date, date]]) -> tuple[int, int]:
    """The length of ``periods`` (from :func:`merged_stays`) as full calendar years and days.

    Each period counts its full calendar years (from a date to the same date years later)
    and the days left over; the left-over days of several periods are added and every 365 of
    them make one more year, as periods of residence or service are summed in years and
    days. One period's own left-over days never make a year (they are 365 when they span a
    29 February): so a stay from a date to the same date N years later is N years whatever
    its 29 Februaries, and a day less is N - 1 years and 364 or 365 days.
    """
    years = days = pieces = 0
    for start, stop in periods:
        whole = stop.year - start.year
        while whole > 0 and _years_after(start, whole) > stop:
            whole -= 1
        years += whole
        left = (stop - _years_after(start, whole)).days
        days += left
        pieces += left > 0
    if pieces < 2:
        return years, days
    return years + days // 365, days % 365


def days_present(periods: Sequence[tuple[date, date]], start: date, end: date) -> int:
    """Days of ``periods`` (from :func:`merged_stays`) in the half-open window
    ``[start, end)``."""
    days = 0
    for first, stop in periods:
        first, stop = max(first, start), min(stop, end)
        if stop > first:
            days += (stop - first).days
    return days


def _check_residence(facts: CandidateFacts, rules: OfficeRules, polling_day: date) -> Check:
    """Residence as the office counts it.

    Stated years (``residence_years``) are compared with the years required. A history of
    stays is counted in days present before polling day:

    * ``total``: the stays before polling day, summed in full calendar years and left-over
      days (:func:`years_and_days`), must make at least N years. A stay from a date to the
      same date N years later is enough, whatever its 29 Februaries; a day less is not.
    * ``last_years``: in each of the N one-year windows that end on polling day, the days
      absent must not exceed ``max_absence_days_per_year``, and the person must be resident
      on polling day (a stay that has not ended by then).

    ``residence_years`` 0 requires nothing: the check is met with ``required == "none"``.
    """
    years, counting = rules.residence_years, rules.residence_counting
    absence = rules.max_absence_days_per_year
    stated, stays = facts.residence_years, facts.residence
    known = facts.evidence
    evidence = (
        known.get("residence_years")
        if stated is not None
        else known.get("residence", known.get("residence_years"))
    )
    last = absence if counting.value == "last_years" else None
    rule = _Rule(
        "RESIDENCE",
        f"total>={years.value}y" if last is None else f"last:{years.value}y,absent<={last.value}d",
        (years, counting) if last is None else (years, counting, last),
        evidence,
        {"required_years": str(years.value)},
    )
    if last is not None:
        rule.values["max_absence"] = str(last.value)
    stated_text = "" if stated is None else _decimal_text(stated)
    if years.value == 0:
        return rule("met", "not_applied", stated_text, required=NOT_REQUIRED, cite=(years,))
    if stated is not None:
        rule.values["years"] = stated_text
        if stated >= years.value:
            return rule("met", "stated", stated_text)
        return rule("not_met", "stated_short", stated_text)
    if stays is None:
        return rule("undecided", "unknown")
    periods = merged_stays(stays, polling_day)
    if last is not None:
        return _last_years(rule, stays, periods, years.value, last.value, polling_day)
    full, days = years_and_days(periods)
    rule.values.update(years=str(full), days=str(days))
    if full >= years.value:
        return rule("met", "total", f"{full}y{days}d")
    return rule("not_met", "total_short", f"{full}y{days}d")


def _last_years(
    rule: _Rule,
    stays: Sequence[Stay],
    periods: Sequence[tuple[date, date]],
    years: int,
    max_absent: int,
    polling_day: date,
) -> Check:
    """The ``last_years`` count: the worst of the N one-year windows, and polling day."""
    worst, worst_window = -1, (polling_day, polling_day)
    end = polling_day
    for back in range(1, years + 1):
        start = years_before(polling_day, back)
        absent = (end - start).days - days_present(periods, start, end)
        if absent > worst:
            worst, worst_window = absent, (start, end)
        end = start
    resident = any(
        stay.start <= polling_day and (stay.end is None or stay.end > polling_day) for stay in stays
    )
    rule.values.update(
        absent=str(worst),
        window_start=worst_window[0].isoformat(),
        window_end=(worst_window[1] - timedelta(days=1)).isoformat(),
        polling_day=polling_day.isoformat(),
    )
    found = f"absent<={worst}d" if resident else f"absent<={worst}d,not_resident"
    if worst > max_absent:
        return rule("not_met", "absent", found)
    if not resident:
        return rule("not_met", "not_resident", found)
    return rule("met", "last_years", found)


def _decimal_text(value: Decimal) -> str:
    """``15``, ``14.5``: a stated number of years without exponent or trailing zeros."""
    return format(value.normalize(), "f")


# -- language, education, record, terms ----------------------------------------------------


def _check_language(facts: CandidateFacts, rules: OfficeRules) -> Check:
    """The testing centre's result: passed is met, failed is not met. A test not yet taken is
    undecided (needs the certificate): knowledge of the language is established by the test,
    which a nominee may still sit before registration, so a missing result is neither a
    failure nor a pass."""
    param = rules.state_language_required
    state = facts.state_language
    rule = _Rule("LANGUAGE", "passed", (param,), facts.evidence.get("state_language"))
    if not param.value:
        return rule("met", "not_applied", state or "", required=NOT_REQUIRED)
    if state is None:
        return rule("undecided", "unknown")
    return rule(_LANGUAGE_OUTCOME[state], state, state)


def _check_education(facts: CandidateFacts, rules: OfficeRules) -> Check:
    """The level reached must be at least the office's (levels ordered as
    ``EDUCATION_LEVELS``); a minimum of ``none`` requires nothing."""
    param = rules.min_education
    level, minimum = facts.education, param.value
    rule = _Rule(
        "EDUCATION", minimum, (param,), facts.evidence.get("education"), {"required": minimum}
    )
    if level is not None:
        rule.values["education"] = level
    if minimum == "none":
        return rule("met", "not_applied", level or "", required=NOT_REQUIRED)
    if level is None:
        return rule("undecided", "unknown")
    if EDUCATION_LEVELS.index(level) >= EDUCATION_LEVELS.index(minimum):
        return rule("met", "met", level)
    return rule("not_met", "below", level)


_RECORD_REQUIRED: Mapping[str, str] = MappingProxyType(
    {"none": NOT_REQUIRED, "unexpunged": "no_unexpunged", "any": "no_record"}
)


def _check_record(facts: CandidateFacts, rules: OfficeRules) -> Check:
    """``criminal_record_bars``: ``none`` bars no record, ``unexpunged`` bars a record not
    expunged, ``any`` bars even an expunged one (the 2025 rule for deputies)."""
    param = rules.criminal_record_bars
    bars, record = param.value, facts.criminal_record
    rule = _Rule(
        "CRIMINAL_RECORD",
        _RECORD_REQUIRED[bars],
        (param,),
        facts.evidence.get("criminal_record"),
    )
    if bars == "none":
        return rule("met", "not_applied", record or "")
    if record is None:
        return rule("undecided", "unknown")
    if record == "none":
        return rule("met", "clean", record)
    if record == "expunged":
        if bars == "unexpunged":
            return rule("met", "expunged_allowed", record)
        return rule("not_met", "expunged_barred", record)
    return rule("not_met", "unexpunged", record)


def _check_terms(facts: CandidateFacts, rules: OfficeRules) -> Check:
    """With a term limit, a person who has served ``max_terms`` terms may not stand again:
    another term would exceed the limit. Without one the check is met."""
    param = rules.max_terms
    served = facts.terms_served
    found = "" if served is None else str(served)
    evidence = facts.evidence.get("terms_served")
    if param is None:
        return _Rule("TERMS", NOT_REQUIRED, (), evidence)("met", "not_applied", found)
    rule = _Rule("TERMS", f"<{param.value}", (param,), evidence, {"max_terms": str(param.value)})
    if served is None:
        return rule("undecided", "unknown")
    rule.values["terms_served"] = found
    if served >= param.value:
        return rule("not_met", "exceeded", found)
    return rule("met", "within", found)
