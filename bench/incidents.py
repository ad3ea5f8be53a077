"""Benchmark: cases of an election day through the intake API (HTTP on loopback).

The platform is served by waitress (as ``shailoo serve`` runs it) on 127.0.0.1 over a fresh
SQLite database with a synthetic geography and a current election; ``--clients`` reporting
apps (default one) post ``--cases`` Open311 service requests (form-encoded, as such apps send
them), each over its own keep-alive connection; each request is routed and given its legal
deadline by the product's ``incidents.services.open_case``, written to the ledger, and its
handlers in the coordination groups (two per agency at the CEC, two at each TEC) are notified;
each answer is timed. With several clients SQLite serialises the writes: throughput stays,
latency grows.

The baseline, in the same run and on the same server, is a bare Django create of the same
rows behind the same HTTP stack: a view (mounted for the run only, at ``/bench/bare/``) that
reads the same form and does ``Case.objects.create`` with a fixed agency and deadline — no
validation, routing, deadline rule, timeline or ledger. The ratio is what those cost. A
create without HTTP at all is printed too, for scale: no HTTP server answers at that rate,
so it is not the ratio's baseline. The per-client rate limit of the public doors is lifted
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
    # Notices are handed to Django's mail framework; the run keeps them in memory (no SMTP).
    os.environ["SHAILOO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
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
    _groups()
    return list(PollingStation.objects.values_list("number", flat=True))


def _groups() -> None:
    """The coordination groups every case notifies: at the CEC two members of each agency,
    at each TEC one of the commission and one of the police (in-app notices, e-mail)."""
    from django.contrib.auth import get_user_model

    from shailoo.accounts.models import RoleAssignment
    from shailoo.accounts.roles import Agency, Role, Scope
    from shailoo.geo.models import TerritorialCommission

    users = get_user_model()
    grants = []
    for agency in Agency:
        for k in range(2):
            user = users.objects.create(username=f"cec-{agency.value}-{k}", email=f"c{k}@x.kg")
            grants.append((user, Scope.COUNTRY.value, None, agency.value))
    for tec in TerritorialCommission.objects.all():
        for agency in (Agency.COMMISSION, Agency.POLICE):
            user = users.objects.create(username=f"tec-{tec.pk}-{agency.value}")
            grants.append((user, Scope.TEC.value, tec, agency.value))
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            user=user, role=Role.RESPONSE_GROUP.value, scope=scope, tec=tec, agency=agency,
            granted_by="bench",
        )
        for user, scope, tec, agency in grants
    )  # fmt: skip


def _mount_bare() -> None:
    """Add ``/bench/bare/`` (the baseline) to the URL map for this run only."""
    import types
    from itertools import count

    from django.conf import settings
    from django.http import JsonResponse
    from django.urls import path
    from django.utils import timezone
    from django.views.decorators.csrf import csrf_exempt

    from shailoo import urls
    from shailoo.geo.models import PollingStation
    from shailoo.incidents.models import Case

    ids = dict(PollingStation.objects.values_list("number", "pk"))
    numbers = count()

    @csrf_exempt
    def bare(request):  # type: ignore[no-untyped-def]
        now = timezone.now()
        case = Case.objects.create(
            reference=f"H-{next(numbers):012d}",
            category=request.POST["service_code"],
            severity="high",
            source="open311",
            station_id=ids[int(request.POST["station"])],
            description=request.POST["description"],
            agency="police",
            received_at=now,
            due_at=now + timedelta(hours=2),
            due_rule="polling_day_hours",
        )
        return JsonResponse([{"service_request_id": case.reference}], safe=False)

    module = types.ModuleType("bench_incidents_urls")
    module.urlpatterns = [path("bench/bare/", bare), *urls.urlpatterns]  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__


def _serve() -> tuple[object, int]:
    from waitress.server import create_server

    from shailoo.cli import served_application

    server = create_server(served_application(), host="127.0.0.1", port=0, threads=4)
    port = int(server.effective_port)  # type: ignore[union-attr]
    threading.Thread(target=server.run, daemon=True).start()
    return server, port


def _client(
    port: int,
    stations: list[int],
    numbers: range,
    seed: int,
    url: str = "/open311/v2/requests.json",
) -> list[float]:
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
        conn.request("POST", url, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            raise SystemExit(f"request {i}: HTTP {response.status}")
    return latencies


def _ours(
    port: int,
    stations: list[int],
    n: int,
    seed: int,
    clients: int,
    url: str = "/open311/v2/requests.json",
) -> tuple[float, list[float]]:
    """``clients`` apps posting at once (the server has as many threads as cores allow)."""
    from concurrent.futures import ThreadPoolExecutor

    share = -(-n // clients)
    ranges = [range(k * share, min(n, (k + 1) * share)) for k in range(clients)]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        parts = list(pool.map(lambda r: _client(port, stations, r, seed, url), ranges))
    return time.perf_counter() - start, [x for part in parts for x in part]


def _bare_in_process(stations: list[int], n: int, seed: int) -> float:
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
        _mount_bare()
        server, port = _serve()
        seconds, latencies = _ours(port, stations, args.cases, args.seed, args.clients)
        bare_http, bare_latencies = _ours(
            port, stations, args.cases, args.seed, args.clients, url="/bench/bare/"
        )
        server.close()  # type: ignore[attr-defined]
        in_process = _bare_in_process(stations, args.cases, args.seed)
    latencies.sort()
    bare_latencies.sort()

    def at(share: float, values: list[float]) -> float:
        return values[min(len(values) - 1, int(len(values) * share))] * 1000

    ours_rate, bare_rate = args.cases / seconds, args.cases / bare_http
    print(
        f"cases={args.cases} clients={args.clients} ours={ours_rate:.0f}/s "
        f"(p50 {at(0.5, latencies):.1f} ms, p99 {at(0.99, latencies):.1f} ms) "
        f"bare over HTTP={bare_rate:.0f}/s (p50 {at(0.5, bare_latencies):.1f} ms, "
        f"p99 {at(0.99, bare_latencies):.1f} ms) bare without HTTP={args.cases / in_process:.0f}/s"
    )
    print(
        f"RESULT incidents intake_per_s={ours_rate:.0f} p99_ms={at(0.99, latencies):.1f} "
        f"ratio={ours_rate / bare_rate:.2f}"
    )


if __name__ == "__main__":
    main()
