"""``shailoo audits``: plan, start and run a risk-limiting audit of paper ballots, in rounds.

``shailoo rla`` is the old name of the group, kept hidden for one release. ``start`` audits a
contest of the current election unless ``--election CODE`` names another.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from shailoo.common import csvout
from shailoo.common.cli import console, django_setup
from shailoo.elections.cli import ELECTION_OPTION, chosen

if TYPE_CHECKING:
    from shailoo.counting.audits.models import Audit, SampledBallot

app = typer.Typer(no_args_is_help=True)

_ACTOR = typer.Option("cli", "--actor", help="Who acts (recorded on the ledger)")


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]{message}[/]")
    return typer.Exit(code)


@app.command("sample-size")
def sample_size(
    winner: int = typer.Option(..., "--winner", min=0, help="Reported votes of the winner"),
    loser: int = typer.Option(..., "--loser", min=0, help="Reported votes of the runner-up"),
    ballots: int = typer.Option(..., "--ballots", min=1, help="Ballots cast in the contest"),
    risk_limit: float = typer.Option(0.1, "--risk-limit", help="e.g. 0.1 for 10%"),
) -> None:
    """Expected and planned sample sizes for a winner/runner-up pair (no database needed)."""
    from shailoo.counting.audits import math as rla

    try:
        if winner + loser > ballots:
            raise rla.AuditMathError("winner and loser votes exceed the ballots")
        asn = rla.bravo_pair_asn(winner, loser, ballots, risk_limit)
        if asn is None:
            raise rla.AuditMathError("the winner does not lead: count every ballot by hand")
        print(f"BRAVO ballot polling, risk limit {risk_limit:g}:")
        print(f"  expected sample size (ASN): {min(asn, ballots)}")
        for q in (0.7, 0.8, 0.9):
            size = rla.bravo_completion_size(winner, loser, ballots, risk_limit, q)
            print(f"  {q:.0%} chance to finish in one round: {size}")
        margin = (winner - loser) / ballots
        size = rla.comparison_sample_size(margin, risk_limit, ballots=ballots)
        print(f"Ballot comparison (super-simple, gamma {rla.DEFAULT_GAMMA}):")
        print(f"  diluted margin {margin:.4f}: initial sample size {size}")
    except rla.AuditMathError as exc:
        raise _fail(str(exc)) from None


@app.command("start")
def start(
    election: str | None = ELECTION_OPTION,
    contest: str = typer.Option(..., "--contest", help="Contest id in the election definition"),
    manifest: Path = typer.Option(..., "--manifest", help="Ballot manifest CSV: batch,ballots"),
    reported: Path = typer.Option(..., "--reported", help="Reported result CSV: option,votes"),
    seed: str = typer.Option(..., "--seed", help="Public seed (at least 20 characters)"),
    risk_limit: float = typer.Option(0.1, "--risk-limit"),
    method: str = typer.Option("bravo", "--method", help="bravo or comparison"),
    winners: int = typer.Option(1, "--winners", min=1, help="Seats the contest fills"),
    size: int | None = typer.Option(None, "--sample-size", min=1, help="Override the plan"),
    actor: str = _ACTOR,
) -> None:
    """Open an audit of one contest; prints its id and the planned sample size."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.audits.files import AuditFileError, read_manifest, read_reported
    from shailoo.counting.audits.services import start_audit

    try:
        batches = read_manifest(manifest)
        tallies = read_reported(reported)
    except AuditFileError as exc:
        raise _fail(str(exc)) from None
    found = chosen(election)
    try:
        audit = start_audit(
            actor,
            election=found,
            contest_id=contest,
            manifest=batches,
            reported=tallies,
            seed=seed,
            risk_limit=risk_limit,
            method=method,
            winners=winners,
            sample_size=size,
        )
    except Refusal as exc:
        raise _fail(str(exc)) from None
    console.print(
        f"audit {audit.pk} started: {audit.ballots} ballots, {audit.method}, "
        f"planned sample {audit.sample_size}"
    )
    print(audit.pk)


def _audit(audit_id: int) -> Audit:
    from shailoo.counting.audits.models import Audit

    audit = Audit.objects.select_related("election").filter(pk=audit_id).first()
    if audit is None:
        raise _fail(f"no audit {audit_id}", 1)
    return audit


@app.command("sample")
def sample(
    audit_id: int = typer.Argument(..., help="Audit id (from audits start)"),
    out: Path = typer.Option(..., "--out", help="Write the pull list here (CSV)"),
    cvrs: Path | None = typer.Option(None, "--cvrs", help="Comparison: batch,position,vote CSV"),
    actor: str = _ACTOR,
) -> None:
    """Draw the sample (once) and write the pull list, in draw order."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.audits.files import AuditFileError, read_cvrs
    from shailoo.counting.audits.services import draw_sample

    audit = _audit(audit_id)
    records = None
    if cvrs is not None:
        try:
            records = read_cvrs(cvrs, set(audit.reported))
        except AuditFileError as exc:
            raise _fail(str(exc)) from None
    try:
        drawn = draw_sample(actor, audit, records)
    except Refusal as exc:
        raise _fail(str(exc)) from None
    _write_pull_list(out, drawn)
    distinct = len({d.ballot_id for d in drawn})
    console.print(f"{len(drawn)} draws ({distinct} distinct ballots) written to {out}")


def _write_pull_list(out: Path, drawn: Sequence[SampledBallot]) -> None:
    """The pull list in draw order; ``round`` says which round drew the ballot."""
    try:
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csvout.Writer(fh)
            writer.writerow(
                ["order", "ballot", "batch", "position", "generation", "ticket", "round"]
            )
            for d in drawn:
                writer.writerow(
                    [d.order, d.ballot_id, d.batch, d.position, d.generation, d.ticket, d.round]
                )
    except OSError as exc:
        raise _fail(f"--out: {out}: {exc.strerror or exc}") from None


@app.command("record")
def record(
    audit_id: int = typer.Argument(...),
    ballot: str = typer.Option(..., "--ballot", help="Ballot id <batch>:<position>"),
    vote: str = typer.Option(..., "--vote", help="Option id, or blank / overvote / invalid"),
    read_by: list[str] = typer.Option(..., "--read-by", help="Give twice: the two readers"),
    actor: str = _ACTOR,
) -> None:
    """Record the vote two people read from one sampled ballot; prints the audit's state."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.audits.services import record_ballot

    audit = _audit(audit_id)
    try:
        state = record_ballot(actor, audit, ballot, vote, read_by)
    except Refusal as exc:
        raise _fail(str(exc)) from None
    print(f"examined {state.examined} in draw order, risk {state.risk:.6f}: {state.status}")
    if state.status == "next_round":
        print(
            f"round {state.round} is over without confirming: see "
            f"`shailoo audits plan {audit_id}`, then "
            f"`shailoo audits next-round {audit_id} --out FILE` or `shailoo audits escalate`"
        )


@app.command("status")
def status(audit_id: int = typer.Argument(...)) -> None:
    """Where the audit stands: reported result, sample, reads, measured risk, status."""
    django_setup()
    from shailoo.counting.audits.services import summary, to_json

    print(to_json(summary(_audit(audit_id))))


@app.command("plan")
def plan(audit_id: int = typer.Argument(...)) -> None:
    """The next round's size from the risk measured so far (changes nothing)."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.audits.round_services import plan_next_round

    audit = _audit(audit_id)
    try:
        found = plan_next_round(audit)
    except Refusal as exc:
        raise _fail(str(exc)) from None
    print(
        f"audit {audit.pk} ({audit.status}), {audit.sample.count()} draws so far, "
        f"risk {audit.risk:.6f}: {found.reason}"
    )


@app.command("next-round")
def next_round(
    audit_id: int = typer.Argument(...),
    out: Path = typer.Option(..., "--out", help="Write this round's pull list here (CSV)"),
    size: int | None = typer.Option(None, "--size", min=1, help="Draws to add (default: plan)"),
    cvrs: Path | None = typer.Option(None, "--cvrs", help="Comparison: batch,position,vote CSV"),
    actor: str = _ACTOR,
) -> None:
    """Draw the next round (the same seeded sequence, drawn further) or escalate."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.audits.files import AuditFileError, read_cvrs
    from shailoo.counting.audits.round_services import start_round

    audit = _audit(audit_id)
    records = None
    if cvrs is not None:
        try:
            records = read_cvrs(cvrs, set(audit.reported))
        except AuditFileError as exc:
            raise _fail(str(exc)) from None
    try:
        result = start_round(actor, audit, size=size, cvrs=records)
    except Refusal as exc:
        raise _fail(str(exc)) from None
    if result.round is None:
        print(f"audit {audit.pk}: escalate_full_hand_count: {result.plan.reason}")
        return
    new = result.round
    drawn = list(audit.sample.filter(round=new.number).order_by("order"))
    _write_pull_list(out, drawn)
    distinct = len({d.ballot_id for d in drawn})
    print(
        f"round {new.number}: draws {new.first_order}-{new.last_order} "
        f"({distinct} distinct ballots) written to {out}; {result.plan.reason}"
    )


@app.command("escalate")
def escalate_cmd(
    audit_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason", help="Why the audit goes to a full hand count"),
    actor: str = _ACTOR,
) -> None:
    """Choose a full hand count now (recorded on the ledger with the reason)."""
    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.counting.audits.round_services import escalate

    audit = _audit(audit_id)
    try:
        escalate(actor, audit, reason)
    except Refusal as exc:
        raise _fail(str(exc)) from None
    print(f"audit {audit.pk}: escalate_full_hand_count")
