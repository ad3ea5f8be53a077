"""What the staff pages of election day share: the election a page is about, the hours of
polling, how a voter is named, links to a station's record and to an incident case, and the
hourly bar chart.

Kept in one place so that the dashboard, a station's record and the home-voting requests name
a voter the same way (surname, initials and the row of the precinct list: never a PIN or a
template), show the same hour columns and link only where the reader may follow.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from shailoo.accounts.permissions import has_permission
from shailoo.accounts.roles import Permission
from shailoo.elections.models import Election
from shailoo.elections.services import election_named
from shailoo.geo.models import PollingStation
from shailoo.law.loader import load_edition
from shailoo.register.lists import precinct_rows
from shailoo.register.models import Person

#: Rows a list shows at most (stations, second issues, devices, requests, events).
LIST_LIMIT = 300
#: Height in pixels of the tallest bar of the hourly chart.
CHART_HEIGHT = 120
CHART_BAR = 34


# -- which election, which hours ---------------------------------------------------------------


def chosen_election(request: HttpRequest) -> Election:
    """``?election=CODE`` (letters, digits, hyphens), else the current election."""
    code = request.GET.get("election", "").strip()[:50]
    return election_named(code or None)


def election_day_law(election: Election) -> Any:
    """The election-day rules of the law edition the election runs under."""
    return load_edition(election.law_edition).election_day


def polling_hours(law: Any, seen: Iterable[int]) -> list[int]:
    """The hours of polling (opening to closing hour) and any other hour a ballot was issued
    in (home voting the day before, a device with a wrong clock): a column never hides one."""
    return sorted(set(range(law.opens.hour, law.closes.hour + 1)) | set(seen))


# -- voters ------------------------------------------------------------------------------------


def voter_name(person: Person) -> str:
    """Surname and initials: enough for the commission to find the row, not a full identity."""
    initials = " ".join(f"{part[0]}." for part in (person.given_name, person.patronymic) if part)
    return f"{person.surname} {initials}".strip()


class ListRows:
    """Each voter's row on the precinct list of the station they vote at, one sort per
    station per page (a list is a few thousand rows)."""

    def __init__(self) -> None:
        self._rows: dict[int, dict[str, int]] = {}

    def of(self, person: Person) -> tuple[int, int | None]:
        """(station number, row) of the voter's list; row None when not on it."""
        station = person.remote_station or person.station
        rows = self._rows.get(station.pk)
        if rows is None:
            rows = self._rows[station.pk] = {r.pin: r.number for r in precinct_rows(station)}
        return station.number, rows.get(person.pin)


@dataclass(frozen=True)
class Voter:
    """A voter as staff pages name one."""

    name: str
    station: int
    row: int | None


def voter(person: Person, rows: ListRows) -> Voter:
    number, row = rows.of(person)
    return Voter(voter_name(person), number, row)


# -- links the reader may follow ---------------------------------------------------------------


def station_link(user: Any, station: PollingStation) -> str:
    """The station's record, or "" when it is outside the user's territory."""
    if has_permission(user, Permission.POLLING_VIEW, station):
        return reverse("polling:station", args=[station.number])
    return ""


def case_link(user: Any, reference: str) -> str:
    """The incident case of a second ballot, or "" when none or the user may not see cases."""
    if reference and has_permission(user, Permission.INCIDENTS_VIEW):
        return reverse("incidents:case", args=[reference])
    return ""


# -- the hourly chart --------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    hour: int
    ballots: int
    x: int
    y: int
    height: int


@dataclass(frozen=True)
class Chart:
    """Ballots by hour as bars; drawn by the template as SVG shapes (no script, no style)."""

    bars: list[Bar]
    width: int
    height: int
    base: int
    label_y: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "label_y", self.base + 14)


def chart(hours: list[int], counts: list[int]) -> Chart:
    most = max(counts, default=0)
    top = 16
    bars = []
    for i, (hour, n) in enumerate(zip(hours, counts, strict=True)):
        height = 0 if most == 0 or n == 0 else max(2, round(CHART_HEIGHT * n / most))
        bars.append(Bar(hour, n, i * CHART_BAR + 4, top + CHART_HEIGHT - height, height))
    return Chart(bars, len(hours) * CHART_BAR + 8, top + CHART_HEIGHT + 20, top + CHART_HEIGHT)
