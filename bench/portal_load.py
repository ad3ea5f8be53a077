"""Benchmark: a results night on the public portal, served by ``shailoo serve``, driven by wrk.

A demo country (``shailoo demo --no-serve --scale N``: its geography, register, every
station's protocols, most of them accepted) is built in a folder, or reused with
``--reuse``; then ``shailoo serve`` (gunicorn, its default workers and threads, access log
on, as an operator runs it) is started on a free loopback port as a child process. wrk
(the Debian package) drives, with a fixed number of connections and for ``--duration``
seconds each:

- ``national``: the election's public results page (``/results/<election>/``);
- ``station``: one station's results page (``/results/<election>/stations/<n>/``);
- ``api``: the public results API (``/api/results/<election>/``);
- ``mix``: the three in turn on every connection (a wrk Lua script): the RESULT's rate;
- ``static``: the baseline, the SAME server returning a static file of the national page's
  size (its HTML written into the static folder before the server starts, served by
  whitenoise like every static file).

Each target is warmed first (every worker renders its pages once), untimed. wrk reports
the rate and, with ``--latency``, the latency distribution; a target that answers anything
but 2xx is a failed run. Prints one line per target and
``RESULT portal req_per_s=<mix> p99_ms=<worst p99 of ours> ratio=<mix / static>``.
Targets: p99 under 100 ms, ratio at least 0.5. wrk runs on the same machine as the
server and takes CPU from it (both our targets and the baseline alike).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED = 2026
STATIC_NAME = "bench/national.html"
MARKER = "portal-bench.txt"
#: A wrk script: each connection asks for the paths in turn (the mix).
MIX_LUA = """
paths = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class Run:
    """What wrk measured for one target."""

    name: str
    requests: int
    rate: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    non_2xx: int

    def line(self, connections: int, duration: int) -> str:
        return (
            f"{self.name:<9} {self.rate:9.1f} req/s  p50 {self.p50_ms:7.1f} ms  "
            f"p99 {self.p99_ms:7.1f} ms  max {self.max_ms:7.1f} ms  "
            f"({self.requests} requests, {connections} connections, {duration} s; "
            f"socket errors {self.errors}, non-2xx {self.non_2xx})"
        )


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(name: str, output: str) -> Run:
    """Read wrk's report (with ``--latency``): rate, percentiles, errors."""
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    percentiles = dict(re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    latency = re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output)
    if rate is None or total is None or "99" not in percentiles or latency is None:
        raise RuntimeError(f"wrk said something else for {name}:\n{output}")
    socket_line = re.search(r"Socket errors:(.*)", output)
    errors = sum(int(n) for n in re.findall(r"\d+", socket_line.group(1))) if socket_line else 0
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return Run(
        name=name,
        requests=int(total.group(1)),
        rate=float(rate.group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        max_ms=_ms(latency.group(1)),
        errors=errors,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
    )


# -- the demo database ------------------------------------------------------------------------


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHAILOO_", "PROMETHEUS_"))}
    env.update(
        SHAILOO_VAR_DIR=str(folder),
        SHAILOO_DEBUG="0",
        SHAILOO_LOG_LEVEL="WARNING",
        SHAILOO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        DJANGO_SETTINGS_MODULE="shailoo.settings",
    )
    return env


def build(folder: Path, scale: int, reuse: bool) -> float:
    """The demo country in ``folder`` (reused when built before at this scale); seconds."""
    marker = folder / MARKER
    if reuse and marker.exists() and marker.read_text().strip() == f"scale={scale} seed={SEED}":
        print(f"reusing the demo database in {folder} (scale {scale})", flush=True)
        return 0.0
    folder.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    started = time.perf_counter()
    command = [sys.executable, "-m", "shailoo.cli", "demo", "--scale", str(scale),
               "--seed", str(SEED), "--no-serve"]  # fmt: skip
    result = subprocess.run(command, env=_env(folder), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"the demo did not build:\n{result.stdout}\n{result.stderr}")
    marker.write_text(f"scale={scale} seed={SEED}\n")
    elapsed = time.perf_counter() - started
    print(f"demo country built in {elapsed:.0f} s (scale {scale}) in {folder}", flush=True)
    return elapsed


FIND = """
import json, os
from shailoo.common.cli import django_setup
django_setup(migrate=False)
from django.conf import settings
from django.db.models import Count
from django.test import Client
from shailoo.counting.results.models import Protocol
from shailoo.elections.services import current_election
election = current_election()
accepted = Protocol.objects.filter(election=election, status=Protocol.Status.ACCEPTED)
station = (accepted.values("station__number").annotate(n=Count("id"))
           .order_by("-n", "station__number").first()["station__number"])
settings.DEBUG = False
page = Client(HTTP_ACCEPT_LANGUAGE="ru").get(f"/results/{election.code}/")
assert page.status_code == 200, page.status_code
static = os.path.join(settings.STATIC_ROOT, %(name)r)
os.makedirs(os.path.dirname(static), exist_ok=True)
with open(static, "wb") as out:
    out.write(page.content)
print(json.dumps({"election": election.code, "station": station, "bytes": len(page.content)}))
"""


def targets(folder: Path) -> dict[str, Any]:
    """The election, a station with accepted protocols, the static copy of the national page.

    In a child process (its own Django), before the server starts: whitenoise finds the
    static files when it starts.
    """
    import json

    result = subprocess.run(
        [sys.executable, "-c", FIND % {"name": STATIC_NAME}],
        env=_env(folder),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.exit(f"could not read the demo database:\n{result.stderr}")
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


# -- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``shailoo serve`` in a child process, its log in a file."""

    def __init__(self, folder: Path, workers: int, threads: int) -> None:
        self.folder, self.port = folder, free_port()
        self.command = [sys.executable, "-m", "shailoo.cli", "serve", "--port", str(self.port)]
        if workers:
            self.command += ["--workers", str(workers)]
        if threads:
            self.command += ["--threads", str(threads)]
        self.process: subprocess.Popen[bytes] | None = None
        self.log = folder / "serve.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        started = time.perf_counter()
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                self.command, env=_env(self.folder), stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 300  # a first start collects and compresses the statics
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - started
            except (OSError, urllib.error.URLError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"shailoo serve did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.25)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def wrk(
    name: str, url: str, connections: int, threads: int, duration: int, script: Path | None = None
) -> Run:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
               "--timeout", "10s", "-H", "Accept-Language: ru"]  # fmt: skip
    if script is not None:
        command += ["-s", str(script)]
    result = subprocess.run([*command, url], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"wrk failed on {name}:\n{result.stdout}\n{result.stderr}")
    return parse_wrk(name, result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=int, default=200_000, help="persons in the demo country (2,500 stations)"
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per target")
    parser.add_argument("--warmup", type=int, default=3, help="untimed seconds per target")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=0, help="server workers (0: its default)")
    parser.add_argument("--threads", type=int, default=0, help="threads per worker (0: default)")
    parser.add_argument(
        "--reuse",
        nargs="?",
        const=str(ROOT / "var" / "bench-portal"),
        default=None,
        metavar="FOLDER",
        help="build the demo in FOLDER (default var/bench-portal) once and reuse it",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        sys.exit(2)

    temporary = None if args.reuse else tempfile.TemporaryDirectory(prefix="shailoo-portal-")
    folder = Path(args.reuse) if args.reuse else Path(temporary.name)  # type: ignore[union-attr]
    try:
        build(folder, args.scale, bool(args.reuse))
        found = targets(folder)
        code, station = found["election"], found["station"]
        paths = {
            "national": f"/results/{code}/",
            "station": f"/results/{code}/stations/{station}/",
            "api": f"/api/results/{code}/",
        }
        server = Server(folder, args.workers, args.threads)
        started_s = server.start()
        print(f"shailoo serve up in {started_s:.1f} s on {server.url} "
              f"(national page {found['bytes']} bytes)", flush=True)  # fmt: skip
        mix = folder / "mix.lua"
        mix.write_text(MIX_LUA % ", ".join(f'"{p}"' for p in paths.values()))
        plan: list[tuple[str, str, Path | None]] = [
            *((name, server.url + path, None) for name, path in paths.items()),
            ("mix", server.url + "/", mix),
            ("static", f"{server.url}/static/{STATIC_NAME}", None),
        ]
        runs: dict[str, Run] = {}
        try:
            for name, url, script in plan:
                if args.warmup:
                    wrk(name, url, args.connections, args.wrk_threads, args.warmup, script)
                run = wrk(name, url, args.connections, args.wrk_threads, args.duration, script)
                runs[name] = run
                print(run.line(args.connections, args.duration), flush=True)
        finally:
            server.stop()
        failed = [r.name for r in runs.values() if r.non_2xx or r.errors]
        if failed:
            print(f"errors in {', '.join(failed)}: see {server.log}", file=sys.stderr)
        ours = [runs[n] for n in ("national", "station", "api", "mix")]
        worst = max(r.p99_ms for r in ours)
        ratio = runs["mix"].rate / runs["static"].rate
        print(
            f"RESULT portal req_per_s={runs['mix'].rate:.0f} p99_ms={worst:.1f} ratio={ratio:.2f}"
        )
        if failed:
            sys.exit(1)
    finally:
        if temporary is not None:
            temporary.cleanup()


if __name__ == "__main__":
    main()
