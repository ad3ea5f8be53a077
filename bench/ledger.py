"""Benchmark: the ledger service on a fresh SQLite database (default 1,000,000 entries).

Appends entries through ``ledger.append_many`` in batched transactions (``--batch``
entries per transaction, default 1,000: one lock of the ledger state, one read of the
tree's right edge, one bulk insert of entries and one of nodes per transaction), the way a
bulk job would; then, separately, ``--single`` entries each in its own transaction through
``ledger.append``, the way a domain service records one change. Then times ``--proofs``
inclusion proofs for random entries in the full tree, each read from the stored nodes
(one query for the size, one for the nodes), and recomputing the root from every leaf
hash read back from the database.

Prints one line per measurement and finally
``RESULT ledger append_per_s=... proof_ms=... ratio=<proof/full_recompute> ...``
where ``proof_ms`` is the median proof time and ``ratio`` the median proof time over the
full recomputation time. The requirement is a proof well under 10 ms at 1,000,000 entries.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup(directory: Path) -> None:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{directory / 'ledger.sqlite3'}"
    os.environ["SHAILOO_VAR_DIR"] = str(directory / "var")
    os.environ["SHAILOO_DEBUG"] = "0"  # no query log in memory
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    sys.path.insert(0, str(ROOT / "src"))
    from shailoo.common.cli import django_setup

    django_setup()


def _payload(i: int) -> dict[str, object]:
    """About the size of a register-import batch entry."""
    return {
        "run_id": i // 1000,
        "file_sha256": f"{i:064x}",
        "through_line": i * 10,
        "created": i % 1000,
        "updated": i % 7,
        "unchanged": i % 13,
        "rejected": i % 3,
    }


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000, help="entries per transaction")
    parser.add_argument("--single", type=int, default=2000, help="one-entry transactions")
    parser.add_argument("--proofs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=9162)
    parser.add_argument("--verify", action="store_true", help="also time `audit verify`")
    args = parser.parse_args()
    n, rng = args.entries, random.Random(args.seed)

    with tempfile.TemporaryDirectory(prefix="shailoo-bench-ledger-") as tmp:
        _setup(Path(tmp))
        from django.db import connection, transaction

        from shailoo.integrity import ledger
        from shailoo.integrity.merkle import root, verify_inclusion

        start = time.perf_counter()
        done = 0
        while done < n:
            count = min(args.batch, n - done)
            with transaction.atomic():
                ledger.append_many([("bench.event", _payload(done + i)) for i in range(count)])
            done += count
            if done % max(n // 10, 1) < count:
                rate = done / (time.perf_counter() - start)
                print(f"  appended {done:>9,} ({rate:,.0f} entries/s)", flush=True)
        append_s = time.perf_counter() - start
        append_rate = n / append_s
        print(f"batched appends: {n:,} in {append_s:.1f} s = {append_rate:,.0f} entries/s")

        start = time.perf_counter()
        for i in range(args.single):
            with transaction.atomic():
                ledger.append("bench.single", _payload(i))
        single_rate = args.single / (time.perf_counter() - start)
        print(f"one-entry transactions: {args.single:,} = {single_rate:,.0f} entries/s")
        size = ledger.size()

        times, checks = [], []
        for _ in range(args.proofs):
            index = rng.randrange(size)
            t0 = time.perf_counter()
            leaf, proof, at_root = ledger.inclusion_proof(index, size)
            times.append((time.perf_counter() - t0) * 1000)
            checks.append((leaf, index, size, proof, at_root))
        for check in checks:
            verify_inclusion(*check)
        p50, p99 = statistics.median(times), _percentile(times, 0.99)
        print(f"inclusion proof at size {size:,}: p50={p50:.3f} ms p99={p99:.3f} ms")

        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SELECT leaf_hash FROM integrity_ledgerentry ORDER BY sequence")
            leaves = [bytes(row[0]) for row in cur.fetchall()]
        read_ms = (time.perf_counter() - t0) * 1000
        t1 = time.perf_counter()
        full_root = root(leaves)
        hash_ms = (time.perf_counter() - t1) * 1000
        full_ms = read_ms + hash_ms
        assert full_root == checks[0][4], "recomputed root differs from the proofs' root"
        print(f"full recompute: read {read_ms:.0f} ms + hash {hash_ms:.0f} ms = {full_ms:.0f} ms")
        db_mib = (Path(tmp) / "ledger.sqlite3").stat().st_size / 2**20
        verify = ""
        if args.verify:
            from shailoo.integrity.export import verify_database

            t0 = time.perf_counter()
            report = verify_database()
            verify_s = time.perf_counter() - t0
            assert report.ok, report.lines()
            print(f"audit verify: {report.entries:,} entries and nodes in {verify_s:.1f} s")
            verify = f" verify_s={verify_s:.1f} peak_mib={_peak_mib():.0f}"

    print(
        f"RESULT ledger append_per_s={append_rate:.0f} proof_ms={p50:.3f} "
        f"ratio={p50 / full_ms:.2e} proof_p99_ms={p99:.3f} full_recompute_ms={full_ms:.0f} "
        f"single_append_per_s={single_rate:.0f} entries={size} batch={args.batch} "
        f"db_mib={db_mib:.0f}{verify}"
    )


if __name__ == "__main__":
    main()
