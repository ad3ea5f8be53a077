"""The screen stores its resolutions in a writer process while it screens, and stores what
storing them in one process stores.

The writer needs what production has: a database file, and no transaction around the
screen (a forked writer's own connection could not see uncommitted rows). So a demo world is
built in a file by ``shailoo demo``, its resolutions and the donors no flag names are wiped,
and each copy is screened again in a process of its own: with the writer and two resolvers,
and with one process. Both copies must end up the same, row for row.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

SCREEN = """
import sys
from shailoo.common.cli import django_setup
django_setup(migrate=False)
from shailoo.elections.models import Election
from shailoo.finance import registry_adapters, resolution_writer, screen_services
screen_services.RESOLVE_BATCH = 700  # several batches, stored in turn
registry_adapters.SPLIT_REGISTER = 1  # the register read by two processes too
workers = int(sys.argv[1])
print("writer-process", workers > 1 and resolution_writer.can_fork())
report = screen_services.screen("cli", Election.objects.get(is_current=True), workers=workers)
print("resolved", report.resolved, "flags", sum(report.flags.values()))
"""


def _env(var: Path) -> dict[str, str]:
    env = dict(os.environ, SHAILOO_VAR_DIR=str(var), SHAILOO_POLLING_WARM_GALLERIES="0")
    env.pop("SHAILOO_DATABASE_URL", None)
    return env


def _run(var: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=_env(var), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _stored(db: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with closing(sqlite3.connect(db)) as con:
        rows = con.execute(
            "SELECT t.entry_ref, t.resolution, t.resolution_score, t.resolution_note, d.key,"
            " d.kind, d.name, d.country, d.first_seen FROM finance_transaction t"
            " LEFT JOIN finance_donor d ON d.id = t.donor_id ORDER BY t.id"
        ).fetchall()
        flags = con.execute("SELECT key, kind, amount FROM finance_flag ORDER BY key").fetchall()
    return rows, flags


@pytest.mark.slow
def test_the_writer_process_stores_what_one_process_stores(tmp_path: Path) -> None:
    built = tmp_path / "built"
    _run(built, "-m", "shailoo.cli", "demo", "--scale", "2000", "--seed", "3", "--no-serve")
    db = built / "shailoo.sqlite3"
    before = _stored(db)
    with closing(sqlite3.connect(db)) as con, con:
        con.execute(
            "UPDATE finance_transaction SET resolution = 'pending', donor_id = NULL,"
            " resolution_score = NULL, resolution_note = ''"
        )
        con.execute(
            "DELETE FROM finance_donor WHERE id NOT IN"
            " (SELECT donor_id FROM finance_flag WHERE donor_id IS NOT NULL)"
        )
    pending = len(before[0])
    assert pending > 2 * 700
    outputs, stored = [], []
    for workers in ("2", "1"):
        var = tmp_path / f"workers-{workers}"
        shutil.copytree(built, var, ignore=shutil.ignore_patterns("*-wal", "*-shm"))
        outputs.append(_run(var, "-c", SCREEN, workers))
        stored.append(_stored(var / "shailoo.sqlite3"))
    assert "writer-process True" in outputs[0]
    assert "writer-process False" in outputs[1]
    assert all(f"resolved {pending} " in out for out in outputs)
    assert stored[0] == stored[1]
    # And the same as the demo's own screen found: the flags, every row's resolution.
    assert stored[0][1] == before[1]
    assert [row[:5] for row in stored[0][0]] == [row[:5] for row in before[0]]
