"""Benchmark: tally cast vote records and aggregate them to the country.

Synthetic data, deterministic by seed: ``--cvrs`` records (default 4,000,000) across
``--stations`` polling stations (default 2,500), shaped like a 2021 parliamentary ballot: one
party-list contest (21 lists and "against all") and 36 single-member districts (8 candidates
and "against all" each; a sheet carries only its station's district). Stations belong to TECs
and regions. About 2% of contests are blank, 1% overvoted, 0.5% pending adjudication.

Two ways over the same arrays, in the same run:

* **ours** — :func:`shailoo.counting.tally.tally` (one compiled pass, validation included)
  and :func:`~shailoo.counting.tally.aggregate` to TECs, regions and the country;
* **numpy_bincount** — for every column of the choices matrix, ``numpy.bincount`` over
  ``station * width + code``, then ``numpy.bincount`` with weights to TECs and regions, and a
  sum to the country (no validation).

Both results must agree. Each is timed as the best of ``--repeat`` runs; ours' first call
(which may compile or load the numba cache) is timed separately and reported.

Final line: ``RESULT tally cvrs_per_s=<ours> ratio=<ours/numpy_bincount>``, where ratio is our
throughput over the baseline's (above 1: ours is faster).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import numpy.typing as npt

from shailoo.counting.tally import (
    BLANK,
    NOT_ON_BALLOT,
    OVERVOTE,
    UNRESOLVED,
    Hierarchy,
    Layout,
    aggregate,
    tally,
)

LIST_OPTIONS = 22
DISTRICTS = 36
DISTRICT_OPTIONS = 9
REGIONS = 9
TECS = 55


def make_layout() -> Layout:
    contests = ["list"] + [f"d{n}" for n in range(1, DISTRICTS + 1)]
    options = [tuple(f"p{i}" for i in range(LIST_OPTIONS))] + [
        tuple(f"c{i}" for i in range(DISTRICT_OPTIONS)) for _ in range(DISTRICTS)
    ]
    return Layout(tuple(contests), tuple(options), tuple(1 for _ in contests))


def _codes(rng: np.random.Generator, n: int, options: int) -> npt.NDArray[np.int8]:
    """Choices for one contest: popularity from a Dirichlet, plus blank/overvote/pending."""
    shares = rng.dirichlet(np.full(options, 1.5))
    probs = np.concatenate([shares * 0.965, [0.02, 0.01, 0.005]])
    codes = np.concatenate([np.arange(options), [BLANK, OVERVOTE, UNRESOLVED]])
    return codes[rng.choice(probs.size, size=n, p=probs)].astype(np.int8)


def make_data(
    cvrs: int, stations: int, seed: int
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int8], Hierarchy]:
    rng = np.random.default_rng(seed)
    station = np.sort(rng.integers(0, stations, size=cvrs, dtype=np.int32))
    district_of_station = np.arange(stations) * DISTRICTS // stations
    choices = np.full((cvrs, 1 + DISTRICTS), NOT_ON_BALLOT, dtype=np.int8)
    choices[:, 0] = _codes(rng, cvrs, LIST_OPTIONS)
    district = district_of_station[station]
    district_codes = _codes(rng, cvrs, DISTRICT_OPTIONS)
    choices[np.arange(cvrs), 1 + district] = district_codes
    tecs = min(TECS, stations)
    hierarchy = Hierarchy(
        station_tec=(np.arange(stations) * tecs // stations).astype(np.int64),
        tec_region=(np.arange(tecs) * REGIONS // tecs).astype(np.int64),
        n_regions=REGIONS,
    )
    return station, choices, hierarchy


def ours(
    station: npt.NDArray[np.int32],
    choices: npt.NDArray[np.int8],
    stations: int,
    layout: Layout,
    hierarchy: Hierarchy,
) -> npt.NDArray[np.int64]:
    return aggregate(tally(station, choices, stations, layout), hierarchy).country


def baseline(
    station: npt.NDArray[np.int32],
    choices: npt.NDArray[np.int8],
    stations: int,
    layout: Layout,
    hierarchy: Hierarchy,
) -> npt.NDArray[np.int64]:
    """The same table with plain numpy.bincount, column by column."""
    base = station.astype(np.int64)
    columns = []
    for j, options in enumerate(layout.option_ids):
        width = len(options) + 4  # codes -4..options-1 shifted by 4
        key = base * width + (choices[:, j].astype(np.int64) + 4)
        table = np.bincount(key, minlength=stations * width).reshape(stations, width)
        # Same column order as ours: options, blank, overvote, unresolved.
        columns.append(table[:, [*range(4, width), 3, 2, 0]])
    per_station = np.concatenate(columns, axis=1)
    tecs = np.stack(
        [
            np.bincount(
                hierarchy.station_tec,
                weights=per_station[:, k],
                minlength=hierarchy.tec_region.size,
            )
            for k in range(per_station.shape[1])
        ],
        axis=1,
    )
    regions = np.stack(
        [
            np.bincount(hierarchy.tec_region, weights=tecs[:, k], minlength=hierarchy.n_regions)
            for k in range(tecs.shape[1])
        ],
        axis=1,
    )
    return regions.sum(axis=0).round().astype(np.int64)


def best_of(repeat: int, fn: object, *args: object) -> tuple[float, npt.NDArray[np.int64]]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cvrs", type=int, default=4_000_000, help="cast vote records")
    parser.add_argument("--stations", type=int, default=2_500, help="polling stations")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=3, help="runs per method; best counts")
    args = parser.parse_args()

    layout = make_layout()
    start = time.perf_counter()
    station, choices, hierarchy = make_data(args.cvrs, args.stations, args.seed)
    print(
        f"generated cvrs={args.cvrs} stations={args.stations} contests="
        f"{len(layout.contest_ids)} in {time.perf_counter() - start:.2f} s",
        flush=True,
    )
    start = time.perf_counter()
    ours(station[:1000], choices[:1000], args.stations, layout, hierarchy)
    print(f"ours first call (compile or cache load): {time.perf_counter() - start:.2f} s")

    ours_s, ours_country = best_of(
        args.repeat, ours, station, choices, args.stations, layout, hierarchy
    )
    base_s, base_country = best_of(
        args.repeat, baseline, station, choices, args.stations, layout, hierarchy
    )
    if not np.array_equal(ours_country, base_country):
        raise SystemExit("ours and numpy_bincount disagree: the benchmark is invalid")
    if int(ours_country[: LIST_OPTIONS + 3].sum()) != args.cvrs:
        raise SystemExit("the party-list contest does not count every record once")
    ours_rate, base_rate = args.cvrs / ours_s, args.cvrs / base_s
    print(f"ours: {ours_s:.3f} s, {ours_rate:,.0f} cvrs/s (tally + aggregate to country)")
    print(f"numpy_bincount: {base_s:.3f} s, {base_rate:,.0f} cvrs/s")
    # ratio: our throughput over numpy.bincount's on the same data (higher is better).
    print(f"RESULT tally cvrs_per_s={ours_rate:.0f} ratio={ours_rate / base_rate:.2f}")


if __name__ == "__main__":
    main()
