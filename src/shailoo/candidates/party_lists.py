"""Whether a party's list of candidates is made up as the law requires, position by position.

A pure engine: a list (its entries in any order), the nominating party's code, the edition's
:class:`~shailoo.law.schema.PartyListRules` and :class:`~shailoo.law.schema.NominationRules` and
the polling day give a :class:`ListDecision`: one :class:`ListFinding` per rule the edition
sets (one per violating run for the position rule), each with the positions it concerns, what
was found, what is required and the cited parameter. A rule the edition leaves out is not
checked. The texts are in :mod:`shailoo.candidates.participant_messages`.

Readings of the law taken here:

* **Shares are taken of the whole list**, in exact decimal arithmetic on the share as the law
  file writes it (0.7, never the float 0.69999…). A maximum share allows the count rounded
  *down* (70 % of 13 = 9.1 → at most 9 of one sex: 10 would be 76.9 %); a minimum share needs
  the count rounded *up* (15 % of 13 = 1.95 → at least 2).
* **The position rule.** The 2021 text ("the difference in the order of women and men must
  not exceed three positions") is read as *the next candidate of the other sex comes at most N
  positions later*: any N consecutive positions hold both sexes, so a run of one sex is at
  most N - 1 long (N = 3: women and men alternate at least every third position, as the
  OSCE/ODIHR reports describe the rule; no three of one sex in a row). Each longer run is one
  finding naming the run's positions. The runs are read in position order; with a position
  given twice the order is unknown and the rule is undecided.
* **Young** means under ``young_under_age`` on polling day: a candidate whose birthday of that
  age falls on polling day is no longer young. A birthday of 29 February falls on the day the
  voters' rule of the edition says (``leap_day``).
* **Unknown facts.** A quota that needs a fact not given (a birth date, a minority or
  disability status) is *undecided*, naming the positions whose facts are missing, unless the
  known facts already decide it: met without them, or short even if all of them counted.
* **Positions** must be exactly 1..n for n candidates. This is the list's own form, not a
  parameter of the edition, so its finding cites nothing.
* A candidate with ``party_member_of`` None belongs to no party: membership is a declared
  fact of the nomination, never unknown.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from math import ceil, floor
from types import MappingProxyType
from typing import Any, Final, Literal

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.law.schema import Cited, LeapDayBirthday, NominationRules, PartyListRules
from shailoo.register.eligibility import coming_of_age

__all__ = [
    "LIST_CODES",
    "SEXES",
    "ListDecision",
    "ListEntry",
    "ListFinding",
    "ListInputError",
    "check_list",
    "check_replacement",
    "compact_positions",
]

Sex = Literal["F", "M"]
SEXES: Final[tuple[Sex, ...]] = ("F", "M")
FindingOutcome = Literal["pass", "fail", "undecided"]
ListVerdict = Literal["valid", "invalid", "undecided"]

#: Every finding code, in the order findings are reported.
LIST_CODES: Final[tuple[str, ...]] = (
    "LENGTH",
    "POSITIONS",
    "SEX_SHARE",
    "SEX_GAP",
    "MINORITY_SHARE",
    "YOUNG_SHARE",
    "DISABILITIES",
    "OTHER_PARTY_MEMBER",
)
_EMPTY: Mapping[str, str] = MappingProxyType({})
_PARTY_CODE = re.compile(r"^\S(?:.*\S)?$")


class ListInputError(InvalidInput):
    """A list that cannot be checked at all: no candidates, a candidate twice, a bad field."""

    default_code = "party_list_input"


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One candidate at one position of a party list, with the facts the quotas need.

    ``None`` is an unknown fact, except for ``party_member_of``, where it means no party.
    """

    position: int
    ref: str
    sex: Sex
    birth_date: date | None
    minority: bool | None
    disability: bool | None
    party_member_of: str | None


@dataclass(frozen=True, slots=True)
class ListFinding:
    """One rule applied to the list.

    ``found`` and ``required`` are short and language-neutral (figures, ranges, ``F``/``M``)
    for tables and exports; ``evidence`` holds the values the texts are written from.
    ``cite`` is None only for the list's own numbering (POSITIONS).
    """

    code: str
    positions: tuple[int, ...]
    found: str
    required: str
    cite: Cited[Any] | None
    outcome: FindingOutcome
    evidence: Mapping[str, str] = field(default_factory=lambda: _EMPTY)

    @property
    def failed(self) -> bool:
        return self.outcome == "fail"


@dataclass(frozen=True, slots=True)
class ListDecision:
    """Every finding on one list; ``invalid`` when one fails, ``undecided`` when none fails but
    one could not be decided. ``replaced`` is the position a replacement was checked at."""

    verdict: ListVerdict
    findings: tuple[ListFinding, ...]
    size: int
    replaced: int | None = None

    @property
    def failing(self) -> tuple[ListFinding, ...]:
        return tuple(f for f in self.findings if f.outcome == "fail")

    @property
    def undecided(self) -> tuple[ListFinding, ...]:
        return tuple(f for f in self.findings if f.outcome == "undecided")

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes of the failing findings, then of the undecided ones, each once."""
        seen = dict.fromkeys(f.code for f in (*self.failing, *self.undecided))
        return tuple(seen)


# -- the check ------------------------------------------------------------------------------


def check_list(
    entries: Sequence[ListEntry],
    party: str,
    rules: PartyListRules,
    nomination: NominationRules,
    polling_day: date,
    *,
    leap_day: LeapDayBirthday = "march_1",
) -> ListDecision:
    """Apply every rule the edition sets to the list ``entries`` of ``party``.

    Raises :class:`ListInputError` (with every located problem) for a list that cannot be
    checked: no candidates, a candidate (``ref``) twice, a sex other than F or M, a blank
    party code.
    """
    _validate(entries, party)
    ordered = sorted(entries, key=lambda e: e.position)
    findings: list[ListFinding] = []
    findings += _length(ordered, rules)
    findings += _positions(ordered)
    findings += _sex_share(ordered, rules)
    findings += _sex_gap(ordered, rules)
    if rules.min_minority_share is not None:
        findings.append(
            _min_share("MINORITY_SHARE", ordered, rules.min_minority_share, lambda e: e.minority)
        )
    if rules.min_young_share is not None and rules.young_under_age is not None:
        age = rules.young_under_age.value
        findings.append(
            _min_share(
                "YOUNG_SHARE",
                ordered,
                rules.min_young_share,
                lambda e: _young(e.birth_date, age, polling_day, leap_day),
                age=str(age),
                polling_day=polling_day.isoformat(),
            )
        )
    if rules.min_with_disabilities is not None:
        findings.append(_disabilities(ordered, rules.min_with_disabilities))
    findings += _other_party(ordered, party, nomination)
    return _decide(findings, len(ordered))


def check_replacement(
    entries: Sequence[ListEntry],
    position: int,
    new_entry: ListEntry,
    party: str,
    rules: PartyListRules,
    nomination: NominationRules,
    polling_day: date,
    *,
    leap_day: LeapDayBirthday = "march_1",
) -> ListDecision:
    """The whole list re-checked with the candidate at ``position`` replaced by ``new_entry``.

    ``new_entry`` takes ``position`` whatever its own says. A minimum quota (minorities, young,
    disabilities) the list met before and misses after names ``position``: the replacement
    broke it. Raises :class:`ListInputError` when no candidate, or more than one, stands at
    ``position``.
    """
    at = [i for i, entry in enumerate(entries) if entry.position == position]
    if len(at) != 1:
        why = "no candidate stands at this position" if not at else "the position is repeated"
        raise ListInputError(
            "party_list_replacement",
            f"cannot replace the candidate at position {position}: {why}",
            problems=[Problem("position", why)],
        )
    before = check_list(entries, party, rules, nomination, polling_day, leap_day=leap_day)
    changed = list(entries)
    changed[at[0]] = replace(new_entry, position=position)
    after = check_list(changed, party, rules, nomination, polling_day, leap_day=leap_day)
    failed_before = {f.code for f in before.failing}
    findings = tuple(
        replace(f, positions=(position,))
        if f.failed and not f.positions and f.code not in failed_before
        else f
        for f in after.findings
    )
    return ListDecision(after.verdict, findings, after.size, replaced=position)


# -- the rules --------------------------------------------------------------------------------


def _length(ordered: Sequence[ListEntry], rules: PartyListRules) -> list[ListFinding]:
    low, high = rules.min_length, rules.max_length
    if low is None and high is None:
        return []
    n = len(ordered)
    if low is not None and high is not None:
        required = f"{low.value}–{high.value}"
    elif low is not None:
        required = f"≥ {low.value}"
    else:
        assert high is not None
        required = f"≤ {high.value}"
    evidence = {"count": str(n), "required": required}
    if low is not None and n < low.value:
        return [
            ListFinding(
                "LENGTH", (), str(n), required, low, "fail", _ev(evidence, short=low.value - n)
            )
        ]
    if high is not None and n > high.value:
        beyond = tuple(e.position for e in ordered[high.value :])
        return [
            ListFinding(
                "LENGTH", beyond, str(n), required, high, "fail", _ev(evidence, over=n - high.value)
            )
        ]
    cite = low if low is not None else high
    assert cite is not None
    return [ListFinding("LENGTH", (), str(n), required, cite, "pass", _ev(evidence))]


def _positions(ordered: Sequence[ListEntry]) -> list[ListFinding]:
    n = len(ordered)
    given = [e.position for e in ordered]
    counts = Counter(given)
    repeated = sorted(p for p, c in counts.items() if c > 1)
    outside = sorted(p for p in counts if not 1 <= p <= n)
    missing = [p for p in range(1, n + 1) if p not in counts]
    found = ", ".join(str(p) for p in given) if len(given) <= 12 else compact_positions(given)
    required = f"1–{n}"
    evidence = {
        "count": str(n),
        "missing": compact_positions(missing),
        "repeated": compact_positions(repeated),
        "outside": compact_positions(outside),
    }
    concerned = tuple(sorted({*repeated, *outside, *missing}))
    outcome: FindingOutcome = "fail" if concerned else "pass"
    return [ListFinding("POSITIONS", concerned, found, required, None, outcome, _ev(evidence))]


def _sex_share(ordered: Sequence[ListEntry], rules: PartyListRules) -> list[ListFinding]:
    param = rules.max_one_sex_share
    if param is None:
        return []
    n = len(ordered)
    share = _fraction(param.value)
    exact = share * n
    cap = floor(exact)
    counts = Counter(e.sex for e in ordered)
    findings = []
    # with a share under one half both sexes may be over; usually only the larger can be
    for sex in SEXES:
        count = counts[sex]
        if count > cap:
            positions = tuple(e.position for e in ordered if e.sex == sex)
            evidence = _share_evidence(sex, count, n, share, exact, cap)
            findings.append(
                ListFinding(
                    "SEX_SHARE",
                    positions,
                    f"{sex} {count}/{n}",
                    f"≤ {cap}/{n}",
                    param,
                    "fail",
                    evidence,
                )
            )
    if findings:
        return findings
    larger: Sex = "F" if counts["F"] >= counts["M"] else "M"
    evidence = _share_evidence(larger, counts[larger], n, share, exact, cap)
    found = f"{larger} {counts[larger]}/{n}"
    return [ListFinding("SEX_SHARE", (), found, f"≤ {cap}/{n}", param, "pass", evidence)]


def _share_evidence(
    sex: Sex, count: int, n: int, share: Fraction, exact: Fraction, cap: int
) -> Mapping[str, str]:
    return _ev(
        {
            "sex": sex,
            "count": str(count),
            "total": str(n),
            "found_pct": _decimal(Fraction(count * 100, n), places=1),
            "share_pct": _decimal(share * 100),
            "exact": _decimal(exact),
            "cap": str(cap),
            "over": str(max(count - cap, 0)),
        }
    )


def _sex_gap(ordered: Sequence[ListEntry], rules: PartyListRules) -> list[ListFinding]:
    param = rules.max_sex_gap_positions
    if param is None:
        return []
    limit = param.value - 1  # the longest run of one sex the rule allows
    required = f"≤ {limit}"
    counts = Counter(e.position for e in ordered)
    repeated = tuple(sorted(p for p, c in counts.items() if c > 1))
    if repeated:
        evidence = {"max": str(limit), "repeated": compact_positions(repeated)}
        return [ListFinding("SEX_GAP", repeated, "?", required, param, "undecided", _ev(evidence))]
    runs = _runs(ordered)
    longest = max((len(run) for run in runs), default=0)
    findings = []
    for run in runs:
        if len(run) <= limit:
            continue
        positions = tuple(e.position for e in run)
        sex = run[0].sex
        evidence = {
            "max": str(limit),
            "sex": sex,
            "length": str(len(run)),
            "first": str(positions[0]),
            "last": str(positions[-1]),
            "run": compact_positions(positions),
        }
        found = f"{sex} ×{len(run)}: {compact_positions(positions)}"
        findings.append(
            ListFinding("SEX_GAP", positions, found, required, param, "fail", _ev(evidence))
        )
    if findings:
        return findings
    evidence = {"max": str(limit), "longest": str(longest)}
    return [ListFinding("SEX_GAP", (), str(longest), required, param, "pass", _ev(evidence))]


def _runs(ordered: Sequence[ListEntry]) -> list[list[ListEntry]]:
    """Maximal runs of consecutive candidates of one sex, in position order."""
    runs: list[list[ListEntry]] = []
    for entry in ordered:
        if runs and runs[-1][-1].sex == entry.sex:
            runs[-1].append(entry)
        else:
            runs.append([entry])
    return runs


def _min_share(
    code: str,
    ordered: Sequence[ListEntry],
    param: Cited[float],
    counts: Callable[[ListEntry], bool | None],
    **extra: str,
) -> ListFinding:
    """A quota of at least ``param`` of the whole list, ``counts(entry)`` saying who counts
    (True, False or None for an unknown fact)."""
    n = len(ordered)
    share = _fraction(param.value)
    exact = share * n
    needed = ceil(exact)
    facts = [(e.position, counts(e)) for e in ordered]
    yes = [p for p, fact in facts if fact is True]
    unknown = tuple(p for p, fact in facts if fact is None)
    evidence = {
        "count": str(len(yes)),
        "total": str(n),
        "share_pct": _decimal(share * 100),
        "exact": _decimal(exact),
        "needed": str(needed),
        "counted": compact_positions(yes),
        "unknown": compact_positions(unknown),
        "short": str(max(needed - len(yes), 0)),
        **extra,
    }
    found = f"{len(yes)}/{n}" + (f" (+{len(unknown)}?)" if unknown else "")
    required = f"≥ {needed}/{n}"
    if len(yes) >= needed:
        return ListFinding(code, (), found, required, param, "pass", _ev(evidence))
    if len(yes) + len(unknown) < needed:
        return ListFinding(code, (), found, required, param, "fail", _ev(evidence))
    return ListFinding(code, unknown, found, required, param, "undecided", _ev(evidence))


def _disabilities(ordered: Sequence[ListEntry], param: Cited[int]) -> ListFinding:
    needed = param.value
    yes = [e.position for e in ordered if e.disability is True]
    unknown = tuple(e.position for e in ordered if e.disability is None)
    evidence = {
        "count": str(len(yes)),
        "needed": str(needed),
        "counted": compact_positions(yes),
        "unknown": compact_positions(unknown),
        "short": str(max(needed - len(yes), 0)),
    }
    found = str(len(yes)) + (f" (+{len(unknown)}?)" if unknown else "")
    required = f"≥ {needed}"
    if len(yes) >= needed:
        return ListFinding("DISABILITIES", (), found, required, param, "pass", _ev(evidence))
    if len(yes) + len(unknown) < needed:
        return ListFinding("DISABILITIES", (), found, required, param, "fail", _ev(evidence))
    return ListFinding("DISABILITIES", unknown, found, required, param, "undecided", _ev(evidence))


def _other_party(
    ordered: Sequence[ListEntry], party: str, nomination: NominationRules
) -> list[ListFinding]:
    param = nomination.members_of_other_parties_barred
    if not param.value:
        return []
    others = [e for e in ordered if e.party_member_of is not None and e.party_member_of != party]
    members = "; ".join(f"{e.position}: {e.party_member_of}" for e in others)
    evidence = {"party": party, "members": members, "count": str(len(others))}
    if others:
        positions = tuple(e.position for e in others)
        return [
            ListFinding(
                "OTHER_PARTY_MEMBER", positions, members, party, param, "fail", _ev(evidence)
            )
        ]
    return [ListFinding("OTHER_PARTY_MEMBER", (), "0", party, param, "pass", _ev(evidence))]


def _decide(findings: Iterable[ListFinding], size: int) -> ListDecision:
    found = tuple(findings)
    if any(f.outcome == "fail" for f in found):
        verdict: ListVerdict = "invalid"
    elif any(f.outcome == "undecided" for f in found):
        verdict = "undecided"
    else:
        verdict = "valid"
    return ListDecision(verdict, found, size)


# -- helpers ----------------------------------------------------------------------------------


def _young(
    birth: date | None, age: int, polling_day: date, leap_day: LeapDayBirthday
) -> bool | None:
    """Under ``age`` on ``polling_day``; None when the birth date is unknown."""
    if birth is None:
        return None
    return coming_of_age(birth, age, leap_day) > polling_day


def _validate(entries: Sequence[ListEntry], party: str) -> None:
    problems: list[Problem] = []
    if not isinstance(party, str) or not _PARTY_CODE.match(party):
        problems.append(Problem("party", "the nominating party's code must not be blank"))
    if not entries:
        problems.append(Problem("entries", "a party list needs at least one candidate"))
    seen: dict[str, int] = {}
    for i, entry in enumerate(entries):
        where = f"entries.{i}"
        if not isinstance(entry.position, int) or isinstance(entry.position, bool):
            problems.append(Problem(f"{where}.position", "must be a whole number"))
        if entry.sex not in ("F", "M"):
            problems.append(Problem(f"{where}.sex", f"must be F or M, not {entry.sex!r}"))
        if not isinstance(entry.ref, str) or not entry.ref.strip():
            problems.append(Problem(f"{where}.ref", "the candidate's reference must not be blank"))
        elif entry.ref in seen:
            problems.append(
                Problem(
                    f"{where}.ref",
                    f"candidate {entry.ref!r} is already on the list (entries.{seen[entry.ref]})",
                )
            )
        else:
            seen[entry.ref] = i
        if entry.party_member_of is not None and not _PARTY_CODE.match(entry.party_member_of):
            problems.append(
                Problem(
                    f"{where}.party_member_of", "a party code must not be blank; None is no party"
                )
            )
    if problems:
        raise ListInputError(message="the party list cannot be checked", problems=problems)


def _fraction(share: float) -> Fraction:
    """The share exactly as the law file writes it (``0.7`` is 7/10, not the float's binary)."""
    return Fraction(str(share))


def _decimal(value: Fraction, places: int | None = None) -> str:
    """``91/10`` as ``9.1``; rounded half-up to ``places`` when given; no exponent."""
    with localcontext() as ctx:
        ctx.prec = 40
        number = Decimal(value.numerator) / Decimal(value.denominator)
        if places is not None:
            number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = format(number.normalize(), "f")
    return text


def compact_positions(positions: Iterable[int]) -> str:
    """Positions as short ranges in the given order: ``1–3, 7, 9–10`` (repeats kept)."""
    items = list(positions)
    parts: list[str] = []
    start = prev = None
    for p in items:
        if start is not None and prev is not None and p == prev + 1:
            prev = p
            continue
        if start is not None:
            parts.append(_span(start, prev))
        start = prev = p
    if start is not None:
        parts.append(_span(start, prev))
    return ", ".join(parts)


def _span(start: int, end: int | None) -> str:
    if end is None or end == start:
        return str(start)
    return f"{start}–{end}"


def _ev(evidence: Mapping[str, str], **more: object) -> Mapping[str, str]:
    return MappingProxyType({**evidence, **{k: str(v) for k, v in more.items()}})
