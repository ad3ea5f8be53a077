"""``shailoo incidents``: file a report, list overdue cases, run the deadline sweep, routes,
appeals against a case's decision.

Exit codes: 0 done (``overdue``: none overdue); 1 something to act on (cases overdue) or a
refusal by the state of things (a case not decided yet, an appeal already decided); 2 bad
input (an unknown category, station, case or appeal: located).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.markup import escape

from shailoo.common.cli import console, django_setup

if TYPE_CHECKING:
    from shailoo.incidents.models import Case

app = typer.Typer(help="Rapid-response groups: cases, deadlines, alerts.", no_args_is_help=True)
CLI = "cli"


def _refused(exc: object, code: int) -> typer.Exit:
    from shailoo.common.refusals import Refusal

    assert isinstance(exc, Refusal)
    console.print(f"[red]{escape(exc.message)}[/]", highlight=False)
    for problem in exc.problems:
        console.print(f"[red]--{problem.where.replace('_', '-')}: {escape(problem.why)}[/]")
    return typer.Exit(code)


@app.command("report")
def report(
    category: str = typer.Option(..., "--category", help="vote_buying, multiple_voting, ..."),
    text: str = typer.Option(..., "--text", help="What happened"),
    station: int | None = typer.Option(None, "--station", help="Polling station number"),
    place: str = typer.Option("", "--place", help="Where, when there is no station"),
    severity: str | None = typer.Option(None, "--severity", help="low, medium, high, critical"),
) -> None:
    """File a case as a hotline operator would: routed, with its legal deadline."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.incidents import services

    try:
        case = services.open_case(
            CLI,
            services.Report(
                category=category,
                description=text,
                source="hotline",
                station=station,
                place=place,
                severity=severity,
            ),
        )
    except Refusal as exc:
        raise _refused(exc, 2 if exc.http_status in (400, 404) else 1) from None
    console.print(
        f"case {case.reference}: {case.category}, to {case.agency}, due "
        f"{case.due_at:%Y-%m-%d %H:%M %z} ({case.due_rule})",
        highlight=False,
    )


def _case_named(reference: str) -> Case:
    """The case of ``reference`` as people type it (``kg abcde 23456``); NotFound otherwise.

    The command line is the operator's shell: no compartment applies (the system actor)."""
    from django.utils.translation import gettext

    from shailoo.common.refusals import NotFound
    from shailoo.incidents.forms import normalise_reference
    from shailoo.incidents.models import Case

    canonical = normalise_reference(reference)
    case = Case.objects.filter(reference=canonical).first() if canonical else None
    if case is None:
        raise NotFound(
            "unknown_case",
            gettext("No such case."),
            problems=[("reference", gettext("no case has this reference"))],
        )
    return case


def _exit_code(exc: object) -> int:
    from shailoo.common.refusals import Refusal

    assert isinstance(exc, Refusal)
    return 2 if exc.http_status in (400, 404) else 1


@app.command("appeal")
def appeal_command(
    reference: str = typer.Argument(..., help="The case's reference, e.g. KG-ABCDE-23456"),
    filed_by: str = typer.Option(..., "--by", help="Who files the appeal"),
    grounds: str = typer.Option(..., "--grounds", help="The grounds of the appeal"),
) -> None:
    """Register an appeal against a decided case."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.incidents import services

    try:
        case = _case_named(reference)
        item = services.file_appeal(CLI, case, filed_by, grounds)
    except Refusal as exc:
        raise _refused(exc, _exit_code(exc)) from None
    console.print(f"appeal {item.pk} against {item.case.reference}: pending", highlight=False)


@app.command("decide-appeal")
def decide_appeal_command(
    reference: str = typer.Argument(..., help="The case's reference, e.g. KG-ABCDE-23456"),
    outcome: str = typer.Option(..., "--outcome", help="upheld (reopen the case) or dismissed"),
    reasons: str = typer.Option(..., "--reasons", help="The reasons of the decision"),
    appeal_id: int | None = typer.Option(
        None, "--appeal", help="Which appeal (default: the case's latest pending one)"
    ),
) -> None:
    """Uphold (the case is reopened with a new legal deadline) or dismiss an appeal."""
    django_setup()
    from django.utils import timezone
    from django.utils.translation import gettext

    from shailoo.common.refusals import Conflict, NotFound, Refusal
    from shailoo.incidents import services
    from shailoo.incidents.models import CaseAppeal

    try:
        case = _case_named(reference)
        if appeal_id is None:
            item = (
                case.appeals.filter(outcome=CaseAppeal.Outcome.PENDING)
                .order_by("-filed_at", "-pk")
                .first()
            )
            if item is None:
                raise Conflict("no_pending_appeal", gettext("The case has no pending appeal."))
        else:
            item = case.appeals.filter(pk=appeal_id).first()
            if item is None:
                raise NotFound(
                    "unknown_appeal",
                    gettext("No such appeal in this case."),
                    problems=[("appeal", str(appeal_id))],
                )
        services.decide_appeal(CLI, item, outcome, reasons)
    except Refusal as exc:
        raise _refused(exc, _exit_code(exc)) from None
    case.refresh_from_db()
    line = f"appeal {item.pk} against {case.reference}: {item.outcome}; case {case.status}"
    if item.outcome == CaseAppeal.Outcome.UPHELD:
        due = timezone.localtime(case.due_at)
        line += f", due {due:%Y-%m-%d %H:%M %z} ({case.due_rule})"
    console.print(line, highlight=False)


@app.command("overdue")
def overdue_command() -> None:
    """Open cases past their legal deadline, the most overdue first."""
    django_setup()
    from shailoo.incidents import clock, services

    now = clock.now()
    cases = list(services.overdue(now)[:500])
    for case in cases:
        late = now - case.due_at
        hours = int(late.total_seconds() // 3600)
        console.print(
            f"{case.reference} {case.category:26} {case.agency:17} due {case.due_at:%Y-%m-%d %H:%M}"
            f" ({hours} h late)",
            highlight=False,
        )
    console.print(f"{len(cases)} overdue")
    raise typer.Exit(1 if cases else 0)


@app.command("sweep")
def sweep_command() -> None:
    """Remind the handlers of cases falling due and escalate the overdue (run every few minutes)."""
    django_setup()
    from shailoo.incidents import services

    done = services.sweep()
    console.print(f"sweep: {done.reminded} reminded, {done.escalated} escalated")


@app.command("route")
def route(
    category: str = typer.Argument(...),
    agency: str = typer.Argument(..., help="commission, prosecutor, police, national_security"),
) -> None:
    """Set which agency handles a category of case (the CEC's routing rule)."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.incidents import services

    try:
        rule = services.set_route(CLI, category, agency)
    except Refusal as exc:
        raise _refused(exc, 2) from None
    console.print(f"{rule.category} -> {rule.agency}")


@app.command("summary")
def summary_command(
    day: str = typer.Option(..., "--day", help="The local day, YYYY-MM-DD"),
    out: Path = typer.Option(..., "--out", help="Write the PDF here"),
) -> None:
    """The day's summary for publication (Kyrgyz and Russian): figures and decisions."""
    try:
        when = date.fromisoformat(day)
    except ValueError:
        console.print("[red]--day: must be a date YYYY-MM-DD[/]")
        raise typer.Exit(2) from None
    django_setup()
    from shailoo.incidents.summary import day_summary, summary_pdf

    summary = day_summary(when)
    out.write_bytes(summary_pdf(summary))
    console.print(
        f"summary {when}: {summary.received} received, {summary.decided} decided, "
        f"{summary.overdue_open} overdue -> {escape(str(out))}",
        highlight=False,
    )
