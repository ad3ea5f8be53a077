"""The partitioned job: dask gives the same pairs as one pass; interrupted runs resume."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from dedup_testdata import faces, finger_calibration, finger_people

from shailoo.biometrics.dedup import job
from shailoo.biometrics.dedup.confirm import Thresholds

PERSONS, DUPLICATES = 80, 10
FACE_REF0, FINGER_REF0 = 1_000, 50_000


def _prepare(run_dir: Path, rows_per_partition: int, finger_rows: int = 30) -> job.Manifest:
    vectors, _ = faces(3000, clustered=True)
    people = finger_people(PERSONS, DUPLICATES)
    config = job.JobConfig(
        thresholds=Thresholds(face=0.5, strength=8.0),
        face_rows_per_partition=rows_per_partition,
        finger_rows_per_partition=finger_rows,
    )
    face_refs = np.arange(FACE_REF0, FACE_REF0 + len(vectors), dtype=np.int64)
    finger_refs = np.arange(FINGER_REF0, FINGER_REF0 + len(people), dtype=np.int64)
    return job.prepare(
        run_dir,
        face=job.FaceInput("synth-face-512", 128, face_refs, [vectors[:1234], vectors[1234:]]),
        fingers=job.FingerInput(finger_refs, list(people), np.arange(len(people))),
        config=config,
        finger_calibration=finger_calibration(PERSONS, DUPLICATES),
    )


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> job.Candidates:
    """The whole run as one face partition and one fingerprint partition, in process."""
    run_dir = tmp_path_factory.mktemp("single")
    manifest = _prepare(run_dir, 10_000, 1_000)
    assert [p.kind for p in manifest.partitions] == ["face", "finger"]
    job.run(run_dir, scheduler="synchronous")
    return job.collect(run_dir)


def test_planted_duplicates_of_both_kinds_are_queued(single: job.Candidates) -> None:
    _, planted = faces(3000, clustered=True)
    pairs = single.pairs()
    faces_found = sum((FACE_REF0 + a, FACE_REF0 + b) in pairs for a, b in planted.tolist())
    assert faces_found >= 0.95 * len(planted)
    for i in range(DUPLICATES):
        assert (FINGER_REF0 + i, FINGER_REF0 + PERSONS + i) in pairs
    assert list(single.fused) == sorted(single.fused, reverse=True)
    finger_rows = [e for e in single.evidence if e["fingers"]]
    assert finger_rows and all(e["fused"] >= 8.0 for e in finger_rows)


def test_dask_partitions_give_the_same_pairs(tmp_path: Path, single: job.Candidates) -> None:
    manifest = _prepare(tmp_path, 700)
    assert len(manifest.partitions) == 5 + 3
    seen: list[tuple[int, int]] = []
    computed = job.run(
        tmp_path, scheduler="threads", workers=2, progress=lambda d, t: seen.append((d, t))
    )
    assert computed == 8 and seen[0] == (0, 8) and seen[-1] == (8, 8)
    assert job.collect(tmp_path).pairs() == single.pairs()


def test_an_interrupted_run_resumes_from_its_checkpoints(
    tmp_path: Path, single: job.Candidates
) -> None:
    _prepare(tmp_path, 700)
    assert job.run(tmp_path, scheduler="synchronous", limit=3) == 3  # then the power goes
    parts = tmp_path / job.PARTS
    done = {p.name: p.stat().st_mtime_ns for p in parts.glob("*.npz")}
    (parts / "face-00003.tmp").write_bytes(b"half a checkpoint")  # a crash mid-write
    with pytest.raises(job.JobError, match="5 partitions not computed"):
        job.collect(tmp_path)
    assert job.run(tmp_path, scheduler="synchronous") == 5
    assert {p.name: p.stat().st_mtime_ns for p in parts.glob("*.npz") if p.name in done} == done
    assert job.collect(tmp_path).pairs() == single.pairs()
    assert job.run(tmp_path, scheduler="synchronous") == 0  # nothing left to do


def test_discarding_inputs_keeps_only_scores(tmp_path: Path) -> None:
    _prepare(tmp_path, 10_000, 1_000)
    job.run(tmp_path, scheduler="synchronous")
    job.discard_inputs(tmp_path)
    left = {p.name for p in tmp_path.iterdir()}
    assert not left & {job.VECTORS, job.INDEX, job.FINGERS, job.LSH, job.PROBES}
    assert len(job.collect(tmp_path)) > 0
    assert oct(os.stat(tmp_path).st_mode & 0o777) == "0o700"


def test_bad_run_directories_are_refused(tmp_path: Path) -> None:
    with pytest.raises(job.JobError, match="no manifest"):
        job.run(tmp_path / "nowhere", scheduler="synchronous")
    (tmp_path / job.MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(job.JobError, match="unreadable manifest"):
        job.pending(tmp_path)
    with pytest.raises(job.JobError, match="already prepared"):
        job.prepare(tmp_path, face=None, fingers=None)


def test_inconsistent_face_input_is_located(tmp_path: Path) -> None:
    vectors, _ = faces(300)
    refs = np.arange(300, dtype=np.int64)
    with pytest.raises(job.JobError, match="face row 0: 64-d"):
        job.prepare(
            tmp_path / "a",
            face=job.FaceInput("m", 128, refs, [vectors[:, :64]]),
            fingers=None,
        )
    with pytest.raises(job.JobError, match="299 face embeddings for 300 persons"):
        job.prepare(
            tmp_path / "b", face=job.FaceInput("m", 128, refs, [vectors[:299]]), fingers=None
        )
