"""The demo's polling day: election definition, protocols of every station, planted problems.

After the register is loaded, :func:`build_counting` gives the synthetic country an election
definition (``shailoo.synth.definition``, imported with ``counting.services``), then a manual
count and an automatic count for every contest at every polling station from synthetic votes
(``shailoo.synth.votes``). Most stations are clean and accepted (written in bulk, see
``results_bulk``); a few carry the problems the platform exists to catch, and those go
through the real services one call at a time, exactly as staff pages would:

* **discrepancy**: the commission's protocol moves a few votes from the leader to the
  runner-up (a rewritten protocol); the scanners disagree, acceptance is refused, an alert
  opens;
* **control**: an arithmetic slip in the ballot balance; acceptance is refused, an alert opens;
* **disputed**: the TEC disputes the protocol on an observer's complaint (one after accepting
  it);
* **scanned**: real ballot images, read by the OMR engine (``ballots``); their doubtful
  sheets wait at ``/staff/counting/`` and the protocol waits for them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count
from django.db.models.functions import Coalesce

from shailoo.common.cli import console, progress
from shailoo.common.refusals import Refusal
from shailoo.counting.definition import ElectionDefinition, dump_definition
from shailoo.counting.results import decisions
from shailoo.counting.results import services as results
from shailoo.counting.results.models import CountingAlert, Protocol
from shailoo.counting.services import import_definition
from shailoo.demo.ballots import ScanSummary, scan_stations
from shailoo.demo.results_bulk import CleanProtocol, accept_clean
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.register.models import Person
from shailoo.synth.definition import make_definition
from shailoo.synth.votes import ContestFigures, StationPlace, misadded, shifted, station_figures

#: How many stations carry each planted problem (fewer in a very small country).
PLANTED = {"scanned": 2, "discrepancy": 3, "control": 1, "disputed": 3}
#: Stations with fewer voters are never picked for a planted problem (too few votes to move).
MIN_PLANTED_VOTERS = 20
DISPUTE_REASON = (
    "Observers' complaint: the copy of the protocol posted at the station shows other "
    "figures; a recount aloud is requested (Art. 35(14))."
)


@dataclass
class CountingSummary:
    """What the demo's polling day produced (printed in the demo summary)."""

    definition_file: Path
    contests: int
    stations: int
    status: dict[str, int] = field(default_factory=dict)
    blocked: int = 0
    open_alerts: int = 0
    planted: dict[str, list[int]] = field(default_factory=dict)
    scans: ScanSummary | None = None


def pec(station: PollingStation) -> str:
    """The system actor standing for the station's precinct commission."""
    return f"demo:pec-{station.number}"


def tec(station: PollingStation) -> str:
    """The system actor standing for the station's territorial commission."""
    return f"demo:tec-{station.tec.code}"


def load_definition(election: Election, seed: int, out: Path) -> ElectionDefinition:
    """Generate the definition for the stations in the database and import it (service)."""
    stations = [
        (str(number), region, tec_code)
        for number, region, tec_code in PollingStation.objects.values_list(
            "number", "region__code", "tec__code"
        ).order_by("number")
    ]
    definition = make_definition(
        stations,
        seed=seed,
        law_edition=election.law_edition,
        election_date=election.polling_day,
        election_id=election.code,
    )
    out.write_text(dump_definition(definition), encoding="utf-8")
    done = import_definition(election, definition, "demo")
    console.print(
        f"election definition: {done.action}, {done.contests} contests, {done.options} options, "
        f"{done.styles} ballot styles, {done.stations} stations -> {out}"
    )
    return definition


def voters_per_station() -> dict[int, int]:
    """Voters on each station's list on polling day (remote voters where they vote)."""
    voting = Coalesce("remote_station__number", "station__number")
    rows = (
        Person.objects.filter(eligible=True)
        .annotate(voting=voting)
        .values("voting")
        .annotate(n=Count("pk"))
        .values_list("voting", "n")
    )
    return {int(number): int(n) for number, n in rows}


def plant(seed: int, figures: list[ContestFigures]) -> dict[str, list[int]]:
    """Which stations carry which planted problem: disjoint, deterministic by seed.

    Only stations with at most two protocols (not the stations abroad that issue every
    district's sheet) are picked, among those with enough voters for a few votes to move;
    in a country too small for that, the largest stations.
    """
    protocols: dict[int, list[ContestFigures]] = {}
    for item in figures:
        protocols.setdefault(item.station, []).append(item)
    size = {
        number: min(i.lines["voters_on_list"] for i in items)
        for number, items in protocols.items()
        if len(items) <= 2
    }
    wanted = sum(PLANTED.values())
    eligible = sorted(n for n, voters in size.items() if voters >= MIN_PLANTED_VOTERS)
    if len(eligible) < wanted:
        eligible = sorted(sorted(size, key=lambda n: (-size[n], n))[:wanted])
    chosen = random.Random(f"demo.planted/{seed}").sample(eligible, min(wanted, len(eligible)))
    out: dict[str, list[int]] = {}
    for kind, count in PLANTED.items():
        out[kind] = sorted(chosen[:count])
        chosen = chosen[count:]
    return out


def build_counting(
    election: Election,
    seed: int,
    out_dir: Path,
    on_definition: Callable[[ElectionDefinition], ElectionDefinition] | None = None,
) -> CountingSummary:
    """Definition, scans, protocols and decisions for every station of the demo country.

    ``on_definition`` may change the loaded definition before any ballot exists (the
    candidates step puts the registered candidates on it) and returns the one to use.
    """
    definition = load_definition(election, seed, out_dir / "definition.json")
    if on_definition is not None:
        definition = on_definition(definition)
        (out_dir / "definition.json").write_text(dump_definition(definition), encoding="utf-8")
    stations = {
        s.number: s
        for s in PollingStation.objects.select_related("region", "tec").order_by("number")
    }
    voters = voters_per_station()
    places = [
        StationPlace(number, station.region.code, voters.get(number, 0))
        for number, station in stations.items()
    ]
    figures = station_figures(seed, definition, places)
    planted = plant(seed, figures)
    special = {number for numbers in planted.values() for number in numbers}
    by_station: dict[int, list[ContestFigures]] = {}
    for item in figures:
        by_station.setdefault(item.station, []).append(item)

    clean = [
        CleanProtocol(
            station=stations[item.station],
            contest_id=item.contest_id,
            lines=item.lines,
            votes=item.votes,
            automatic=item.votes,
            entered_by=pec(stations[item.station]),
            accepted_by=tec(stations[item.station]),
        )
        for item in figures
        if item.station not in special
    ]
    with progress() as bar:
        task = bar.add_task("protocols (accepted)", total=len(clean))
        accept_clean(election, clean, lambda n: bar.update(task, completed=n))

    for number in planted["discrepancy"]:
        for item in by_station[number]:
            _discrepancy(election, stations[number], item, seed)
    for number in planted["control"]:
        for item in by_station[number]:
            _reported(election, stations[number], misadded(item), item.votes)
    for i, number in enumerate(planted["disputed"]):
        for item in by_station[number]:
            _disputed(election, stations[number], item, accept_first=i == 0)
    scans = scan_stations(
        election,
        definition,
        [stations[n] for n in planted["scanned"]],
        by_station,
        seed,
        out_dir / "scans",
    )
    for number in planted["scanned"]:
        for item in by_station[number]:
            results.enter_protocol(
                election,
                stations[number],
                item.contest_id,
                item.lines,
                item.votes,
                pec(stations[number]),
            )

    status = dict(
        Protocol.objects.filter(election=election)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return CountingSummary(
        definition_file=out_dir / "definition.json",
        contests=len(definition.contests),
        stations=len(stations),
        status={s: int(status.get(s, 0)) for s in Protocol.Status.values},
        blocked=Protocol.objects.filter(
            election=election, status=Protocol.Status.REPORTED, acceptable=False
        ).count(),
        open_alerts=CountingAlert.objects.filter(election=election, resolved=False).count(),
        planted=planted,
        scans=scans,
    )


def _reported(
    election: Election,
    station: PollingStation,
    item: ContestFigures,
    automatic: dict[str, int],
) -> None:
    """The scanners' count, then the commission's protocol (services)."""
    results.record_automatic_count(election, station, item.contest_id, automatic, pec(station))
    results.enter_protocol(election, station, item.contest_id, item.lines, item.votes, pec(station))


def _discrepancy(
    election: Election, station: PollingStation, item: ContestFigures, seed: int
) -> None:
    """A rewritten protocol: a few votes moved; the TEC's acceptance is refused."""
    moved = random.Random(f"demo.moved/{seed}/{station.number}").randint(3, 9)
    rewritten = shifted(item, moved)
    _reported(election, station, rewritten, item.votes)
    if rewritten.votes == item.votes:  # no valid vote to move in a tiny country
        return
    protocol = Protocol.objects.get(election=election, station=station, contest_id=item.contest_id)
    try:
        decisions.accept_protocol(protocol, tec(station))
    except Refusal as exc:
        if exc.code != "blocked":
            raise
    else:
        raise RuntimeError(f"station {station.number}: a rewritten protocol was accepted")


def _disputed(
    election: Election, station: PollingStation, item: ContestFigures, *, accept_first: bool
) -> None:
    """Entered (and maybe accepted), then disputed by the TEC with a reason."""
    _reported(election, station, item, item.votes)
    protocol = Protocol.objects.get(election=election, station=station, contest_id=item.contest_id)
    if accept_first:
        decisions.accept_protocol(protocol, tec(station))
    decisions.dispute_protocol(protocol, tec(station), DISPUTE_REASON)
