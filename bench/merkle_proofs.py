"""Benchmark: the incremental Merkle log at ledger scale (default 1,000,000 leaves).

Builds a :class:`~shailoo.integrity.merkle.MerkleLog` over an in-memory node store, then
times, one call at a time, inclusion proofs for random leaves in random past tree sizes (and
in the full tree), consistency proofs between random sizes, past roots, and the verifiers.
Node reads per proof are counted to show the O(log n) bound holds. After building, the
stored nodes are frozen out of the cyclic garbage collector (``gc.freeze``), as a long-lived
verifier holding them would do; without it an occasional full collection over 2 million
objects adds a few milliseconds to whichever call it lands in.

Prints one line per measurement and finally
``RESULT merkle_proofs leaves=... append_per_s=... inclusion_p50_ms=... inclusion_p99_ms=...
inclusion_max_ms=... consistency_p99_ms=... verify_p99_ms=... max_reads=... peak_mib=...``.
The requirement is an inclusion proof well under 10 ms at 1,000,000 leaves.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import time
from collections.abc import Callable

from shailoo.integrity.merkle import (
    InMemoryNodeStore,
    MerkleLog,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)


class CountingStore(InMemoryNodeStore):
    """Counts reads, so the benchmark can report node reads per proof."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get(self, level: int, index: int) -> bytes:
        self.reads += 1
        return super().get(level, index)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(samples: int, call: Callable[[], object]) -> list[float]:
    """Milliseconds per call, each call timed on its own (latency, not throughput)."""
    out = []
    for _ in range(samples):
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _summary(name: str, ms: list[float]) -> dict[str, float]:
    ms = sorted(ms)
    p50 = statistics.median(ms)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<34} n={len(ms):>6}  p50={p50:.4f} ms  p99={p99:.4f} ms  max={ms[-1]:.4f} ms")
    return {"p50": p50, "p99": p99, "max": ms[-1]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=6962)
    args = parser.parse_args()
    n, rng = args.leaves, random.Random(args.seed)

    store = CountingStore()
    log = MerkleLog(store)
    start = time.perf_counter()
    for i in range(n):
        log.append(leaf_hash(i.to_bytes(8, "big")))
    build_s = time.perf_counter() - start
    # The 2 million stored nodes are long-lived: move them out of the cyclic collector's
    # way, as a long-running verifier would, so the timings show the proofs and not a
    # full collection that happens to land in one call.
    gc.collect()
    gc.freeze()
    print(f"built {n} leaves in {build_s:.2f} s ({n / build_s:,.0f} appends/s), {len(store)} nodes")

    def random_inclusion() -> tuple[int, int]:
        size = rng.randint(1, n)
        return rng.randrange(size), size

    picks = [random_inclusion() for _ in range(args.samples)]
    it = iter(picks)
    incl = _summary(
        "inclusion proof (random past size)",
        _timed(len(picks), lambda: log.inclusion_proof(*next(it))),
    )
    full = iter([rng.randrange(n) for _ in range(args.samples)])
    _summary(
        "inclusion proof (full tree)",
        _timed(args.samples, lambda: log.inclusion_proof(next(full), n)),
    )

    pairs = []
    for _ in range(args.samples):
        a, b = rng.randint(1, n), rng.randint(1, n)
        pairs.append((min(a, b), max(a, b)))
    it2 = iter(pairs)
    cons = _summary(
        "consistency proof (random sizes)",
        _timed(len(pairs), lambda: log.consistency_proof(*next(it2))),
    )
    sizes = iter([rng.randint(1, n) for _ in range(args.samples)])
    _summary("root at a past size", _timed(args.samples, lambda: log.root(next(sizes))))
    _summary("root now", _timed(args.samples, log.root))

    # Node reads per proof, and the verifiers on real proofs.
    max_reads = 0
    checks = []
    roots: dict[int, bytes] = {}
    for index, size in picks[:2000]:
        store.reads = 0
        proof = log.inclusion_proof(index, size)
        max_reads = max(max_reads, store.reads)
        root = roots.setdefault(size, log.root(size))
        checks.append((log.leaf(index), index, size, proof, root))
    for m, size in pairs[:2000]:
        store.reads = 0
        log.consistency_proof(m, size)
        max_reads = max(max_reads, store.reads)
    it3 = iter(checks)
    ver = _summary("verify inclusion", _timed(len(checks), lambda: verify_inclusion(*next(it3))))
    cchecks = [
        (m, s, log.root(m), log.root(s), log.consistency_proof(m, s)) for m, s in pairs[:2000]
    ]
    it4 = iter(cchecks)
    _summary("verify consistency", _timed(len(cchecks), lambda: verify_consistency(*next(it4))))
    print(f"max node reads per proof: {max_reads} (log2 n = {n.bit_length()})")

    print(
        f"RESULT merkle_proofs leaves={n} append_per_s={n / build_s:.0f} "
        f"inclusion_p50_ms={incl['p50']:.4f} inclusion_p99_ms={incl['p99']:.4f} "
        f"inclusion_max_ms={incl['max']:.4f} consistency_p99_ms={cons['p99']:.4f} "
        f"verify_p99_ms={ver['p99']:.4f} max_reads={max_reads} peak_mib={_peak_mib():.0f}"
    )


if __name__ == "__main__":
    main()
