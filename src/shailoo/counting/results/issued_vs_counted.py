"""Ballots the station devices issued against the ballots the commissions counted.

On election day every ballot handed out is recorded by a station's identification device
(``polling.CheckIn``, and ``polling.SecondIssue`` for a second ballot to one voter while
devices were offline). After the count, each commission's protocol says how many ballots it
issued (``ballots_issued``) and how many it found in the boxes (``ballots_found``). The two
records are made by different hands, so where they disagree something happened that the
forensic checks must see, in the direction it went:

* more ballots in the box than the devices issued is the classic sign of ballot stuffing (or of
  ballots handed out with no device record);
* fewer ballots in the box than the devices issued means ballots taken away, lost or not
  counted;
* a protocol that says more ballots were issued than the devices recorded points at ballots
  handed out outside the devices (an unrecorded manual issue) or at an inflated protocol; one
  that says fewer, at an understated protocol.

Differences are signed *protocol minus devices*, with no tolerance: ballots are counted one
by one. A ballot counts for a contest when it carries it: with an imported definition, a
voter's ballot carries the contests of their own station's ballot styles (a voter at a
remote-voting station gets their own district's ballot), so a district contest's protocol at a
remote-voting station is compared with the ballots of that district's voters only. Without a
definition, or for a voter whose own station has no ballot style, every ballot counts for
every contest of the station where it was issued.

The comparison reads the protocols' current versions whatever their status (the status is in
each row) and the devices' records in a fixed number of queries, whatever the number of
stations: ``shailoo results issued-vs-counted``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TextIO

from django.db.models import Count, Q

from shailoo.common import csvout
from shailoo.common.problems import Problem
from shailoo.counting.models import BallotStyle
from shailoo.counting.results.models import Protocol
from shailoo.counting.results.protocol import MAX_COUNT, ProtocolInputError
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.polling.models import CheckIn, SecondIssue

__all__ = [
    "CSV_COLUMNS",
    "DEVICES_ABOVE_LIST",
    "EXPLANATIONS",
    "FOUND_ABOVE_DEVICES",
    "FOUND_BELOW_DEVICES",
    "ISSUED_ABOVE_DEVICES",
    "ISSUED_BELOW_DEVICES",
    "NO_PROTOCOL",
    "Row",
    "compare",
    "csv_row",
    "write_csv",
]

#: More ballots found in the boxes than the devices issued: the classic stuffing sign.
FOUND_ABOVE_DEVICES = "found_above_devices"
#: Fewer ballots found in the boxes than the devices issued: taken away, lost or not counted.
FOUND_BELOW_DEVICES = "found_below_devices"
#: The protocol issued more ballots than the devices recorded: unrecorded issue, or inflated.
ISSUED_ABOVE_DEVICES = "protocol_issued_above_devices"
#: The protocol issued fewer ballots than the devices recorded: an understated protocol.
ISSUED_BELOW_DEVICES = "protocol_issued_below_devices"
#: The devices issued more ballots than the protocol has voters on the list.
DEVICES_ABOVE_LIST = "devices_above_list"
#: The devices issued ballots at a station that has reported no protocol (yet): not a
#: difference of figures, so it does not make a row differ.
NO_PROTOCOL = "no_protocol"

#: What each finding means, for the command line and the CSV's readers (English, as the CLI).
EXPLANATIONS: Mapping[str, str] = {
    FOUND_ABOVE_DEVICES: "more ballots in the box than the devices issued (stuffing sign)",
    FOUND_BELOW_DEVICES: "fewer ballots in the box than the devices issued (taken, lost)",
    ISSUED_ABOVE_DEVICES: "protocol issued more than the devices recorded (unrecorded issue)",
    ISSUED_BELOW_DEVICES: "protocol issued fewer than the devices recorded (understated)",
    DEVICES_ABOVE_LIST: "devices issued more ballots than voters on the protocol's list",
    NO_PROTOCOL: "ballots issued by the devices, no protocol reported",
}


@dataclass(frozen=True, slots=True)
class Row:
    """One contest's protocol at one station against the ballots its devices issued.

    A station where the devices issued ballots but no protocol was reported has one row with
    ``contest == ""`` and the protocol's figures ``None``.
    """

    station: int
    region: str
    tec: str
    contest: str
    #: The protocol's status (reported, accepted, disputed) and current version; "" / None
    #: when there is no protocol.
    status: str
    version: int | None
    voters_on_list: int | None
    ballots_issued: int | None
    ballots_found: int | None
    #: Ballots carrying the contest that the devices recorded at this station: first issues
    #: (check-ins), second ballots to a voter who had one, and how many of the first were
    #: issued by the documented manual procedure.
    devices_first: int
    devices_second: int
    devices_manual: int

    @property
    def devices_issued(self) -> int:
        """Every ballot the devices recorded here: a second ballot is a ballot in the box too."""
        return self.devices_first + self.devices_second

    @property
    def issued_difference(self) -> int | None:
        """Protocol's ballots issued minus the devices' (positive: the protocol has more)."""
        return None if self.ballots_issued is None else self.ballots_issued - self.devices_issued

    @property
    def found_difference(self) -> int | None:
        """Ballots found in the boxes minus the devices' issued (positive: more in the box)."""
        return None if self.ballots_found is None else self.ballots_found - self.devices_issued

    @property
    def turnout_devices(self) -> float | None:
        """The devices' ballots over the protocol's voters on the list."""
        if not self.voters_on_list:
            return None
        return self.devices_issued / self.voters_on_list

    @property
    def turnout_protocol(self) -> float | None:
        """The protocol's ballots issued over its voters on the list."""
        if not self.voters_on_list or self.ballots_issued is None:
            return None
        return self.ballots_issued / self.voters_on_list

    @property
    def findings(self) -> tuple[str, ...]:
        """What disagrees, as codes, in the direction it goes (``EXPLANATIONS`` says each)."""
        if self.ballots_issued is None or self.ballots_found is None:
            return (NO_PROTOCOL,)
        found: list[str] = []
        if self.ballots_found > self.devices_issued:
            found.append(FOUND_ABOVE_DEVICES)
        elif self.ballots_found < self.devices_issued:
            found.append(FOUND_BELOW_DEVICES)
        if self.ballots_issued > self.devices_issued:
            found.append(ISSUED_ABOVE_DEVICES)
        elif self.ballots_issued < self.devices_issued:
            found.append(ISSUED_BELOW_DEVICES)
        if self.voters_on_list is not None and self.devices_issued > self.voters_on_list:
            found.append(DEVICES_ABOVE_LIST)
        return tuple(found)

    @property
    def differs(self) -> bool:
        """Whether the protocol's figures disagree with the devices' (a missing protocol does
        not: there is nothing to disagree with yet)."""
        return any(code != NO_PROTOCOL for code in self.findings)


def _line(lines: object, name: str, where: str) -> int:
    """A stored protocol line, checked where it is read (the column is only JSON)."""
    value = lines.get(name) if isinstance(lines, Mapping) else None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_COUNT:
        raise ProtocolInputError(
            [Problem(f"{where}.lines.{name}", f"stored value {value!r} is not a count")]
        )
    return value


def _by_home_station(query: Any) -> dict[int, dict[int | None, tuple[int, int]]]:
    """Ballots per issuing station and the voter's own station: (all, manual)."""
    grouped = (
        query.values_list("station_id", "person__station_id")
        .annotate(n=Count("pk"), manual=Count("pk", filter=Q(method=CheckIn.Method.MANUAL)))
        .values_list("station_id", "person__station_id", "n", "manual")
        .order_by()
    )
    out: dict[int, dict[int | None, tuple[int, int]]] = defaultdict(dict)
    for station, home, n, manual in grouped:
        out[station][home] = (int(n), int(manual))
    return out


def _contests_by_station(election: Election) -> dict[int, set[str]]:
    """The contests each station's ballot styles carry (from the imported definition)."""
    carried: dict[int, set[str]] = defaultdict(set)
    styles = BallotStyle.objects.filter(election=election)
    for station, codes in styles.values_list("stations__id", "contest_codes"):
        if station is not None and isinstance(codes, list):
            carried[station].update(str(code) for code in codes)
    return carried


def _count_for(
    issued: Mapping[int | None, tuple[int, int]],
    contest: str | None,
    carried: Mapping[int, set[str]],
) -> tuple[int, int]:
    """Ballots among ``issued`` that carry ``contest`` (all of them when ``None``)."""
    total = manual = 0
    for home, (n, m) in issued.items():
        styles = carried.get(home) if home is not None else None
        if contest is None or not styles or contest in styles:
            total += n
            manual += m
    return total, manual


def compare(election: Election) -> list[Row]:
    """Every protocol's current version against the devices' ballots, by station and contest,
    plus one row per station whose devices issued ballots but which reported no protocol;
    ordered by station number and contest."""
    first = _by_home_station(CheckIn.objects.filter(election=election))
    second = _by_home_station(SecondIssue.objects.filter(election=election))
    carried = _contests_by_station(election)
    protocols = (
        Protocol.objects.filter(election=election, current__isnull=False)
        .values_list(
            "station_id",
            "station__number",
            "station__region__code",
            "station__tec__code",
            "contest_id",
            "status",
            "current__number",
            "current__lines",
        )
        .order_by("station__number", "contest_id")
    )
    rows: list[Row] = []
    reported: set[int] = set()
    for station, number, region, tec, contest, status, version, lines in protocols:
        reported.add(station)
        where = f"protocol.{number}.{contest}.v{version}"
        first_n, manual = _count_for(first.get(station, {}), contest, carried)
        second_n, _ = _count_for(second.get(station, {}), contest, carried)
        rows.append(
            Row(
                station=number,
                region=region or "",
                tec=tec or "",
                contest=contest,
                status=status,
                version=version,
                voters_on_list=_line(lines, "voters_on_list", where),
                ballots_issued=_line(lines, "ballots_issued", where),
                ballots_found=_line(lines, "ballots_found", where),
                devices_first=first_n,
                devices_second=second_n,
                devices_manual=manual,
            )
        )
    silent = (set(first) | set(second)) - reported
    places = PollingStation.objects.filter(pk__in=silent).values_list(
        "pk", "number", "region__code", "tec__code"
    )
    for station, number, region, tec in places:
        first_n, manual = _count_for(first.get(station, {}), None, carried)
        second_n, _ = _count_for(second.get(station, {}), None, carried)
        rows.append(
            Row(
                station=number,
                region=region or "",
                tec=tec or "",
                contest="",
                status="",
                version=None,
                voters_on_list=None,
                ballots_issued=None,
                ballots_found=None,
                devices_first=first_n,
                devices_second=second_n,
                devices_manual=manual,
            )
        )
    rows.sort(key=lambda row: (row.station, row.contest))
    return rows


CSV_COLUMNS: tuple[str, ...] = (
    "election",
    "region",
    "tec",
    "station",
    "contest",
    "status",
    "version",
    "voters_on_list",
    "ballots_issued",
    "ballots_found",
    "devices_first",
    "devices_second",
    "devices_manual",
    "devices_issued",
    "issued_difference",
    "found_difference",
    "turnout_devices",
    "turnout_protocol",
    "findings",
)


def _share(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def csv_row(election_code: str, row: Row) -> list[object]:
    """One row's cells in the order of :data:`CSV_COLUMNS` (absent figures are empty)."""
    return [
        election_code,
        row.region,
        row.tec,
        row.station,
        row.contest,
        row.status,
        row.version,
        row.voters_on_list,
        row.ballots_issued,
        row.ballots_found,
        row.devices_first,
        row.devices_second,
        row.devices_manual,
        row.devices_issued,
        row.issued_difference,
        row.found_difference,
        _share(row.turnout_devices),
        _share(row.turnout_protocol),
        ";".join(row.findings),
    ]


def write_csv(election_code: str, rows: Iterable[Row], out: TextIO) -> int:
    """Write every row (differing or not) as CSV; returns the number of data rows."""
    writer = csvout.Writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for row in rows:
        writer.writerow(csv_row(election_code, row))
        count += 1
    return count
