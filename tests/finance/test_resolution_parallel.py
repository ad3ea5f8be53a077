"""Donor resolution on several cores gives exactly the answers of one core.

The screen forks worker processes once the index is built (``resolution.parallel``); these
tests resolve the same statements' payers both ways — names in Cyrillic and Latin, PINs right,
wrong and invalid, organisations by INN and by name, repeats — and compare every answer.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from shailoo.finance.resolution import (
    Counterparty,
    DonorIndex,
    EntityRecord,
    PersonRecord,
    Resolution,
)
from shailoo.finance.resolution.parallel import ResolverPool
from shailoo.register.names import transliterate
from shailoo.synth import namepools

SURNAMES = namepools.KYRGYZ.surnames[:40]
GIVEN = namepools.KYRGYZ.male[:30]


def _pin(n: int, born: date) -> str:
    return f"2{born:%d%m%Y}{n:05d}"


def _people(count: int) -> list[PersonRecord]:
    start = date(1950, 1, 1)
    out = []
    for n in range(count):
        born = start + timedelta(days=(n * 97) % 20000)
        surname, given = SURNAMES[n % len(SURNAMES)], GIVEN[(n // 3) % len(GIVEN)]
        out.append(
            PersonRecord(
                pin=_pin(n, born), surname=surname, given_name=given, patronymic="",
                birth_date=born, address=f"Бишкек, ул. Токтогула {n % 90}",
                citizenship="KG" if n % 17 else "RU",
            )
        )  # fmt: skip
    return out


ENTITIES = [
    EntityRecord(f"0{n:013d}", f"ОсОО Ромашка {n}", (f"Romashka {n} LLC",), "KG", "llc")
    for n in range(30)
]


def _statements(people: list[PersonRecord], picks: list[tuple[int, int]]) -> list[Counterparty]:
    """Payers as banks write them: ``(person, how)`` for each."""
    out = []
    for n, how in picks:
        p = people[n % len(people)]
        name = f"{p.surname} {p.given_name}"
        if how == 0:
            out.append(Counterparty(name=name, person_id=p.pin))
        elif how == 1:
            out.append(Counterparty(name=transliterate(name).upper(), birth_date=p.birth_date))
        elif how == 2:
            out.append(Counterparty(name=name, person_id=p.pin[:-1] + "0"))  # a wrong PIN
        elif how == 3:
            e = ENTITIES[n % len(ENTITIES)]
            out.append(Counterparty(name=e.other_names[0], org_id=e.inn))
        elif how == 4:
            out.append(Counterparty(name=f"{p.given_name} {p.surname}", address=p.address))
        else:
            out.append(Counterparty())  # nobody named
    return out


PEOPLE = _people(600)
INDEX = DonorIndex.build(PEOPLE, ENTITIES)


@settings(max_examples=5)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 5)), min_size=1, max_size=300))
def test_workers_resolve_as_one_process_does(picks: list[tuple[int, int]]) -> None:
    statements = _statements(PEOPLE, picks)
    alone = DonorIndex.build(PEOPLE, ENTITIES).resolve_many(statements)
    with ResolverPool(INDEX, 2, min_parallel=1) as pool:
        assert pool.parallel
        together = DonorIndex.build(PEOPLE, ENTITIES).resolve_many(statements, pool)
    assert together == alone


def test_one_worker_or_a_small_batch_resolves_here() -> None:
    statements = _statements(PEOPLE, [(n, n % 6) for n in range(50)])
    expected = [INDEX.resolve(cp) for cp in statements]
    with ResolverPool(INDEX, 1) as pool:
        assert not pool.parallel
        assert pool.resolve(statements) == expected
    with ResolverPool(INDEX, 2) as pool:  # 50 is below the batch worth forking for
        assert pool.resolve(statements) == expected


def test_repeated_payers_are_resolved_once_and_answered_each_time() -> None:
    statements = _statements(PEOPLE, [(7, 0), (7, 0), (8, 1), (7, 0)])
    index = DonorIndex.build(PEOPLE, ENTITIES)
    with ResolverPool(index, 2, min_parallel=1) as pool:
        answers = index.resolve_many(statements, pool)
    assert answers[0] == answers[1] == answers[3]
    assert answers[0].identity_key == f"P:{PEOPLE[7].pin}"
    assert len(answers) == 4


def _short(answer: Resolution) -> tuple[str, str | None, float]:
    """What a caller might want sent back of an answer (a module-level function)."""
    return str(answer.status), answer.identity_key, answer.score


@settings(max_examples=5)
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 5)), max_size=80),
        min_size=1,
        max_size=6,
    )
)
def test_batches_handed_over_at_once_are_answered_as_one_batch_at_a_time(
    batches: list[list[tuple[int, int]]],
) -> None:
    statements = [_statements(PEOPLE, picks) for picks in batches]
    one_by_one = DonorIndex.build(PEOPLE, ENTITIES)
    expected = [one_by_one.resolve_many(batch) for batch in statements]
    assert list(DonorIndex.build(PEOPLE, ENTITIES).resolve_batches(statements)) == expected
    # Workers forked with the plan are sent where the counterparties are, and send back
    # only the shape asked for.
    index = DonorIndex.build(PEOPLE, ENTITIES)
    index.resolve_many(statements[0][:3])  # some answers remembered from before
    plan = index.plan_batches(statements)
    with ResolverPool(index, 2, parties=plan.fresh) as pool:
        assert pool.parallel
        shaped = list(index.answer_batches(plan, pool, shape=_short))
    assert shaped == [[_short(answer) for answer in batch] for batch in expected]
