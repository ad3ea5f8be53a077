"""``shailoo device``: the reference station device — a simulated polling day, the tablet page.

The device itself is product code (``shailoo.polling.client``); what is synthetic here is the
voters in front of it (``shailoo.synth``), which is why the commands live with the demo.

Exit codes: 0 done; 1 the day ended with second ballots or refusals to look at; 2 bad input.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.markup import escape

from shailoo.common.cli import console, django_setup

app = typer.Typer(help="The reference station device: simulate a day, serve the tablet page.")


@app.command("simulate")
def simulate(
    devices: Path = typer.Option(
        ..., "--devices", help="Folder of device state directories named station-<number>"
    ),
    station: list[int] = typer.Option(..., "--station", help="Station number (repeatable)"),
    seed: int = typer.Option(16, "--seed", help="Seed of the synthetic day"),
    turnout: float = typer.Option(0.6, "--turnout", help="Share of the list that comes"),
    offline: float = typer.Option(0.0, "--offline", help="Share of stations with an outage"),
    double: float = typer.Option(0.001, "--double", help="Share of voters who try again"),
    workers: int = typer.Option(2, "--workers", help="Stations played at once"),
) -> None:
    """Play a synthetic polling day at the stations' devices against their server.

    The voters are the stations' enrolled voters in this installation's register; each
    device (``shailoo polling enrol-device --out <devices>/station-<number>``) opens, checks
    them in, loses its network during the plan's outages, syncs and closes.
    """
    django_setup()
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from shailoo.biometrics.models import BiometricEnrolment
    from shailoo.demo.device_sim import simulate_many, totals
    from shailoo.elections.services import current_election
    from shailoo.synth.election_day import Voter, plan_day

    folders = {n: devices / f"station-{n}" for n in station}
    missing = [str(p) for p in folders.values() if not (p / "config.json").exists()]
    if missing:
        console.print(f"[red]--devices: no device state in {escape(', '.join(missing))}[/]")
        raise typer.Exit(2)
    enrolled = (
        BiometricEnrolment.objects.filter(active=True, person__station__number__in=station)
        .values_list("person_id", "person__pin", "person__station__number")
        .order_by("person_id")
    )
    voters = [Voter(pk, pin or "", number) for pk, pin, number in enrolled]
    if not voters:
        console.print("[red]--station: no enrolled voters at these stations[/]")
        raise typer.Exit(2)
    plan = plan_day(
        voters,
        polling_day=current_election().polling_day,
        tz=ZoneInfo(settings.TIME_ZONE),
        seed=seed,
        turnout=turnout,
        offline_rate=offline,
        double_rate=double,
    )
    result = totals(simulate_many(folders, plan, seed=seed, workers=workers))
    for name, value in result.items():
        console.print(f"{name.replace('_', ' ')}: {value}")
    if result.get("second_issues"):
        raise typer.Exit(1)


@app.command("tablet")
def tablet(
    device: Path = typer.Option(..., "--device", help="The device's state directory"),
    port: int = typer.Option(8765, "--port", help="Local port (loopback only)"),
    seed: int = typer.Option(16, "--seed", help="Seed of the synthetic captures (demo mode)"),
) -> None:
    """Serve the tablet page of a device on 127.0.0.1 for the commission member."""
    from shailoo.demo.device_sim import synthetic_captures
    from shailoo.polling.client.device import StationDevice
    from shailoo.polling.client.tablet import serve_tablet

    if not (device / "config.json").exists():
        console.print(f"[red]--device: no device state in {escape(str(device))}[/]")
        raise typer.Exit(2)
    console.print(f"Tablet page of {device} on http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    serve_tablet(
        StationDevice.load(device),
        "127.0.0.1",
        port,
        demo_captures=lambda person, session: synthetic_captures(person, seed, session),
    )
