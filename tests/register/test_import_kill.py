"""A real crash: the import process is killed with SIGKILL mid-way, then run again.

The final database must equal that of one clean run into a second database. This runs the
actual ``shailoo`` command in child processes against SQLite files, as an operator would.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shailoo.synth.geography import generate_geography, write_geography_csv
from shailoo.synth.population import write_population_csv

SHAILOO = [sys.executable, "-m", "shailoo.cli"]
SETUP = """
import datetime, django
django.setup()
from shailoo.elections.models import Election
Election.objects.create(code="t", name="t", polling_day=datetime.date(2027, 3, 14),
                        law_edition="kg-2025", is_current=True)
"""
QUERY = (
    "SELECT p.pin, p.surname, p.name_key, p.birth_date, p.death_date, s.number, p.eligible, "
    "p.ineligible_codes, p.row_hash FROM register_person p "
    "JOIN geo_pollingstation s ON s.id = p.station_id ORDER BY p.pin"
)


def _env(db: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SHAILOO_DATABASE_URL"] = f"sqlite:///{db}"
    env["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    return env


def _prepare(db: Path, geo: Path) -> dict[str, str]:
    env = _env(db)
    subprocess.run([*SHAILOO, "geo", "import", str(geo)], env=env, check=True, capture_output=True)
    subprocess.run([sys.executable, "-c", SETUP], env=env, check=True, capture_output=True)
    return env


def _committed_rows(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute("SELECT max(created) FROM register_importrun").fetchone()
            return int(row[0] or 0)
    except sqlite3.OperationalError:
        return 0


@pytest.mark.slow
def test_sigkill_mid_import_then_rerun_equals_clean_run(tmp_path: Path) -> None:
    geography = generate_geography(5, 30)
    geo, pop = tmp_path / "geo.csv", tmp_path / "pop.csv"
    write_geography_csv(geography, geo)
    write_population_csv(pop, 5, 30000, geography)  # large enough for the worker process

    clean_db, crash_db = tmp_path / "clean.sqlite3", tmp_path / "crash.sqlite3"
    clean_env = _prepare(clean_db, geo)
    subprocess.run(
        [*SHAILOO, "register", "import", str(pop), "--batch-size", "250"],
        env=clean_env,
        check=True,
        capture_output=True,
    )

    crash_env = _prepare(crash_db, geo)
    scratch = tmp_path / "scratch"  # where the workers' spool directory goes
    scratch.mkdir()
    crash_env["TMPDIR"] = str(scratch)
    log = (tmp_path / "killed.log").open("w")
    proc = subprocess.Popen(
        [*SHAILOO, "register", "import", str(pop), "--batch-size", "250"],
        env=crash_env,
        stdout=log,
        stderr=log,
    )
    deadline = time.monotonic() + 120
    while _committed_rows(crash_db) < 2000 and proc.poll() is None:
        assert time.monotonic() < deadline, "import made no progress"
        time.sleep(0.005)
    assert list(scratch.glob("shailoo-register-*"))  # the workers were running
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    committed = _committed_rows(crash_db)
    log.close()
    assert 0 < committed < 30000, (tmp_path / "killed.log").read_text()[-3000:]
    # The orphaned workers notice, stop, and take their scratch files (personal data) along.
    deadline = time.monotonic() + 15
    while list(scratch.glob("shailoo-register-*")):
        assert time.monotonic() < deadline, "workers of the killed import left their spool"
        time.sleep(0.1)

    rerun = subprocess.run(
        [*SHAILOO, "register", "import", str(pop), "--batch-size", "250"],
        env=crash_env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert "resumed after line" in rerun.stderr
    with sqlite3.connect(clean_db) as a, sqlite3.connect(crash_db) as b:
        assert a.execute(QUERY).fetchall() == b.execute(QUERY).fetchall()
        assert b.execute("SELECT count(*) FROM register_importrun").fetchone()[0] == 1
