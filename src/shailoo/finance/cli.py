"""``shailoo finance``: import fund statements, screen them, explain and decide the flags.

Exit codes: 0 done; 1 the state of things says no (a flag already reviewed, nothing to
decide); 2 bad input (a malformed or unreconciled statement — its located problems are
printed —, an account that is no fund, an unknown flag or transaction).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.markup import escape

from shailoo.common.cli import console, django_setup
from shailoo.elections.cli import chosen, refused

app = typer.Typer(
    help="Campaign finance: fund statements, the screen against prohibited money, flags.",
    no_args_is_help=True,
)
CLI = "cli"
_ELECTION = typer.Option(None, "--election", help="Election code (default: the current one)")


def _print_json(value: object) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, sort_keys=True) + "\n")


@app.command("import")
def import_(
    path: Path = typer.Argument(..., help="A camt.053 (any version) or statement CSV file"),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Read, check and reconcile only: print each transaction as JSON"
    ),
) -> None:
    """Import a bank statement of an election fund (all of it, or nothing)."""
    from shailoo.common.refusals import Refusal
    from shailoo.finance.statements.dryrun import (
        read_statement_file,
        summary_line,
        transaction_line,
    )

    if dry_run:  # no database, no fund: the file alone
        try:
            statements = read_statement_file(path)
        except OSError as exc:
            console.print(f"[red]{escape(str(exc))}[/]")
            raise typer.Exit(2) from None
        except Refusal as exc:
            raise refused(exc, 2, path.name) from None
        for statement in statements:
            for tx in statement.transactions:
                _print_json(transaction_line(tx))
        _print_json(summary_line(statements))
        return
    django_setup()
    from shailoo.finance.import_services import import_statements

    try:
        report = import_statements(CLI, path)
    except OSError as exc:
        console.print(f"[red]{escape(str(exc))}[/]")
        raise typer.Exit(2) from None
    except Refusal as exc:
        raise refused(exc, 2, path.name) from None
    console.print(
        f"finance import: {report.statements} statements, {report.new} new transactions, "
        f"{report.known} already stored (sha256 {report.file_sha256[:12]})"
    )


@app.command("screen")
def screen(
    election: str | None = _ELECTION,
    report: Path | None = typer.Option(None, "--report", help="Write the flags to this CSV"),
) -> None:
    """Resolve donors and screen every fund: print the number of flags of each kind."""
    chosen_election = chosen(election)
    from shailoo.common.refusals import Refusal
    from shailoo.finance.screen_services import screen as run

    try:
        result = run(CLI, chosen_election)
    except Refusal as exc:
        raise refused(exc, 2) from None
    if report is not None:
        _write_report(report, chosen_election)
    for kind, count in sorted(result.flags.items()):
        console.print(f"{kind:24} {count}", highlight=False)
    console.print(
        f"finance screen: {result.resolved} transactions resolved, "
        f"{sum(result.flags.values())} flags ({result.new_flags} new), "
        f"{result.review} donations for a person to resolve"
    )


def _write_report(path: Path, election: object) -> None:
    from shailoo.common import csvout
    from shailoo.finance.models import Flag

    flags = Flag.objects.filter(fund__election=election).select_related("fund", "donor")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csvout.Writer(fh)
        writer.writerow(
            ["flag", "kind", "status", "fund", "owner", "amount", "severity", "summary", "citation"]
        )
        for flag in flags.order_by("kind", "pk"):
            writer.writerow(
                [
                    flag.pk,
                    flag.kind,
                    flag.status,
                    flag.fund.account,
                    flag.fund.owner_name,
                    flag.amount,
                    flag.severity,
                    flag.summary,
                    flag.citation,
                ]
            )


@app.command("explain")
def explain(
    donation: int = typer.Option(..., "--donation", help="The transaction's id"),
) -> None:
    """Why a donation was flagged (or not): its donor, each flag's evidence and the law."""
    django_setup()
    from shailoo.finance.models import Transaction

    tx = Transaction.objects.select_related("fund", "donor", "statement").filter(pk=donation)
    row = tx.first()
    if row is None:
        console.print(f"[red]No transaction {donation}.[/]")
        raise typer.Exit(2)
    sign = "+" if row.credit != row.reversal else "-"
    console.print(
        f"{row.statement.statement_id}/{escape(row.entry_ref)}: {sign}{row.amount} {row.currency}"
        f" on {row.booking_date} to fund {escape(row.fund.account)}"
        f" ({escape(row.fund.owner_name)})",
        highlight=False,
    )
    donor = row.donor.name if row.donor is not None else "—"
    console.print(
        f"counterparty: {escape(row.name) or '—'}; account {escape(row.account) or '—'}"
        f" ({row.account_country or '?'}); resolved: {row.resolution} → {escape(donor)}",
        highlight=False,
    )
    if row.resolution_note:
        console.print(f"  {escape(row.resolution_note)}", highlight=False)
    flags = list(row.flags.order_by("kind"))
    if not flags:
        console.print("no flag")
    for flag in flags:
        console.print(f"[bold]{flag.kind}[/] ({flag.status}, {flag.severity}) #{flag.pk}")
        console.print(f"  {escape(flag.summary)}", highlight=False)
        for key, value in sorted(flag.evidence.items()):
            text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
            console.print(f"  {key}: {escape(text)}", highlight=False)
        console.print(f"  law: {escape(flag.citation)}", highlight=False)


@app.command("review")
def review(
    flag_id: int = typer.Argument(..., help="The flag's id"),
    confirm: bool = typer.Option(False, "--confirm", help="The money is what the flag says"),
    dismiss: bool = typer.Option(False, "--dismiss", help="The flag is wrong"),
    reasons: str = typer.Option(..., "--reasons"),
) -> None:
    """Confirm or dismiss a flag, with reasons."""
    django_setup()
    from shailoo.common.refusals import Conflict, Refusal
    from shailoo.finance import review_services

    if confirm == dismiss:
        console.print("[red]Say --confirm or --dismiss.[/]")
        raise typer.Exit(2)
    try:
        flag = review_services.review(
            CLI, review_services.flag_named(flag_id), confirmed=confirm, reasons=reasons
        )
    except Conflict as exc:
        raise refused(exc, 1) from None
    except Refusal as exc:
        raise refused(exc, 2) from None
    console.print(f"finance review: flag {flag.pk} {flag.status}")


@app.command("decide")
def decide(flag_id: int = typer.Argument(..., help="A confirmed flag's id")) -> None:
    """Decide on a confirmed flag: the money's disposition, the notice, the alert."""
    django_setup()
    from shailoo.common.refusals import Conflict, Refusal
    from shailoo.finance import review_services

    try:
        flag = review_services.decide(CLI, review_services.flag_named(flag_id))
    except Conflict as exc:
        raise refused(exc, 1) from None
    except Refusal as exc:
        raise refused(exc, 2) from None
    console.print(
        f"finance decide: flag {flag.pk} {flag.disposition}; case {flag.case_reference}",
        highlight=False,
    )
    console.print(escape(review_services.notice_text(flag)), highlight=False)


@app.command("designate-bank")
def designate_bank(
    bic: str = typer.Argument(..., help="The bank's BIC (8 or 11 characters)"),
    name: str = typer.Option(..., "--name", help="The bank's name"),
    on: str = typer.Option(..., "--on", help="Day of the CEC's decision, YYYY-MM-DD"),
    decision: str = typer.Option("", "--decision", help="The decision's number"),
) -> None:
    """Record the CEC's decision that a bank may hold election funds."""
    from datetime import date

    django_setup()
    from shailoo.common.refusals import Refusal
    from shailoo.finance.fund_services import designate_bank as designate

    try:
        day = date.fromisoformat(on)
    except ValueError:
        console.print("[red]--on must be a date, YYYY-MM-DD[/]")
        raise typer.Exit(2) from None
    try:
        bank = designate(CLI, bic, name, day, decision)
    except Refusal as exc:
        raise refused(exc, 2) from None
    console.print(f"finance designate-bank: {bank.bic} {escape(bank.name)}", highlight=False)


@app.command("open-fund")
def open_fund(
    account: str = typer.Argument(..., help="The special account (IBAN or the bank's number)"),
    bank: str = typer.Option(..., "--bank", help="The bank's BIC"),
    candidate: str | None = typer.Option(None, "--candidate", help="The candidate's ref"),
    party: str | None = typer.Option(None, "--party", help="The party's code"),
    opened: str = typer.Option(..., "--opened", help="Day the account opened, YYYY-MM-DD"),
    election: str | None = _ELECTION,
) -> None:
    """Open the election fund of a candidate or a party at a designated bank."""
    from datetime import date

    chosen_election = chosen(election)
    from shailoo.candidates.models import Candidate, Party
    from shailoo.common.refusals import Conflict, Refusal
    from shailoo.finance.fund_services import open_fund as open_

    try:
        day = date.fromisoformat(opened)
    except ValueError:
        console.print("[red]--opened must be a date, YYYY-MM-DD[/]")
        raise typer.Exit(2) from None
    owner_candidate = owner_party = None
    if candidate:
        owner_candidate = Candidate.objects.filter(election=chosen_election, ref=candidate).first()
        if owner_candidate is None:
            console.print(f"[red]No candidate {escape(candidate)} in this election.[/]")
            raise typer.Exit(2)
    if party:
        owner_party = Party.objects.filter(code=party).first()
        if owner_party is None:
            console.print(f"[red]No party {escape(party)}.[/]")
            raise typer.Exit(2)
    try:
        fund = open_(
            CLI, election=chosen_election, account=account, opened_on=day,
            candidate=owner_candidate, party=owner_party, bank_bic=bank,
        )  # fmt: skip
    except Conflict as exc:
        raise refused(exc, 1) from None
    except Refusal as exc:
        raise refused(exc, 2) from None
    console.print(
        f"finance open-fund: {fund.account} for {escape(fund.owner_name)}", highlight=False
    )


@app.command("ownership")
def ownership(
    inn: str = typer.Argument(..., help="The legal entity's INN (or registration number)"),
    on: str | None = typer.Option(None, "--on", help="As of this day, YYYY-MM-DD (default today)"),
    bods: Path | None = typer.Option(
        None, "--bods", help="Write its ownership as Beneficial Ownership Data Standard JSON"
    ),
    svg: Path | None = typer.Option(None, "--svg", help="Draw the foreign chains as an SVG"),
    election: str | None = _ELECTION,
) -> None:
    """Who owns an entity on a day: the foreign share along chains, BODS export, a picture."""
    from datetime import date

    chosen_election = chosen(election)
    from shailoo.finance import registry_adapters as registries
    from shailoo.finance.ownership.bods import bods_json, bods_statements
    from shailoo.finance.ownership.picture import chain_svg
    from shailoo.law.loader import load_edition

    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError:
        console.print("[red]--on must be a date, YYYY-MM-DD[/]")
        raise typer.Exit(2) from None
    graph = registries.ownership_graph()
    key = registries.entity_key(inn)
    if key not in graph:
        console.print(f"[red]No legal entity {escape(inn)} in the registry.[/]")
        raise typer.Exit(2)
    law = load_edition(chosen_election.law_edition).finance
    found = graph.assess(
        key,
        day,
        float(law.foreign_participation_min_share.value),
        float(law.look_through_control_share.value),
    )
    console.print(
        f"{escape(graph.node(key).name)} on {day}: foreign share directly "
        f"{graph.direct_foreign_share(key, day):.1%}, through chains "
        f"{graph.foreign_share(key, day):.1%}",
        highlight=False,
    )
    if found is None:
        console.print("no foreign participation as the law reads it")
    else:
        console.print(
            f"foreign participation ({found.rule}): {escape(law.prohibited_sources.citation)}"
        )
        for line in found.lines()[1:]:
            console.print(f"  {escape(line)}", highlight=False)
    if bods is not None:
        bods.write_text(bods_json(bods_statements(graph, key, day=day)), encoding="utf-8")
        console.print(f"BODS 0.4 statements written to {bods}")
    if svg is not None:
        if found is None:
            console.print("[yellow]no foreign chain to draw[/]")
        else:
            svg.write_text(chain_svg(found), encoding="utf-8")
            console.print(f"picture written to {svg}")
