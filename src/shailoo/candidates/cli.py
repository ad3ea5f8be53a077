"""``shailoo candidates``: check and decide nominations, explain stated facts, verify signatures.

Exit codes: 0 done — ``check`` eligible, ``signatures`` sufficient, ``party-list`` valid,
``decide`` a decision taken (registration or refusal); 1 the law or the state of things says
no (ineligible or undecided, insufficient signatures, a list breaking a rule, a decision
already taken, rows of an extract rejected); 2 bad input (an unknown candidate or election,
a malformed file: its located errors are printed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.markup import escape

from shailoo.candidates.nomination_cli import nomination_app
from shailoo.candidates.participants_cli import participants_app
from shailoo.common.cli import console
from shailoo.elections.cli import chosen, refused

app = typer.Typer(
    help="Candidates, parties and participants: checks, decisions, signatures.",
    no_args_is_help=True,
)
app.add_typer(participants_app, name="participants")
app.add_typer(nomination_app)  # withdraw, replace, document, documents

CLI = "cli"
_LANG = typer.Option("en", "--lang", help="ky, ru or en")
_ELECTION = typer.Option(None, "--election", help="Election code (default: the current one)")


def _lang(lang: str) -> str:
    if lang not in ("ky", "ru", "en"):
        console.print("[red]--lang must be ky, ru or en[/]")
        raise typer.Exit(2)
    return lang


@app.command("list")
def list_(election: str | None = _ELECTION) -> None:
    """The nominations of an election with their status."""
    chosen_election = chosen(election)
    from shailoo.candidates.models import Candidate

    rows = Candidate.objects.filter(election=chosen_election).select_related("party")
    for c in rows.order_by("office", "party__code", "list_position", "ref"):
        party = c.party.code if c.party else "self"
        place = c.district or (f"#{c.list_position}" if c.list_position else "")
        console.print(
            f"{escape(c.ref):12} {c.office:13} {escape(party):10} {escape(place):8} "
            f"{c.status:10} {escape(c.full_name)}",
            highlight=False,
        )


@app.command("check")
def check(
    candidate: str = typer.Option(..., "--candidate", help="The candidate's reference"),
    election: str | None = _ELECTION,
    lang: str = _LANG,
) -> None:
    """Ask the registries and decide every rule for one candidate.

    Prints each rule with its evidence and citation; the check is kept on the ledger.
    """
    lang = _lang(lang)
    chosen_election = chosen(election)
    from shailoo.candidates import services
    from shailoo.candidates.documents import check_lines
    from shailoo.common.refusals import Refusal

    try:
        found = services.candidate_ref(chosen_election, candidate)
        result = services.check_candidate(CLI, found)
    except Refusal as exc:
        raise refused(exc, 2 if exc.http_status in (400, 404) else 1) from None
    for line in check_lines(found, result, lang):
        console.print(escape(line), highlight=False)
    raise typer.Exit(0 if result.verdict == "eligible" else 1)


@app.command("decide")
def decide(
    candidate: str = typer.Option(..., "--candidate", help="The candidate's reference"),
    election: str | None = _ELECTION,
    pdf: Path | None = typer.Option(None, "--pdf", help="Write the decision document here"),
) -> None:
    """Register or refuse a candidate on the latest check (an undecided check is refused)."""
    chosen_election = chosen(election)
    from shailoo.candidates import services
    from shailoo.candidates.documents import decision_pdf
    from shailoo.common.refusals import Refusal

    try:
        found = services.candidate_ref(chosen_election, candidate)
        decision = services.decide_registration(CLI, found)
    except Refusal as exc:
        raise refused(exc, 2 if exc.http_status in (400, 404) else 1) from None
    console.print(f"decision {decision.number}: {decision.outcome}")
    if pdf is not None:
        pdf.write_bytes(decision_pdf(decision))
        console.print(f"written {escape(str(pdf))}")


@app.command("explain")
def explain(
    facts: Path = typer.Option(
        ..., "--facts", exists=True, dir_okay=False, help="CSV of stated facts"
    ),
    election: str | None = _ELECTION,
    out: Path | None = typer.Option(
        None, "--out", help="Write ref,verdict,rules here (else stdout)"
    ),
) -> None:
    """Decide rows of stated facts without asking the registries.

    For staff checking a nomination before it is filed. An empty cell is an unknown fact:
    its rule is undecided.
    """
    chosen_election = chosen(election)
    from shailoo.candidates.facts_file import explain_file
    from shailoo.common.refusals import Refusal
    from shailoo.law.loader import load_edition

    edition = load_edition(chosen_election.law_edition)
    try:
        if out is None:
            summary = explain_file(
                facts,
                sys.stdout,
                edition.candidates,
                chosen_election.polling_day,
                edition.voters.leap_day_birthday.value,
            )
        else:
            with out.open("w", encoding="utf-8", newline="") as fh:
                summary = explain_file(
                    facts,
                    fh,
                    edition.candidates,
                    chosen_election.polling_day,
                    edition.voters.leap_day_birthday.value,
                )
    except Refusal as exc:
        raise refused(exc, 2) from None
    for problem in summary.problems[:200]:
        print(f"error: {problem}", file=sys.stderr)
    if summary.problems:
        raise typer.Exit(2)


@app.command("signatures")
def signatures(
    file: Path = typer.Argument(..., dir_okay=False, help="Signer list CSV"),
    candidate: str = typer.Option(..., "--candidate", help="The candidate's reference"),
    sample: int | None = typer.Option(None, "--sample", min=0, help="Verify a sample of K"),
    seed: int | None = typer.Option(None, "--seed", help="The published seed of the sample"),
    election: str | None = _ELECTION,
    show: int = typer.Option(20, "--show", min=0, help="Invalid signatures to list"),
) -> None:
    """Verify a candidate's signature sheets against the voter register.

    Every signature gets a reason (valid, not in the register, dead, moved, wrong territory,
    name mismatch, signed twice or for another candidate, malformed); the verdict uses the
    law's invalid-share threshold, on the whole list or on a sample drawn from --seed.
    """
    chosen_election = chosen(election)
    from shailoo.candidates import services
    from shailoo.candidates.signature_services import verify_signatures
    from shailoo.common.refusals import Refusal

    if not file.is_file():
        console.print(f"[red]{escape(str(file))}: no such file[/]")
        raise typer.Exit(2)
    if sample is not None and seed is None:
        console.print("[red]--sample needs --seed (the published seed)[/]")
        raise typer.Exit(2)
    try:
        found = services.candidate_ref(chosen_election, candidate)
        submission, report = verify_signatures(CLI, found, file, sample=sample, seed=seed)
    except Refusal as exc:
        raise refused(exc, 2 if exc.http_status in (400, 404) else 1) from None
    summary = report.summary()
    console.print(
        f"signatures: rows={report.total} valid={report.valid} invalid={report.invalid} "
        f"invalid_share={report.invalid_share:.4f} (max {report.threshold}) "
        f"verdict={report.verdict}",
        highlight=False,
    )
    for reason, count in sorted(summary["counts"].items()):
        if count:
            console.print(f"  {reason:18} {count}", highlight=False)
    if report.sample is not None:
        s = summary["sample"]
        console.print(
            f"sample: seed={s['seed']} size={s['size']} invalid={s['invalid']} "
            f"share={s['invalid_share']} 95% {s['share_interval_95']} verdict={s['verdict']}",
            highlight=False,
        )
    for rate in report.anomalies:
        console.print(f"[yellow]collector flagged: {escape(str(rate.to_json()))}[/]")
    for n, item in enumerate(report.explain()):
        if n >= show:
            break
        console.print(
            f"  sheet {item.sheet} line {item.line} ({escape(item.collector)}): "
            f"{item.code}: {escape(item.detail)}",
            highlight=False,
        )
    for problem in report.signers.problems[:show]:
        print(f"error: {problem}", file=sys.stderr)
    console.print(f"kept as submission {submission.pk}, ledger entry {submission.ledger_index}")
    raise typer.Exit(0 if report.sufficient else 1)


@app.command("party-list")
def party_list(
    party: str = typer.Argument(..., help="The party's code"),
    election: str | None = _ELECTION,
    lang: str = _LANG,
) -> None:
    """Check a party's list position by position against the law's quotas."""
    lang = _lang(lang)
    chosen_election = chosen(election)
    from shailoo.candidates import services
    from shailoo.candidates.participant_messages import render_list
    from shailoo.common.refusals import Refusal

    try:
        decision = services.check_party_list(CLI, chosen_election, services.party_named(party))
    except Refusal as exc:
        raise refused(exc, 2 if exc.http_status in (400, 404) else 1) from None
    for line in render_list(decision, lang):
        console.print(escape(line), highlight=False)
    raise typer.Exit(0 if decision.verdict == "valid" else 1)


@app.command("load-registry")
def load_registry_command(
    kind: str = typer.Argument(
        ..., help="citizenship, residence, language, education, criminal, no_record or terms"
    ),
    file: Path = typer.Argument(..., dir_okay=False, help="The registry's extract (CSV)"),
) -> None:
    """Load a government registry's extract about candidates (replaces its persons' rows)."""
    from shailoo.common.cli import django_setup

    django_setup()
    from shailoo.candidates.registry_import import load_registry
    from shailoo.common.refusals import Refusal

    if not file.is_file():
        console.print(f"[red]{escape(str(file))}: no such file[/]")
        raise typer.Exit(2)
    try:
        load = load_registry(kind, file, CLI)
    except Refusal as exc:
        raise refused(exc, 2) from None
    console.print(f"load-registry {escape(load.line())}", highlight=False)
    for problem in load.rejects[:50]:
        console.print(f"[red]{escape(str(problem))}[/]", highlight=False)
    raise typer.Exit(1 if load.rejects else 0)


@app.command("party-add")
def party_add(
    code: str = typer.Argument(..., help="A short code (letters, digits, - and _)"),
    name_ky: str = typer.Option(..., "--name-ky"),
    name_ru: str = typer.Option(..., "--name-ru"),
    registration_number: str = typer.Option(..., "--registration-number"),
    registered_on: str = typer.Option(..., "--registered-on", help="YYYY-MM-DD"),
    leader: str = typer.Option("", "--leader"),
) -> None:
    """Record a party registered by the Ministry of Justice, so that it may nominate."""
    from datetime import date

    from shailoo.common.cli import django_setup

    try:
        day = date.fromisoformat(registered_on)
    except ValueError:
        console.print("[red]--registered-on: must be a date YYYY-MM-DD[/]")
        raise typer.Exit(2) from None
    django_setup()
    from shailoo.candidates import services
    from shailoo.common.refusals import Refusal

    try:
        party = services.register_party(
            CLI,
            code=code,
            name_ky=name_ky,
            name_ru=name_ru,
            registration_number=registration_number,
            registered_on=day,
            leader=leader,
        )
    except Refusal as exc:
        raise refused(exc, 2 if exc.http_status in (400, 404) else 1) from None
    console.print(f"party {escape(party.code)} recorded")


@app.command("list-deposit")
def list_deposit(
    party: str = typer.Argument(..., help="The party's code"),
    amount: int = typer.Argument(..., min=0, help="The deposit paid for its list, in som"),
    submitted_on: str = typer.Option(..., "--on", help="Day the list was submitted, YYYY-MM-DD"),
    election: str | None = _ELECTION,
) -> None:
    """Record a party's list as submitted with the deposit paid for it."""
    from datetime import date

    try:
        day = date.fromisoformat(submitted_on)
    except ValueError:
        console.print("[red]--on: must be a date YYYY-MM-DD[/]")
        raise typer.Exit(2) from None
    chosen_election = chosen(election)
    from shailoo.candidates import services
    from shailoo.common.refusals import Refusal

    try:
        row = services.record_list_deposit(
            CLI, chosen_election, services.party_named(party), amount, day
        )
    except Refusal as exc:
        raise refused(exc, 2 if exc.http_status in (400, 404) else 1) from None
    console.print(f"list of {escape(row.party.code)}: deposit {row.deposit_som} som recorded")
