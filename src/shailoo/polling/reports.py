"""Opening and closing reports of a station's devices.

The opening report says the device holds its station's package (by its hash) and how many
ballots the station received; the closing report adds what the commission counted by hand
(unused and spoiled ballots) and sets it against what the server recorded. Ballots received
must equal ballots issued (first and second issues) plus unused plus spoiled; a difference is
written into the report and raised as an alert, never smoothed over.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.common.refusals import Conflict, InvalidInput
from shailoo.elections.models import Election
from shailoo.elections.services import current_election
from shailoo.geo.models import PollingStation
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.polling import devices
from shailoo.polling.models import Attempt, CheckIn, Device, SecondIssue, StationReport


def _count(value: object, name: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
        raise InvalidInput(
            name, gettext("%(name)s must be a whole number from 0 to 100000.") % {"name": name}
        )
    return value


def station_counts(election: Election, station: PollingStation) -> dict[str, int]:
    """What the server recorded for a station: ballots by kind and method, refusals."""
    issued = CheckIn.objects.filter(election=election, station=station).aggregate(
        issued=Count("pk"),
        manual=Count("pk", filter=Q(method="manual")),
        home=Count("pk", filter=Q(kind="home")),
        offline=Count("pk", filter=Q(offline=True)),
    )
    seconds = SecondIssue.objects.filter(election=election, station=station).count()
    seconds_of_ours = SecondIssue.objects.filter(election=election, first__station=station).count()
    refused = dict(
        Attempt.objects.filter(election=election, station=station)
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return {
        **{k: int(v or 0) for k, v in issued.items()},
        "second_issues_here": seconds,
        "second_issues_of_voters_here": seconds_of_ours,
        **{f"refused_{k}": int(v) for k, v in refused.items()},
    }


def _report(device: Device, kind: str, data: dict[str, Any]) -> StationReport:
    election = current_election()
    try:
        with transaction.atomic():
            report = StationReport.objects.create(
                election=election,
                station=device.station,
                device=device,
                kind=kind,
                at=timezone.now(),
                data=data,
            )
            ledger.record(
                f"polling.station_{kind}",
                actor=f"device:{device.key.key_id}",
                subject=ledger.ref(report),
                data={"station": device.station.number, "election": election.code, **data},
            )
    except IntegrityError:
        raise Conflict(
            "reported",
            gettext("This device has already sent its %(kind)s report.") % {"kind": kind},
        ) from None
    return report


def open_station(
    device: Device, *, hlc_value: int, ballots_received: int, package_sha256: str
) -> StationReport:
    """The device is ready: it opened its package and the station has its ballots."""
    received = _count(ballots_received, "ballots_received")
    if len(package_sha256) != 64 or not all(c in "0123456789abcdef" for c in package_sha256):
        raise InvalidInput("package_sha256", gettext("package_sha256 is 64 hex digits."))
    with transaction.atomic():
        devices.advance(device, hlc_value)
    return _report(
        device,
        "opening",
        {"ballots_received": received, "package_sha256": package_sha256},
    )


def close_station(
    device: Device, *, hlc_value: int, ballots_unused: int, ballots_spoiled: int
) -> StationReport:
    """The station closed: the hand count of unused and spoiled ballots against the record."""
    unused = _count(ballots_unused, "ballots_unused")
    spoiled = _count(ballots_spoiled, "ballots_spoiled")
    election = current_election()
    station = device.station
    with transaction.atomic():
        devices.advance(device, hlc_value)
    opening = (
        StationReport.objects.filter(election=election, station=station, kind="opening")
        .order_by("at")
        .first()
    )
    counts = station_counts(election, station)
    data: dict[str, Any] = {"ballots_unused": unused, "ballots_spoiled": spoiled, **counts}
    if opening is not None:
        received = int(opening.data.get("ballots_received", 0))
        issued = counts["issued"] + counts["second_issues_here"]
        data["ballots_received"] = received
        data["difference"] = received - issued - unused - spoiled
    report = _report(device, "closing", data)
    if data.get("difference"):
        incidents.raise_alert(
            "polling",
            "ballot_balance",
            category="count_irregularity",
            summary=gettext("Ballots received do not match ballots issued, unused and spoiled."),
            station=station.number,
            subject=f"station:{station.number}",
            evidence={k: v for k, v in data.items() if isinstance(v, int)},
        )
    return report
