"""Requests to vote at home (the mobile ballot box), registered by the precinct commission.

The law edition names the grounds and the deadline (by a time on polling day). The mobile box
team's device then checks the voter in with kind ``home``; a check-in of that kind without a
registered request is refused, which is what keeps the mobile box from becoming a second
ballot box for whoever the team chooses.
"""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import Actor, actor_name
from shailoo.common.refusals import Conflict, InvalidInput
from shailoo.elections.services import current_election
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition
from shailoo.polling.checkin import listed_here
from shailoo.polling.models import HomeVotingRequest
from shailoo.register.models import Person


def register(
    person: Person,
    *,
    ground: str,
    address: str,
    actor: Actor,
    at: datetime.datetime | None = None,
) -> HomeVotingRequest:
    """Register a voter's request; refused after the deadline, on an unknown ground, for a
    voter not on the station's list, or twice."""
    station = person.remote_station or person.station
    require(actor, Permission.HOME_VOTING, station)
    election = current_election()
    law = load_edition(election.law_edition).election_day
    grounds = law.home_voting.grounds.value
    if ground not in grounds:
        raise InvalidInput(
            "ground",
            gettext("Unknown ground: use one of %(grounds)s.") % {"grounds": ", ".join(grounds)},
        )
    if not address.strip():
        raise InvalidInput("address", gettext("Say where the mobile box must go."))
    when = at or timezone.now()
    opens, until = law.home_voting_requests(election.polling_day, ZoneInfo(settings.TIME_ZONE))
    if not opens <= when < until:
        last = until - datetime.timedelta(days=1)
        raise Conflict(
            "home_deadline",
            gettext("Requests to vote at home are accepted from %(opens)s to %(last)s.")
            % {"opens": f"{opens:%d.%m.%Y}", "last": f"{last:%d.%m.%Y}"},
        )
    if not person.eligible or not listed_here(person, station, law):
        raise Conflict("not_listed", gettext("The voter is not on a list for this election."))
    try:
        with transaction.atomic():
            request = HomeVotingRequest.objects.create(
                election=election,
                person=person,
                station=station,
                ground=ground,
                address=address.strip()[:300],
                requested_at=when,
                registered_by=actor_name(actor),
            )
            ledger.record(
                "polling.home_request",
                actor=actor_name(actor),
                subject=ledger.ref(request),
                data={
                    "person": ledger.ref(person),
                    "station": station.number,
                    "ground": ground,
                    "election": election.code,
                },
            )
    except IntegrityError:
        raise Conflict(
            "home_twice", gettext("This voter already has a request to vote at home.")
        ) from None
    return request


def cancel(request: HomeVotingRequest, *, actor: Actor, reason: str) -> HomeVotingRequest:
    """Withdraw a request not yet served (the voter came to the station, or asked so)."""
    require(actor, Permission.HOME_VOTING, request.station)
    if request.status != HomeVotingRequest.Status.REGISTERED:
        raise Conflict("home_served", gettext("This request was already served or cancelled."))
    if not reason.strip():
        raise InvalidInput("reason", gettext("Say why the request is cancelled."))
    with transaction.atomic():
        request.status = HomeVotingRequest.Status.CANCELLED
        request.save(update_fields=["status"])
        ledger.record(
            "polling.home_request_cancelled",
            actor=actor_name(actor),
            subject=ledger.ref(request),
            data={"reason": reason.strip()[:300]},
        )
    return request
