"""``shailoo demo --no-serve`` builds a country through the real importers, reproducibly."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest


def _demo(var: Path) -> str:
    env = dict(os.environ, SHAILOO_VAR_DIR=str(var))
    env.pop("SHAILOO_DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shailoo.cli",
            "demo",
            "--scale",
            "3000",
            "--seed",
            "4",
            "--no-serve",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    return result.stderr + result.stdout


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_demo_builds_the_same_country_twice(tmp_path: Path) -> None:
    first = _demo(tmp_path)
    assert "Staff login:" in first and "cec-admin" in first
    assert "3,000 persons" in first
    population = tmp_path / "demo" / "population.csv"
    digest = _sha(population)
    with sqlite3.connect(tmp_path / "shailoo.sqlite3") as conn:
        persons = conn.execute("SELECT count(*) FROM register_person").fetchone()[0]
        voters = conn.execute("SELECT count(*) FROM register_person WHERE eligible").fetchone()[0]
        stations = conn.execute("SELECT count(*) FROM geo_pollingstation").fetchone()[0]
    assert persons == 3000 and 0 < voters < persons and stations >= 50

    second = _demo(tmp_path)
    assert "rejected 0" in second
    assert _sha(population) == digest
    with sqlite3.connect(tmp_path / "shailoo.sqlite3") as conn:
        assert conn.execute("SELECT count(*) FROM register_person").fetchone()[0] == 3000
        assert conn.execute("SELECT count(*) FROM register_importrun").fetchone()[0] == 1
