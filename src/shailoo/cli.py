"""The ``shailoo`` command: demo, serve, manage, and one group per domain."""

from __future__ import annotations

import typer

from shailoo.accounts.cli import app as accounts_app
from shailoo.biometrics.cli import app as biometrics_app
from shailoo.biometrics.dedup.cli import app as dedup_app
from shailoo.biometrics.evaluate_cli import app as evaluate_app
from shailoo.common.cli import console, django_setup
from shailoo.counting.audits.cli import app as rla_app
from shailoo.counting.ballots.cli import app as ballots_app
from shailoo.counting.cli import app as definition_app
from shailoo.counting.results.cli import app as results_app
from shailoo.counting.seats.cli import app as seats_app
from shailoo.geo.cli import app as geo_app
from shailoo.integrity.cli import audit_app, keys_app
from shailoo.law.cli import app as law_app
from shailoo.register.cli import app as register_app
from shailoo.synth.cli import app as synth_app

app = typer.Typer(
    help="Shailoo election administration.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(law_app, name="law")
app.add_typer(geo_app, name="geo")
app.add_typer(synth_app, name="synth")
app.add_typer(register_app, name="register")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")
app.add_typer(accounts_app, name="accounts")
# Groups whose commands come from several modules: unnamed sub-apps merge into the group.
biometrics_app.add_typer(evaluate_app)
biometrics_app.add_typer(dedup_app)
app.add_typer(biometrics_app, name="biometrics", help="Biometric templates, matching, dedup.")
app.add_typer(ballots_app, name="ballots", help="Printable ballots and scanning.")
results_app.add_typer(seats_app)
results_app.add_typer(definition_app)
app.add_typer(results_app, name="results", help="Protocols, results, exports and seats.")
app.add_typer(rla_app, name="rla", help="Risk-limiting audits of the paper ballots.")


@app.command()
def demo(
    scale: int = typer.Option(200_000, "--scale", help="Persons in the synthetic country"),
    seed: int = typer.Option(2026, "--seed", help="Seed: the same seed builds the same country"),
    serve: bool = typer.Option(True, "--serve/--no-serve", help="Serve the web UI afterwards"),
    port: int = typer.Option(8000, "--port"),
    stations: int = typer.Option(0, "--stations", help="Polling stations (0: scale-realistic)"),
) -> None:
    """Build a fresh synthetic country, load it, and serve the platform."""
    from shailoo.demo import build_demo

    build_demo(persons=scale, seed=seed, stations=stations or None)
    if serve:
        _serve("127.0.0.1", port)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
) -> None:
    """Serve the web UI and API with a production WSGI server (waitress)."""
    _serve(host, port)


def _serve(host: str, port: int) -> None:
    django_setup()
    from waitress import serve as waitress_serve

    from shailoo.wsgi import application

    console.print(f"[bold green]Serving Shailoo on http://{host}:{port}/[/] (Ctrl+C stops)")
    waitress_serve(application, host=host, port=port, threads=8, _quiet=True)


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
)
def manage(ctx: typer.Context) -> None:
    """Run a Django management command, e.g. ``shailoo manage migrate``."""
    django_setup(migrate=False)
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shailoo manage", *ctx.args])


def main() -> None:
    app()


if __name__ == "__main__":
    main()
