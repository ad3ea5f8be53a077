"""Benchmark: the automatic count of stored cast vote records against one SQL GROUP BY.

    .venv/bin/python bench/automatic_count.py [--stations 100] [--sheets 1500] [--seed 2027]

Measures what the product runs when it counts a station's scanned ballots:
``shailoo.counting.services.automatic_count(election, station)`` over the sheets stored in the
database. A fresh SQLite database (migrated by Django, in a temporary folder) gets a synthetic
geography (``shailoo.synth.geography``, imported with ``shailoo geo import``'s importer), an
election and its synthetic parliamentary definition (``shailoo.synth.definition``, stored with
``counting.services.import_definition``), and ``--sheets`` sheets per station: the ballots
found in the box (``shailoo.synth.votes``: valid votes, overvotes, blanks) as the scanner's
reads, stored with ``counting.services.record_scan`` (one batch per station). About
``--doubtful`` of the sheets carry a marginal mark and wait for a person; at each station one
of them is then decided as a vote and one declared invalid (``counting.services.decide``), so
every branch of the count is exercised.

Then, ``--repeat`` times, alternately: ``automatic_count`` for every station (ours), and the
BASELINE: one plain SQL ``GROUP BY`` (``django.db.connection.cursor()``) over the same
interpretation rows computing the same per-station, per-contest, per-option counts (votes
from ``json_each`` of the counted sheets' votes, and the overvote, blank, invalid and pending
counts). The two must agree exactly, or the benchmark stops with the differences. Times are
the median pass.

Prints progress lines and finally
``RESULT automatic_count sheets_per_s=<ours> ratio=<ours_time/baseline_time>``
where ``sheets_per_s`` is stored sheets counted per second by ``automatic_count`` (all stations
of one pass) and ``ratio`` is our time over the baseline's for the same sheets (lower is
better; 1.0 would mean the product counts as fast as a single hand-written query).

The default scale is the target: 100 stations x 1,500 sheets = 150,000 sheets. On the 2-core
development machine building them takes about 1.5 minutes and the whole run about 3 minutes
(database about 300 MiB in the temporary folder).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ACTOR = "bench"
ELECTION = "bench-2027"
POLLING_DAY = datetime.date(2027, 3, 14)
#: Fill ratios of the scanner's reads: a clear mark, an empty oval, a hesitant mark.
MARKED_FILL, EMPTY_FILL, MARGINAL_FILL = 0.92, 0.01, 0.2

#: The baseline: one GROUP BY over every interpretation row of the election. The CASE names
#: what a row adds to, in the order ``automatic_count`` decides it.
BASELINE_SQL = """
SELECT s.station_id, c.code,
       CASE
         WHEN s.state = 'invalid' THEN '_invalid'
         WHEN s.state = 'pending' OR i.outcome = 'marginal' THEN '_pending'
         WHEN i.outcome = 'overvote' THEN '_overvote'
         WHEN i.outcome = 'undervote' THEN '_blank'
         ELSE v.value
       END AS k,
       COUNT(*)
FROM counting_contestinterpretation i
JOIN counting_scannedsheet s ON s.id = i.sheet_id
JOIN counting_contest c ON c.id = i.contest_id
LEFT JOIN json_each(i.votes) v
  ON s.state IN ('counted', 'decided') AND i.outcome = 'valid'
WHERE s.election_id = %s
GROUP BY s.station_id, c.code, k
HAVING k IS NOT NULL
"""


def _setup(directory: Path) -> None:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{directory / 'count.sqlite3'}"
    os.environ["SHAILOO_VAR_DIR"] = str(directory / "var")
    os.environ["SHAILOO_DEBUG"] = "0"  # no query log in memory
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    sys.path.insert(0, str(ROOT / "src"))
    from shailoo.common.cli import django_setup

    django_setup()


def _world(directory: Path, stations: int, seed: int) -> tuple[Any, Any, list[Any]]:
    """Geography, election and definition: (election, definition, stations by number)."""
    from shailoo.counting.services import import_definition
    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.geo.models import PollingStation
    from shailoo.synth.definition import make_definition
    from shailoo.synth.geography import (
        MIN_STATIONS,
        generate_geography,
        write_geography_csv,
    )

    geo = directory / "geography.csv"
    write_geography_csv(generate_geography(seed, max(stations, MIN_STATIONS)), geo)
    import_geography(geo)
    election = Election.objects.create(
        code=ELECTION,
        name="bench",
        polling_day=POLLING_DAY,
        law_edition="kg-2025",
        is_current=True,
    )
    rows = list(
        PollingStation.objects.select_related("region", "tec").order_by("number")[:stations]
    )
    definition = make_definition(
        [(str(s.number), s.region.code, s.tec.code) for s in rows],
        seed=seed,
        law_edition=election.law_edition,
        election_date=POLLING_DAY,
        election_id=ELECTION,
    )
    import_definition(election, definition, ACTOR)
    return election, definition, rows


def _reads(definition: Any, station: Any, sheets: int, doubtful: float, seed: int) -> list[Any]:
    """The scanner's reads of ``sheets`` ballots found at ``station``."""
    from shailoo.counting.reads import SheetRead, SheetStatus, Thresholds, classify_contest
    from shailoo.synth.votes import StationPlace, station_figures

    thresholds = Thresholds()
    number = str(station.number)
    rng = random.Random(f"bench.count/{seed}/{number}")
    # Enough voters that every style has more ballots than needed (turnout is 55-65 %).
    place = StationPlace(station.number, station.region.code, 3 * sheets + 100)
    ballots = {f.contest_id: f.ballots(rng) for f in station_figures(seed, definition, [place])}
    found = []
    for style in definition.styles_for_station(number):
        contests = definition.style_contests(style.id)
        count = min(len(ballots[c.id]) for c in contests)
        found += [(style.id, {c.id: ballots[c.id][i] for c in contests}) for i in range(count)]
    rng.shuffle(found)
    if len(found) < sheets:
        raise SystemExit(f"station {number}: only {len(found)} ballots for {sheets} sheets")
    reads = []
    for n, (style_id, votes) in enumerate(found[:sheets], 1):
        contests = []
        for contest in definition.style_contests(style_id):
            outcome, option = votes[contest.id]
            ids = [o.id for o in contest.options]
            marked = (
                {option} if outcome == "valid" else set(ids[:2]) if outcome == "overvote" else set()
            )
            fills = {oid: MARKED_FILL if oid in marked else EMPTY_FILL for oid in ids}
            if rng.random() < doubtful:  # a speck beside the vote: a person decides
                fills[rng.choice([o for o in ids if o not in marked])] = MARGINAL_FILL
            against = next((o.id for o in contest.options if o.kind == "against_all"), None)
            contests.append(
                classify_contest(
                    contest.id, list(fills.items()), contest.votes_allowed, thresholds, against
                )
            )
        serial = f"{station.number:05d}{n:07d}"
        reads.append(
            SheetRead(
                source=f"{serial}.cvr",
                status=SheetStatus.READABLE,
                thresholds=thresholds,
                election_id=ELECTION,
                style_id=style_id,
                station=number,
                serial=serial,
                contests=tuple(contests),
            )
        )
    return reads


def _decide_two(election: Any, station: Any) -> int:
    """A person decides one waiting sheet as its marked vote and declares another invalid."""
    from shailoo.counting.models import ContestInterpretation, ScannedSheet
    from shailoo.counting.services import decide

    waiting = list(
        ScannedSheet.objects.filter(
            election=election, station=station, state=ScannedSheet.State.PENDING
        ).order_by("serial")[:2]
    )
    if waiting:
        row = ContestInterpretation.objects.select_related("contest").get(
            sheet=waiting[0], needs_decision=True
        )
        marked = [oid for oid, _fill, is_marked in row.fills if is_marked]
        decision = (
            "blank"
            if not marked
            else "overvote"
            if len(marked) > row.contest.votes_allowed
            else "vote"
        )
        decide(
            waiting[0],
            decision=decision,
            reason="the speck beside the marks is not a mark",
            user=ACTOR,
            contest_code=row.contest.code,
            option_codes=marked if decision == "vote" else (),
        )
    if len(waiting) > 1:
        decide(waiting[1], decision="sheet-invalid", reason="torn in half", user=ACTOR)
    return len(waiting)


def _ours(election: Any, stations: list[Any]) -> dict[tuple[int, str, str], int]:
    from shailoo.counting.services import SHEETS, automatic_count

    out: dict[tuple[int, str, str], int] = {}
    for station in stations:
        for contest, tally in automatic_count(election, station).items():
            if contest == SHEETS:
                continue
            for key, n in tally.items():
                if n:
                    out[(station.pk, contest, key)] = n
    return out


def _baseline(election: Any) -> dict[tuple[int, str, str], int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BASELINE_SQL, [election.pk])
        return {(station, contest, key): n for station, contest, key, n in cursor.fetchall()}


def _differences(ours: dict[Any, int], base: dict[Any, int]) -> list[str]:
    keys = sorted(set(ours) | set(base), key=str)
    return [
        f"{k}: ours={ours.get(k)} baseline={base.get(k)}"
        for k in keys
        if ours.get(k) != base.get(k)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=100)
    parser.add_argument("--sheets", type=int, default=1500, help="sheets per station")
    parser.add_argument("--doubtful", type=float, default=0.01, help="share of marginal sheets")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes of each")
    parser.add_argument("--seed", type=int, default=2027)
    args = parser.parse_args()
    started = time.perf_counter()

    with tempfile.TemporaryDirectory(prefix="shailoo-bench-count-") as tmp:
        _setup(Path(tmp))
        from shailoo.counting.models import ScannedSheet
        from shailoo.counting.services import record_scan

        t0 = time.perf_counter()
        election, definition, stations = _world(Path(tmp), args.stations, args.seed)
        print(
            f"world: {len(stations)} stations, {len(definition.contests)} contests, "
            f"{len(definition.ballot_styles)} ballot styles ({time.perf_counter() - t0:.1f} s)",
            flush=True,
        )
        t0 = time.perf_counter()
        decided = 0
        for n, station in enumerate(stations, 1):
            reads = _reads(definition, station, args.sheets, args.doubtful, args.seed)
            batch = record_scan(election, station, reads, None, ACTOR)
            if batch.created != args.sheets:
                raise SystemExit(f"station {station.number}: {batch}")
            decided += _decide_two(election, station)
            if n % max(len(stations) // 10, 1) == 0 or n == len(stations):
                rate = n * args.sheets / (time.perf_counter() - t0)
                print(f"  stored {n * args.sheets:>9,} sheets ({rate:,.0f} sheets/s)", flush=True)
        build_s = time.perf_counter() - t0
        states = Counter(
            ScannedSheet.objects.filter(election=election).values_list("state", flat=True)
        )
        total = sum(states.values())
        print(
            f"stored {total:,} sheets in {build_s:.1f} s ({decided} decided by a person): "
            + ", ".join(f"{state} {n:,}" for state, n in sorted(states.items())),
            flush=True,
        )
        if total != len(stations) * args.sheets:
            raise SystemExit(f"expected {len(stations) * args.sheets} sheets, stored {total}")

        ours_s, base_s = [], []
        for i in range(args.repeat):
            t0 = time.perf_counter()
            ours = _ours(election, stations)
            ours_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            base = _baseline(election)
            base_s.append(time.perf_counter() - t0)
            wrong = _differences(ours, base)
            if wrong:
                print(f"MISMATCH: {len(wrong)} counts differ, e.g.:", *wrong[:20], sep="\n  ")
                raise SystemExit("automatic_count and the GROUP BY baseline disagree")
            print(
                f"  pass {i + 1}: automatic_count {ours_s[-1]:.3f} s "
                f"({total / ours_s[-1]:,.0f} sheets/s), baseline {base_s[-1]:.3f} s; "
                f"{len(ours):,} counts agree",
                flush=True,
            )
        ours_t, base_t = statistics.median(ours_s), statistics.median(base_s)
        votes = sum(n for (_, _, key), n in ours.items() if not key.startswith("_"))
        per_station_ms = ours_t / len(stations) * 1000
        print(
            f"automatic_count: {len(stations)} stations in {ours_t:.3f} s "
            f"({per_station_ms:.1f} ms a station); baseline GROUP BY {base_t:.3f} s; "
            f"{votes:,} votes"
        )
        db_mib = (Path(tmp) / "count.sqlite3").stat().st_size / 2**20

    wall = time.perf_counter() - started
    print(
        f"scale: {len(stations)} stations x {args.sheets:,} sheets = {total:,} sheets; "
        f"ours {ours_t:.3f} s ({per_station_ms:.1f} ms a station), baseline {base_t:.3f} s; "
        f"build {build_s:.0f} s, database {db_mib:.0f} MiB, wall {wall:.0f} s"
    )
    print(f"RESULT automatic_count sheets_per_s={total / ours_t:.0f} ratio={ours_t / base_t:.2f}")


if __name__ == "__main__":
    main()
