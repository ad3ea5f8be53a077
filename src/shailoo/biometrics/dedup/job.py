"""The national deduplication job: prepared once on disk, run in partitions on dask.distributed.

Why a run directory: a self-join over millions of persons takes minutes to hours, and a
crash or a stopped cluster must not cost the work already done. Everything a partition
needs is written once (the unit face vectors, the IVF-SQ8 index with each row's probed
lists, the prepared fingerprints and their LSH index, the calibrations), then each
partition writes its pairs to ``parts/<kind>-<n>.npz`` atomically (temporary file, then
rename). Resuming runs only the partitions without a checkpoint; a half-written temporary
file is ignored. Partitions are ranges of query rows, so they are independent and the
result does not depend on how many there are.

Schedulers: ``None`` starts a LocalCluster (``workers`` processes, one thread each: BLAS
and faiss stay single-threaded inside a worker); an address (``tcp://host:8786``) uses an
existing cluster, whose workers must see the run directory at the same path; ``"threads"``
is a LocalCluster inside this process (tests); ``"synchronous"`` runs the partitions in
this process without dask (benchmarks, debugging).

The run directory holds biometric data in clear (vectors, prepared fingerprints): it is
created with mode 0700 and :func:`discard_inputs` removes those files once the pairs are
collected. Pure module: no Django.
"""

from __future__ import annotations

import json
import os
import pickle
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from shailoo.biometrics import mcc
from shailoo.biometrics.calibration import CalibrationError, ScoreCalibration, default_calibration
from shailoo.biometrics.dedup.confirm import Evidence, Thresholds, confirm, is_candidate
from shailoo.biometrics.dedup.fingerprint_lsh import LshParams, PersonFingerIndex, self_join
from shailoo.biometrics.dedup.index import (
    EmbeddingIndex,
    IndexParams,
    Pairs,
    normalise,
    self_join_rows,
)
from shailoo.common import safe_json
from shailoo.common.refusals import Conflict

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
Progress = Callable[[int, int], None]

MANIFEST = "manifest.json"
VECTORS = "vectors.f32"
PROBES = "probes.npy"
INDEX = "index.faiss"
FINGERS = "fingers.pkl"
LSH = "lsh.pkl"
PARTS = "parts"
FACE, FINGER = "face", "finger"
_INPUTS = (VECTORS, PROBES, INDEX, FINGERS, LSH)


class JobError(Conflict):
    """A run that cannot start or continue; the message names the file and the reason."""

    def __init__(self, message: str) -> None:
        super().__init__("dedup_job_refused", message)


@dataclass(frozen=True, slots=True)
class JobConfig:
    """Everything that decides a run's result (stored in the manifest, reused on resume)."""

    thresholds: Thresholds = field(default_factory=Thresholds)
    index: IndexParams = field(default_factory=IndexParams)
    lsh: LshParams = field(default_factory=LshParams)
    face_rows_per_partition: int = 65536
    finger_rows_per_partition: int = 500

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> JobConfig:
        return cls(
            thresholds=Thresholds(**data["thresholds"]),
            index=IndexParams(**data["index"]),
            lsh=LshParams(**data["lsh"]),
            face_rows_per_partition=int(data["face_rows_per_partition"]),
            finger_rows_per_partition=int(data["finger_rows_per_partition"]),
        )


@dataclass(frozen=True, slots=True)
class FaceInput:
    """Face embeddings of one model: ``refs[i]`` is the person of row ``i``; ``chunks`` yield
    the rows in order (float32, any length), so a million templates never sit in memory."""

    model_id: str
    dim: int
    refs: I64
    chunks: Iterable[npt.ArrayLike]


@dataclass(frozen=True, slots=True)
class FingerInput:
    """Prepared fingers per person (``refs[i]`` owns ``fingers[i]``), for every person that
    has fingers; ``lsh_rows`` marks the persons to shortlist by fingerprint (no face)."""

    refs: I64
    fingers: Sequence[Mapping[int, mcc.PreparedTemplate]]
    lsh_rows: I64


@dataclass(frozen=True, slots=True)
class Partition:
    kind: str
    number: int
    start: int
    stop: int

    @property
    def name(self) -> str:
        return f"{self.kind}-{self.number:05d}"


@dataclass(slots=True)
class Manifest:
    """What a run directory holds; written once by :func:`prepare`."""

    model_id: str | None
    dim: int
    faces: int
    finger_persons: int
    lsh_persons: int
    config: JobConfig
    partitions: list[Partition]

    def to_json(self) -> dict[str, Any]:
        return {
            "model_id": self.model_id,
            "dim": self.dim,
            "faces": self.faces,
            "finger_persons": self.finger_persons,
            "lsh_persons": self.lsh_persons,
            "config": self.config.to_json(),
            "partitions": [[p.kind, p.number, p.start, p.stop] for p in self.partitions],
        }

    @classmethod
    def read(cls, run_dir: Path) -> Manifest:
        path = run_dir / MANIFEST
        try:
            data = safe_json.loads(path.read_bytes(), source=str(path))
            return cls(
                model_id=data["model_id"],
                dim=int(data["dim"]),
                faces=int(data["faces"]),
                finger_persons=int(data["finger_persons"]),
                lsh_persons=int(data["lsh_persons"]),
                config=JobConfig.from_json(data["config"]),
                partitions=[
                    Partition(k, int(n), int(a), int(b)) for k, n, a, b in data["partitions"]
                ],
            )
        except FileNotFoundError:
            raise JobError(f"{path}: no manifest: not a deduplication run directory") from None
        except (ValueError, KeyError, TypeError) as exc:
            raise JobError(f"{path}: unreadable manifest ({exc})") from None


# -- preparing a run --------------------------------------------------------------------------


def _write_vectors(run_dir: Path, face: FaceInput) -> None:
    """Stream the unit vectors to a raw float32 file (row-major, ``n x dim``)."""
    written = 0
    with open(run_dir / VECTORS, "wb") as out:
        for chunk in face.chunks:
            rows = normalise(chunk)
            if rows.shape[1] != face.dim:
                raise JobError(
                    f"face row {written}: {rows.shape[1]}-d embedding, model "
                    f"{face.model_id!r} has {face.dim}"
                )
            out.write(rows.tobytes())
            written += rows.shape[0]
    if written != face.refs.shape[0]:
        raise JobError(f"{written} face embeddings for {face.refs.shape[0]} persons")


class VectorFile:
    """The run's unit vectors on disk: sequential blocks by read, scattered rows by a map that
    is dropped after each use (its pages would otherwise stay resident and count against the
    worker's memory: a partition touches rows all over the file)."""

    def __init__(self, path: Path, rows: int, dim: int) -> None:
        self.path, self.rows, self.dim = path, rows, dim
        self.shape = (rows, dim)

    def read(self, start: int, stop: int) -> F32:
        count = (stop - start) * self.dim
        data = np.fromfile(self.path, dtype=np.float32, count=count, offset=start * self.dim * 4)
        return data.reshape(stop - start, self.dim)

    def __getitem__(self, key: Any) -> F32:
        if isinstance(key, slice):
            start, stop, _ = key.indices(self.rows)
            return self.read(start, stop)
        mapped = np.memmap(self.path, dtype=np.float32, mode="r", shape=self.shape)
        try:
            return np.array(mapped[key], dtype=np.float32)
        finally:
            mapped._mmap.close()  # type: ignore[attr-defined]
            del mapped


def _build_face_index(run_dir: Path, manifest: Manifest, progress: Progress | None) -> None:
    """Train on a sample, add every row in blocks, keep each row's probed lists on disk."""
    assert manifest.model_id is not None
    vectors = VectorFile(run_dir / VECTORS, manifest.faces, manifest.dim)
    params = manifest.config.index
    index = EmbeddingIndex(manifest.model_id, manifest.dim, params)
    n = manifest.faces
    index.train(manifest.model_id, vectors[params.training_rows(n)], n)
    probes = np.lib.format.open_memmap(
        run_dir / PROBES, mode="w+", dtype=np.int32, shape=(n, index.nprobe)
    )
    block = manifest.config.face_rows_per_partition
    for start in range(0, n, block):
        stop = min(n, start + block)
        rows = vectors.read(start, stop)
        lists = index.probes(rows)
        index.add(manifest.model_id, rows, lists)
        probes[start:stop] = lists
        if progress:
            progress(stop, n)
    probes.flush()
    del probes
    index.save(run_dir / INDEX)


def _partitions(kind: str, rows: int, per: int) -> list[Partition]:
    return [
        Partition(kind, i, start, min(rows, start + per))
        for i, start in enumerate(range(0, rows, max(1, per)))
    ]


def prepare(
    run_dir: Path,
    *,
    face: FaceInput | None,
    fingers: FingerInput | None,
    config: JobConfig | None = None,
    face_calibration: ScoreCalibration | None = None,
    finger_calibration: ScoreCalibration | None = None,
    progress: Progress | None = None,
) -> Manifest:
    """Write a run directory: inputs, indexes and the list of partitions."""
    config = config or JobConfig()
    run_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(run_dir, 0o700)
    if (run_dir / MANIFEST).exists():
        raise JobError(f"{run_dir}: already prepared; resume it instead")
    (run_dir / PARTS).mkdir(exist_ok=True)
    partitions: list[Partition] = []
    manifest = Manifest(None, 0, 0, 0, 0, config, partitions)
    if face is not None and face.refs.shape[0]:
        manifest.model_id, manifest.dim, manifest.faces = face.model_id, face.dim, len(face.refs)
        _write_vectors(run_dir, face)
        np.save(run_dir / "face_refs.npy", np.asarray(face.refs, dtype=np.int64))
        _build_face_index(run_dir, manifest, progress)
        partitions += _partitions(FACE, manifest.faces, config.face_rows_per_partition)
    finger_refs = np.zeros(0, np.int64)
    if fingers is not None and fingers.refs.shape[0]:
        finger_calibration = finger_calibration or _shipped_finger_calibration()
        finger_refs = np.asarray(fingers.refs, dtype=np.int64)
        lsh_rows = np.asarray(fingers.lsh_rows, dtype=np.int64)
        lsh_persons = [fingers.fingers[i] for i in lsh_rows.tolist()]
        with open(run_dir / FINGERS, "wb") as out:
            pickle.dump([dict(f) for f in fingers.fingers], out, protocol=5)
        with open(run_dir / LSH, "wb") as out:
            pickle.dump((lsh_rows, PersonFingerIndex.build(lsh_persons, config.lsh)), out)
        manifest.finger_persons, manifest.lsh_persons = len(finger_refs), len(lsh_rows)
        partitions += _partitions(FINGER, len(lsh_rows), config.finger_rows_per_partition)
    np.save(run_dir / "finger_refs.npy", finger_refs)
    for name, calibration in (("face", face_calibration), ("finger", finger_calibration)):
        if calibration is not None:
            (run_dir / f"{name}_calibration.json").write_text(calibration.to_json(), "utf-8")
    (run_dir / MANIFEST).write_text(json.dumps(manifest.to_json(), indent=1), encoding="utf-8")
    return manifest


def _shipped_finger_calibration() -> ScoreCalibration:
    try:
        return default_calibration()
    except (OSError, CalibrationError) as exc:
        raise JobError(
            f"no fingerprint matcher calibration ({exc}): run `shailoo biometrics calibrate`"
        ) from None


# -- running partitions (these functions run on the workers) ----------------------------------


@lru_cache(maxsize=4)
def _face_context(run_dir: str) -> tuple[EmbeddingIndex, VectorFile, Manifest]:
    path = Path(run_dir)
    manifest = Manifest.read(path)
    assert manifest.model_id is not None
    index = EmbeddingIndex.load(path / INDEX, manifest.model_id, manifest.config.index)
    return index, VectorFile(path / VECTORS, manifest.faces, manifest.dim), manifest


@lru_cache(maxsize=4)
def _finger_context(
    run_dir: str,
) -> tuple[list[dict[int, mcc.PreparedTemplate]], I64, I64, PersonFingerIndex | None]:
    path = Path(run_dir)
    fingers: list[dict[int, mcc.PreparedTemplate]] = []
    lsh_rows, lsh = np.zeros(0, np.int64), None
    if (path / FINGERS).exists():
        with open(path / FINGERS, "rb") as src:
            fingers = pickle.load(src)
        with open(path / LSH, "rb") as src:
            lsh_rows, lsh = pickle.load(src)
    return fingers, np.load(path / "finger_refs.npy"), lsh_rows, lsh


@lru_cache(maxsize=8)
def _calibration(run_dir: str, name: str) -> ScoreCalibration | None:
    path = Path(run_dir) / f"{name}_calibration.json"
    if path.exists():
        return ScoreCalibration.from_json(path.read_text("utf-8"), str(path))
    return None


def _save_part(run_dir: Path, partition: Partition, arrays: dict[str, Any]) -> None:
    final = run_dir / PARTS / f"{partition.name}.npz"
    temporary = final.with_suffix(".tmp")
    with open(temporary, "wb") as out:
        np.savez(out, **arrays)
    os.replace(temporary, final)


def _confirm_pairs(
    run_dir: str, refs_a: I64, refs_b: I64, faces: npt.NDArray[np.float32] | None, votes: I64
) -> dict[str, npt.NDArray[Any]]:
    """Finger confirmation and fusion for pairs named by person reference."""
    fingers, finger_refs, _, _ = _finger_context(run_dir)
    row_of = {int(r): i for i, r in enumerate(finger_refs.tolist())}
    thresholds = Manifest.read(Path(run_dir)).config.thresholds
    finger_cal = _calibration(run_dir, "finger")
    face_cal = _calibration(run_dir, "face")
    keep: list[int] = []
    fused: list[float] = []
    evidence: list[str] = []
    if faces is not None and face_cal is None and not fingers:
        # faces only, no calibration: nothing to fuse, every pair is at the face threshold
        return {
            "a": refs_a,
            "b": refs_b,
            "face": faces,
            "fused": np.zeros(refs_a.size, dtype=np.float64),
            "evidence": np.asarray(
                [_face_only_evidence(float(x)) for x in faces.tolist()], dtype=np.str_
            ),
        }
    for i, (a, b) in enumerate(zip(refs_a.tolist(), refs_b.tolist(), strict=True)):
        ra, rb = row_of.get(a), row_of.get(b)
        found: Evidence = confirm(
            None if ra is None or finger_cal is None else fingers[ra],
            None if rb is None or finger_cal is None else fingers[rb],
            finger_cal,
            face=None if faces is None else float(faces[i]),
            face_calibration=face_cal,
            votes=int(votes[i]),
        )
        if is_candidate(found, thresholds):
            keep.append(i)
            fused.append(found.fused)
            evidence.append(json.dumps(found.as_json(), sort_keys=True))
    take = np.asarray(keep, dtype=np.int64)
    return {
        "a": refs_a[take],
        "b": refs_b[take],
        "face": (np.full(take.size, np.nan, np.float32) if faces is None else faces[take]),
        "fused": np.asarray(fused, dtype=np.float64),
        "evidence": np.asarray(evidence, dtype=np.str_),
    }


def _face_only_evidence(face: float) -> str:
    return json.dumps(Evidence(face=face).as_json(), sort_keys=True)


def run_partition(run_dir: str, kind: str, number: int) -> tuple[str, int]:
    """Compute one partition and checkpoint it; returns (name, pairs kept)."""
    path = Path(run_dir)
    manifest = Manifest.read(path)
    partition = next(
        (p for p in manifest.partitions if p.kind == kind and p.number == number), None
    )
    if partition is None:
        raise JobError(f"{run_dir}: no partition {kind}-{number}")
    if kind == FACE:
        index, vectors, _ = _face_context(run_dir)
        probes = np.load(path / PROBES, mmap_mode="r")[partition.start : partition.stop]
        pairs = self_join_rows(
            index,
            vectors,  # type: ignore[arg-type]
            partition.start,
            partition.stop,
            manifest.config.thresholds.face,
            probes=np.asarray(probes),
        )
        refs = np.load(path / "face_refs.npy")
        arrays = _confirm_pairs(
            run_dir, refs[pairs.a], refs[pairs.b], pairs.score, np.zeros(len(pairs), np.int64)
        )
    else:
        fingers, finger_refs, lsh_rows, lsh = _finger_context(run_dir)
        assert lsh is not None
        persons = [fingers[i] for i in lsh_rows.tolist()]
        found = self_join(lsh, persons, partition.start, partition.stop)
        rows_a = np.asarray([a for a, _, _ in found], dtype=np.int64)
        rows_b = np.asarray([b for _, b, _ in found], dtype=np.int64)
        votes = np.asarray([v for _, _, v in found], dtype=np.int64)
        refs_a = finger_refs[lsh_rows[rows_a]] if rows_a.size else np.zeros(0, np.int64)
        refs_b = finger_refs[lsh_rows[rows_b]] if rows_b.size else np.zeros(0, np.int64)
        arrays = _confirm_pairs(run_dir, refs_a, refs_b, None, votes)
    _save_part(path, partition, arrays)
    return partition.name, int(arrays["a"].size)


def pending(run_dir: Path) -> list[Partition]:
    """Partitions without a checkpoint (all of them for a fresh run)."""
    manifest = Manifest.read(run_dir)
    return [p for p in manifest.partitions if not (run_dir / PARTS / f"{p.name}.npz").exists()]


def run(
    run_dir: Path,
    *,
    scheduler: str | None = None,
    workers: int = 0,
    progress: Progress | None = None,
    limit: int | None = None,
) -> int:
    """Run every pending partition (at most ``limit``); returns how many were computed."""
    todo = pending(run_dir)
    total = len(Manifest.read(run_dir).partitions)
    if limit is not None:
        todo = todo[:limit]
    done = total - len(pending(run_dir))
    if progress:
        progress(done, total)
    if not todo:
        return 0
    if scheduler == "synchronous":
        for part in todo:
            run_partition(str(run_dir), part.kind, part.number)
            done += 1
            if progress:
                progress(done, total)
        return len(todo)
    from dask.distributed import Client, LocalCluster, as_completed

    cluster: LocalCluster | None = None
    if scheduler in (None, "threads"):
        cluster = LocalCluster(
            n_workers=max(1, workers or (os.cpu_count() or 1)),
            threads_per_worker=1,
            processes=scheduler is None,
            dashboard_address=None,
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        futures = [
            client.submit(run_partition, str(run_dir), p.kind, p.number, pure=False) for p in todo
        ]
        for future in as_completed(futures):
            future.result()
            done += 1
            if progress:
                progress(done, total)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return len(todo)


# -- collecting ------------------------------------------------------------------------------


@dataclass(slots=True)
class Candidates:
    """Confirmed pairs by person reference, ``a < b``, each pair once, best fused first."""

    a: I64
    b: I64
    face: npt.NDArray[np.float32]
    fused: npt.NDArray[np.float64]
    evidence: list[dict[str, Any]]

    def __len__(self) -> int:
        return int(self.a.size)

    def pairs(self) -> set[tuple[int, int]]:
        return set(zip(self.a.tolist(), self.b.tolist(), strict=True))


def collect(run_dir: Path) -> Candidates:
    """Merge every checkpoint; refuses while partitions are missing."""
    missing = pending(run_dir)
    if missing:
        raise JobError(f"{run_dir}: {len(missing)} partitions not computed yet; resume the run")
    best: dict[tuple[int, int], tuple[float, float, str]] = {}
    for part in sorted((run_dir / PARTS).glob("*.npz")):
        with np.load(part) as data:
            rows = zip(
                data["a"].tolist(),
                data["b"].tolist(),
                data["face"].tolist(),
                data["fused"].tolist(),
                data["evidence"].tolist(),
                strict=True,
            )
            for a, b, face, fused, ev in rows:
                key = (min(a, b), max(a, b))
                old = best.get(key)
                if old is None or fused > old[1]:
                    best[key] = (face, fused, ev)
    order = sorted(best, key=lambda k: (-best[k][1], -np.nan_to_num(best[k][0], nan=-1.0), k))
    return Candidates(
        a=np.asarray([k[0] for k in order], dtype=np.int64),
        b=np.asarray([k[1] for k in order], dtype=np.int64),
        face=np.asarray([best[k][0] for k in order], dtype=np.float32),
        fused=np.asarray([best[k][1] for k in order], dtype=np.float64),
        evidence=[json.loads(best[k][2]) for k in order],
    )


def discard_inputs(run_dir: Path) -> None:
    """Delete the biometric inputs of a finished run; the checkpoints (scores only) stay."""
    for name in _INPUTS:
        (run_dir / name).unlink(missing_ok=True)
    _face_context.cache_clear()
    _finger_context.cache_clear()


def face_pairs_only(run_dir: Path) -> Pairs:
    """The face pairs of a finished run as rows (benchmarks compare them with exact search)."""
    parts = []
    refs = np.load(run_dir / "face_refs.npy")
    position = np.argsort(refs)
    for part in sorted((run_dir / PARTS).glob(f"{FACE}-*.npz")):
        with np.load(part) as data:
            a = position[np.searchsorted(refs[position], data["a"])]
            b = position[np.searchsorted(refs[position], data["b"])]
            parts.append(Pairs.unique(a, b, data["face"].astype(np.float32)))
    return Pairs.merge(parts)
