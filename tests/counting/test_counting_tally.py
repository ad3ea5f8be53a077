"""The tally engine against a naive Counter, and aggregation that always adds up."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from counting_nist_sample import DEFINITION
from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.counting.reads import (
    ContestOutcome,
    ContestRead,
    SelectionRead,
    SheetRead,
    SheetStatus,
    Thresholds,
)
from shailoo.counting.tally import (
    BLANK,
    NOT_ON_BALLOT,
    OVERVOTE,
    UNRESOLVED,
    Hierarchy,
    Layout,
    TallyInputError,
    aggregate,
    counts_to_dict,
    encode_sheets,
    matrix_to_dicts,
    tally,
)


@st.composite
def elections(draw: st.DrawFn) -> tuple[Layout, np.ndarray, np.ndarray, int]:
    n_contests = draw(st.integers(1, 4))
    option_counts = draw(st.lists(st.integers(1, 6), min_size=n_contests, max_size=n_contests))
    slots = draw(st.lists(st.integers(1, 3), min_size=n_contests, max_size=n_contests))
    slots = [min(s, o) for s, o in zip(slots, option_counts, strict=True)]
    layout = Layout(
        contest_ids=tuple(f"c{i}" for i in range(n_contests)),
        option_ids=tuple(tuple(f"o{j}" for j in range(n)) for n in option_counts),
        slots=tuple(slots),
    )
    n_stations = draw(st.integers(1, 8))
    n_records = draw(st.integers(0, 60))
    stations = np.asarray(
        draw(st.lists(st.integers(0, n_stations - 1), min_size=n_records, max_size=n_records)),
        dtype=np.int32,
    )
    rows = []
    for _ in range(n_records):
        row: list[int] = []
        for options, n_slots in zip(option_counts, slots, strict=True):
            first = draw(st.integers(UNRESOLVED, options - 1))
            rest = [draw(st.integers(BLANK, options - 1)) for _ in range(n_slots - 1)]
            if first < 0:
                rest = [BLANK] * (n_slots - 1)
            row += [first, *rest]
        rows.append(row)
    choices = np.asarray(rows, dtype=np.int8).reshape(n_records, layout.columns)
    return layout, stations, choices, n_stations


def naive(
    layout: Layout, stations: np.ndarray, choices: np.ndarray
) -> Counter[tuple[int, str, str]]:
    names = {BLANK: "blank", OVERVOTE: "overvote", UNRESOLVED: "unresolved"}
    found: Counter[tuple[int, str, str]] = Counter()
    for station, row in zip(stations.tolist(), choices.tolist(), strict=True):
        column = 0
        for contest, options, n_slots in zip(
            layout.contest_ids, layout.option_ids, layout.slots, strict=True
        ):
            for slot in range(n_slots):
                code = row[column + slot]
                if code >= 0:
                    found[(station, contest, options[code])] += 1
                elif slot == 0 and code != NOT_ON_BALLOT:
                    found[(station, contest, names[code])] += 1
            column += n_slots
    return found


@settings(max_examples=60, deadline=None)
@given(elections())
def test_tally_equals_naive_counter(case: tuple[Layout, np.ndarray, np.ndarray, int]) -> None:
    layout, stations, choices, n_stations = case
    counts = tally(stations, choices, n_stations, layout)
    ours: Counter[tuple[int, str, str]] = Counter()
    for s in range(n_stations):
        for contest, options in counts_to_dict(counts[s], layout).items():
            for option, n in options.items():
                if n:
                    ours[(s, contest, option)] = n
    assert ours == naive(layout, stations, choices)


@settings(max_examples=60, deadline=None)
@given(elections(), st.data())
def test_levels_add_up(
    case: tuple[Layout, np.ndarray, np.ndarray, int], data: st.DataObject
) -> None:
    layout, stations, choices, n_stations = case
    n_regions = data.draw(st.integers(1, 3))
    n_tecs = data.draw(st.integers(1, 4))
    hierarchy = Hierarchy(
        station_tec=np.asarray(
            data.draw(
                st.lists(st.integers(0, n_tecs - 1), min_size=n_stations, max_size=n_stations)
            )
        ),
        tec_region=np.asarray(
            data.draw(st.lists(st.integers(0, n_regions - 1), min_size=n_tecs, max_size=n_tecs))
        ),
        n_regions=n_regions,
    )
    levels = aggregate(tally(stations, choices, n_stations, layout), hierarchy)
    assert (levels.stations.sum(axis=0) == levels.country).all()
    assert (levels.tecs.sum(axis=0) == levels.country).all()
    assert (levels.regions.sum(axis=0) == levels.country).all()
    for t in range(n_tecs):
        assert (levels.stations[hierarchy.station_tec == t].sum(axis=0) == levels.tecs[t]).all()
    for r in range(n_regions):
        assert (levels.tecs[hierarchy.tec_region == r].sum(axis=0) == levels.regions[r]).all()
    # Each contest's columns count every record that carries it once (first slot).
    for contest, start, options in zip(
        layout.contest_ids, layout.offsets, layout.option_ids, strict=True
    ):
        first = choices[:, sum(layout.slots[: layout.contest_ids.index(contest)])]
        on_ballot = int((first != NOT_ON_BALLOT).sum())
        extra = levels.country[start + len(options) : start + len(options) + 3].sum()
        single = int((first >= 0).sum())
        assert extra == on_ballot - single


def test_bad_codes_are_located() -> None:
    layout = Layout(("p",), (("a", "b"),), (1,))
    stations = np.zeros(3, dtype=np.int32)
    with pytest.raises(TallyInputError, match=r"record 2, column 0: code 2 is not valid"):
        tally(stations, np.asarray([[0], [1], [2]], dtype=np.int8), 1, layout)
    with pytest.raises(TallyInputError, match=r"record 1, column 0: code -5"):
        tally(stations, np.asarray([[0], [-5], [1]], dtype=np.int8), 1, layout)
    with pytest.raises(TallyInputError, match="station index 4 out of range"):
        tally(np.asarray([0, 4, 0]), np.zeros((3, 1), dtype=np.int8), 2, layout)
    two = Layout(("d",), (("a", "b", "c"),), (2,))
    with pytest.raises(TallyInputError, match="only the first slot"):
        tally(np.zeros(1, dtype=np.int32), np.asarray([[0, OVERVOTE]], dtype=np.int8), 1, two)
    with pytest.raises(ValueError, match="choices must be"):
        tally(stations, np.zeros((3, 2), dtype=np.int8), 1, layout)


def _read(contest: str, outcome: ContestOutcome, votes: tuple[str, ...]) -> ContestRead:
    options = DEFINITION.contest(contest).options
    selections = tuple(
        SelectionRead(o.id, 0.9 if o.id in votes else 0.0, o.id in votes) for o in options
    )
    return ContestRead(contest, outcome, selections, votes)


def test_sheets_encode_and_tally_by_definition() -> None:
    layout = Layout.from_definition(DEFINITION)
    t = Thresholds()
    sheets = [
        SheetRead(
            "a",
            SheetStatus.READABLE,
            t,
            station="1001",
            contests=(
                _read("president", ContestOutcome.VALID, ("c2",)),
                _read("jk-list", ContestOutcome.OVERVOTE, ()),
            ),
        ),
        SheetRead(
            "b",
            SheetStatus.READABLE,
            t,
            station="1003",
            contests=(
                _read("president", ContestOutcome.MARGINAL, ()),
                _read("jk-list", ContestOutcome.UNDERVOTE, ()),
                _read("d7", ContestOutcome.VALID, ("x1", "x3")),
            ),
        ),
        SheetRead("c", SheetStatus.UNREADABLE, t, station="1001"),
    ]
    index = {"1001": 0, "1003": 1}
    stations, choices = encode_sheets(sheets, layout, index)
    counts = matrix_to_dicts(tally(stations, choices, 2, layout), layout, ["1001", "1003"])
    assert counts["1001"]["president"] == {
        "c1": 0,
        "c2": 1,
        "aa": 0,
        "blank": 0,
        "overvote": 0,
        "unresolved": 1,
    }
    assert counts["1001"]["jk-list"]["overvote"] == 1
    assert counts["1001"]["d7"]["unresolved"] == 1
    assert counts["1003"]["president"]["unresolved"] == 1
    assert counts["1003"]["jk-list"]["blank"] == 1
    assert counts["1003"]["d7"] == {
        "x1": 1,
        "x2": 0,
        "x3": 1,
        "blank": 0,
        "overvote": 0,
        "unresolved": 0,
    }
    with pytest.raises(TallyInputError, match="station '9' is not in the index"):
        encode_sheets([SheetRead("d", SheetStatus.READABLE, t, station="9")], layout, index)
