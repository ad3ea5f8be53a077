"""A check-in decided on the device alone, when the server cannot be reached.

The device decides from its sealed station package: it identifies the voter in its own gallery
(or finds the document's PIN among the list's salted PIN hashes for 1:1 verification and the
manual procedure), refuses a voter it knows has a ballot, and otherwise issues and appends the
issue to its queue — on disk before the answer is shown. A request whose fate is unknown (sent,
no answer) is queued under its own key and clock reading, so if the server did record it the
sync gets that first answer back instead of a second ballot.

Home voting (kind ``home``) needs the server: the registered requests are not in the package,
so offline the device says it cannot decide rather than issue.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from shailoo.biometrics.identification import UnknownReference
from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput
from shailoo.polling import hlc
from shailoo.polling.client.captures import Capture, probe_of
from shailoo.polling.client.checkin_request import (
    ALREADY_VOTED,
    ISSUED,
    METHOD,
    NEEDS_SERVER,
    NOT_IDENTIFIED,
    NOT_ON_LIST,
)
from shailoo.polling.client.state import DeviceState, QueuedIssue, Voted
from shailoo.polling.client.station_package import ListRow, NoPackage, StationPackage

_NOT_IDENTIFIED: Final = (
    "Not identified: try again; after the allowed attempts use the manual procedure."
)
_NOT_ON_LIST: Final = "Not on this station's list (offline check): do not issue."


def decide_offline(
    package: StationPackage | None,
    state: DeviceState,
    request: Mapping[str, Any],
    captures: Sequence[Capture],
    *,
    reading: Callable[[], int],
) -> dict[str, Any]:
    """The answer to ``request`` (the body the device would have sent) decided from the
    package and what the device knows; an issue is queued and recorded before it returns.

    ``reading`` gives the hybrid-logical-clock value of an issue: the one already sent with
    the request when its fate is unknown, else a fresh tick. It is called only when a ballot
    is issued. Raises :class:`NoPackage` without a package, ``InvalidInput`` for a bad
    capture or manual reason.
    """
    if package is None:
        raise NoPackage("no_package", "offline without a station package: nothing to decide with")
    key, mode = request["key"], request["mode"]
    base: dict[str, Any] = {
        "key": key,
        "station": state.config.station,
        "repeat": False,
        "offline": True,
    }

    def done(outcome: str, message: str, **more: Any) -> dict[str, Any]:
        return {**base, "outcome": outcome, "message": message, **more}

    if request["kind"] == "home":
        return done(
            NEEDS_SERVER,
            "Home voting needs the server (registered requests are not on the device): "
            "do not issue until the network is back.",
        )
    pin = request.get("pin")
    row: ListRow | None
    if mode == "manual":
        check_manual(package, request)
        row = package.row_of_pin(pin or "")
        if row is None:
            return done(NOT_ON_LIST, _NOT_ON_LIST)
    else:
        fingers, face = probe_of(captures)
        if mode == "verify":
            row = package.row_of_pin(pin or "")
            if row is None:
                return done(NOT_ON_LIST, _NOT_ON_LIST)
            try:
                result = package.gallery.verify(
                    str(row.ref), fingers, face, thresholds=package.thresholds
                )
            except UnknownReference:
                result = None
            if result is None or result.decision != "verified":
                return done(NOT_IDENTIFIED, _NOT_IDENTIFIED)
        else:
            found = package.gallery.identify(fingers, face, thresholds=package.thresholds)
            if found.decision != "identified":
                return done(NOT_IDENTIFIED, _NOT_IDENTIFIED)
            row = package.rows[int(found.candidates[0][0])]
    voter = row.voter()
    known = state.voted(row.ref)
    if known is not None and known.key == key:  # this very request, before a restart
        return done(ISSUED, "Issue the ballot (already decided for this request).", voter=voter)
    if known is not None:
        return done(
            ALREADY_VOTED,
            f"Already voted at station {known.station} at {known.at[11:16]}: do not issue.",
            voter=voter,
            voted_station=known.station,
            voted_at=known.at,
        )
    value = reading()
    issue = QueuedIssue(
        key=key,
        hlc=value,
        person=row.ref,
        method=METHOD[mode],
        kind=request["kind"],
        manual_reason=request.get("manual_reason", "") if mode == "manual" else "",
    )
    state.enqueue(issue)
    state.record_voted(
        Voted(row.ref, state.config.station, hlc.to_datetime(value).isoformat(), key, "offline")
    )
    return done(
        ISSUED,
        "Issue the ballot (decided offline; it will be sent when the network is back).",
        voter=voter,
        ballot_style=row.ballot_style,
        method=issue.method,
        kind=issue.kind,
    )


def check_manual(package: StationPackage, request: Mapping[str, Any]) -> None:
    """Refuse a manual issuance whose reason the law edition does not name, or one for a
    voter not identified before the law's number of failed biometric attempts."""
    reason = request.get("manual_reason", "")
    if reason not in package.manual_reasons:
        raise InvalidInput(
            "manual_reason",
            f"unknown manual-issuance reason: use one of {', '.join(package.manual_reasons)}",
            problems=[Problem("manual_reason", "not a reason the law edition names")],
        )
    if (
        reason == "not_identified_document_checked"
        and request["attempts"] < package.identification_attempts
    ):
        raise InvalidInput(
            "too_few_attempts",
            f"the manual procedure needs {package.identification_attempts} failed "
            "biometric attempts first",
            problems=[Problem("attempts", f"at least {package.identification_attempts}")],
        )
