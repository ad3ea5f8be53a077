"""Station galleries ready before the voters: rebuilt in the background after a restart.

A server that restarts on polling day (a crash, a deployment) has lost its matcher galleries;
without this, the first voter at each station waits seconds while the station's templates are
decrypted and prepared. At its first device request the process starts one background thread
that prepares the galleries of every station that has opened, so that most stations never
meet a cold gallery. ``SHAILOO_POLLING_WARM_GALLERIES=0`` turns it off (the tests do: their
in-memory database is not shared with other threads).
"""

from __future__ import annotations

import logging
import threading

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
    """Prepare the gallery of each station that opened in the current election; how many."""
    try:
        election = current_election()
        opened = StationReport.objects.filter(election=election, kind="opening").values("station")
        stations = list(PollingStation.objects.filter(pk__in=opened).order_by("number"))
        for station in stations:
            biometrics.station_gallery(station)
        return len(stations)
    except Refusal as exc:  # no current election: nothing to prepare
        log.info("gallery warm-up skipped: %s", exc.code)
        return 0
    finally:
        if threading.current_thread() is not threading.main_thread():
            connection.close()
