"""The demo's polling day: the enrolled stations' devices check their voters in for real.

Each station whose voters the demo enrolled gets an identification device (keys made here,
enrolled through ``polling.devices.enrol``, a state directory under ``var/devices``); a
synthetic day (``shailoo.synth.election_day``: turnout, retries, an outage, a double attempt,
unreadable fingers) is played through the reference client against the platform served on
loopback for the purpose, exactly as tablets would (``shailoo device simulate``). The devices'
clocks follow the plan compressed onto the demo's minute, so the turnout by hour shows the
hours of the run, not of the polling day in the calendar: a rehearsal of the day.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from django.conf import settings

from shailoo.biometrics.models import BiometricEnrolment
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity import heads, keys
from shailoo.polling import devices
from shailoo.polling.client.state import DeviceState
from shailoo.synth.election_day import Voter, plan_day

ACTOR = "demo:devices"


@dataclass
class ElectionDaySummary:
    """What the demo's day produced, for the closing screen."""

    stations: list[int] = field(default_factory=list)
    totals: dict[str, Any] = field(default_factory=dict)


def _serve() -> tuple[Any, str]:
    """The platform on a free loopback port, in a thread (waitress, as ``shailoo serve``)."""
    from django.core.wsgi import get_wsgi_application
    from waitress.server import create_server

    settings.DEBUG = False  # as `shailoo serve` runs it: no technical error pages
    server = create_server(get_wsgi_application(), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return server, f"http://127.0.0.1:{server.effective_port}"


def enrol_devices(stations: Sequence[PollingStation], folder: Path, server: str) -> dict[int, Path]:
    """One device per station: keys, enrolment, state directory."""
    shutil.rmtree(folder, ignore_errors=True)
    commission = keys.raw_public(heads.load_signing_key())
    made = {}
    for station in stations:
        signing, seal = keys.generate(), X25519PrivateKey.generate()
        devices.enrol(
            station,
            signing_public=keys.raw_public(signing),
            seal_public=seal.public_key().public_bytes_raw(),
            actor=ACTOR,
            label=f"demo tablet {station.number}",
        )
        path = folder / f"station-{station.number}"
        DeviceState.create(
            path,
            server=server,
            station=station.number,
            signing_key=signing,
            seal_key=seal,
            commission_key=commission,
        )
        made[station.number] = path
    return made


def run_election_day(election: Election, seed: int, numbers: Sequence[int]) -> ElectionDaySummary:
    """Play the polling day at the stations ``numbers`` (their voters must be enrolled)."""
    from shailoo.demo.device_sim import simulate_many, totals

    stations = list(PollingStation.objects.filter(number__in=numbers).order_by("number"))
    enrolled = (
        BiometricEnrolment.objects.filter(active=True, person__station__in=stations)
        .values_list("person_id", "person__pin", "person__station__number")
        .order_by("person_id")
    )
    voters = [Voter(pk, pin or "", number) for pk, pin, number in enrolled]
    summary = ElectionDaySummary(stations=[s.number for s in stations])
    if not voters:
        return summary
    plan = plan_day(
        voters,
        polling_day=election.polling_day,
        tz=ZoneInfo(settings.TIME_ZONE),
        seed=seed,
        turnout=0.6,
        offline_rate=0.34,
        double_rate=0.01,
    )
    server, url = _serve()
    try:
        folders = enrol_devices(stations, Path(settings.VAR_DIR) / "devices", url)
        summaries = simulate_many(folders, plan, seed=seed, workers=2)
    finally:
        server.close()
    summary.totals = totals(summaries)
    return summary
