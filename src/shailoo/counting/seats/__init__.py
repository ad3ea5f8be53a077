"""Seat allocation: party lists, districts and the presidency, each result explaining itself.

Pure and exact: shares, quotas and quotients are :class:`fractions.Fraction`, so a threshold of
7% is passed or missed by whole votes, never by a float rounding. The rules come in as plain
parameters (:mod:`shailoo.counting.seats.law` reads them from a law edition), and every result
carries the evidence an observer needs to redo the count by hand: each threshold check with its
margin in votes, the quota, each party's quotient and remainder, the caps applied, the quota
re-orderings and every tie with the rule that broke it. ``explain()`` renders it as text.

This package's ``__init__`` is the public face of the engine; the work lives in small modules
named for what they do: ``ties`` (the tie rule), ``figures`` (tallies, thresholds),
``apportion`` (methods and caps), ``lists`` (party lists), ``district`` (plurality and SNTV
districts), ``vacancy`` (seats vacated after the count), ``president`` (majority and run-off)
and ``law`` (the rules read from a law edition). The command line's readers are ``files``
(located problems, decoding) and ``district_file``; its printing is in ``cli`` and
``district_cli`` (``shailoo seats``, the room's adapter).
"""

from __future__ import annotations

from shailoo.counting.seats.apportion import (
    METHODS,
    Apportionment,
    CapApplied,
    Method,
    Party,
    Round,
    RoundLine,
    apportion,
)
from shailoo.counting.seats.district import (
    DistrictCandidate,
    DistrictResult,
    DistrictRules,
    DistrictStatus,
    VacancyRule,
    elect_district,
)
from shailoo.counting.seats.figures import (
    BASE_WORDS,
    AgainstAllEffect,
    Base,
    Comparison,
    Sex,
    Tally,
    Threshold,
    ThresholdCheck,
    pct,
    show,
)
from shailoo.counting.seats.lists import (
    Candidate,
    GenderQuota,
    ListCount,
    ListFill,
    ListResult,
    ListRules,
    ListType,
    PartyOutcome,
    QuotaMove,
    QuotaSex,
    allocate_list,
    fill_list,
)
from shailoo.counting.seats.president import (
    PresidentResult,
    PresidentRules,
    PresidentStatus,
    president_first_round,
    president_runoff,
)
from shailoo.counting.seats.ties import LotRequired, SeatError, TieBreak, TieRule, Ties, choose
from shailoo.counting.seats.vacancy import Replacement, VacancyResult, fill_vacancies

__all__ = [
    "BASE_WORDS",
    "METHODS",
    "AgainstAllEffect",
    "Apportionment",
    "Base",
    "Candidate",
    "CapApplied",
    "Comparison",
    "DistrictCandidate",
    "DistrictResult",
    "DistrictRules",
    "DistrictStatus",
    "GenderQuota",
    "ListCount",
    "ListFill",
    "ListResult",
    "ListRules",
    "ListType",
    "LotRequired",
    "Method",
    "Party",
    "PartyOutcome",
    "PresidentResult",
    "PresidentRules",
    "PresidentStatus",
    "QuotaMove",
    "QuotaSex",
    "Replacement",
    "Round",
    "RoundLine",
    "SeatError",
    "Sex",
    "Tally",
    "Threshold",
    "ThresholdCheck",
    "TieBreak",
    "TieRule",
    "Ties",
    "VacancyResult",
    "VacancyRule",
    "allocate_list",
    "apportion",
    "choose",
    "elect_district",
    "fill_list",
    "fill_vacancies",
    "pct",
    "president_first_round",
    "president_runoff",
    "show",
]
