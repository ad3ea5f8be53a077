"""`shailoo ledger verify --state` on a demo world: clean as built, and each of an outsider's
``sqlite3`` edits (a vote in an accepted protocol, a sheet's station, a person's eligibility,
name and station) named, with a non-zero exit."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shailoo.integrity import state


def _env(var: Path) -> dict[str, str]:
    env = dict(os.environ, SHAILOO_VAR_DIR=str(var))
    env.pop("SHAILOO_DATABASE_URL", None)
    env.pop("SHAILOO_PROTOCOL_KEY_FILE", None)
    return env


def _shailoo(var: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shailoo.cli", *args],
        env=_env(var),
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def test_the_checks_are_registered_by_the_domains(db) -> None:
    assert {"counting.protocols", "counting.sheets", "register.persons"} <= set(state.registered())


@pytest.mark.slow
def test_a_demo_world_verifies_and_each_outsider_edit_is_named(tmp_path: Path) -> None:
    var = tmp_path / "var"
    _shailoo(var, "demo", "--scale", "2000", "--seed", "3", "--no-serve")
    clean = _shailoo(var, "ledger", "verify", "--state", check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    for name in ("counting.protocols", "counting.sheets", "register.persons"):
        assert f"state {name}: " in clean.stdout
    assert "OK: every bound record matches" in clean.stdout

    db = sqlite3.connect(var / "shailoo.sqlite3")
    with db:
        version, protocol, votes = db.execute(
            "SELECT v.id, p.id, v.votes FROM counting_results_protocolversion v "
            "JOIN counting_results_protocol p ON p.current_id = v.id "
            "WHERE p.status = 'accepted' ORDER BY v.id LIMIT 1"
        ).fetchone()
        counts = json.loads(votes)
        option = sorted(counts)[0]
        counts[option] += 25
        db.execute(
            "UPDATE counting_results_protocolversion SET votes = ? WHERE id = ?",
            [json.dumps(counts), version],
        )
        sheet, station = db.execute(
            "SELECT id, station_id FROM counting_scannedsheet ORDER BY id LIMIT 1"
        ).fetchone()
        db.execute(
            "UPDATE counting_scannedsheet SET station_id = "
            "(SELECT id FROM geo_pollingstation WHERE id != ? ORDER BY id LIMIT 1) WHERE id = ?",
            [station, sheet],
        )
        persons = [
            pk
            for (pk,) in db.execute(
                "SELECT id FROM register_person WHERE eligible = 1 ORDER BY id LIMIT 3"
            )
        ]
        db.execute("UPDATE register_person SET eligible = 0 WHERE id = ?", [persons[0]])
        db.execute("UPDATE register_person SET surname = 'Жаңылыш' WHERE id = ?", [persons[1]])
        db.execute(
            "UPDATE register_person SET station_id = "
            "(SELECT MAX(station_id) FROM register_person WHERE id != ?) WHERE id = ?",
            [persons[2], persons[2]],
        )
    db.close()

    found = _shailoo(var, "ledger", "verify", "--state", check=False)
    assert found.returncode == 1
    out = found.stdout
    assert "OK: every entry, node and signed head verifies" in out  # the ledger itself is fine
    assert "STATE MISMATCH" in out

    def named(record: str, field: str) -> bool:
        return any(record in row and f"[{field}" in row for row in out.splitlines())

    assert named(f"counting_results.protocol:{protocol} ", f"votes.{option}]")
    assert named(f"counting_results.protocol:{protocol} ", "signature]")
    assert named(f"counting.scannedsheet:{sheet} ", "station")
    assert named(f"register.person:{persons[0]} ", "eligible")
    assert named(f"register.person:{persons[1]} ", "surname")
    assert named(f"register.person:{persons[2]} ", "station")
    assert "known good since ledger #" in out
