"""Benchmark: a polling day of check-ins through the devices' HTTP API, with faults.

The platform is served by waitress (as ``shailoo serve`` runs it) on 127.0.0.1 over a fresh
SQLite database: a synthetic geography, ``--voters`` enrolled voters (two index fingers and a
face each, through ``biometrics.services.enrol``) at each of ``--stations`` home stations, and
``--devices`` enrolled devices per station (``polling.devices.enrol``, state directories of
the reference client ``polling.client``). A synthetic day (``shailoo.synth.election_day``:
turnout, double attempts, voters at the wrong station, unreadable fingers, outages) is played
by the reference client in global time order (five-minute windows, stations in parallel): each
visit is a real check-in — probe templates sent, the voter identified 1:N in the station's
gallery on the server, the rules applied, the ballot recorded once — and each call is timed.
Faults: ``--retry`` of the visits resend their request with the same idempotency key (an
answer lost on the way); the plan's outages take both devices of a station offline (they
issue from their own gallery and queue, and sync when the network is back); ``--double`` of
the voters try to vote again (on the other device of their station, or at another station
with their document); and once, when ``--kill-at`` of the visits are done, the server is
killed with SIGKILL while requests are in flight and started again.

The final state is checked against the plan's truth:
``lost`` voters who got a ballot from a device but hold none on the server; ``double`` voters
holding more than one ballot, plus second ballots recorded where the network allowed
exactly-once (the second attempt was answered online); ``missed_alerts`` double attempts the
server refused (already voted) without a case for the response groups, plus second ballots
(devices offline) without one.

The baseline, in the same run: the matcher alone — ``Gallery.identify`` of the same probes in
this process against the same stations' galleries, one at a time. ``ratio`` is our check-in
rate over the matcher's rate: what HTTP, signatures, rules, the database, the ledger and the
alerts cost on top of identification, with the server's threads sharing the two cores.

Prints ``RESULT election_day checkins_per_s=... p99_ms=... lost=... double=...
missed_alerts=... scale=<stations>x<voters> ratio=...``. Targets: lost, double and
missed_alerts zero; p99 under 250 ms with identification included. The issue's scale (2,500
stations, 3,000,000 voters) needs about 70 GB of galleries in one server process and a day of
identification on two cores; the default is a reduced scale, stated in ``scale=``.
"""

from __future__ import annotations

import argparse
import atexit
import datetime
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WINDOW_S = 300
SEED = 16


# -- the server, in its own process ------------------------------------------------------------


def _env(folder: Path, stations: int) -> None:
    os.environ["SHAILOO_DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["SHAILOO_VAR_DIR"] = str(folder)
    os.environ["DJANGO_SETTINGS_MODULE"] = "shailoo.settings"
    os.environ["SHAILOO_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["SHAILOO_BIOMETRICS_GALLERY_CACHE"] = str(stations + 8)
    from shailoo.common.cli import django_setup

    django_setup()


def serve(folder: Path, port: int, stations: int, threads: int) -> None:
    _env(folder, stations)
    from waitress import serve as waitress_serve

    from shailoo.cli import served_application
    from shailoo.polling.warm import prepare_for_serving

    application = served_application()
    prepare_for_serving(application)  # the readiness gate `shailoo serve` passes before it listens
    waitress_serve(application, host="127.0.0.1", port=port, threads=threads, _quiet=True)


class Server:
    """The platform in a child process; ``kill`` is SIGKILL, as a power cut."""

    def __init__(self, folder: Path, stations: int, threads: int, workers: int) -> None:
        self.folder, self.stations, self.threads, self.workers = folder, stations, threads, workers
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = int(s.getsockname()[1])
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> float:
        started = time.perf_counter()
        if self.workers > 1:  # processes: identifications run in parallel, not under one GIL
            database = f"sqlite:///{self.folder / 'bench.sqlite3'}"
            env = {**os.environ, "SHAILOO_DATABASE_URL": database,
                   "SHAILOO_VAR_DIR": str(self.folder), "SHAILOO_DEBUG": "0",
                   "SHAILOO_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
                   "SHAILOO_BIOMETRICS_GALLERY_CACHE": str(self.stations + 8)}  # fmt: skip
            command = [str(Path(sys.executable).with_name("gunicorn")), "shailoo.wsgi:application",
                       "--workers", str(self.workers), "--threads", str(self.threads),
                       "--bind", f"127.0.0.1:{self.port}", "--log-level", "warning"]  # fmt: skip
            self.process = subprocess.Popen(command, env=env, start_new_session=True)
        else:
            self.process = subprocess.Popen(
                [sys.executable, __file__, "--serve", str(self.folder), str(self.port),
                 str(self.stations), str(self.threads)], start_new_session=True,
            )  # fmt: skip
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return time.perf_counter() - started
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("the server exited while starting") from None
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL to the server and every worker of it, as a power cut."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


# -- setup: geography, voters, enrolment, devices, plan -----------------------------------------


def _templates(args: tuple[int, int]) -> tuple[int, int, list[tuple[str, bytes]]]:
    """Encoded templates of identity ``person`` captured in ``session`` (worker process)."""
    person, session = args
    from shailoo.biometrics import iso19794
    from shailoo.biometrics.embedding import EmbeddingTemplate
    from shailoo.biometrics.minutiae import FingerTemplate
    from shailoo.synth.enrolment import person_templates

    items = person_templates(person, SEED, session, "standard")
    fingers = [t for t in items if isinstance(t, FingerTemplate)]
    faces = [t for t in items if isinstance(t, EmbeddingTemplate)]
    return person, session, [("finger_iso", iso19794.to_bytes(fingers)),
                             ("embedding", faces[0].to_bytes())]  # fmt: skip


def _many(pairs: Sequence[tuple[int, int]], workers: int) -> dict[tuple[int, int], Any]:
    with ProcessPoolExecutor(workers) as pool:
        return {(p, s): t for p, s, t in pool.map(_templates, pairs, chunksize=64)}


def setup(folder: Path, stations: int, voters: int, devices: int, workers: int) -> dict[str, Any]:
    """The database, the enrolled voters, the devices' state directories; returns the cast."""
    _env(folder, stations)
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    from django.core.management import call_command

    from shailoo.biometrics import services as biometrics
    from shailoo.elections.models import Election
    from shailoo.geo.importer import import_geography
    from shailoo.geo.models import PollingStation
    from shailoo.integrity import heads, keys
    from shailoo.polling import devices as device_services
    from shailoo.polling.client.state import DeviceState
    from shailoo.register.models import Person
    from shailoo.register.names import name_key, transliterate
    from shailoo.register.pin import build_pin
    from shailoo.synth.geography import generate_geography, write_geography_csv

    call_command("migrate", verbosity=0)
    geo = folder / "geo.csv"
    write_geography_csv(generate_geography(SEED, max(stations * 2, 60)), geo)
    import_geography(geo)
    Election.objects.create(
        code="bench-day",
        name="bench polling day",
        polling_day=datetime.date.today(),
        law_edition="kg-2025",
        is_current=True,
    )
    homes = list(
        PollingStation.objects.filter(is_abroad=False, is_remote_voting=False).order_by("number")
    )[:stations]
    rows = []
    serial = 0
    for station in homes:
        for _ in range(voters):
            serial += 1
            born = datetime.date(1950, 1, 1) + datetime.timedelta(days=serial % 18000)
            surname, given = f"Сайлоочу{serial}", "Айбек" if serial % 2 else "Айгүл"
            rows.append(Person(
                pin=build_pin("M" if serial % 2 else "F", born, serial % 99_999 + 1),
                surname=surname, given_name=given, patronymic="",
                name_key=name_key(surname, given, ""),
                name_latin=transliterate(f"{surname} {given}"),
                sex="M" if serial % 2 else "F", birth_date=born, citizenship="KG",
                biometric_registered=True, address=f"address {serial}", dwelling_id=f"DW{serial}",
                station=station, eligible=True, row_hash="0" * 32,
            ))  # fmt: skip
    Person.objects.bulk_create(rows, batch_size=2000)
    persons = list(Person.objects.order_by("pk"))
    started = time.perf_counter()
    templates = _many([(p.pk, 0) for p in persons], workers)
    for person in persons:
        captured = [biometrics.Capture(k, d) for k, d in templates[(person.pk, 0)]]
        biometrics.enrol(person, captured, "bench")
    enrol_s = time.perf_counter() - started
    commission = keys.raw_public(heads.load_signing_key())
    directories: dict[int, list[Path]] = {}
    for station in homes:
        for d in range(devices):
            signing, seal = keys.generate(), X25519PrivateKey.generate()
            device_services.enrol(
                station,
                signing_public=keys.raw_public(signing),
                seal_public=seal.public_key().public_bytes_raw(),
                actor="bench",
            )
            path = folder / "devices" / f"{station.number}-{d}"
            DeviceState.create(
                path,
                server="http://127.0.0.1:1",
                station=station.number,
                signing_key=signing,
                seal_key=seal,
                commission_key=commission,
            )
            directories.setdefault(station.number, []).append(path)
    return {
        "persons": [(p.pk, p.pin, p.station.number) for p in persons],
        "directories": directories,
        "enrol_s": enrol_s,
    }


# -- the day ------------------------------------------------------------------------------------


def plant_offline_doubles(plan: Any, devices: int) -> list[Any]:
    """In each outage, one voter who voted there tries again on the station's other device
    before the network is back: the double a device cannot see (two ballots issued)."""
    from dataclasses import replace

    from shailoo.synth.election_day import DOUBLE, VOTE

    planted = []
    for outage in plan.outages if devices >= 2 else ():
        inside = [v for v in plan.visits if v.station == outage.station
                  and v.kind == VOTE and outage.start <= v.at < outage.end]  # fmt: skip
        for first in inside:
            at = first.at + datetime.timedelta(seconds=WINDOW_S)
            if at < outage.end:
                planted.append(replace(first, at=at, kind=DOUBLE, retry=False,
                                       session=first.session + 1))  # fmt: skip
                break
    return planted


class Day:
    """Plays the plan through the devices; keeps every answer and every call's time."""

    def __init__(
        self,
        plan: Any,
        devices: dict[int, list[Any]],
        probes: dict[Any, Any],
        listed: dict[int, int],
        extra: list[Any],
    ) -> None:
        self.plan, self.devices, self.probes, self.listed = plan, devices, probes, listed
        self.extra = extra
        self.planted = set(plan.planted) | set(extra)
        self.offline: set[int] = set()
        self.latency: list[float] = []
        self.when: list[float] = []  # when each timed call started
        self.answers: list[tuple[Any, int, dict[str, Any]]] = []  # (visit, device index, answer)
        self.lock = threading.Lock()
        self.done = 0
        self.used: dict[int, int] = {}  # person -> device index of their first visit
        self.retries: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def captures(self, person: int, session: int) -> list[Any]:
        from shailoo.polling.client.device import Capture

        return [Capture(kind, data) for kind, data in self.probes[(person, session)]]

    def _call(self, device: Any, **kwargs: Any) -> dict[str, Any]:
        started = time.perf_counter()
        answer: dict[str, Any] = device.check_in(**kwargs)
        if not answer.get("offline"):
            with self.lock:
                self.latency.append(time.perf_counter() - started)
                self.when.append(started)
        return answer

    def visit(self, visit: Any) -> None:
        from shailoo.synth.election_day import DOUBLE, UNREADABLE, WRONG_STATION

        station, own = visit.station, self.listed[visit.person_id]
        if visit.kind == DOUBLE and (visit in self.planted or station in self.offline):
            # A second ballot needs the voter on the device's list: the plan's offline double
            # is played on the other device of the voter's own station, inside its outage.
            station = own
        devices = self.devices[station]
        if visit.kind == DOUBLE and station == own:
            first = self.used.get(visit.person_id, 0)
            index = (first + 1) % len(devices)
        else:
            index = visit.person_id % len(devices)
            self.used.setdefault(visit.person_id, index)
        device = devices[index]
        if visit.kind == UNREADABLE:
            stranger = self.captures(10**9 + visit.person_id, 1)
            for _ in range(3):
                self._call(device, captures=stranger)
            answer = self._call(device, pin=visit.pin, mode="manual", attempts=3,
                                manual_reason="not_identified_document_checked")  # fmt: skip
        else:
            probe = self.captures(visit.person_id, visit.session)
            request: dict[str, Any] = {"captures": probe}
            answer = self._call(device, **request)
            tries = 1
            while answer["outcome"] == "not_identified" and tries < 3:
                # Not found among this station's list: the commission reads the document's
                # PIN and verifies the finger 1:1 (where the voter is listed, if not here).
                request = {"captures": probe, "pin": visit.pin, "mode": "verify"}
                answer = self._call(device, **request)
                tries += 1
            if answer["outcome"] == "not_identified" and visit.kind != WRONG_STATION:
                request = {"pin": visit.pin, "mode": "manual", "attempts": tries,
                           "manual_reason": "not_identified_document_checked"}  # fmt: skip
                answer = self._call(device, **request)
            if visit.retry:  # the answer was lost on the way: the same request, the same key
                again = self._call(device, key=answer["key"], **request)
                with self.lock:
                    self.retries.append((answer, again))
        with self.lock:
            self.answers.append((visit, index, answer))
            self.done += 1

    def play(self, threads: int, on_progress: Any) -> None:
        visits = sorted([*self.plan.visits, *self.extra], key=lambda v: (v.at, v.station))
        outages = {o.station: o for o in self.plan.outages}
        windows: dict[int, list[Any]] = {}
        start = visits[0].at
        for v in visits:
            windows.setdefault(int((v.at - start).total_seconds() // WINDOW_S), []).append(v)
        offline = self.offline
        with ThreadPoolExecutor(threads) as pool:
            for w in sorted(windows):
                at = start + datetime.timedelta(seconds=w * WINDOW_S)
                for number, outage in outages.items():
                    if number not in self.devices:
                        continue
                    down = outage.start <= at < outage.end
                    if down and number not in offline:
                        offline.add(number)
                        for d in self.devices[number]:
                            d.go_offline()
                    elif not down and number in offline:
                        offline.discard(number)
                        for d in self.devices[number]:
                            d.go_online()
                            d.sync()
                by_station: dict[int, list[Any]] = {}
                for v in windows[w]:
                    by_station.setdefault(v.station, []).append(v)
                futures = [pool.submit(self._station, vs) for vs in by_station.values()]
                for future in futures:
                    future.result()
                on_progress(self.done)
        for number in offline:
            for d in self.devices[number]:
                d.go_online()
                d.sync()

    def _station(self, visits: list[Any]) -> None:
        for v in visits:
            self.visit(v)


def baseline(folder: Path, stations: int, sample: list[tuple[int, int, int]], probes: Any) -> float:
    """Check-ins per second of the matcher alone on the same galleries (this process)."""
    _env(folder, stations)
    from shailoo.biometrics import services as biometrics
    from shailoo.geo.models import PollingStation

    galleries = {}
    for number in {s for _, _, s in sample}:
        galleries[number] = biometrics.station_gallery(PollingStation.objects.get(number=number))[0]
    th = biometrics.thresholds()
    started = time.perf_counter()
    for person, session, number in sample:
        probe = biometrics.probe_of(
            [biometrics.Capture(k, d) for k, d in probes[(person, session)]]
        )
        galleries[number].identify(probe.fingers, face=probe.face, thresholds=th)
    return len(sample) / (time.perf_counter() - started)


def check(folder: Path, day: Day, truth: Any) -> dict[str, int]:
    """The final state against what the devices were told and what the plan says."""
    from shailoo.incidents.models import Case
    from shailoo.polling.models import CheckIn, SecondIssue

    ballots = Counter(CheckIn.objects.values_list("person_id", flat=True))
    seconds = list(SecondIssue.objects.values_list("person_id", "case_reference", "offline"))
    issued_by_device = {a["voter"]["ref"] for _, _, a in day.answers
                        if a.get("outcome") == "issued" and "voter" in a}  # fmt: skip
    # Lost: a ballot a device reported issued that the server does not hold, or a voter the
    # plan brings to vote who holds none.
    lost = len(issued_by_device - set(ballots)) + len(set(truth.voted) - set(ballots))
    double = sum(1 for n in ballots.values() if n > 1)
    double += sum(1 for _, _, offline in seconds if not offline)
    cases = set(Case.objects.filter(alert_kind="polling.double_vote_attempt")
                .values_list("alert_subject", "station__number"))  # fmt: skip
    refused = {(f"register.person:{a['voter']['ref']}", a["station"]) for _, _, a in day.answers
               if a.get("outcome") == "already_voted"}  # fmt: skip
    missed = len(refused - cases) + sum(1 for _, case, _ in seconds if not case)
    # Every ballot a device reported issued to a voter who already had one must be a second
    # issue on the server (with its case): one not recorded is an alert missed.
    issued_answers = Counter(a["voter"]["ref"] for _, _, a in day.answers
                             if a.get("outcome") == "issued" and "voter" in a)  # fmt: skip
    seconds_of = Counter(person for person, _, _ in seconds)
    missed += sum(max(0, n - 1 - seconds_of[p]) for p, n in issued_answers.items())
    # A resent request must get the first answer back, whatever happened in between.
    changed = sum(1 for first, again in day.retries if again.get("outcome") != first.get("outcome"))
    return {"lost": lost, "double": double, "missed_alerts": missed, "second_issues": len(seconds),
            "already_voted": len(refused), "ballots": sum(ballots.values()),
            "retries": len(day.retries), "retry_changed": changed}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stations", type=int, default=30)
    parser.add_argument("--voters", type=int, default=250, help="enrolled voters per station")
    parser.add_argument("--devices", type=int, default=2, help="devices per station")
    parser.add_argument("--turnout", type=float, default=0.6)
    parser.add_argument("--retry", type=float, default=0.10)
    parser.add_argument("--offline", type=float, default=0.01, help="share of stations")
    parser.add_argument("--double", type=float, default=0.001)
    parser.add_argument("--kill-at", type=float, default=0.5, help="share of visits; 0: never")
    parser.add_argument(
        "--threads", type=int, default=2, help="stations checking in at once (offered load)"
    )
    parser.add_argument("--server-threads", type=int, default=4, help="threads per worker")
    # Waitress, one process, as `shailoo serve` runs it: on SQLite two gunicorn workers
    # measured slower here (their writers wait on the database file's lock).
    parser.add_argument(
        "--server-workers", type=int, default=1, help="gunicorn worker processes (1: waitress)"
    )
    parser.add_argument("--workers", type=int, default=2, help="processes making templates")
    parser.add_argument("--dump", type=Path, help="write every call's latency and time here")
    args = parser.parse_args()

    from shailoo.synth.election_day import Voter, plan_day

    with tempfile.TemporaryDirectory(prefix="shailoo-election-day-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        cast = setup(folder, args.stations, args.voters, args.devices, args.workers)
        from zoneinfo import ZoneInfo

        from django.conf import settings

        plan = plan_day(
            [Voter(pk, pin, number) for pk, pin, number in cast["persons"]],
            polling_day=datetime.date.today(), tz=ZoneInfo(settings.TIME_ZONE), seed=SEED,
            turnout=args.turnout, retry_rate=args.retry, offline_rate=args.offline,
            double_rate=args.double,
        )  # fmt: skip
        extra = plant_offline_doubles(plan, args.devices)
        visits = [*plan.visits, *extra]
        wanted = sorted(
            {(v.person_id, v.session) for v in visits if v.session > 0}
            | {(10**9 + v.person_id, 1) for v in visits if v.session < 0}
        )
        probes = _many(wanted, args.workers)
        print(f"setup {time.perf_counter() - t0:.0f} s (enrolment {cast['enrol_s']:.0f} s): "
              f"{len(cast['persons'])} voters, {len(plan.visits)} visits, "
              f"{len(plan.outages)} outages", flush=True)  # fmt: skip
        from django.db import connections

        connections.close_all()
        server = Server(folder, args.stations, args.server_threads, args.server_workers)
        server.start()
        atexit.register(server.stop)  # never leave a server behind, whatever fails
        from shailoo.polling.client.device import StationDevice
        from shailoo.polling.client.state import DeviceState

        devices: dict[int, list[Any]] = {}
        for number, paths in cast["directories"].items():
            for path in paths:
                config = json.loads((path / "config.json").read_text())
                config["server"] = server.url
                (path / "config.json").write_text(json.dumps(config))
                device = StationDevice(DeviceState.load(path), retries=30, backoff_s=0.25)
                device.download_package()
                device.open(ballots_received=args.voters + 10)
                devices.setdefault(number, []).append(device)
        listed = {pk: number for pk, _, number in cast["persons"]}
        day = Day(plan, devices, probes, listed, extra)
        total = len(plan.visits) + len(extra)
        killed: dict[str, float] = {}

        def on_progress(done: int) -> None:
            if args.kill_at and not killed and done >= args.kill_at * total:
                threading.Thread(target=_kill, daemon=True).start()
                killed["at"] = done

        def _kill() -> None:
            time.sleep(0.05)  # into the next window: requests are in flight
            killed["when"] = time.perf_counter()
            server.kill()
            killed["restart_s"] = server.start()

        started = time.perf_counter()
        try:
            day.play(args.threads, on_progress)
        finally:
            elapsed = time.perf_counter() - started
            server.stop()
        connections.close_all()
        result = check(folder, day, plan.expected())
        calls = len(day.latency)
        latency = sorted(day.latency)
        p99 = latency[int(0.99 * (len(latency) - 1))] * 1000 if latency else float("nan")
        p50 = latency[len(latency) // 2] * 1000 if latency else float("nan")
        sample = [(v.person_id, v.session, v.station) for v in plan.visits
                  if v.kind == "vote"][:: max(1, total // 300)]  # fmt: skip
        base_rate = baseline(folder, args.stations, sample, probes)
        rate = calls / elapsed
        outcomes = Counter(a.get("outcome") for _, _, a in day.answers)
        slow = sorted(zip(day.latency, day.when, strict=True), reverse=True)[:12]
        steady = sorted(d for d, w in zip(day.latency, day.when, strict=True)
                        if not 0 <= w - killed.get("when", -1e9) < 60)  # fmt: skip
        kill_at = killed.get("when", 0.0)
        print("slowest calls (ms, s after start, s after the kill):", [
            (round(d * 1000), round(w - started, 1), round(w - kill_at, 1)) for d, w in slow
        ])  # fmt: skip
        print(f"{calls} check-in calls in {elapsed:.1f} s; outcomes {dict(outcomes)}")
        print(f"p50 {p50:.1f} ms, p99 {p99:.1f} ms; server killed after {killed.get('at')} "
              f"visits, back in {killed.get('restart_s', 0):.1f} s; {result}")  # fmt: skip
        if steady:
            print(f"p99 outside the minute after the kill: "
                  f"{steady[int(0.99 * (len(steady) - 1))] * 1000:.0f} ms")  # fmt: skip
        print(f"baseline: the matcher alone identifies {base_rate:.1f} probes/s in one thread")
        if args.dump:  # every call: its latency and when it started, after the kill (s)
            timed = zip(day.latency, day.when, strict=True)
            args.dump.write_text(json.dumps([(round(d * 1000, 1), round(w - kill_at, 2))
                                             for d, w in timed]))  # fmt: skip
        print(
            f"RESULT election_day checkins_per_s={rate:.1f} p99_ms={p99:.0f} "
            f"lost={result['lost']} double={result['double']} "
            f"missed_alerts={result['missed_alerts']} "
            f"scale={args.stations}x{args.voters} ratio={rate / base_rate:.2f}"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    else:
        main()
