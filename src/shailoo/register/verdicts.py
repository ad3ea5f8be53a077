"""Bridge between stored persons and the pure eligibility engine."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from shailoo.elections.models import Election
from shailoo.law.loader import load_edition
from shailoo.register import ledger_entries
from shailoo.register import state as person_states
from shailoo.register.eligibility import Verdict, compile_rules, evaluate
from shailoo.register.facts import PersonFacts
from shailoo.register.models import Person


def person_facts(person: Person) -> PersonFacts:
    """The facts the eligibility rules look at, taken from a stored person."""
    others = tuple(c for c in person.other_citizenships.split(";") if c)
    return PersonFacts(
        birth_date=person.birth_date,
        citizenship=person.citizenship,
        other_citizenships=others,
        legally_incapable=person.legally_incapable,
        in_confinement=person.in_confinement,
        biometric_registered=person.biometric_registered,
        death_date=person.death_date,
    )


def verdict_for(person: Person, election: Election) -> Verdict:
    """The explained verdict on ``person`` for ``election``."""
    return evaluate(person_facts(person), election.polling_day, load_edition(election.law_edition))


def reevaluate_all(
    election: Election, on_progress: Callable[[int], None] | None = None, chunk: int = 20000
) -> tuple[int, int]:
    """Recompute the stored verdict of every person; return (changed, total)."""
    rules = compile_rules(load_edition(election.law_edition), election.polling_day)
    fields = (
        "id",
        "birth_date",
        "citizenship",
        "legally_incapable",
        "in_confinement",
        "biometric_registered",
        "death_date",
        "other_citizenships",
        "ineligible_codes",
    )
    changed = total = 0
    last_id = 0
    while True:
        rows = list(
            Person.objects.filter(id__gt=last_id).order_by("id").values_list(*fields)[:chunk]
        )
        if not rows:
            break
        updates = []
        for pk, birth, citizenship, incapable, confined, bio, death, others, old in rows:
            codes = rules.fail_codes(birth, citizenship, incapable, confined, bio, death, others)
            if codes != old:
                updates.append(Person(id=pk, eligible=not codes, ineligible_codes=codes))
        with transaction.atomic():
            Person.objects.bulk_update(updates, ["eligible", "ineligible_codes"], batch_size=2000)
            entry = ledger_entries.verdicts_recomputed(
                election_code=election.code,
                first_id=rows[0][0],
                last_id=rows[-1][0],
                checked=len(rows),
                changed=len(updates),
            )
            person_states.bind(
                [u.pk for u in updates], source=person_states.VERDICTS, of=entry.sequence
            )
        changed += len(updates)
        total += len(rows)
        last_id = rows[-1][0]
        if on_progress is not None:
            on_progress(total)
    return changed, total
