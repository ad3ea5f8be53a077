"""Turnout arithmetic: every level sums its parts, shares are never made over empty lists."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from shailoo.polling.tally import Place, Row, figures, share

PLACES = {1: Place("T1", "KG-C"), 2: Place("T1", "KG-C"), 3: Place("T2", "KG-B")}


def test_a_station_hour_adds_to_its_tec_region_and_the_country() -> None:
    rows = [Row(1, 8, 10, manual=1), Row(1, 9, 5), Row(3, 9, 7, home=2)]
    result = figures(rows, {1: 100, 2: 50, 3: 70}, PLACES)
    assert result["country"]["voted"] == 22 and result["country"]["listed"] == 220
    assert result["regions"]["KG-C"]["voted"] == 15 and result["regions"]["KG-B"]["home"] == 2
    assert result["tecs"]["T1"]["by_hour"] == {"8": 10, "9": 5}
    assert result["stations"]["2"]["turnout"] == 0.0
    assert result["stations"]["1"]["turnout"] == 15.0


def test_no_share_over_an_empty_list() -> None:
    assert share(5, 0) is None
    assert figures([], {}, {9: Place("T", "R")})["stations"]["9"]["turnout"] is None


rows_strategy = st.lists(
    st.builds(Row, st.sampled_from([1, 2, 3, 4]), st.integers(8, 20), st.integers(0, 500)),
    max_size=40,
)


@given(rows_strategy)
def test_every_level_sums_to_the_country(rows) -> None:
    result = figures(rows, {1: 1000, 2: 1000, 3: 1000}, PLACES)
    total = sum(r.ballots for r in rows)
    assert result["country"]["voted"] == total  # station 4 has no place: country only
    placed = sum(r.ballots for r in rows if r.station in PLACES)
    assert sum(v["voted"] for v in result["regions"].values()) == placed
    assert sum(v["voted"] for v in result["tecs"].values()) == placed
    assert sum(v["voted"] for v in result["stations"].values()) == placed
    assert sum(result["country"]["by_hour"].values()) == total
