"""Benchmark: national face deduplication (1:N self-join) against exact search.

Data: ``shailoo.synth.embeddings.stream`` — N unit embeddings (512-d by default) with 1%
planted duplicates (second captures of the same identity: genuine cosine about 0.72 ± 0.06),
generated in blocks so that the float32 matrix never sits in memory. Two spaces:

* **clustered** (realistic: identities grouped in an anisotropic space, like real face
  embeddings), printed as ``RESULT dedup ...``;
* **isotropic** (identities uniform on the sphere: no structure for an index to exploit,
  the worst case), printed as ``RESULT dedup_isotropic ...``.

"Ours" is the production path, ``shailoo.biometrics.dedup.job``: write the unit vectors to
the run directory, train and fill the IVF-SQ8 index (each row's probed lists kept) in this
process, then every partition's shortlist (8-bit codes, one BLAS product per list) and exact
re-scoring on the float vectors on a dask LocalCluster of ``--workers`` processes (2: one
per core); the time counts all of it, index build and cluster start included, and leaves
out only the generator. The face threshold is cosine 0.6 (see ``THRESHOLD``).

"Exact" is brute force: a sample of queries (all rows of some planted pairs, plus random
rows) is compared with every row; its time, scaled to N queries, estimates an exact
self-join, and its pairs at the threshold are the truth for recall. ``ratio`` is ours over
that estimate (lower is better). Each space runs in its own process; ``peak_mib`` is that
process's peak resident memory plus ``--workers`` times the largest worker's (an upper
bound: resident sets include shared page-cache pages of memory-mapped files).

    .venv/bin/python bench/dedup.py [--n 1000000] [--dim 512] [--isotropic]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from shailoo.biometrics.dedup import job  # noqa: E402
from shailoo.biometrics.dedup.confirm import Thresholds  # noqa: E402
from shailoo.biometrics.dedup.index import IndexParams, exact_neighbours  # noqa: E402
from shailoo.synth import embeddings  # noqa: E402

DUPLICATE_RATE = 0.01
SEED = 2026
#: Face decision threshold. The synthetic clustered model's impostor tail reaches 0.5 at
#: FMR ≈ 4e-5 (18 million false pairs at 1M persons) and 0.6 at ≈ 1e-6; genuine pairs score
#: 0.72 ± 0.06. A threshold is the model's FMR choice (docs/operator/dedup.md), not the index's.
THRESHOLD = 0.6


def _peak_mib(workers: int) -> float:
    """This process's peak plus ``workers`` times the largest worker's (an upper bound on the
    sum: the dask workers run at the same time)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + workers * child) / 1024


class TimedStream:
    """The generator's blocks, with the time spent generating them (left out of ours)."""

    def __init__(self, blocks: Iterator[np.ndarray]) -> None:
        self.blocks = blocks
        self.seconds = 0.0

    def __iter__(self) -> Iterator[np.ndarray]:
        while True:
            start = time.perf_counter()
            try:
                block = next(self.blocks)
            except StopIteration:
                self.seconds += time.perf_counter() - start
                return
            self.seconds += time.perf_counter() - start
            yield block


def worker(
    n: int,
    dim: int,
    isotropic: bool,
    probe: float,
    probe_ratio: float,
    scan_budget: float,
    sample: int,
    workers: int,
    threshold: float,
) -> dict[str, float]:
    base = embeddings.ISOTROPIC if isotropic else embeddings.CLUSTERED
    spec = embeddings.EmbeddingSpec(
        dim=dim,
        clusters=base.clusters,
        cluster_similarity=base.cluster_similarity,
        anisotropy=base.anisotropy,
    )
    config = job.JobConfig(
        thresholds=Thresholds(face=threshold),
        index=IndexParams(probe=probe, probe_ratio=probe_ratio, scan_budget=scan_budget),
        face_rows_per_partition=max(8192, -(-n // (4 * workers))),
    )
    stream = TimedStream(embeddings.stream(spec, n, SEED, duplicate_rate=DUPLICATE_RATE))
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as tmp:
        run_dir = Path(tmp) / "run"
        start = time.perf_counter()
        refs = np.arange(n, dtype=np.int64)
        job.prepare(
            run_dir,
            face=job.FaceInput(spec.model_id, dim, refs, stream),
            fingers=None,
            config=config,
        )
        built = time.perf_counter()
        build = built - start - stream.seconds
        job.run(run_dir, workers=workers)  # a LocalCluster: one process per core
        pairs = job.face_pairs_only(run_dir)
        ours = time.perf_counter() - start - stream.seconds
        join = time.perf_counter() - built
        probed = np.load(run_dir / job.PROBES, mmap_mode="r")
        mean_nprobe = float(np.mean(np.count_nonzero(np.asarray(probed) >= 0, axis=1)))
        del probed
        chosen = json.loads((run_dir / (job.INDEX + ".json")).read_text("utf-8"))["probe_ratio"]

        # exact search on a sample of queries: both rows of some planted pairs, and random rows
        planted = embeddings.planted_duplicates(n, SEED, DUPLICATE_RATE)
        rng = np.random.default_rng(7)
        pick = planted[rng.choice(len(planted), min(len(planted), sample // 4), replace=False)]
        rows = np.unique(np.concatenate([pick.ravel(), rng.choice(n, sample // 2, replace=False)]))
        vectors = job.VectorFile(run_dir / job.VECTORS, n, dim)
        queries = vectors[rows]
        start = time.perf_counter()
        truth: set[tuple[int, int]] = set()
        for q, found, _ in exact_neighbours(queries, vectors, threshold, chunk=16384):
            row = int(rows[q])
            truth |= {(min(row, r), max(row, r)) for r in found.tolist() if r != row}
        exact_sample = time.perf_counter() - start
    ours_pairs = set(zip(pairs.a.tolist(), pairs.b.tolist(), strict=True))
    hit = len(truth & ours_pairs)
    exact_estimate = exact_sample * n / len(rows)
    return {
        "n": n,
        "seconds": ours,
        "build_seconds": build,
        "join_seconds": join,
        "generate_seconds": stream.seconds,
        "recall": hit / len(truth) if truth else float("nan"),
        "truth_pairs": len(truth),
        "sample_queries": len(rows),
        "pairs": len(pairs),
        "mean_nprobe": mean_nprobe,
        "probe_ratio": chosen,
        "max_nprobe": IndexParams(probe=probe).nprobe_for(IndexParams().lists_for(n)),
        "exact_estimate": exact_estimate,
        "ratio": ours / exact_estimate,
        "peak_mib": _peak_mib(workers),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=512)
    parser.add_argument("--isotropic", action="store_true", help="only the isotropic space")
    parser.add_argument(
        "--probe", type=float, default=IndexParams().probe, help="most lists, as a fraction"
    )
    parser.add_argument(
        "--probe-ratio",
        type=float,
        default=IndexParams().probe_ratio,
        help="scan lists whose centroid similarity reaches this share of the nearest's",
    )
    parser.add_argument(
        "--scan-budget",
        type=float,
        default=IndexParams().scan_budget,
        help="share of the rows each row may scan before the ratio stops being lowered",
    )
    parser.add_argument("--sample", type=int, default=2000, help="exact-search sample queries")
    parser.add_argument("--workers", type=int, default=2, help="dask worker processes (cores)")
    parser.add_argument("--threshold", type=float, default=THRESHOLD, help="face cosine")
    parser.add_argument("--worker", choices=["clustered", "isotropic"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.n < 1000 or args.dim < 2:
        parser.error("--n must be at least 1000 and --dim at least 2")
    if args.worker:
        result = worker(
            args.n,
            args.dim,
            args.worker == "isotropic",
            args.probe,
            args.probe_ratio,
            args.scan_budget,
            args.sample,
            args.workers,
            args.threshold,
        )
        print(json.dumps(result))
        return 0
    spaces = ["isotropic"] if args.isotropic else ["clustered", "isotropic"]
    for space in spaces:
        command = [
            sys.executable,
            __file__,
            "--worker",
            space,
            "--n",
            str(args.n),
            "--dim",
            str(args.dim),
            "--probe",
            str(args.probe),
            "--probe-ratio",
            str(args.probe_ratio),
            "--scan-budget",
            str(args.scan_budget),
            "--sample",
            str(args.sample),
            "--workers",
            str(args.workers),
            "--threshold",
            str(args.threshold),
        ]
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return done.returncode
        r = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"{space}: n={r['n']} ours {r['seconds']:.1f} s (build {r['build_seconds']:.1f} s, "
            f"join {r['join_seconds']:.1f} s; "
            f"generator {r['generate_seconds']:.1f} s not counted), {r['pairs']} pairs; "
            f"lists scanned per row {r['mean_nprobe']:.1f} (at most {r['max_nprobe']}, "
            f"probing ratio {r['probe_ratio']}); "
            f"threshold {args.threshold}; exact on {r['sample_queries']} queries -> "
            f"{r['truth_pairs']} true pairs, "
            f"estimate for all {r['exact_estimate']:.0f} s; recall {r['recall']:.4f}"
        )
        name = "dedup" if space == "clustered" else "dedup_isotropic"
        print(
            f"RESULT {name} n={r['n']} seconds={r['seconds']:.1f} recall={r['recall']:.4f} "
            f"ratio={r['ratio']:.4f} peak_mib={r['peak_mib']:.0f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
