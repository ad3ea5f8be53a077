"""Benchmark: the persons' state check (``ledger verify --state``) at 1,000,000 persons.

Builds a fresh SQLite register the way production does (a synthetic population from
``shailoo.synth``, imported by ``RegisterImporter``: its workers compute each person's state,
the writer binds each batch to the ledger), then times, in the same run and on the same data:

* **ours** — ``register.state.check_persons``: both tables streamed in id order, each
  person's digest recomputed and compared with the latest state the ledger bound, each batch's
  digest recomputed from the state table, each stored verdict recomputed with the law;
* **baseline** — the least any such check must do: a plain ``SELECT`` of the same person
  columns and of the state table, each person row joined and hashed (BLAKE2b) in Python.

Prints the timings and finally
``RESULT state_check persons_per_s=<ours> ratio=<ours_time/baseline_time> ...``.
The default (1,000,000 persons) takes about three minutes on the 2-core development machine,
most of it generating and importing the population.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(directory: Path) -> None:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{directory / 'state.sqlite3'}"
    os.environ["SHAILOO_VAR_DIR"] = str(directory / "var")
    os.environ["SHAILOO_DEBUG"] = "0"  # no query log in memory
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    sys.path.insert(0, str(ROOT / "src"))
    from shailoo.common.cli import django_setup

    django_setup()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(directory: Path, persons: int, seed: int) -> float:
    """Geography, a current election and ``persons`` imported; returns the import's seconds."""
    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.register.importer import RegisterImporter
    from shailoo.synth.geography import generate_geography, write_geography_csv
    from shailoo.synth.population import write_population_csv

    geography = generate_geography(seed, 2500)
    geo, population = directory / "geo.csv", directory / "population.csv"
    write_geography_csv(geography, geo)
    write_population_csv(population, seed, persons, geography)
    import_geography(geo)
    election = Election.objects.create(
        code="bench",
        name="bench",
        polling_day=datetime.date(2027, 3, 14),
        law_edition="kg-2025",
        is_current=True,
    )
    start = time.perf_counter()
    RegisterImporter(population, actor="bench", election=election).run()
    return time.perf_counter() - start


def baseline() -> tuple[float, int]:
    """A plain SELECT of the same columns, each person row hashed in Python."""
    from shailoo.register.state import COLUMNS, _stream

    start = time.perf_counter()
    columns = ", ".join(("id", *COLUMNS))
    count = 0
    blake = hashlib.blake2b
    for row in _stream(f"SELECT {columns} FROM register_person ORDER BY id"):
        blake("\x1f".join(map(str, row)).encode(), digest_size=16).digest()
        count += 1
    for _ in _stream("SELECT sequence, first_id, count, ids, states FROM register_personstate"):
        pass
    return time.perf_counter() - start, count


def ours() -> tuple[float, int, int]:
    from shailoo.integrity.state import StateReport
    from shailoo.register.state import check_persons

    report = StateReport()
    start = time.perf_counter()
    checked = check_persons(report)
    return time.perf_counter() - start, checked, report.total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=1_000_000, help="register size")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2, help="timings per side (best kept)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shailoo-bench-state-") as tmp:
        _setup(Path(tmp))
        import_s = build(Path(tmp), args.persons, args.seed)
        print(f"imported {args.persons:,} persons in {import_s:.1f} s", flush=True)
        ours_s = base_s = float("inf")
        checked = mismatches = rows = 0
        for _ in range(args.repeat):
            seconds, rows = baseline()
            base_s = min(base_s, seconds)
            seconds, checked, mismatches = ours()
            ours_s = min(ours_s, seconds)
            print(f"state check {ours_s:.2f} s, baseline {base_s:.2f} s", flush=True)
        assert mismatches == 0, f"{mismatches} mismatches in an untouched register"
        assert checked == rows == args.persons or checked == rows, (checked, rows)
    print(
        f"RESULT state_check persons_per_s={checked / ours_s:.0f} ratio={ours_s / base_s:.2f} "
        f"persons={checked} check_s={ours_s:.2f} baseline_s={base_s:.2f} "
        f"import_s={import_s:.1f} peak_mib={_peak_mib():.0f}"
    )


if __name__ == "__main__":
    main()
