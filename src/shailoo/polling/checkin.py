"""Check-in: a voter in front of a station device, identified, checked and given a ballot once.

Exactly once, wherever the network allows it: the ballot is a :class:`CheckIn` row under a
unique constraint on (election, voter), written in one transaction with the device's answer
(keyed by the request's idempotency key), its clock reading, the attempt counters and the
ledger entry. A retried request (the device lost the answer, the server was killed between
commit and reply) finds its answer and gets it back unchanged; two stations racing for one
voter meet at the constraint, and the loser is told where and when the voter already voted
while the response groups get an alert.

Where the network does not allow it (devices offline), a device issues ballots from its own
gallery and sends them later (``polling.offline``).

Identification runs before the transaction: the matcher's 50-100 ms hold no database lock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.biometrics import services as biometrics
from shailoo.common.refusals import InvalidInput, NotFound
from shailoo.elections.models import Election
from shailoo.elections.services import current_election
from shailoo.geo.models import PollingStation
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition
from shailoo.polling import devices
from shailoo.polling.models import (
    Answer,
    Attempt,
    CheckIn,
    Device,
    HomeVotingRequest,
)
from shailoo.register.models import Person

ISSUED: Final = "issued"
ALREADY_VOTED: Final = "already_voted"
NOT_ON_LIST: Final = "not_on_list"
NOT_IDENTIFIED: Final = "not_identified"
INELIGIBLE: Final = "ineligible"
NO_HOME_REQUEST: Final = "no_home_request"
SECOND_ISSUE: Final = "second_issue"
IRREGULAR: Final = "irregular"
MODES: Final = ("identify", "verify", "manual")
# Methods and kinds as plain strings (the models' choices hold the same values).
IDENTIFIED, VERIFIED, MANUAL = "identified", "verified", "manual"
AT_STATION, HOME, REMOTE, ABROAD = "station", "home", "remote", "abroad"
KINDS: Final = ("station", "home")
ENTRY: Final = "polling.ballot_issued"
SECOND_ENTRY: Final = "polling.second_ballot"


@dataclass(frozen=True, slots=True)
class Request:
    """A live check-in as the device sends it."""

    key: str
    hlc: int
    mode: str
    kind: str = "station"
    captures: tuple[biometrics.Capture, ...] = ()
    pin: str = ""
    manual_reason: str = ""
    attempts: int = 0


@dataclass(slots=True)
class _Found:
    person: Person | None
    method: str
    scores: list[tuple[int, float]] = field(default_factory=list)


def law_of(election: Election) -> Any:
    return load_edition(election.law_edition).election_day


def answered(device: Device, key: str) -> dict[str, Any] | None:
    body = Answer.objects.filter(device=device, request_key=key).values_list("body", flat=True)
    first = body.first()
    return None if first is None else {**first, "repeat": True}


def actor_of(device: Device) -> str:
    return f"device:{device.key.key_id}"


# -- who is in front of the device ---------------------------------------------------------------


def _identify(device: Device, request: Request, law: Any) -> _Found:
    """Run the matcher (or the manual procedure) and say who the voter is, if anyone."""
    actor, station = actor_of(device), device.station
    if request.mode == "manual":
        reasons = law.manual_reasons.value
        if request.manual_reason not in reasons:
            raise InvalidInput(
                "manual_reason",
                gettext("Unknown manual-issuance reason: use one of %(codes)s.")
                % {"codes": ", ".join(sorted(reasons))},
            )
        if (
            request.manual_reason == "not_identified_document_checked"
            and request.attempts < law.identification_attempts.value
        ):
            raise InvalidInput(
                "too_few_attempts",
                gettext("The manual procedure needs %(n)d failed biometric attempts first.")
                % {"n": law.identification_attempts.value},
            )
        return _Found(_person_by_pin(request.pin), MANUAL)
    probe = biometrics.probe_of(request.captures)
    if probe.face is not None and "face" not in law.biometric_modalities.value:
        probe = biometrics.Probe(probe.fingers, None)
        if not probe.fingers:
            raise InvalidInput(
                "modality", gettext("This election identifies voters by fingerprint only.")
            )
    if request.mode == "verify":
        try:
            decision = biometrics.verify_pin(
                request.pin, probe, actor, device_key=device.key.key_id
            )
        except NotFound:
            return _Found(None, VERIFIED)
        person = decision.person if decision.decision == "verified" else None
        return _Found(person, VERIFIED, decision.candidates)
    decision = biometrics.identify_at_station(station, probe, actor, device_key=device.key.key_id)
    person = decision.person if decision.decision == "identified" else None
    return _Found(person, IDENTIFIED, decision.candidates)


def _person_by_pin(pin: str) -> Person | None:
    if not (len(pin) == 14 and pin.isascii() and pin.isdigit()):
        raise InvalidInput("pin", gettext("A PIN is 14 digits."))
    return Person.objects.select_related("station__district").filter(pin=pin).first()


# -- the law's rules -----------------------------------------------------------------------------


def listed_here(person: Person, station: PollingStation, law: Any) -> bool:
    """On this station's list today: own station, registered remote station, or abroad."""
    if person.remote_station_id is not None:
        return person.remote_station_id == station.pk
    if person.station_id == station.pk:
        return True
    return bool(station.is_abroad and law.abroad_any_station.value)


def kind_of(person: Person, station: PollingStation, asked: str) -> str:
    if asked == "home":
        return HOME
    if station.is_abroad:
        return ABROAD
    if person.remote_station_id == station.pk:
        return REMOTE
    return AT_STATION


def ballot_style(person: Person) -> str:
    """The voter's own district's ballot, wherever they vote (remote voting prints it)."""
    district = person.station.district
    return district.code if district is not None else ""


def voter_of(person: Person) -> dict[str, Any]:
    return {
        "ref": person.pk,
        "surname": person.surname,
        "given_name": person.given_name,
        "patronymic": person.patronymic,
        "birth_year": person.birth_date.year,
    }


def message(outcome: str, **facts: Any) -> str:
    texts = {
        ISSUED: gettext("Issue the ballot."),
        ALREADY_VOTED: gettext("Already voted at station %(station)s at %(at)s: do not issue."),
        NOT_ON_LIST: gettext("Not on this list: the voter is listed at station %(station)s."),
        NOT_IDENTIFIED: gettext(
            "Not identified: try again; after the allowed attempts use the manual procedure."
        ),
        INELIGIBLE: gettext("Not eligible to vote: do not issue."),
        NO_HOME_REQUEST: gettext("No registered request to vote at home: do not issue."),
        SECOND_ISSUE: gettext("Recorded as a second ballot to this voter: the groups are alerted."),
        IRREGULAR: gettext("Recorded as irregular: the groups are alerted."),
    }
    return texts[outcome] % facts if facts else texts[outcome]


# -- live check-in -------------------------------------------------------------------------------


def check_in(device: Device, request: Request) -> dict[str, Any]:
    """Identify the voter, apply the rules, issue at most once; the answer is kept by key."""
    stored = answered(device, request.key)
    if stored is not None:
        return stored
    if request.mode not in MODES or request.kind not in KINDS:
        raise InvalidInput("mode", gettext("Unknown check-in mode or kind."))
    election = current_election()
    law = law_of(election)
    found = _identify(device, request, law)
    try:
        with transaction.atomic():
            devices.advance(device, request.hlc)
            body = _decide(device, election, law, request, found)
            Answer.objects.create(
                device=device,
                request_key=request.key,
                outcome=body["outcome"],
                body=body,
                at=timezone.now(),
            )
    except (IntegrityError, devices.OutOfOrder):
        # A concurrent twin of this request (same key) won: answer what it answered.
        stored = answered(device, request.key)
        if stored is None:
            raise
        return stored
    return body


def _decide(
    device: Device, election: Election, law: Any, request: Request, found: _Found
) -> dict[str, Any]:
    station, person = device.station, found.person
    body: dict[str, Any] = {
        "key": request.key,
        "station": station.number,
        "hlc": str(request.hlc),  # what a device that lost this answer will sync it with
        "repeat": False,
    }
    if person is None:
        return _refused(body, device, election, None, NOT_IDENTIFIED)
    body["voter"] = voter_of(person)
    if not person.eligible:
        body["codes"] = [c for c in person.ineligible_codes.split(",") if c]
        return _refused(body, device, election, person, INELIGIBLE)
    if not listed_here(person, station, law):
        listed = person.remote_station or person.station
        body["listed_at"] = listed.number
        first = CheckIn.objects.select_related("station").filter(election=election, person=person)
        voted = first.first()
        if voted is not None:  # a voter who already voted, trying a station not their own
            return _already_voted(body, device, election, person, voted)
        return _refused(body, device, election, person, NOT_ON_LIST, station=listed.number)
    if (
        request.kind == "home"
        and not HomeVotingRequest.objects.filter(
            election=election, person=person, station=station, status="registered"
        ).exists()
    ):
        return _refused(body, device, election, person, NO_HOME_REQUEST)
    now = timezone.now()
    checkin = CheckIn(
        election=election,
        person=person,
        station=station,
        device=device,
        method=found.method,
        kind=kind_of(person, station, request.kind),
        manual_reason=request.manual_reason if found.method == MANUAL else "",
        ballot_style=ballot_style(person),
        hlc=request.hlc,
        issued_at=now,
        recorded_at=now,
        offline=False,
        request_key=request.key,
    )
    try:
        with transaction.atomic():
            checkin.save(force_insert=True)
    except IntegrityError:
        first = CheckIn.objects.select_related("station").get(election=election, person=person)
        return _already_voted(body, device, election, person, first)
    if checkin.kind == HOME:
        HomeVotingRequest.objects.filter(election=election, person=person).update(status="issued")
    record_ledger(checkin, device)
    body.update(
        outcome=ISSUED,
        ballot_style=checkin.ballot_style,
        method=checkin.method,
        kind=checkin.kind,
        checkin=checkin.pk,
        message=message(ISSUED),
    )
    return body


def _already_voted(
    body: dict[str, Any], device: Device, election: Election, person: Person, first: CheckIn
) -> dict[str, Any]:
    """Refuse the ballot, say where and when the voter voted, and alert the groups."""
    body["voted_station"] = first.station.number
    body["voted_at"] = first.issued_at.isoformat()
    _alert_double(election, person, first, device)
    local = timezone.localtime(first.issued_at).strftime("%H:%M")
    return _refused(
        body, device, election, person, ALREADY_VOTED, station=first.station.number, at=local
    )


def _refused(
    body: dict[str, Any],
    device: Device,
    election: Election,
    person: Person | None,
    outcome: str,
    **facts: Any,
) -> dict[str, Any]:
    Attempt.objects.create(
        election=election,
        station=device.station,
        device=device,
        person=person,
        outcome=outcome,
        at=timezone.now(),
    )
    body.update(outcome=outcome, message=message(outcome, **facts))
    return body


def record_ledger(checkin: CheckIn, device: Device | None) -> None:
    ledger.record(
        ENTRY,
        actor=actor_of(device) if device else "polling",
        subject=ledger.ref(checkin),
        data={
            "person": f"register.person:{checkin.person_id}",
            "election": checkin.election.code,
            "station": checkin.station.number,
            "method": checkin.method,
            "kind": checkin.kind,
            "manual_reason": checkin.manual_reason,
            "hlc": str(checkin.hlc),  # 64-bit: beyond what JSON numbers carry exactly
            "offline": checkin.offline,
            "request_key": checkin.request_key,
        },
    )


def _alert_double(election: Election, person: Person, first: CheckIn, device: Device) -> None:
    station, at = device.station, timezone.now()
    incidents.raise_alert(
        "polling",
        "double_vote_attempt",
        category="multiple_voting",
        severity="high",
        summary=gettext("A voter who already voted tried to vote again."),
        station=station.number,
        subject=f"register.person:{person.pk}",
        evidence={
            "voter": f"register.person:{person.pk}",
            "voted_station": first.station.number,
            "voted_at": first.issued_at.isoformat(),
            "attempt_station": station.number,
            "attempt_at": at.isoformat(),
            "device": device.key.key_id,
        },
        dedupe_key=f"polling:double:{election.code}:{person.pk}:{station.number}",
    )
