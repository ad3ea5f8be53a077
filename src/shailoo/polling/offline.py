"""Ballots issued offline, synced later: recorded once, in the order the device issued them.

A device without network issues ballots from its own gallery and list and queues them; when
it is back it sends them here. A ballot issued offline to a voter who already had one
elsewhere is a fact, not an error to drop: it is kept as a :class:`SecondIssue` under the law
edition's conflict rule (``offline_conflict_rule``), alerted to the response groups, and shown
on both stations' records. Each issue is answered once, by its idempotency key, like a live
check-in.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.common.refusals import InvalidInput
from shailoo.elections.models import Election
from shailoo.elections.services import current_election
from shailoo.incidents import services as incidents
from shailoo.integrity import ledger
from shailoo.polling import devices, hlc
from shailoo.polling.checkin import (
    HOME,
    IRREGULAR,
    ISSUED,
    KINDS,
    MANUAL,
    SECOND_ENTRY,
    SECOND_ISSUE,
    answered,
    ballot_style,
    kind_of,
    law_of,
    listed_here,
    message,
    record_ledger,
    voter_of,
)
from shailoo.polling.models import Answer, Attempt, CheckIn, Device, HomeVotingRequest, SecondIssue
from shailoo.register.models import Person


@dataclass(frozen=True, slots=True)
class OfflineIssue:
    """A ballot a device issued while offline, from its own gallery and list."""

    key: str
    hlc: int
    person: int
    method: str
    kind: str = "station"
    manual_reason: str = ""


def sync(device: Device, issues: Sequence[OfflineIssue]) -> list[dict[str, Any]]:
    """Record ballots a device issued offline, in the order it issued them.

    Each issue is answered on its own (a retried batch gets the first answers back); one that
    does not move the device's clock forward is refused as out of order, the rest go on.
    """
    election = current_election()
    law = law_of(election)
    answers: list[dict[str, Any]] = []
    people = _people({issue.person for issue in issues})
    for issue in issues:
        stored = answered(device, issue.key)
        answer_key, retold = issue.key, False
        if stored is not None and _lost_refusal(stored, issue):
            # The server refused this request online, the answer never reached the device,
            # and the device issued the ballot offline: a new fact, recorded on its own key.
            answer_key, retold = f"{issue.key[:55]}~offline", True
            stored = answered(device, answer_key)
        if stored is not None:
            answers.append(stored)
            continue
        person = people.get(issue.person)
        try:
            with transaction.atomic():
                if not retold:  # a retold request's reading was accepted with it already
                    devices.advance(device, issue.hlc)
                body = _offline(device, election, law, issue, person)
                Answer.objects.create(
                    device=device,
                    request_key=answer_key,
                    outcome=body["outcome"],
                    body=body,
                    at=timezone.now(),
                )
        except devices.OutOfOrder as exc:
            stored = answered(device, issue.key)
            answers.append(
                stored
                if stored is not None
                else {"key": issue.key, "outcome": "refused", "code": exc.code, "message": str(exc)}
            )
            continue
        answers.append(body)
    return answers


def _lost_refusal(stored: Mapping[str, Any], issue: OfflineIssue) -> bool:
    """Whether ``issue`` retells a live request the server refused (same key and reading)."""
    issued = stored.get("outcome") in (ISSUED, SECOND_ISSUE, IRREGULAR)
    return not issued and stored.get("hlc") == str(issue.hlc)


def _people(pks: set[int]) -> dict[int, Person]:
    query = Person.objects.select_related("station__district", "remote_station")
    return {p.pk: p for p in query.filter(pk__in=pks)}


def offline_time(device: Device, value: int) -> datetime.datetime:
    """When an offline issue happened, by the device's clock corrected by its known offset."""
    wall, _ = hlc.unpack(value)
    return datetime.datetime.fromtimestamp((wall - device.clock_offset_ms) / 1000, datetime.UTC)


def _offline(
    device: Device, election: Election, law: Any, issue: OfflineIssue, person: Person | None
) -> dict[str, Any]:
    station = device.station
    body: dict[str, Any] = {"key": issue.key, "station": station.number, "repeat": False}
    if issue.method not in CheckIn.Method.values or issue.kind not in KINDS:
        raise InvalidInput("method", gettext("Unknown issuance method or kind."))
    home_unregistered = (
        issue.kind == HOME
        and person is not None
        and not HomeVotingRequest.objects.filter(
            election=election, person=person, station=station, status="registered"
        ).exists()
    )
    listed = person is not None and person.eligible and listed_here(person, station, law)
    if person is None or not listed or home_unregistered:
        # The device said yes, the register (or the home-voting register) says no: a ballot
        # is out, keep it visible.
        incidents.raise_alert(
            "polling",
            "offline_off_list",
            category="count_irregularity",
            summary=gettext("A device issued a ballot offline to a voter not on its list."),
            station=station.number,
            subject=f"offline:{device.key.key_id}:{issue.key}",
            evidence={"person": issue.person, "device": device.key.key_id, "key": issue.key},
        )
        Attempt.objects.create(
            election=election,
            station=station,
            device=device,
            person=person,
            outcome=IRREGULAR,
            at=timezone.now(),
        )
        body.update(outcome=IRREGULAR, message=message(IRREGULAR))
        return body
    body["voter"] = voter_of(person)
    issued_at = offline_time(device, issue.hlc)
    now = timezone.now()
    fields: dict[str, Any] = {
        "station": station,
        "device": device,
        "method": issue.method,
        "kind": kind_of(person, station, issue.kind),
        "hlc": issue.hlc,
        "issued_at": issued_at,
        "recorded_at": now,
        "offline": True,
        "request_key": issue.key,
    }
    checkin = CheckIn(
        election=election,
        person=person,
        manual_reason=issue.manual_reason if issue.method == MANUAL else "",
        ballot_style=ballot_style(person),
        **fields,
    )
    try:
        with transaction.atomic():
            checkin.save(force_insert=True)
    except IntegrityError:
        return _second(body, election, law, person, fields)
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


_MOVED: Final = ("station", "device", "method", "kind", "hlc", "issued_at", "recorded_at")


def _second(
    body: dict[str, Any],
    election: Election,
    law: Any,
    person: Person,
    fields: Mapping[str, Any],
) -> dict[str, Any]:
    """Two ballots went to one voter: the rule picks which one is the vote; both are kept."""
    first = CheckIn.objects.select_for_update().get(election=election, person=person)
    rule = law.offline_conflict_rule.value
    later: dict[str, Any] = dict(fields)
    if rule == "earliest_issue" and fields["issued_at"] < first.issued_at:
        # The synced ballot came first: it becomes the vote, the standing one the second.
        later = {name: getattr(first, name) for name in (*_MOVED, "offline", "request_key")}
        for name in (*_MOVED, "offline", "request_key"):
            setattr(first, name, fields[name])
        first.save()
    second = SecondIssue.objects.create(
        election=election, person=person, first=first, rule=rule, **later
    )
    case = incidents.raise_alert(
        "polling",
        "second_ballot",
        category="multiple_voting",
        severity="critical",
        summary=gettext("Two ballots were issued to one voter (devices offline)."),
        station=second.station.number,
        subject=f"register.person:{person.pk}",
        evidence={
            "voter": f"register.person:{person.pk}",
            "vote_station": first.station.number,
            "vote_at": first.issued_at.isoformat(),
            "second_station": second.station.number,
            "second_at": second.issued_at.isoformat(),
            "rule": rule,
        },
        dedupe_key=f"polling:second:{election.code}:{person.pk}",
    )
    second.case_reference = case.reference
    second.save(update_fields=["case_reference"])
    ledger.record(
        SECOND_ENTRY,
        actor=f"device:{fields['device'].key.key_id}",
        subject=ledger.ref(second),
        data={
            "person": f"register.person:{person.pk}",
            "election": election.code,
            "vote": ledger.ref(first),
            "vote_station": first.station.number,
            "second_station": second.station.number,
            "rule": rule,
            "case": case.reference,
        },
    )
    body.update(
        outcome=SECOND_ISSUE,
        voted_station=first.station.number,
        voted_at=first.issued_at.isoformat(),
        case=case.reference,
        message=message(SECOND_ISSUE),
    )
    return body
