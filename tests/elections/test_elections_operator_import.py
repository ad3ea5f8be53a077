"""docs/operator/import.md, followed to the letter: an empty database to an imported register.

The commands of the guide's sections 1 to 3 are read from the guide itself and run, in order,
as the ``shailoo`` command in child processes against a fresh SQLite file, on synthetic
files from ``shailoo.synth`` named as the guide names them. Nothing else touches the
database: if the guide misses a step, this test fails.
"""

from __future__ import annotations

import os
import re
import shlex
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from shailoo.synth.geography import generate_geography, write_geography_csv
from shailoo.synth.population import write_population_csv

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "operator" / "import.md"
SEED, STATIONS, PERSONS = 7, 30, 400


def guide_commands() -> list[list[str]]:
    """The ``shailoo ...`` lines of the code blocks before the guide's section 4."""
    text = GUIDE.read_text(encoding="utf-8").split("\n## 4.")[0]
    blocks = re.findall(r"^```\n(.*?)^```", text, flags=re.S | re.M)
    return [
        shlex.split(line)
        for block in blocks
        for line in block.splitlines()
        if line.startswith("shailoo ")
    ]


@pytest.mark.slow  # six child processes, each starting Django
def test_the_guide_takes_an_empty_database_to_an_imported_register(tmp_path: Path) -> None:
    commands = guide_commands()
    assert [c[1:3] for c in commands] == [
        ["geo", "import"],
        ["geo", "stats"],
        ["law", "list"],
        ["elections", "create"],
        ["elections", "show"],
        ["register", "import"],
    ]
    geography = generate_geography(SEED, STATIONS)
    write_geography_csv(geography, tmp_path / "geography.csv")
    write_population_csv(tmp_path / "extract.csv", SEED, PERSONS, geography)
    db = tmp_path / "shailoo.sqlite3"
    env = dict(os.environ, SHAILOO_DATABASE_URL=f"sqlite:///{db}", SHAILOO_VAR_DIR=str(tmp_path))
    env.pop("DJANGO_SETTINGS_MODULE", None)
    assert not db.exists()

    outputs = []
    for command in commands:
        done = subprocess.run(
            [sys.executable, "-m", "shailoo.cli", *command[1:]],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"{shlex.join(command)}:\n{done.stdout}\n{done.stderr}"
        outputs.append(done.stdout + done.stderr)

    shown = outputs[4]
    assert "jk-2027" in shown and "2027-03-14" in shown and "kg-2025" in shown
    summary = re.search(r"accepted (\d+) \(new (\d+),", outputs[5])
    assert summary, outputs[5]
    accepted = int(summary.group(1))
    assert 0 < accepted <= PERSONS and int(summary.group(2)) == accepted
    with sqlite3.connect(db) as conn:
        persons = conn.execute("SELECT count(*) FROM register_person").fetchone()[0]
        eligible = conn.execute("SELECT count(*) FROM register_person WHERE eligible").fetchone()
        current = conn.execute("SELECT code FROM elections_election WHERE is_current").fetchall()
        kinds = dict(conn.execute("SELECT kind, count(*) FROM integrity_ledgerentry GROUP BY kind"))
    assert persons == accepted and 0 < eligible[0] < persons
    assert current == [("jk-2027",)]
    assert kinds["elections.create"] == 1 and kinds["elections.set_current"] == 1
    assert (tmp_path / "rejects.csv").exists()
