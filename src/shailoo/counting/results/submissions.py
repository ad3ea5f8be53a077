"""Signed protocol submissions from polling-station devices and commissions.

The request's signature is checked before this runs (``integrity.submissions``: key,
timestamp, sequence, body hash); here the body is read as a ``shailoo-protocol/1`` document,
the key's binding is checked against the station, and the protocol or automatic count goes
through the same services as a staff entry. Every problem in the body is located by field.
"""

from __future__ import annotations

import hashlib

from django.utils.translation import gettext

from shailoo.common import safe_json
from shailoo.common.refusals import InvalidInput, PermissionRefused
from shailoo.counting.results import signing
from shailoo.counting.results.models import AutomaticCount, ProtocolVersion
from shailoo.counting.results.services import (
    SIGNED,
    Signed,
    enter_protocol,
    record_automatic_count,
)
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity.models import RegisteredKey

SUBMISSION_FORMAT = "shailoo-protocol/1"
SUBMISSION_KINDS = ("protocol", "automatic_count")
#: A protocol is a few KiB of JSON.
MAX_BODY_BYTES = 1024 * 1024


def _bad(problems: list[tuple[str, str]]) -> InvalidInput:
    return InvalidInput(
        "invalid_submission", gettext("The submission has errors."), problems=problems
    )


def _nul_places(value: object) -> list[str]:
    """The key paths of every string (key or value) in ``value`` holding U+0000."""
    places: list[str] = []
    stack: list[tuple[str, object]] = [("", value)]  # no recursion: nesting is the sender's
    while stack:
        where, item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            places.append(where or "body")
        children: list[tuple[object, object]] = []
        if isinstance(item, dict):
            children = list(item.items())
        elif isinstance(item, list):
            children = list(enumerate(item))
        for key, child in children:
            path = f"{where}.{key}" if where else str(key)
            if isinstance(key, str) and "\x00" in key:
                places.append(path)
            stack.append((path, child))
    return sorted(places)


def submit_signed(
    key: RegisteredKey, body: bytes, signature: str
) -> ProtocolVersion | AutomaticCount:
    """A device's or commission's signed JSON (format ``shailoo-protocol/1``).

    ``{"format", "kind": "protocol"|"automatic_count", "election": code, "station": number,
    "contest": id, "lines": {...}, "votes": {...}}`` (``counts`` instead of lines and votes
    for an automatic count). The key must be bound to the station, to its TEC, or to the CEC.
    """
    try:  # untrusted: bounded depth and numbers, no NaN, no repeated key (common.safe_json)
        payload = safe_json.loads(body, max_bytes=MAX_BODY_BYTES, allow_nul=True)
    except safe_json.JsonInputError as exc:
        raise _bad([("body", exc.problems[0].why)]) from None
    if not isinstance(payload, dict):
        raise _bad([("body", "must be a JSON object")])
    nul = _nul_places(payload)
    if nul:  # no database text or JSON column can hold U+0000
        raise _bad([(where, "contains a NUL character (U+0000)") for where in nul])
    problems: list[tuple[str, str]] = []
    if payload.get("format") != SUBMISSION_FORMAT:
        problems.append(("format", f"must be {SUBMISSION_FORMAT!r}"))
    kind = payload.get("kind")
    if kind not in SUBMISSION_KINDS:
        problems.append(("kind", f"must be one of {', '.join(SUBMISSION_KINDS)}"))
    election = None
    code = payload.get("election")
    if not isinstance(code, str) or not code:
        problems.append(("election", "an election code is required"))
    else:
        election = Election.objects.filter(code=code).first()
        if election is None:
            problems.append(("election", f"no election {code[:60]!r}"))
    number = payload.get("station")
    station = None
    if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
        problems.append(("station", "a polling station number (positive integer) is required"))
    else:
        station = PollingStation.objects.select_related("tec").filter(number=number).first()
        if station is None:
            problems.append(("station", f"no polling station №{number}"))
    contest = payload.get("contest")
    if not isinstance(contest, str) or not contest:
        problems.append(("contest", "a contest id is required"))
    if problems or election is None or station is None or not isinstance(contest, str):
        raise _bad(problems)
    bound = key.station_number == station.number or key.commission_code in (
        signing.COMMISSION,
        station.tec.code,
    )
    if not bound:
        raise PermissionRefused(
            "forbidden",
            gettext("This key is not bound to polling station №%(number)s or its commission.")
            % {"number": station.number},
        )
    actor = f"key:{key.key_id}"
    if kind == "automatic_count":
        return record_automatic_count(
            election,
            station,
            contest,
            payload.get("counts"),
            actor,
            source=SIGNED,
            key_id=key.key_id,
        )
    digest = hashlib.sha256(body).hexdigest()
    return enter_protocol(
        election,
        station,
        contest,
        payload.get("lines"),
        payload.get("votes"),
        actor,
        signed=Signed(key.key_id, digest, signature),
    )
