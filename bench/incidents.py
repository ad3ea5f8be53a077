"""Benchmark: cases of an election day through the intake API (HTTP on loopback).

The platform is served by waitress (as ``shailoo serve`` runs it) on 127.0.0.1 over a fresh
SQLite database with a synthetic geography and a current election; ``--clients`` reporting
apps (default one) post ``--cases`` Open311 service requests (form-encoded, as such apps send
them), each over its own keep-alive connection; each request is routed and given its legal
deadline by the product's ``incidents.services.open_case``, and each answer is timed. With
several clients SQLite serialises the writes: throughput stays, latency grows. The baseline,
in the same run, is a bare Django ``Case.objects.create`` of the same rows (no HTTP, no
routing, no deadline, no ledger). The per-client rate limit of the public doors is lifted
for the run (``SHAILOO_INCIDENTS_RATE``): what is measured is the intake, not the throttle.

Prints ``RESULT incidents intake_per_s=... p99_ms=... ratio=<ours/bare>`` (ratio of
throughputs, higher is better; target p99 < 100 ms and ratio >= 0.3 on 2 cores).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("vote_buying", "multiple_voting", "pressure_on_voters", "public_order", "other")


def _setup(tmp: Path) -> list[int]:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["SHAILOO_VAR_DIR"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    os.environ["SHAILOO_INCIDENTS_RATE"] = "100000000/min"
    from shailoo.common.cli import django_setup

    django_setup()
    import datetime

    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.geo.models import PollingStation
    from shailoo.synth.geography import generate_geography, write_geography_csv

    geo = tmp / "geo.csv"
    write_geography_csv(generate_geography(7, 300), geo)
    import_geography(geo)
    Election.objects.create(
        code="bench",
        name="bench",
        polling_day=datetime.date.today() + timedelta(days=30),
        law_edition="kg-2025",
        is_current=True,
    )
    return list(PollingStation.objects.values_list("number", flat=True))


def _serve() -> tuple[object, int]:
    from waitress.server import create_server

    from shailoo.cli import served_application

    server = create_server(served_application(), host="127.0.0.1", port=0, threads=4)
    port = int(server.effective_port)  # type: ignore[union-attr]
    threading.Thread(target=server.run, daemon=True).start()
    return server, port


def _client(port: int, stations: list[int], numbers: range, seed: int) -> list[float]:
    """One reporting app: its own keep-alive connection, requests one after another."""
    rng = random.Random(f"{seed}/{numbers.start}")
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Connection": "keep-alive"}
    latencies: list[float] = []
    for i in numbers:
        body = urllib.parse.urlencode(
            {
                "service_code": rng.choice(CATEGORIES),
                "description": f"Report {i}: cash offered near the entrance",
                "station": rng.choice(stations),
            }
        )
        began = time.perf_counter()
        conn.request("POST", "/open311/v2/requests.json", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            raise SystemExit(f"request {i}: HTTP {response.status}")
    return latencies


def _ours(
    port: int, stations: list[int], n: int, seed: int, clients: int
) -> tuple[float, list[float]]:
    """``clients`` apps posting at once (the server has as many threads as cores allow)."""
    from concurrent.futures import ThreadPoolExecutor

    share = -(-n // clients)
    ranges = [range(k * share, min(n, (k + 1) * share)) for k in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        parts = list(pool.map(lambda r: _client(port, stations, r, seed), ranges))
    return time.perf_counter() - start, [x for part in parts for x in part]


def _bare(stations: list[int], n: int, seed: int) -> float:
    from django.utils import timezone

    from shailoo.geo.models import PollingStation
    from shailoo.incidents.models import Case

    ids = dict(PollingStation.objects.values_list("number", "pk"))
    rng = random.Random(seed)
    now = timezone.now()
    start = time.perf_counter()
    for i in range(n):
        Case.objects.create(
            reference=f"B-{i:012d}",
            category=rng.choice(CATEGORIES),
            severity="high",
            source="open311",
            station_id=ids[rng.choice(stations)],
            description=f"Report {i}: cash offered near the entrance",
            agency="police",
            received_at=now,
            due_at=now + timedelta(hours=2),
            due_rule="polling_day_hours",
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--clients", type=int, default=1, help="reporting apps posting at once")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    with tempfile.TemporaryDirectory(prefix="shailoo-bench-incidents-") as tmp:
        stations = _setup(Path(tmp))
        server, port = _serve()
        seconds, latencies = _ours(port, stations, args.cases, args.seed, args.clients)
        server.close()  # type: ignore[attr-defined]
        bare = _bare(stations, args.cases, args.seed)
    latencies.sort()
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000
    ours_rate, bare_rate = args.cases / seconds, args.cases / bare
    p50 = latencies[len(latencies) // 2] * 1000
    print(
        f"cases={args.cases} ours={ours_rate:.0f}/s (p50 {p50:.1f} ms, p99 {p99:.1f} ms) "
        f"bare={bare_rate:.0f}/s"
    )
    print(
        f"RESULT incidents intake_per_s={ours_rate:.0f} p99_ms={p99:.1f} "
        f"ratio={ours_rate / bare_rate:.2f}"
    )


if __name__ == "__main__":
    main()
