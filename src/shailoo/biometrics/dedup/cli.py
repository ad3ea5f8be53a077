"""``shailoo biometrics dedup`` and ``dedup-status``: run, resume and watch national
deduplication (merged into the ``biometrics`` group)."""

from __future__ import annotations

import re

import typer

from shailoo.common.cli import console, django_setup, progress

app = typer.Typer(no_args_is_help=True)

_ADDRESS = re.compile(r"^(tcp|tls|inproc|ucx|ws|wss)://[^\s/]+(:\d{1,5})?$")


def _check_scheduler(scheduler: str | None) -> str | None:
    if scheduler is None or scheduler in ("synchronous", "threads"):
        return scheduler
    if not _ADDRESS.match(scheduler):
        console.print(
            f"[red]--scheduler {scheduler!r}: expected a dask scheduler address such as "
            "tcp://10.0.0.5:8786 (or 'synchronous' / 'threads' for one process)[/]"
        )
        raise typer.Exit(2)
    return scheduler


@app.command("dedup")
def dedup(
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="Dask scheduler address (default: a LocalCluster here)"
    ),
    workers: int = typer.Option(
        0, "--workers", min=0, max=1024, help="LocalCluster worker processes (0: one per core)"
    ),
    resume: int | None = typer.Option(
        None, "--resume", min=1, help="Continue the interrupted run with this number"
    ),
    actor: str = typer.Option("cli", "--actor", help="Who runs it (recorded on the ledger)"),
) -> None:
    """Deduplicate every enrolled person nationally and queue the likely duplicates."""
    scheduler = _check_scheduler(scheduler)
    django_setup()
    from shailoo.biometrics.dedup import services
    from shailoo.common.refusals import Refusal

    with progress() as bar:
        task = bar.add_task("dedup partitions", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            if resume is not None:
                run = services.resume_run(
                    resume, actor, scheduler=scheduler, workers=workers, progress=tick
                )
            else:
                run = services.start_run(actor, scheduler=scheduler, workers=workers, progress=tick)
        except Refusal as exc:
            console.print(f"[red]{exc.message}[/]")
            raise typer.Exit(2) from None
        except OSError as exc:
            console.print(f"[red]cannot reach the scheduler or the run directory: {exc}[/]")
            raise typer.Exit(2) from None
    console.print(
        f"dedup run {run.pk}: {run.faces} faces ({run.model_id or 'no model'}), "
        f"{run.finger_only} fingerprint-only persons, {run.candidates} pairs, "
        f"{run.queued} newly queued"
    )


@app.command("dedup-status")
def dedup_status(
    run_id: int | None = typer.Argument(None, help="Run number (default: the latest five)"),
) -> None:
    """Progress of deduplication runs and the size of the adjudication queue."""
    django_setup()
    from shailoo.biometrics.dedup.models import DedupRun, DuplicateCandidate

    runs = DedupRun.objects.all()
    if run_id is not None:
        runs = runs.filter(pk=run_id)
        if not runs.exists():
            console.print(f"[red]there is no deduplication run {run_id}[/]")
            raise typer.Exit(2)
    for run in runs[:5]:
        line = (
            f"run {run.pk}: {run.status}, partitions {run.partitions_done}/{run.partitions}, "
            f"{run.faces} faces, {run.finger_only} fingerprint-only, {run.candidates} pairs"
        )
        if run.error:
            line += f" — {run.error}"
        console.print(line)
    open_pairs = DuplicateCandidate.objects.filter(status=DuplicateCandidate.Status.OPEN).count()
    console.print(f"adjudication queue: {open_pairs} open pairs")
