"""``shailoo candidates withdraw | replace | document | documents``: a nomination's papers and
its end, from the command line.

``withdraw`` records a candidate's withdrawal (or a party's recall) and ``replace`` a party's
replacement of one of its candidates, each before the law's deadline and naming the document
it rests on; ``document`` files one more paper of the checklist and ``documents`` prints the
checklist the law sets for the nomination: required, filed, missing. The new person's PIN of
a replacement is read from standard input (``--pin-stdin``), never taken as an argument:
arguments land in shell history and process lists.

Exit codes: 0 done (``documents``: every document filed); 1 the law or the state of things
says no (past the deadline, with its citation; a replacement that breaks the party list; a
nomination already closed; ``documents``: some missing); 2 bad input (an unknown candidate,
election or document kind, a malformed date or PIN: each problem printed at its option).
"""

from __future__ import annotations

import sys
from datetime import date

import typer
from rich.markup import escape

from shailoo.common.cli import console
from shailoo.common.refusals import Refusal
from shailoo.elections.cli import chosen

nomination_app = typer.Typer(
    help="A nomination's documents, withdrawal and replacement.",
    no_args_is_help=True,
)

CLI = "cli"
_ELECTION = typer.Option(None, "--election", help="Election code (default: the current one)")
_CANDIDATE = typer.Option(..., "--candidate", help="The candidate's reference")
_SOURCE = typer.Option(
    ..., "--source-document", help="The document it rests on (statement, decision, number)"
)
#: The option each located problem of the services belongs to.
_OPTIONS = {
    "ref": "--ref",
    "pin": "--pin-stdin",
    "surname": "--surname",
    "given_name": "--given-name",
    "sex": "--sex",
    "birth_date": "--birth-date",
    "nominated_on": "--on",
    "source_document": "--source-document",
    "kind": "KIND",
    "member_of": "--member-of",
}


def _refused(exc: Refusal) -> typer.Exit:
    """Print a refusal with its basis, each problem at its option; 2 for bad input, else 1."""
    head = f"{exc.message} ({exc.citation})" if exc.citation else exc.message
    console.print(f"[red]{escape(head)}[/]", highlight=False)
    for problem in exc.problems[:50]:
        place = _OPTIONS.get(problem.where.split(".")[0], problem.where)
        text = f"{place}: {problem.why}" if place else problem.why
        console.print(f"[red]{escape(text)}[/]", highlight=False)
    return typer.Exit(2 if exc.http_status in (400, 404) else 1)


def _bad(option: str, why: str) -> typer.Exit:
    console.print(f"[red]{escape(option)}: {escape(why)}[/]", highlight=False)
    return typer.Exit(2)


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise _bad(option, "must be a date YYYY-MM-DD") from None


def _tristate(value: str | None, option: str) -> bool | None:
    if value is None or value == "":
        return None
    answer = {"yes": True, "no": False}.get(value.strip().lower())
    if answer is None:
        raise _bad(option, "yes or no (leave it out when not known)")
    return answer


@nomination_app.command("withdraw")
def withdraw(
    candidate: str = _CANDIDATE,
    on: str = typer.Option(..., "--on", help="The day of the withdrawal, YYYY-MM-DD"),
    source_document: str = _SOURCE,
    election: str | None = _ELECTION,
) -> None:
    """Record a candidate's withdrawal (or the party's recall) before the law's deadline."""
    day = _day(on, "--on")
    if not source_document.strip():
        raise _bad("--source-document", "name the document the withdrawal rests on")
    chosen_election = chosen(election)
    from shailoo.candidates import services

    try:
        found = services.candidate_ref(chosen_election, candidate)
        services.withdraw(CLI, found, day, source_document.strip())
    except Refusal as exc:
        raise _refused(exc) from None
    console.print(
        f"{escape(found.ref)} withdrawn on {day.isoformat()} "
        f"({escape(source_document.strip()[:200])})",
        highlight=False,
    )


@nomination_app.command("replace")
def replace(
    candidate: str = _CANDIDATE,
    ref: str = typer.Option(..., "--ref", help="The new nomination's reference"),
    surname: str = typer.Option(..., "--surname"),
    given_name: str = typer.Option(..., "--given-name"),
    patronymic: str = typer.Option("", "--patronymic"),
    sex: str = typer.Option(..., "--sex", help="F or M"),
    birth_date: str = typer.Option(..., "--birth-date", help="YYYY-MM-DD"),
    pin_stdin: bool = typer.Option(
        False, "--pin-stdin", help="Read the new person's PIN from standard input (one line)"
    ),
    member_of: str | None = typer.Option(None, "--member-of", help="Their party's code, if any"),
    minority: str | None = typer.Option(None, "--minority", help="yes or no"),
    disability: str | None = typer.Option(None, "--disability", help="yes or no"),
    documents: list[str] = typer.Option(
        [], "--document", help="KIND=NUMBER of a document received (repeat)"
    ),
    on: str = typer.Option(..., "--on", help="The day of the replacement, YYYY-MM-DD"),
    source_document: str = _SOURCE,
    election: str | None = _ELECTION,
) -> None:
    """Put another person in place of a party's candidate, at the same list position.

    Refused past the law's deadline, and when the new person breaks a rule of the party's
    list at that position (the rule and its basis are printed).
    """
    if not pin_stdin:
        raise _bad("--pin-stdin", "the new person's PIN is read from standard input")
    pin = "".join(sys.stdin.readline().split())
    day = _day(on, "--on")
    born = _day(birth_date, "--birth-date")
    papers: list[tuple[str, str]] = []
    for item in documents:
        kind, sep, number = item.partition("=")
        if not sep or not kind.strip():
            raise _bad("--document", f"KIND=NUMBER, not {item[:40]!r}")
        papers.append((kind.strip(), number.strip()))
    flags = (_tristate(minority, "--minority"), _tristate(disability, "--disability"))
    if not source_document.strip():
        raise _bad("--source-document", "name the document the replacement rests on")
    chosen_election = chosen(election)
    from shailoo.candidates import services

    try:
        old = services.candidate_ref(chosen_election, candidate)
        data = services.NominationData(
            ref=ref.strip(),
            pin=pin,
            surname=surname,
            given_name=given_name,
            patronymic=patronymic,
            sex=sex.strip().upper(),
            birth_date=born,
            office=old.office,
            nominated_on=day,
            district=old.district,
            region=old.region.code if old.region is not None else None,
            party=old.party.code if old.party is not None else None,
            member_of=member_of or None,
            list_position=old.list_position,
            minority=flags[0],
            disability=flags[1],
            documents=tuple(papers),
        )
        new = services.replace(CLI, old, data, day, source_document.strip())
    except Refusal as exc:
        raise _refused(exc) from None
    console.print(
        f"{escape(old.ref)} replaced by {escape(new.ref)} at position {new.list_position} "
        f"on {day.isoformat()}",
        highlight=False,
    )


@nomination_app.command("document")
def document(
    kind: str = typer.Argument(..., help="The document's kind (see `documents`)"),
    number: str = typer.Argument(..., help="Its number"),
    candidate: str = _CANDIDATE,
    received_on: str | None = typer.Option(
        None, "--received-on", help="YYYY-MM-DD (default: today)"
    ),
    election: str | None = _ELECTION,
) -> None:
    """File one more document of a nomination's checklist."""
    day = _day(received_on, "--received-on") if received_on is not None else None
    chosen_election = chosen(election)
    from django.utils import timezone

    from shailoo.candidates import services

    try:
        found = services.candidate_ref(chosen_election, candidate)
        filed = services.add_document(CLI, found, kind.strip(), number, day or timezone.localdate())
    except Refusal as exc:
        raise _refused(exc) from None
    missing = services.missing_documents(found)
    console.print(
        f"{escape(found.ref)}: {filed.kind} {escape(filed.number)} received "
        f"{filed.received_on.isoformat()}; missing: {', '.join(missing) or 'none'}",
        highlight=False,
    )


@nomination_app.command("documents")
def documents_(candidate: str = _CANDIDATE, election: str | None = _ELECTION) -> None:
    """The documents the law asks of a nomination: required, filed, missing."""
    chosen_election = chosen(election)
    from shailoo.candidates import services
    from shailoo.candidates.forms import CHECKLIST_NAMES

    try:
        found = services.candidate_ref(chosen_election, candidate)
        required = services.required_documents(found)
        missing = services.missing_documents(found)
        rules = services.office_rules(chosen_election, found.office)
    except Refusal as exc:
        raise _refused(exc) from None
    filed = {d.kind: d for d in found.documents.order_by("received_on", "pk")}
    basis = f" ({rules.documents.citation})" if rules.documents is not None else ""
    console.print(
        f"{escape(found.ref)} · {escape(found.full_name)} · {found.office} · "
        f"law {chosen_election.law_edition}{escape(basis)}",
        highlight=False,
    )
    if not required:
        console.print("the law names no documents for this office", highlight=False)
    for kind in required:
        paper = filed.get(kind)
        name = escape(str(CHECKLIST_NAMES.get(kind, kind)))
        if paper is None:
            console.print(f"  ✗ {kind:28} missing  · {name}", highlight=False)
        else:
            console.print(
                f"  ✓ {kind:28} {escape(paper.number or '-')} "
                f"received {paper.received_on.isoformat()} · {name}",
                highlight=False,
            )
    extra = [d for kind, d in filed.items() if kind not in required]
    for paper in extra:
        console.print(
            f"  + {paper.kind:28} {escape(paper.number or '-')} "
            f"received {paper.received_on.isoformat()} (not on the checklist)",
            highlight=False,
        )
    console.print(
        f"required {len(required)}, filed {len(required) - len(missing)}, "
        f"missing {len(missing)}{': ' + ', '.join(missing) if missing else ''}",
        highlight=False,
    )
    raise typer.Exit(1 if missing else 0)
