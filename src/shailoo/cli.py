"""The ``shailoo`` command: one group per piece of the commission's work, demo, serve, manage.

The groups follow the work: prepare an election (``law``, ``geo``, ``elections``,
``register``, ``candidates``), run polling day (``ballots``, ``results``, ``seats``,
``audits``), keep it honest (``ledger``, ``keys``, ``accounts``), plus ``biometrics`` and
``synth``. Commands that load into counting join the groups they belong to here, since
those rooms sit below counting (``elections load-definition``, ``ballots load-scan``,
``candidates to-definition``). Old names stay as hidden
aliases for one release: ``audit`` (now ``ledger``), ``rla`` (now ``audits``), ``results
seats``, ``results load-definition`` and ``results load-scan``.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from shailoo.accounts.cli import app as accounts_app
from shailoo.biometrics.cli import app as biometrics_app
from shailoo.biometrics.dedup.cli import app as dedup_app
from shailoo.candidates.cli import app as candidates_app
from shailoo.common.cli import console, django_setup
from shailoo.counting.audits.cli import app as audits_app
from shailoo.counting.ballots.cli import app as ballots_app
from shailoo.counting.cli import app as counting_results_app
from shailoo.counting.cli import (
    candidates_definition_app,
    definition_app,
    definition_details,
    scan_app,
)
from shailoo.counting.results.cli import app as results_app
from shailoo.counting.seats.cli import seats
from shailoo.demo import commands as demo_commands
from shailoo.demo.device_cli import app as device_app
from shailoo.elections.cli import add_details
from shailoo.elections.cli import app as elections_app
from shailoo.finance.cli import app as finance_app
from shailoo.geo.cli import app as geo_app
from shailoo.incidents.cli import app as incidents_app
from shailoo.integrity.cli import audit_app as ledger_app
from shailoo.integrity.cli import keys_app
from shailoo.law.cli import app as law_app
from shailoo.polling.cli import app as polling_app
from shailoo.portal.cli import app as portal_app
from shailoo.register.cli import app as register_app
from shailoo.synth import biometrics_cli as synth_biometrics
from shailoo.synth.cli import app as synth_app

PREPARE = "Preparing an election"
COUNT = "Polling day and counting"
TRUST = "Integrity and access"
OTHER = "Biometrics, synthetic data, running the platform"
#: The order of ``shailoo --help``: the commission's work, from the law to the ledger.
ORDER = (
    "law", "geo", "elections", "register", "candidates", "finance",
    "polling", "device", "ballots", "results", "seats", "audits", "incidents", "portal",
    "ledger", "keys", "accounts",
    "biometrics", "synth", "demo", "serve", "manage",
)  # fmt: skip


class _InWorkOrder(TyperGroup):
    """Lists the commands in :data:`ORDER` (then any others), not in registration order."""

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        return sorted(names, key=lambda name: ORDER.index(name) if name in ORDER else len(ORDER))


app = typer.Typer(
    cls=_InWorkOrder,
    help="Shailoo election administration.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
# Groups whose commands come from several modules: unnamed sub-apps merge into the group.
elections_app.add_typer(definition_app)  # load-definition
add_details(definition_details)  # `elections show`: the loaded definition
ballots_app.add_typer(scan_app)  # load-scan
results_app.add_typer(counting_results_app)  # hidden aliases: load-definition, load-scan
results_app.command("seats", hidden=True)(seats)  # alias of `shailoo seats`
biometrics_app.add_typer(dedup_app)
candidates_app.add_typer(candidates_definition_app)  # to-definition

app.add_typer(law_app, name="law", rich_help_panel=PREPARE)
app.add_typer(geo_app, name="geo", rich_help_panel=PREPARE)
app.add_typer(elections_app, name="elections", rich_help_panel=PREPARE)
app.add_typer(register_app, name="register", rich_help_panel=PREPARE)
app.add_typer(candidates_app, name="candidates", rich_help_panel=PREPARE)
app.add_typer(finance_app, name="finance", rich_help_panel=PREPARE)
app.add_typer(
    ballots_app,
    name="ballots",
    help="Ballots: print them, read scanned sheets, record them for the count.",
    rich_help_panel=COUNT,
)
app.add_typer(
    results_app,
    name="results",
    help="Results: exports of protocols, results and cast vote records.",
    rich_help_panel=COUNT,
)
app.command("seats", rich_help_panel=COUNT)(seats)
app.add_typer(
    audits_app,
    name="audits",
    help="Risk-limiting audits of the paper ballots.",
    rich_help_panel=COUNT,
)
app.add_typer(polling_app, name="polling", rich_help_panel=COUNT)
app.add_typer(device_app, name="device", rich_help_panel=COUNT)
app.add_typer(incidents_app, name="incidents", rich_help_panel=COUNT)
app.add_typer(portal_app, name="portal", rich_help_panel=COUNT)
app.add_typer(ledger_app, name="ledger", rich_help_panel=TRUST)
app.add_typer(keys_app, name="keys", rich_help_panel=TRUST)
app.add_typer(accounts_app, name="accounts", rich_help_panel=TRUST)
app.add_typer(
    biometrics_app,
    name="biometrics",
    help="Biometric templates, matching, dedup.",
    rich_help_panel=OTHER,
)
app.add_typer(synth_app, name="synth", rich_help_panel=OTHER)
# The old names, hidden, for one release.
app.add_typer(ledger_app, name="audit", hidden=True)
app.add_typer(audits_app, name="rla", hidden=True)
# Synthetic-data commands (shailoo.synth, shailoo.demo) are wired here and nowhere else: under
# `shailoo synth`, and by their older names in the product groups. No product package imports
# shailoo.synth or shailoo.demo (import-linter contract in pyproject.toml).
for _group, _name, _command in (
    (synth_app, "definition", demo_commands.synth_definition),
    (synth_app, "ballots", demo_commands.synth_ballots),
    (synth_app, "biometrics", demo_commands.enrol_synth),
    (synth_app, "probe", synth_biometrics.probe),
    (synth_app, "evaluate", synth_biometrics.evaluate),
    (synth_app, "calibrate", synth_biometrics.calibrate),
    (results_app, "synth-definition", demo_commands.synth_definition),
    (ballots_app, "synth", demo_commands.synth_ballots),
    (biometrics_app, "enrol-synth", demo_commands.enrol_synth),
    (biometrics_app, "probe-synth", synth_biometrics.probe),
    (biometrics_app, "evaluate", synth_biometrics.evaluate),
    (biometrics_app, "calibrate", synth_biometrics.calibrate),
):
    _group.command(_name)(_command)


@app.command(rich_help_panel=OTHER)
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


@app.command(rich_help_panel=OTHER)
def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port", min=0, max=65535),
    workers: int = typer.Option(
        0,
        "--workers",
        min=0,
        max=256,
        help="Worker processes (0: SHAILOO_WEB_WORKERS, else 2 x cores + 1, at most 8)",
    ),
    threads: int = typer.Option(
        0, "--threads", min=0, max=256, help="Threads per worker (0: SHAILOO_WEB_THREADS, else 4)"
    ),
    server: str = typer.Option(
        "gunicorn", "--server", help="gunicorn (processes), or waitress (one process)"
    ),
    access_log: bool = typer.Option(
        True, "--access-log/--no-access-log", help="One log line per request (PINs masked)"
    ),
    graceful_timeout: int = typer.Option(
        30, "--graceful-timeout", min=1, help="Seconds to finish requests after SIGTERM"
    ),
) -> None:
    """Serve the web UI and API: gunicorn, several worker processes (docs/operator/serving.md)."""
    _serve(
        host,
        port,
        workers=workers or None,
        threads=threads or None,
        server=server,
        access_log=access_log,
        graceful_timeout=graceful_timeout,
    )


SERVERS = ("gunicorn", "waitress")


def _serve(
    host: str,
    port: int,
    *,
    workers: int | None = None,
    threads: int | None = None,
    server: str = "gunicorn",
    access_log: bool = True,
    graceful_timeout: int = 30,
) -> None:
    """Serve until stopped, in a process that starts clean.

    The server's workers are forked from this process, and the metrics' multi-process mode
    is chosen when ``prometheus_client`` is first imported; a process that has already run
    Django (``shailoo demo`` built a country here: open connections, its own server's
    threads, counters kept in memory) is replaced by a fresh ``shailoo serve`` with the same
    options (``exec``: the same process id, Ctrl-C stops it as before).
    """
    import os
    import sys

    if server not in SERVERS:
        console.print(f"[red]--server takes {' or '.join(SERVERS)}, not {server!r}[/]")
        raise typer.Exit(2)
    from django.apps import apps

    if apps.ready or "prometheus_client" in sys.modules:
        from django.db import connections

        connections.close_all()
        argv = [sys.executable, "-m", "shailoo.cli", "serve", "--host", host, "--port", str(port),
                "--workers", str(workers or 0), "--threads", str(threads or 0),
                "--server", server, "--graceful-timeout", str(graceful_timeout),
                "--access-log" if access_log else "--no-access-log"]  # fmt: skip
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(sys.executable, argv)

    from shailoo.common import server as serving

    try:
        workers = workers or serving.default_workers()
        threads = threads or serving.default_threads()
    except ValueError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(2) from None
    metrics_dir = serving.MetricsDir() if server == "gunicorn" else None
    if metrics_dir is not None:  # before prometheus_client is imported (common.metrics)
        os.environ[serving.MULTIPROC_ENV] = str(metrics_dir.path)
    os.environ.setdefault("SHAILOO_STATIC_MANIFEST", "1")  # hashed, compressed statics
    os.environ.setdefault("SHAILOO_RESULTS_STAMP_SECONDS", "1")  # results.cache
    os.environ.setdefault("SHAILOO_DB_CONN_MAX_AGE", "60")  # a connection per thread, kept
    # Several workers share one cache on this host (a page computed once per change, the
    # API's rate limits counted for the whole server), emptied at start.
    own_cache = server == "gunicorn" and workers > 1 and "SHAILOO_CACHE_URL" not in os.environ
    if own_cache:
        os.environ["SHAILOO_CACHE_URL"] = "file://"
    try:
        _start(
            host, port, workers, threads, server, access_log, graceful_timeout, metrics_dir,
            own_cache,
        )  # fmt: skip
    finally:
        if metrics_dir is not None:
            metrics_dir.remove()


def _start(
    host: str,
    port: int,
    workers: int,
    threads: int,
    server: str,
    access_log: bool,
    graceful_timeout: int,
    metrics_dir: Any,
    own_cache: bool,
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from shailoo.common import server as serving

    try:
        django_setup()
    except ImproperlyConfigured as exc:  # production refuses the development defaults
        console.print(f"[red]Not serving: {exc}[/]")
        raise typer.Exit(2) from None
    from django.conf import settings

    if own_cache:
        from django.core.cache import cache

        cache.clear()  # what an earlier run (an earlier version of the code) left there
    if serving.collect_static():
        console.print(f"static files collected into {settings.STATIC_ROOT}")
    application = served_application()
    serving.preload()
    from shailoo.polling.warm import prepare_for_serving

    prepare_for_serving(application)  # open stations' galleries before the first check-in
    where = f"http://{serving.bind_address(host, port)}/"
    if server == "waitress":
        from waitress import serve as waitress_serve

        console.print(f"[bold green]Serving Shailoo on {where}[/] (waitress, Ctrl+C stops)")
        waitress_serve(application, host=host, port=port, threads=threads, _quiet=True)
        return
    console.print(
        f"[bold green]Serving Shailoo on {where}[/] "
        f"({workers} workers x {threads} threads, Ctrl+C stops)"
    )
    serving.run(
        application,
        serving.ServerOptions(
            host=host,
            port=port,
            workers=workers,
            threads=threads,
            graceful_timeout=graceful_timeout,
            access_log=access_log,
            log_level=str(settings.LOG_LEVEL),
            on_exit=[metrics_dir.remove] if metrics_dir is not None else [],
        ),
    )


def served_application() -> Any:
    """The WSGI application as ``serve`` and ``demo`` run it: DEBUG forced off.

    A served platform never shows Django's technical 404/500 pages (they list every URL
    pattern, settings and local variables): visitors get the plain ``404.html``/``500.html``
    in their language, whatever ``SHAILOO_DEBUG`` says. Static files are served by whitenoise
    either way. Only ``shailoo manage runserver`` (development) keeps DEBUG.
    """
    from django.conf import settings

    settings.DEBUG = False  # before the WSGI handler loads its middleware (whitenoise reads it)
    from shailoo.wsgi import application

    return application


@app.command(
    context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
    rich_help_panel=OTHER,
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
