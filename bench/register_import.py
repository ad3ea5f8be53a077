"""Benchmark: the register import against a bare SQLite load of the same CSV.

For each size, a synthetic population file is generated with ``shailoo.synth``; then, each in
its own process (so peak memory is its own):

* **ours** — the full import: parse, validate, eligibility, name normalisation, persist with
  history and resume points, into a fresh SQLite database migrated by Django, ending with
  its indexes built (the writer process and its preparation workers);
* **bare** — the same CSV read with :mod:`csv` and loaded into one plain SQLite table with
  ``executemany`` in one transaction.

Prints one line per size and finally
``RESULT register_import rows_per_s=... ratio=<ours/bare> peak_mib=... rows=...``
for the largest size; ratio is ours' time over bare's time for the same rows (lower is better);
peak_mib bounds the import's memory from above: the writer's peak plus each worker counted at
the largest worker's peak.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_mib(workers: int = 0) -> float:
    """Peak resident memory of this process plus, bounding it from above, ``workers`` times
    the largest child's (the preparation workers run side by side with the writer)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers * child) / 1024


def worker_bare(path: Path, db: Path) -> dict[str, float]:
    start = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        cols = ", ".join(f'"{c}" TEXT' for c in header)
        conn.execute(f"CREATE TABLE person ({cols})")
        marks = ", ".join("?" * len(header))
        with conn:
            conn.executemany(f"INSERT INTO person VALUES ({marks})", reader)
    rows = conn.execute("SELECT count(*) FROM person").fetchone()[0]
    conn.close()
    return {"seconds": time.perf_counter() - start, "rows": rows, "peak_mib": _peak_mib()}


def worker_ours(path: Path, geo: Path, db: Path) -> dict[str, float]:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    import datetime

    from shailoo.common.cli import django_setup

    django_setup()
    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.register.importer import RegisterImporter
    from shailoo.register.prepare_parallel import default_workers

    import_geography(geo)
    election = Election.objects.create(
        code="bench",
        name="bench",
        polling_day=datetime.date(2027, 3, 14),
        law_edition="kg-2025",
        is_current=True,
    )
    start = time.perf_counter()
    summary = RegisterImporter(path, actor="bench", election=election).run()
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "rows": summary.read,
        "accepted": summary.accepted,
        "peak_mib": _peak_mib(default_workers()),
    }


def _spawn(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(rows: int, seed: int, tmp: Path) -> dict[str, float]:
    from shailoo.synth.geography import generate_geography, write_geography_csv
    from shailoo.synth.population import write_population_csv

    geography = generate_geography(seed, 2500)
    geo, pop = tmp / "geo.csv", tmp / f"pop-{rows}.csv"
    write_geography_csv(geography, geo)
    write_population_csv(pop, seed, rows, geography)
    bare = _spawn("bare", str(pop), str(tmp / f"bare-{rows}.sqlite3"))
    ours = _spawn("ours", str(pop), str(geo), str(tmp / f"ours-{rows}.sqlite3"))
    result = {
        "rows": rows,
        "ours_rows_per_s": rows / ours["seconds"],
        "bare_rows_per_s": rows / bare["seconds"],
        "ours_peak_mib": ours["peak_mib"],
        "bare_peak_mib": bare["peak_mib"],
    }
    result["ratio"] = ours["seconds"] / bare["seconds"]
    print(
        f"rows={rows} ours={result['ours_rows_per_s']:.0f} rows/s "
        f"bare={result['bare_rows_per_s']:.0f} rows/s ratio={result['ratio']:.2f} "
        f"(time ours/bare) peak_mib={ours['peak_mib']:.0f}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[100_000, 1_000_000], help="sizes to measure"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *paths = args.worker
        fn = worker_bare if kind == "bare" else worker_ours
        print(json.dumps(fn(*map(Path, paths))))
        return
    with tempfile.TemporaryDirectory(prefix="shailoo-bench-") as tmpdir:
        results = [measure(n, args.seed, Path(tmpdir)) for n in sorted(args.rows)]
    last = results[-1]
    print(
        f"RESULT register_import rows_per_s={last['ours_rows_per_s']:.0f} "
        f"ratio={last['ratio']:.2f} peak_mib={last['ours_peak_mib']:.0f} rows={last['rows']}"
    )


if __name__ == "__main__":
    main()
