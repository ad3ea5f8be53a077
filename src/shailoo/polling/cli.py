"""``shailoo polling``: election day from the commission's side — station devices, turnout,
a station's record, home-voting requests, security events.

Exit codes: 0 done; 1 something to act on (a station with second ballots, a refusal by the
state of things); 2 bad input (an unknown station, PIN or ground: located).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape
from rich.table import Table

from shailoo.common.cli import console, django_setup

if TYPE_CHECKING:
    from shailoo.geo.models import PollingStation

app = typer.Typer(
    help="Election day: station devices, check-ins, turnout, home voting.", no_args_is_help=True
)
CLI = "cli"


def _refused(exc: object, code: int) -> typer.Exit:
    from shailoo.common.refusals import Refusal

    assert isinstance(exc, Refusal)
    console.print(f"[red]{escape(exc.message)}[/]", highlight=False)
    return typer.Exit(code)


def _station(number: int) -> PollingStation:
    from shailoo.geo.models import PollingStation

    station = PollingStation.objects.select_related("tec", "region").filter(number=number).first()
    if station is None:
        console.print(f"[red]--station {number}: no such polling station[/]")
        raise typer.Exit(2)
    return station


@app.command("enrol-device")
def enrol_device(
    station: int = typer.Option(..., "--station", help="Polling station number"),
    out: Path = typer.Option(..., "--out", help="Directory for the device's keys and config"),
    server: str = typer.Option("http://127.0.0.1:8000", "--server", help="Server the device uses"),
    label: str = typer.Option("", "--label", help="Which device (serial number, tablet name)"),
) -> None:
    """Make a device's keys, enrol it to the station, and write its state directory.

    The private keys never leave ``--out`` (0700, files 0600): copy it onto the device.
    """
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.integrity import heads, keys
    from shailoo.polling import devices, sealing
    from shailoo.polling.client.state import DeviceState

    place = _station(station)
    signing, seal = sealing.new_device_keys()
    commission = heads.load_signing_key()
    try:
        device = devices.enrol(
            place,
            signing_public=keys.raw_public(signing),
            seal_public=sealing.raw_public_x25519(seal),
            actor=CLI,
            label=label,
        )
    except Refusal as exc:
        raise _refused(exc, 2) from None
    DeviceState.create(
        out,
        server=server,
        station=station,
        signing_key=signing,
        seal_key=seal,
        commission_key=keys.raw_public(commission),
    )
    console.print(f"Device {device.key.key_id} enrolled to station №{station}; state in {out}")


@app.command("revoke-device")
def revoke_device(
    key_id: str = typer.Argument(..., help="The device's key id"),
    reason: str = typer.Option(..., "--reason", help="Why: lost, stolen, compromised"),
) -> None:
    """Revoke a device and its key: it signs nothing more."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.polling import devices
    from shailoo.polling.models import Device

    device = Device.objects.select_related("key", "station").filter(key__key_id=key_id).first()
    if device is None:
        console.print(f"[red]{escape(key_id)}: no such device[/]")
        raise typer.Exit(2)
    try:
        devices.revoke(device, reason=reason, actor=CLI)
    except Refusal as exc:
        raise _refused(exc, 1) from None
    console.print(f"Device {key_id} revoked.")


@app.command("devices")
def list_devices(
    station: int | None = typer.Option(None, "--station", help="Only this station"),
) -> None:
    """The devices: station, status, last seen, clock offset and whether it was flagged."""
    django_setup()
    from shailoo.polling.models import Device

    query = Device.objects.select_related("key", "station")
    if station is not None:
        query = query.filter(station__number=station)
    table = Table("station", "key", "status", "last seen", "clock offset s", "clock flagged")
    for d in query:
        table.add_row(
            str(d.station.number),
            d.key.key_id[:16],
            d.status,
            f"{d.last_seen_at:%H:%M:%S}" if d.last_seen_at else "-",
            f"{d.clock_offset_ms / 1000:+.1f}",
            "yes" if d.clock_flagged_at else "",
        )
    console.print(table)


@app.command("turnout")
def turnout(
    publish: bool = typer.Option(False, "--publish", help="Publish every reporting time due"),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON"),
) -> None:
    """Turnout now by region (and the country), from the ballots issued."""
    django_setup()
    from shailoo.elections.services import current_election
    from shailoo.polling import turnout as service

    election = current_election()
    if publish:
        for publication in service.publish_due(election):
            console.print(f"Published turnout as of {publication.as_of:%H:%M}.")
    figures = service.live(election)
    if as_json:
        typer.echo(json.dumps(figures, ensure_ascii=False, indent=1))
        return
    table = Table("where", "listed", "voted", "turnout %", "manual", "home")
    rows = [("country", figures["country"]), *sorted(figures["regions"].items())]
    for name, f in rows:
        share = "-" if f["turnout"] is None else f"{f['turnout']:.2f}"
        table.add_row(
            name, str(f["listed"]), str(f["voted"]), share, str(f["manual"]), str(f["home"])
        )
    console.print(table)


@app.command("station")
def station_record(number: int = typer.Argument(..., help="Polling station number")) -> None:
    """A station's election-day record: ballots, manual issuances, refusals, second ballots
    (issued here, or to voters who voted here), devices and reports."""
    django_setup()
    from shailoo.elections.services import current_election
    from shailoo.polling import reports
    from shailoo.polling.models import SecondIssue

    place = _station(number)
    election = current_election()
    counts = reports.station_counts(election, place)
    for name, value in counts.items():
        console.print(f"{name.replace('_', ' ')}: {value}")
    seconds = SecondIssue.objects.filter(election=election).select_related(
        "station", "first__station"
    )
    mine = [s for s in seconds if place.pk in (s.station_id, s.first.station_id)]
    for s in mine:
        console.print(
            f"[yellow]second ballot: voter {s.person_id}: vote at №{s.first.station.number} "
            f"{s.first.issued_at:%H:%M}, second at №{s.station.number} {s.issued_at:%H:%M} "
            f"(case {s.case_reference})[/]"
        )
    if mine:
        raise typer.Exit(1)


@app.command("home-request")
def home_request(
    pin: str = typer.Option(..., "--pin", help="The voter's PIN"),
    ground: str = typer.Option(..., "--ground", help="health, disability, ..."),
    address: str = typer.Option(..., "--address", help="Where the mobile box must go"),
) -> None:
    """Register a voter's request to vote at home (mobile ballot box)."""
    django_setup()
    from shailoo.common.refusals import InvalidInput, Refusal
    from shailoo.polling import home_voting
    from shailoo.register.models import Person

    person = Person.objects.select_related("station", "remote_station").filter(pin=pin).first()
    if person is None:
        console.print("[red]--pin: no person with this PIN is in the register[/]")
        raise typer.Exit(2)
    try:
        request = home_voting.register(person, ground=ground, address=address, actor=CLI)
    except InvalidInput as exc:
        raise _refused(exc, 2) from None
    except Refusal as exc:
        raise _refused(exc, 1) from None
    console.print(
        f"Home voting request {request.pk} registered at station №{request.station.number}."
    )


@app.command("security-events")
def security_events(
    station: int | None = typer.Option(None, "--station", help="Only this station"),
    limit: int = typer.Option(50, "--limit", help="How many, newest first"),
) -> None:
    """Refused and suspicious device requests: forged, replayed, revoked, clock wrong, ..."""
    django_setup()
    from shailoo.integrity.models import SecurityEvent

    query = SecurityEvent.objects.all()
    if station is not None:
        query = query.filter(station_number=station)
    table = Table("at", "kind", "station", "key", "detail")
    for e in query[:limit]:
        table.add_row(
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.kind,
            str(e.station_number or "-"),
            e.key_id[:16],
            escape(e.detail),
        )
    console.print(table)
