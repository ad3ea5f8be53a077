"""The election definition's options from registered candidates and party lists.

Counting worked before registration existed, on a synthetic definition; once the commission
has registered candidates, the ballot must carry exactly them. This takes the loaded
definition (its contests, ballot styles and stations stay: they come from the districts and
the geography, not from registration) and replaces the options of every contest for which
registered candidates exist: the presidential contest's candidates, each district's candidates
(by the contest's ``district``), the party-list contest's parties with their candidates in
list order. Each candidate keeps the sex registered, which the 2025 district seat rule needs.
"Against all" stays where the contest had it. A contest with no registered candidate keeps
its options, so a partly registered election still has a whole ballot (and the command says
which contests were left).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from shailoo.candidates.models import Candidate, Party
from shailoo.counting.definition import Contest, ElectionDefinition, LocalText, Option
from shailoo.elections.models import Election

_ID = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Built:
    """The new definition, and which contests got registered options and which did not."""

    definition: ElectionDefinition
    replaced: tuple[str, ...]
    kept: tuple[str, ...]


def _option_id(prefix: str, ref: str, taken: set[str]) -> str:
    base = f"{prefix}-{_ID.sub('-', ref).strip('-.') or 'x'}"[:60]
    chosen, n = base, 1
    while chosen in taken:
        n += 1
        chosen = f"{base[:56]}-{n}"
    taken.add(chosen)
    return chosen


def _party_text(party: Party | None) -> LocalText | None:
    return None if party is None else LocalText(ky=party.name_ky, ru=party.name_ru)


def _candidate_option(candidate: Candidate, taken: set[str]) -> Option:
    name = candidate.full_name
    return Option(
        id=_option_id("c", candidate.ref, taken),
        kind="candidate",
        name=LocalText(ky=name, ru=name),
        party=_party_text(candidate.party),
        sex=candidate.sex,
    )


def _with_options(contest: Contest, options: list[Option]) -> Contest:
    against = [o for o in contest.options if o.kind == "against_all"]
    choosable = max(len(options), 1)
    return contest.model_copy(
        update={
            "options": tuple(options + against),
            "votes_allowed": min(contest.votes_allowed, choosable),
        }
    )


def definition_from_candidates(election: Election, base: ElectionDefinition) -> Built:
    """``base`` with every contest's options taken from the registered candidates."""
    registered = list(
        Candidate.objects.filter(election=election, status=Candidate.Status.REGISTERED)
        .select_related("party")
        .order_by("ref")
    )
    president = [c for c in registered if c.office == "president"]
    by_district: dict[str, list[Candidate]] = defaultdict(list)
    lists: dict[int, list[Candidate]] = defaultdict(list)
    parties: dict[int, Party] = {}
    for c in registered:
        if c.office == "president":
            continue
        if c.party is not None and c.list_position is not None:
            lists[c.party.pk].append(c)
            parties[c.party.pk] = c.party
        elif c.district:
            by_district[c.district].append(c)
    contests: list[Contest] = []
    replaced: list[str] = []
    kept: list[str] = []
    for contest in base.contests:
        taken: set[str] = {o.id for o in contest.options if o.kind == "against_all"}
        options: list[Option] = []
        if contest.kind == "president" and president:
            options = [_candidate_option(c, taken) for c in president]
        elif contest.kind in ("district", "local_district") and contest.district in by_district:
            options = [_candidate_option(c, taken) for c in by_district[contest.district]]
        elif contest.kind in ("party_list", "local_list") and lists:
            for pk, members in sorted(lists.items(), key=lambda item: parties[item[0]].code):
                members.sort(key=lambda c: c.list_position or 0)
                party = parties[pk]
                options.append(
                    Option(
                        id=_option_id("p", party.code, taken),
                        kind="party",
                        name=LocalText(ky=party.name_ky, ru=party.name_ru),
                        list_candidates=tuple(
                            LocalText(ky=c.full_name, ru=c.full_name) for c in members
                        ),
                    )
                )
        if options:
            contests.append(_with_options(contest, options))
            replaced.append(contest.id)
        else:
            contests.append(contest)
            kept.append(contest.id)
    # Validated whole again (through its JSON form, as a file would be): the contests'
    # and the definition's own consistency checks run on the new options.
    changed = base.model_copy(update={"contests": tuple(contests)})
    definition = ElectionDefinition.model_validate_json(changed.model_dump_json())
    return Built(definition, tuple(replaced), tuple(kept))
