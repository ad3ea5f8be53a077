"""Bad input to the screen is refused with every problem located (the record's path and its
``line``), before any flag; bad settings are refused by name."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shailoo.common.refusals import InvalidInput
from shailoo.finance.screening import Facts, ScreeningError, ScreenSettings, Transfer
from shailoo.finance.screening.validate import MAX_PROBLEMS

from .test_screening_kit import DAY, gift, payment, pin, run


def refused(**kwargs: Any) -> ScreeningError:
    with pytest.raises(ScreeningError) as caught:
        run(**kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("change", "where", "why"),
    [
        ({"amount": Decimal("-5")}, "amount", "zero or more"),
        ({"amount": Decimal("NaN")}, "amount", "finite"),
        ({"amount": Decimal("Infinity")}, "amount", "finite"),
        ({"amount": 5.0}, "amount", "Decimal"),
        ({"fund_kind": "council"}, "fund_kind", "party, candidate"),
        ({"fund": ""}, "fund", "name the fund"),
        ({"day": datetime(2025, 11, 1, 12, 0)}, "day", "date"),
        ({"channel": "crypto"}, "channel", "bank, cash"),
        ({"resolution": "guess"}, "resolution", "exact_id"),
        ({"donor_kind": "alien"}, "donor_kind", "person"),
        ({"at": datetime(2025, 11, 1, 12, 0)}, "at", "time zone"),
        ({"id": True}, "id", "whole number"),
        ({"credit": "yes"}, "credit", "true or false"),
    ],
)
def test_a_malformed_donation_is_refused_with_its_place(
    change: dict[str, Any], where: str, why: str
) -> None:
    good = gift(100, pin(1))
    bad = replace(good, id=good.id + 1, **change) if "id" not in change else replace(good, **change)
    error = refused(donations=[good, bad])
    [problem] = error.problems
    assert problem.where == f"donations.1.{where}"
    assert why in problem.why
    assert problem.source == bad.line
    assert isinstance(error, InvalidInput) and error.code == "finance_screen_input"


def test_duplicate_ids_and_a_fund_of_two_kinds_are_refused() -> None:
    first = gift(100, pin(1), id=7)
    twin = gift(200, pin(2), id=7)
    other_kind = gift(300, pin(3), fund="cand-1", fund_kind="party")
    error = refused(donations=[first, twin, other_kind])
    assert [(p.where, p.why) for p in error.problems] == [
        ("donations.1.id", "donation 7 is given twice"),
        ("donations.2.fund_kind", "fund cand-1 is a candidate fund elsewhere"),
    ]


def test_bad_payments_and_transfers_are_located() -> None:
    good = payment(100, "E:1")
    error = refused(
        donations=[],
        payments=[good, replace(good, amount=Decimal(-1)), "not a payment"],
        transfers=[Transfer("", pin(1), DAY, Decimal(1)), Transfer("E:1", pin(1), DAY, -1)],  # type: ignore[arg-type]
    )
    assert [p.where for p in error.problems] == [
        "payments.1.id",
        "payments.1.amount",
        "payments.2",
        "transfers.0.payer",
        "transfers.1.amount",
    ]


def test_a_flood_of_bad_records_is_cut_at_the_limit() -> None:
    bad = [gift(-1, pin(i), id=i) for i in range(MAX_PROBLEMS + 50)]
    error = refused(donations=bad)
    assert len(error.problems) == MAX_PROBLEMS
    assert f"first {MAX_PROBLEMS}" in error.message


def test_nothing_is_screened_when_one_record_is_bad() -> None:
    """A refused input raises; no partial result is returned to act on."""
    with pytest.raises(ScreeningError):
        run([gift(1, pin(1), channel="cash"), gift(-1, pin(2))])


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"near_cap_share": Decimal(0)}, "near_cap_share"),
        ({"near_cap_share": Decimal("1.1")}, "near_cap_share"),
        ({"substantial_share": 0.25}, "substantial_share"),
        ({"burst_min_share": Decimal("NaN")}, "burst_min_share"),
        ({"conduit_min_share": Decimal(0)}, "conduit_min_share"),
        ({"burst_factor": Decimal(-1)}, "burst_factor"),
        ({"cluster_min_donors": 1}, "cluster_min_donors"),
        ({"cluster_window_days": 0}, "cluster_window_days"),
        ({"conduit_days": -1}, "conduit_days"),
        ({"burst_hours": True}, "burst_hours"),
        ({"link_max_donors": 2, "cluster_min_donors": 3}, "link_max_donors"),
        ({"home_country": "kg"}, "home_country"),
        ({"home_country": "KGZ"}, "home_country"),
    ],
)
def test_settings_out_of_range_are_refused_by_name(change: dict[str, Any], where: str) -> None:
    with pytest.raises(ScreeningError) as caught:
        ScreenSettings(**change)
    assert [p.where for p in caught.value.problems] == [where]


def test_a_conduit_window_of_zero_days_is_the_donation_day_alone() -> None:
    settings = ScreenSettings(conduit_days=0)
    foreigner, donor = "P:foreign", pin(5)
    facts = {foreigner: Facts(kind="person", country="US")}
    d = gift(100, donor)
    same_day = Transfer(foreigner, donor, DAY, Decimal(100))
    day_before = Transfer(foreigner, donor, DAY - timedelta(days=1), Decimal(100))
    assert run([d], facts=facts, transfers=[same_day], settings=settings).counts["conduit"] == 1
    assert run([d], facts=facts, transfers=[day_before], settings=settings).counts["conduit"] == 0
