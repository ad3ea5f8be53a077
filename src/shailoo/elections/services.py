"""Use cases of elections: create them, choose the current one, and find the one meant.

Every command and page that acts on an election takes an optional election code and
otherwise means *the current election* (``Election.is_current``), so an operator names an
election only when working on another one. Creating an election and choosing the current
one check the actor (``Permission.ELECTION_EDIT``) and write their ledger entry
(``elections.create``, ``elections.set_current``) in the transaction of the change; exactly
one election is current after either.
"""

from __future__ import annotations

import datetime
import re

from django.db import transaction
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import Actor, actor_name
from shailoo.common.problems import Problem
from shailoo.common.refusals import Conflict, InvalidInput, NotFound
from shailoo.elections.models import Election
from shailoo.integrity import ledger
from shailoo.law.loader import LawError, available_editions, load_edition

ELECTION_CREATE = "elections.create"
ELECTION_SET_CURRENT = "elections.set_current"

_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")
_NAME_MAX = 200


def current_election() -> Election:
    """The election being prepared (``is_current``); a refusal says how to set one."""
    election = Election.objects.filter(is_current=True).order_by("-polling_day").first()
    if election is None:
        raise Conflict(
            "no_current_election",
            gettext(
                "No current election is set: create one with `shailoo elections create` "
                "or choose one with `shailoo elections set-current`."
            ),
        )
    return election


def election_named(code: str | None) -> Election:
    """The election with ``code``, or the current one when no code is given."""
    if not code:
        return current_election()
    election = Election.objects.filter(code=code[:50]).first()
    if election is None:
        raise NotFound(
            "election_not_found",
            gettext("No election has the code %(code)s.") % {"code": code[:50]},
        )
    return election


def all_elections() -> list[Election]:
    """Every election, the latest polling day first."""
    return list(Election.objects.order_by("-polling_day", "code"))


def _creation_problems(
    code: str, name: str, polling_day: datetime.date | str, law_edition: str
) -> tuple[datetime.date | None, list[Problem]]:
    problems: list[Problem] = []
    if not _CODE.fullmatch(code):
        why = gettext("a code of letters, digits, hyphens and underscores, at most 50 characters")
        problems.append(Problem("code", why))
    if not name.strip() or len(name) > _NAME_MAX:
        problems.append(Problem("name", gettext("a name is required, at most 200 characters")))
    day: datetime.date | None = None
    if isinstance(polling_day, datetime.date):
        day = polling_day
    else:
        try:
            day = datetime.date.fromisoformat(polling_day.strip())
        except ValueError:
            problems.append(
                Problem(
                    "polling_day",
                    gettext("%(value)r is not a date YYYY-MM-DD") % {"value": polling_day},
                )
            )
    known = available_editions()
    if law_edition not in known:  # an id only: never a path
        why = gettext("unknown law edition %(edition)r; available: %(known)s") % {
            "edition": law_edition,
            "known": ", ".join(known) or "-",
        }
        problems.append(Problem("law_edition", why))
    else:
        try:
            load_edition(law_edition)
        except LawError as exc:
            why = gettext("The law edition %(edition)s cannot be loaded.") % {
                "edition": law_edition
            }
            problems.append(Problem("law_edition", why))
            problems.extend(exc.problems)
    return day, problems


def create_election(
    actor: Actor,
    *,
    code: str,
    name: str,
    polling_day: datetime.date | str,
    law_edition: str,
    current: bool = False,
) -> Election:
    """Create an election under a packaged law edition; ``current`` also makes it the one.

    Refuses bad input with every problem located by field (``InvalidInput``) and a code
    already taken (``Conflict``). One ``elections.create`` ledger entry, and with ``current``
    one ``elections.set_current`` entry, in the transaction that stores the row.
    """
    require(actor, Permission.ELECTION_EDIT)
    code, law_edition = code.strip(), law_edition.strip()
    day, problems = _creation_problems(code, name, polling_day, law_edition)
    if problems or day is None:
        raise InvalidInput(
            "election_invalid",
            gettext("The election cannot be created as given."),
            problems=problems,
        )
    with transaction.atomic():
        if Election.objects.filter(code=code).exists():
            raise Conflict(
                "election_exists",
                gettext("An election with the code %(code)s already exists.") % {"code": code},
            )
        election = Election.objects.create(
            code=code, name=name.strip(), polling_day=day, law_edition=law_edition
        )
        ledger.record(
            ELECTION_CREATE,
            actor=actor_name(actor),
            subject=ledger.ref(election),
            data={
                "code": election.code,
                "name": election.name,
                "polling_day": day.isoformat(),
                "law_edition": law_edition,
            },
        )
        if current:
            _make_current(actor, election)
    return election


def set_current(actor: Actor, code: str) -> Election:
    """Make the election ``code`` the one current election (the others stop being current).

    Nothing changes, and nothing is recorded, when it already is the only current one.
    """
    require(actor, Permission.ELECTION_EDIT)
    with transaction.atomic():
        election = election_named(code)
        _make_current(actor, election)
    return election


def _make_current(actor: Actor, election: Election) -> None:
    """Inside the caller's transaction: ``election`` current, every other one not."""
    others = Election.objects.select_for_update().filter(is_current=True).exclude(pk=election.pk)
    previous = sorted(others.values_list("code", flat=True))
    if election.is_current and not previous:
        return
    others.update(is_current=False)
    Election.objects.filter(pk=election.pk).update(is_current=True)
    election.is_current = True
    ledger.record(
        ELECTION_SET_CURRENT,
        actor=actor_name(actor),
        subject=ledger.ref(election),
        data={"code": election.code, "previous": list(previous)},
    )


__all__ = [
    "ELECTION_CREATE",
    "ELECTION_SET_CURRENT",
    "all_elections",
    "create_election",
    "current_election",
    "election_named",
    "set_current",
]
