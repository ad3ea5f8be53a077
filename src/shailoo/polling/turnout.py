"""Turnout from check-ins: live for staff, published at the law's reporting times.

Live figures count every ballot recorded so far by the local hour it was issued. A
publication freezes the figures as of one reporting time (ballots issued by then and known by
the time it is written); ballots from devices that were offline reach the next publication, so
a published figure never changes afterwards.
"""

from __future__ import annotations

import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.dispatch import Signal
from django.utils import timezone

from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition
from shailoo.polling.models import CheckIn, TurnoutPublication
from shailoo.polling.tally import Place, Row, figures
from shailoo.register.models import Person

#: Sent once a publication has committed, with ``publication``: the portal queues messages to
#: turnout subscribers. Sent robustly after the commit: a receiver never fails a publication.
turnout_published = Signal()


def zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def listed_by_station() -> dict[int, int]:
    """Eligible voters on each station's list today (remote voters at their remote station)."""
    numbers = dict(PollingStation.objects.values_list("pk", "number"))
    listed: dict[int, int] = dict.fromkeys(numbers.values(), 0)
    home = (
        Person.objects.filter(eligible=True, remote_station__isnull=True)
        .values_list("station_id")
        .annotate(n=Count("pk"))
        .values_list("station_id", "n")
    )
    remote = (
        Person.objects.filter(eligible=True, remote_station__isnull=False)
        .values_list("remote_station_id")
        .annotate(n=Count("pk"))
        .values_list("remote_station_id", "n")
    )
    for pk, n in (*home, *remote):
        listed[numbers[pk]] += n
    return listed


def places() -> dict[int, Place]:
    return {
        number: Place(tec, region)
        for number, tec, region in PollingStation.objects.values_list(
            "number", "tec__code", "region__code"
        )
    }


def rows(election: Election, as_of: datetime.datetime | None = None) -> list[Row]:
    """Ballots by station and local hour (issued by ``as_of`` when given).

    Hours count from midnight of polling day: a ballot of the mobile box on the day before
    (home voting) at 15:00 is hour -9, so the two days never mix and hours sum to the total.
    """
    query = CheckIn.objects.filter(election=election)
    if as_of is not None:
        query = query.filter(issued_at__lte=as_of)
    grouped = (
        query.annotate(
            hour=ExtractHour("issued_at", tzinfo=zone()),
            day=TruncDate("issued_at", tzinfo=zone()),
        )
        .values_list("station__number", "day", "hour")
        .annotate(
            n=Count("pk"),
            manual=Count("pk", filter=Q(method="manual")),
            home=Count("pk", filter=Q(kind="home")),
        )
        .values_list("station__number", "day", "hour", "n", "manual", "home")
    )
    return [Row(s, _hour(election, d, h), n, m, home) for s, d, h, n, m, home in grouped]


def _hour(election: Election, day: datetime.date, hour: int) -> int:
    """The hour counted from midnight of polling day; a ballot on any other day than polling
    day and the day before (a rehearsal of the devices) counts in its local hour."""
    before = (election.polling_day - day).days
    return hour - 24 * before if before in (0, 1) else hour


def live(election: Election) -> dict[str, Any]:
    """Figures as recorded now."""
    result = figures(rows(election), listed_by_station(), places())
    result["as_of"] = timezone.now().isoformat()
    return result


def reporting_instants(election: Election) -> list[datetime.datetime]:
    law = load_edition(election.law_edition).election_day
    return list(law.reporting_instants(election.polling_day, zone()))


def publish_due(
    election: Election, *, now: datetime.datetime | None = None
) -> list[TurnoutPublication]:
    """Write every publication whose reporting time has come and that is not written yet."""
    now = now or timezone.now()
    done = set(TurnoutPublication.objects.filter(election=election).values_list("as_of", flat=True))
    written = []
    listed, where = None, None
    for instant in reporting_instants(election):
        if instant > now or instant in done:
            continue
        if listed is None:
            listed, where = listed_by_station(), places()
        assert where is not None
        data = figures(rows(election, instant), listed, where)
        data["as_of"] = instant.isoformat()
        try:
            with transaction.atomic():
                publication = TurnoutPublication.objects.create(
                    election=election, as_of=instant, published_at=now, figures=data
                )
                ledger.record(
                    "polling.turnout_published",
                    actor="polling",
                    subject=ledger.ref(publication),
                    data={
                        "election": election.code,
                        "as_of": instant.isoformat(),
                        "listed": data["country"]["listed"],
                        "voted": data["country"]["voted"],
                    },
                )
                transaction.on_commit(
                    partial(
                        turnout_published.send_robust, TurnoutPublication, publication=publication
                    )
                )
        except IntegrityError:  # another process published it first
            continue
        written.append(publication)
    return written


def published(election: Election) -> list[TurnoutPublication]:
    return list(TurnoutPublication.objects.filter(election=election).order_by("as_of"))
