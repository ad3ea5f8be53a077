"""``shailoo candidates participants``: admit, list and revoke representatives, proxies,
observers and media.

A PIN is read from standard input (``--pin-stdin``), never taken as an argument: arguments
land in shell history and process lists. Exit codes: 0 admitted (``admit``) or done; 1 the
law or the state of things says no (refused or undecided, a reference already registered, a
participant not admitted); 2 bad input (an unknown role, candidate, party, election or
participant, a malformed PIN or citizenship, a representative or trusted person who names no
candidate or party: each problem is printed at its option).
"""

from __future__ import annotations

import sys

import typer
from rich.markup import escape

from shailoo.common.cli import console
from shailoo.common.refusals import Refusal
from shailoo.elections.cli import chosen

participants_app = typer.Typer(
    help="Representatives, trusted persons, observers and media: admit, list, revoke.",
    no_args_is_help=True,
)

CLI = "cli"
_ELECTION = typer.Option(None, "--election", help="Election code (default: the current one)")
_LANG = typer.Option("en", "--lang", help="ky, ru or en")
#: The option each located problem of the service or the engine belongs to.
_OPTIONS = {
    "ref": "--ref",
    "role": "--role",
    "surname": "--surname",
    "given_name": "--given-name",
    "pin": "--pin-stdin",
    "citizenships": "--citizenships",
    "offices": "--office",
    "country": "--country",
    "for_candidate": "--for-candidate",
    "for_party": "--for-party",
}


def _lang(lang: str) -> str:
    if lang not in ("ky", "ru", "en"):
        console.print("[red]--lang must be ky, ru or en[/]")
        raise typer.Exit(2)
    return lang


def _refused(exc: Refusal) -> typer.Exit:
    """Print a refusal, each problem at its option; 2 for bad input, else 1."""
    head = f"{exc.message} ({exc.citation})" if exc.citation else exc.message
    console.print(f"[red]{escape(head)}[/]", highlight=False)
    for problem in exc.problems[:50]:
        place = _OPTIONS.get(problem.where.split(".")[0], problem.where)
        console.print(f"[red]{escape(place)}: {escape(problem.why)}[/]", highlight=False)
    return typer.Exit(2 if exc.http_status in (400, 404) else 1)


def _bad(option: str, why: str) -> typer.Exit:
    console.print(f"[red]{escape(option)}: {escape(why)}[/]", highlight=False)
    return typer.Exit(2)


@participants_app.command("list")
def list_(
    election: str | None = _ELECTION,
    role: str | None = typer.Option(None, "--role", help="Only this role"),
    status: str | None = typer.Option(
        None, "--status", help="Only this status: admitted, refused, undecided or revoked"
    ),
    lang: str = _LANG,
) -> None:
    """The participants of an election with their status, badge and reasons."""
    lang = _lang(lang)
    chosen_election = chosen(election)
    from shailoo.candidates.models import Participant
    from shailoo.candidates.views_participants import reason_rows
    from shailoo.law.schema import PARTICIPANT_ROLES

    if role is not None and role not in PARTICIPANT_ROLES:
        raise _bad("--role", f"one of {', '.join(PARTICIPANT_ROLES)}")
    if status is not None and status not in Participant.Status.values:
        raise _bad("--status", f"one of {', '.join(Participant.Status.values)}")
    rows = Participant.objects.filter(election=chosen_election).select_related(
        "election", "for_candidate", "for_party"
    )
    if role is not None:
        rows = rows.filter(role=role)
    if status is not None:
        rows = rows.filter(status=status)
    for p in rows.order_by("role", "ref"):
        owner = p.for_candidate.ref if p.for_candidate else p.for_party.code if p.for_party else "-"
        console.print(
            f"{escape(p.ref):12} {p.role:26} {p.status:9} {escape(p.badge_number or '-'):20} "
            f"{escape(owner):10} {escape(p.full_name)}",
            highlight=False,
        )
        if p.status == Participant.Status.REVOKED:
            console.print(f"    {escape(p.revoked_reason)}", highlight=False)
        for row in reason_rows(p, lang):
            console.print(f"    {escape(row.line())}", highlight=False)


@participants_app.command("admit")
def admit(
    ref: str = typer.Option(..., "--ref", help="The participant's reference in this election"),
    role: str = typer.Option(..., "--role", help="The role applied for"),
    surname: str = typer.Option(..., "--surname"),
    given_name: str = typer.Option(..., "--given-name"),
    patronymic: str = typer.Option("", "--patronymic"),
    pin_stdin: bool = typer.Option(
        False, "--pin-stdin", help="Read the person's PIN from standard input (one line)"
    ),
    citizenships: str | None = typer.Option(
        None,
        "--citizenships",
        help="ISO codes joined by ; (KG;RU), or stateless; leave out if not known",
    ),
    office: list[str] = typer.Option([], "--office", help="An office held (repeat the option)"),
    accredited: bool | None = typer.Option(
        None,
        "--accredited/--not-accredited",
        help="The commission's accreditation (international observers); leave out if not known",
    ),
    country: str = typer.Option("", "--country", help="Two-letter country code"),
    organisation: str = typer.Option("", "--organisation"),
    for_candidate: str = typer.Option(
        "",
        "--for-candidate",
        help="The candidate's reference (representatives and trusted persons name a candidate "
        "or a party)",
    ),
    for_party: str = typer.Option(
        "", "--for-party", help="The party's code (a party's representative names it)"
    ),
    election: str | None = _ELECTION,
    lang: str = _LANG,
) -> None:
    """Register a participant: admitted with a badge, refused with the law's reasons, or
    undecided naming what is missing. Each decision is kept and on the ledger."""
    lang = _lang(lang)
    pin = ""
    if pin_stdin:
        pin = "".join(sys.stdin.readline().split())
        if not pin:
            raise _bad("--pin-stdin", "no PIN on standard input")
    chosen_election = chosen(election)
    from shailoo.candidates.forms import parse_citizenships, participant_status_label
    from shailoo.candidates.models import Participant
    from shailoo.candidates.participant_services import ParticipantData, register_participant
    from shailoo.candidates.views_participants import reason_rows, role_title

    try:
        held = None if citizenships is None else parse_citizenships(citizenships)
    except ValueError as error:
        raise _bad("--citizenships", str(error)) from None
    data = ParticipantData(
        ref=ref.strip(),
        role=role.strip(),
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        pin=pin,
        citizenships=held,
        offices=tuple(o.strip() for o in office),
        accredited=accredited,
        country=country.strip().upper(),
        organisation=organisation.strip(),
        for_candidate=for_candidate.strip(),
        for_party=for_party.strip(),
    )
    try:
        participant = register_participant(CLI, chosen_election, data)
    except Refusal as exc:
        raise _refused(exc) from None
    console.print(
        f"{escape(participant.ref)}: {escape(role_title(participant.role, lang))}: "
        f"{escape(participant_status_label(participant.status, lang))}"
        + (f" · {escape(participant.badge_number)}" if participant.badge_number else "")
        + (
            f" · ledger #{participant.ledger_index}" if participant.ledger_index is not None else ""
        ),
        highlight=False,
    )
    for row in reason_rows(participant, lang):
        console.print(escape(row.line()), highlight=False)
    raise typer.Exit(0 if participant.status == Participant.Status.ADMITTED else 1)


@participants_app.command("revoke")
def revoke(
    ref: str = typer.Option(..., "--ref", help="The participant's reference"),
    reason: str = typer.Option(..., "--reason", help="Why the registration is withdrawn"),
    election: str | None = _ELECTION,
) -> None:
    """Withdraw an admitted participant's registration or accreditation (kept and ledgered)."""
    chosen_election = chosen(election)
    from shailoo.candidates.models import Participant
    from shailoo.candidates.participant_services import revoke_participant

    participant = Participant.objects.filter(election=chosen_election, ref=ref.strip()).first()
    if participant is None:
        raise _bad("--ref", f"no participant {ref.strip()[:40]!r} in this election")
    if not reason.strip():
        raise _bad("--reason", "give the reason")
    try:
        revoke_participant(CLI, participant, reason)
    except Refusal as exc:
        raise _refused(exc) from None
    console.print(f"{escape(participant.ref)}: revoked", highlight=False)
