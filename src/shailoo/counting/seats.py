"""Seat allocation: party lists, districts and the presidency, each result explaining itself.

Pure and exact: shares, quotas and quotients are :class:`fractions.Fraction`, so a threshold of
7% is passed or missed by whole votes, never by a float rounding. The rules come in as plain
parameters (:mod:`shailoo.counting.seats_law` reads them from a law edition), and every result
carries the evidence an observer needs to redo the count by hand: each threshold check with its
margin in votes, the quota, each party's quotient and remainder, the caps applied, the quota
re-orderings and every tie with the rule that broke it. ``explain()`` renders it as text.

This module is the public face of the engine; the work lives in small modules named for what
they do: ``seats_ties`` (the tie rule), ``seats_figures`` (tallies, thresholds),
``seats_apportion`` (methods and caps), ``seats_lists`` (party lists), ``seats_district``
(plurality and SNTV districts), ``seats_vacancy`` (seats vacated after the count) and
``seats_president`` (majority and run-off).
"""

from __future__ import annotations

from shailoo.counting.seats_apportion import (
    METHODS,
    Apportionment,
    CapApplied,
    Method,
    Party,
    Round,
    RoundLine,
    apportion,
)
from shailoo.counting.seats_district import (
    DistrictCandidate,
    DistrictResult,
    DistrictRules,
    DistrictStatus,
    VacancyRule,
    elect_district,
)
from shailoo.counting.seats_figures import (
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
from shailoo.counting.seats_lists import (
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
from shailoo.counting.seats_president import (
    PresidentResult,
    PresidentRules,
    PresidentStatus,
    president_first_round,
    president_runoff,
)
from shailoo.counting.seats_ties import LotRequired, SeatError, TieBreak, TieRule, Ties, choose
from shailoo.counting.seats_vacancy import Replacement, VacancyResult, fill_vacancies

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
