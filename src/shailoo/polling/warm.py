"""Station galleries ready before the voters: rebuilt in the background after a restart.

A server that restarts on polling day (a crash, a deployment) has lost its matcher galleries;
without this, the first voter at each station waits seconds while the station's templates are
decrypted and prepared. At its first device request the process starts one background thread
that prepares the galleries of every station that has opened, so that most stations never
meet a cold gallery. ``SHAILOO_POLLING_WARM_GALLERIES=0`` turns it off (the tests do: their
in-memory database is not shared with other threads).

``prepare_for_serving`` is the readiness gate: ``shailoo serve`` calls it before it accepts a
connection, so that a restarted server answers its first check-ins as fast as its last ones —
the matcher's compiled kernels loaded, the opened stations' galleries in memory, the URL map
and the check-in views imported, and all of it frozen out of the garbage collector's scans.
The devices retry while the server is not listening; their requests wait for a ready server
instead of queueing behind its warm-up.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
import time
import wsgiref.util
from typing import Any

from django.conf import settings
from django.db import connection

from shailoo.biometrics import services as biometrics
from shailoo.common.refusals import Refusal
from shailoo.elections.services import current_election
from shailoo.geo.models import PollingStation
from shailoo.polling.models import StationReport

log = logging.getLogger("shailoo.polling")
_lock = threading.Lock()
_started = False


def warm_once() -> None:
    """Start the background preparation, once per process (cheap after the first call)."""
    global _started
    if _started or not getattr(settings, "POLLING_WARM_GALLERIES", True):
        return
    with _lock:
        if _started:
            return
        _started = True
    threading.Thread(target=warm_opened, name="polling-gallery-warm", daemon=True).start()


def warm_opened() -> int:
    """Prepare the gallery of each station open now in the current election; how many.

    Stations that have closed need no gallery: after polling day a restarted server keeps
    its memory for the results night instead of every station's templates.
    """
    try:
        election = current_election()
        reports = StationReport.objects.filter(election=election)
        opened = reports.filter(kind="opening").values("station")
        closed = reports.filter(kind="closing").values("station")  # a results night loads none
        stations = list(
            PollingStation.objects.filter(pk__in=opened).exclude(pk__in=closed).order_by("number")
        )
        for station in stations:
            biometrics.station_gallery(station)
        return len(stations)
    except Refusal as exc:  # no current election: nothing to prepare
        log.info("gallery warm-up skipped: %s", exc.code)
        return 0
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()


def prepare_for_serving(application: Any = None) -> dict[str, float]:
    """Warm what a check-in needs before the server listens; what was done and how long.

    With ``application`` (the WSGI callable about to be served) one ``/healthz`` request goes
    through it, so the middleware chain and the database connection are made before a voter's.
    Safe without a current election (nothing to prepare) and with galleries that cannot be
    read (they are built on first use, as before): a server must start even then.
    """
    from django.urls import resolve

    from shailoo.biometrics import mcc
    from shailoo.law.loader import load_edition

    started = time.perf_counter()
    mcc.warm()
    matcher_s = time.perf_counter() - started
    resolve("/api/polling/checkins/")  # imports the URL map and the device API's views
    with contextlib.suppress(Refusal):  # no current election: nothing to load
        load_edition(current_election().law_edition)  # parsed once, then cached
    if application is not None:
        _request_itself(application)
    galleries = warm_opened()
    global _started
    _started = True  # nothing left for the background warm-up of the first request
    # Everything loaded so far (galleries, URL map, law) lives as long as the process: moved
    # out of the collector's sight, it is not scanned again by the full collections that
    # the first minutes' allocations trigger (each a pause of hundreds of milliseconds
    # under a voter's request, with galleries in memory).
    gc.collect()
    gc.freeze()
    took = {"matcher_s": matcher_s, "galleries": float(galleries),
            "total_s": time.perf_counter() - started}  # fmt: skip
    log.info("ready for check-ins: %s", {k: round(v, 2) for k, v in took.items()})
    return took


def _request_itself(application: Any) -> None:
    environ: dict[str, Any] = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET",
                               "REMOTE_ADDR": "127.0.0.1"}  # fmt: skip
    wsgiref.util.setup_testing_defaults(environ)
    body = application(environ, lambda status, headers, exc_info=None: None)
    for _ in body:
        pass
    if hasattr(body, "close"):
        body.close()
