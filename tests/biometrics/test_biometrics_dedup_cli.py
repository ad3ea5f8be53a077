"""``shailoo biometrics dedup`` and ``dedup-status``: runs, status, and bad input."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import factories as f
from shailoo.biometrics import services as biometric_services
from shailoo.biometrics.dedup.models import DedupRun, DuplicateCandidate
from shailoo.biometrics.embedding import EmbeddingTemplate
from shailoo.cli import app
from shailoo.synth import embeddings

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def ready(monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path) -> None:
    monkeypatch.setattr("shailoo.common.cli._ready", True)  # the test database is ready
    settings.DEDUP_DIR = tmp_path / "runs"


def run(*args: str) -> Any:
    return CliRunner().invoke(app, ["biometrics", *args], env={"COLUMNS": "200"})


def test_dedup_runs_and_reports(tmp_path: Path) -> None:
    f.election("kg-2025", datetime.date(2099, 3, 14))
    station = f.station()
    for i, (identity, session) in enumerate([(0, 0), (1, 0), (0, 1)]):
        vector = embeddings.capture_of(embeddings.ISOTROPIC, 5, identity, session)
        person = f.person(station, given_name=f"P{i}")
        biometric_services.enrol(person, [EmbeddingTemplate("synth-face-512", vector)], "test")
    result = run("dedup", "--scheduler", "synchronous")
    assert result.exit_code == 0, result.output
    assert "3 faces" in result.output and "1 newly queued" in result.output
    assert DuplicateCandidate.objects.count() == 1
    status = run("dedup-status")
    assert status.exit_code == 0, status.output
    assert "finished" in status.output and "1 open pairs" in status.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["dedup", "--scheduler", "10.0.0.5:8786"], "expected a dask scheduler address"),
        (["dedup", "--scheduler", "tcp://host name:1"], "expected a dask scheduler address"),
        (["dedup", "--workers", "-2"], "Invalid value for '--workers'"),
        (["dedup", "--resume", "0"], "Invalid value for '--resume'"),
        (["dedup", "--resume", "abc"], "Invalid value for '--resume'"),
        (["dedup", "--resume", "41", "--scheduler", "synchronous"], "41"),
        (["dedup-status", "41"], "no deduplication run 41"),
    ],
)
def test_bad_input_is_refused_with_a_reason(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not DedupRun.objects.exists()


def test_a_finished_run_cannot_be_resumed() -> None:
    done = DedupRun.objects.create(actor="cli", run_dir="/nonexistent", status="finished")
    result = run("dedup", "--resume", str(done.pk), "--scheduler", "synchronous")
    assert result.exit_code == 2
    assert str(done.pk) in result.output and "Traceback" not in result.output
