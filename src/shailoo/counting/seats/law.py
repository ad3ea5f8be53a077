"""Read the seat engine's parameters from a law edition's ``counting`` section.

The engine (:mod:`shailoo.counting.seats`) knows nothing about editions; this module is the
one place that turns cited law parameters into its plain rules, and it carries each citation
along so that every explanation line can name the article it applies. Shares are written in
the edition as decimals (``0.07``) and read exactly as written (7/100, not the nearest float).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from shailoo.counting.seats import (
    DistrictRules,
    GenderQuota,
    ListRules,
    PresidentRules,
    SeatError,
    Threshold,
)
from shailoo.law.schema import Cited, Edition


class NoSuchSystem(SeatError):
    """The edition has no electoral system for the contest kind asked for."""

    default_code = "no_electoral_system"


def exact(value: float) -> Fraction:
    """The decimal an official wrote (``0.007``), exactly: floats print as the shortest
    decimal that reads back to them, which is the one written in the file."""
    return Fraction(repr(value))


def _cite(param: Cited[Any]) -> str:
    mark = ", unconfirmed" if param.unconfirmed else ""
    return f"{param.cite}, {param.source}{mark}"


def list_rules(law: Edition) -> ListRules:
    """Party-list rules: seats, method, thresholds, cap, list type and seat quota."""
    system = law.counting.party_list
    if system is None:
        raise NoSuchSystem(f"law edition {law.meta.id} has no party-list seats")
    national = Threshold(
        exact(system.threshold_share.value),
        system.threshold_base.value,
        system.threshold_comparison.value,
        _cite(system.threshold_share),
    )
    regional = None
    regions: tuple[str, ...] = ()
    share, base = system.region_threshold_share, system.region_threshold_base
    if share is not None and base is not None and system.regions is not None:
        regional = Threshold(
            exact(share.value), base.value, system.threshold_comparison.value, _cite(share)
        )
        regions = tuple(system.regions.value)
    quota = None
    if system.seat_gender_quota is not None:
        gender = system.seat_gender_quota
        quota = GenderQuota(
            gender.sex.value, exact(gender.min_share.value), _cite(gender.min_share)
        )
    cites = {
        "seats": _cite(system.seats),
        "method": _cite(system.seat_method),
        "tie_rule": _cite(law.counting.tie_rule),
    }
    cap = system.seat_cap_per_party
    if cap is not None:
        cites["seat_cap"] = _cite(cap)
    return ListRules(
        seats=system.seats.value,
        method=system.seat_method.value,
        national=national,
        regional=regional,
        regions=regions,
        seat_cap=cap.value if cap is not None else None,
        tie_rule=law.counting.tie_rule.value,
        list_type=system.list_type.value,
        gender_quota=quota,
        cites=cites,
    )


def district_rules(law: Edition) -> DistrictRules:
    """District rules: seats per district, the sex limit, "against all", ties, vacancies."""
    system = law.counting.district
    if system is None:
        raise NoSuchSystem(f"law edition {law.meta.id} has no district seats")
    limit = system.max_winners_one_sex
    cancelled = system.single_sex_district_cancelled
    cites = {
        "seats": _cite(system.seats_per_district),
        "against_all": _cite(system.against_all_effect),
        "tie_rule": _cite(law.counting.tie_rule),
    }
    if limit is not None:
        cites["max_one_sex"] = _cite(limit)
    if cancelled is not None:
        cites["single_sex_cancelled"] = _cite(cancelled)
    vacancy = system.vacancy_rule
    if vacancy is not None:
        cites["vacancy_rule"] = _cite(vacancy)
    return DistrictRules(
        seats=system.seats_per_district.value,
        max_one_sex=limit.value if limit is not None else None,
        single_sex_cancelled=cancelled.value if cancelled is not None else False,
        against_all_effect=system.against_all_effect.value,
        tie_rule=law.counting.tie_rule.value,
        vacancy_rule=vacancy.value if vacancy is not None else "new_election",
        cites=cites,
    )


def district_count(law: Edition) -> tuple[int, str]:
    """How many districts the law sets, with its citation (the CLI warns on a different count)."""
    system = law.counting.district
    if system is None:
        raise NoSuchSystem(f"law edition {law.meta.id} has no district seats")
    return system.districts.value, _cite(system.districts)


def president_rules(law: Edition) -> PresidentRules:
    """The majority needed in round one, the run-off and its period."""
    system = law.counting.president
    return PresidentRules(
        majority_share=exact(system.majority_share.value),
        majority_base=system.majority_base.value,
        majority_comparison=system.majority_comparison.value,
        runoff_top=system.runoff_top.value,
        runoff_within_days=system.runoff_within_days.value,
        against_all_effect=system.against_all_effect.value,
        tie_rule=law.counting.tie_rule.value,
        cites={
            "majority": _cite(system.majority_share),
            "runoff": _cite(system.runoff_top),
            "tie_rule": _cite(law.counting.tie_rule),
        },
    )
