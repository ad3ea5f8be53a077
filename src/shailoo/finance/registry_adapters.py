"""The registries as the pure engines read them: built from the tables, once per screen run.

Each builder streams its table (the register has millions of persons) into the engine's own
input type; the engines never see a model. In production the same builders read the tables
the live registries' adapters keep filled.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from typing import Literal

from django.db import connection

from shailoo.common.forking import can_fork_with_database, close_connection, database_executor
from shailoo.common.problems import Problem
from shailoo.finance.facts import STATUS_CATEGORIES, entity_categories, person_categories
from shailoo.finance.models import (
    EntityDebt,
    LegalEntity,
    PersonStatus,
    ReportedTransfer,
    Shareholding,
)
from shailoo.finance.ownership import Holding, Node, OwnershipGraph
from shailoo.finance.resolution import DonorIndex, EntityRecord
from shailoo.finance.resolution.tables import EntityTable, PersonColumns, PersonRow, PersonTable
from shailoo.finance.screening import Facts, OwnershipFinding, OwnershipLookup, Transfer
from shailoo.integrity import ledger
from shailoo.law.schema import Finance
from shailoo.register.models import Person

CHUNK = 900  # parameters per IN (...) query: below SQLite's limit
#: A register at least this large is read by two processes when the screen has the cores.
SPLIT_REGISTER = 200_000
#: The share of the register this process reads; the forked reader reads the rest. Less
#: than half: this process then joins the parts and indexes the organisations.
READ_HERE = 0.4


def person_key(pin: str) -> str:
    return f"P:{pin}"


def entity_key(inn: str) -> str:
    return f"E:{inn}"


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _person_rows(first: int | None = None, before: int | None = None) -> Iterator[PersonRow]:
    """The register's persons as plain rows, by id (``first`` <= id < ``before`` where
    given), read through the database cursor: at millions of rows the ORM's per-row
    conversions cost more than the index built from them. A date the driver returns as text
    (SQLite) is read here, as the ORM would read it."""
    persons = Person.objects.order_by("pk")
    if first is not None:
        persons = persons.filter(pk__gte=first)
    if before is not None:
        persons = persons.filter(pk__lt=before)
    query = persons.values_list(
        "pin", "surname", "given_name", "patronymic", "birth_date", "address", "citizenship"
    ).query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(20_000):
            for pin, surname, given, patronymic, born, address, citizenship in rows:
                if isinstance(born, str):
                    born = date.fromisoformat(born)
                yield pin, surname, given, patronymic, born, address, citizenship


def _register_columns(workers: int) -> PersonColumns:
    """The register read into columns: with ``workers`` 2 or more and a register large
    enough to pay for it, a forked process reads the later ids while this one reads the
    first, and the two parts are joined (the same columns as one read gives)."""
    total = Person.objects.count() if workers > 1 else 0
    if total < SPLIT_REGISTER or not can_fork_with_database():
        return PersonColumns.read(_person_rows())
    here = int(total * READ_HERE)
    middle = Person.objects.order_by("pk").values_list("pk", flat=True)[here]
    with database_executor(1) as reader:
        there = reader.submit(_read_register_part, middle, here)
        columns = PersonColumns.read(_person_rows(before=middle))
        columns.extend(there.result())
    return columns


def _read_register_part(first: int, start: int) -> PersonColumns:
    """In the forked reader: the persons from id ``first`` on (input position ``start``)."""
    try:
        return PersonColumns.read(_person_rows(first=first), start)
    finally:
        close_connection()


def _entities() -> Iterator[EntityRecord]:
    rows = LegalEntity.objects.values_list("inn", "name", "other_names", "country", "kind")
    for inn, name, other, country, kind in rows.iterator(chunk_size=20_000):
        yield EntityRecord(inn, name, tuple(other or ()), country, kind)


def donor_index(workers: int = 1) -> DonorIndex:
    """The register's persons and the registries' organisations, indexed for resolution
    (the register read by two processes where ``workers`` allows: see
    :func:`_register_columns`)."""
    problems: list[Problem] = []
    persons = PersonTable.from_columns(_register_columns(workers), problems)
    entities = EntityTable(_entities(), problems)
    return DonorIndex(persons, entities, problems)


def facts_for(keys: Iterable[str], index: DonorIndex | None = None) -> dict[str, Facts]:
    """What the registries say of each identity key.

    A status (civil servant, religious figure, debtor) and an entity's debt hold for their
    period only: the screen asks for the donation's day, so money given after a debt was paid
    or after leaving the service is not from a prohibited source.
    """
    pins = sorted({k[2:] for k in keys if k.startswith("P:")})
    inns = sorted({k[2:] for k in keys if k.startswith("E:")})
    found: dict[str, Facts] = {}
    for part in _chunks(pins):
        periods: dict[str, list[tuple[str, date | None, date | None]]] = defaultdict(list)
        for pin, status, first, ended in PersonStatus.objects.filter(pin__in=part).values_list(
            "pin", "status", "started_on", "ended_on"
        ):
            category = STATUS_CATEGORIES.get(status)
            if category:
                periods[pin].append((category, first, ended))
        for pin, citizenship, name in _persons_named(part, index):
            found[person_key(pin)] = Facts(
                kind="person",
                categories=person_categories(citizenship),
                country=citizenship,
                name=name,
                periods=tuple(periods[pin]),
            )
    for part in _chunks(inns):
        debts: dict[str, list[tuple[str, date | None, date | None]]] = defaultdict(list)
        for inn, first, ended in EntityDebt.objects.filter(entity__inn__in=part).values_list(
            "entity__inn", "started_on", "ended_on"
        ):
            debts[inn].append(("budget_debtor", first, ended))
        for inn, kind, country, preference, name in LegalEntity.objects.filter(
            inn__in=part
        ).values_list("inn", "kind", "country", "state_share_tax_preference", "name"):
            found[entity_key(inn)] = Facts(
                kind="entity",  # the registry's own category is in ``categories``
                categories=entity_categories(kind, country, state_share_tax_preference=preference),
                country=country,
                name=name,
                periods=tuple(debts[inn]),
            )
    return found


def _persons_named(pins: list[str], index: DonorIndex | None) -> Iterator[tuple[str, str, str]]:
    """``(pin, citizenship, name)`` of the register's persons: from the index the screen has
    built anyway (one read of the register per run), else from the register."""
    if index is None:
        rows = Person.objects.filter(pin__in=pins).values_list(
            "pin", "citizenship", "surname", "given_name"
        )
        for pin, citizenship, surname, given in rows:
            yield pin, citizenship, f"{surname} {given}"
        return
    table = index.persons
    for pin, row in zip(pins, table.rows_of_pins(pins), strict=True):
        if row is not None:
            yield pin, table.country(row), table.name(row)


def register_addresses(pins: Iterable[str], index: DonorIndex) -> dict[str, str]:
    """Each person's address as the register keeps it (the index's reading of it)."""
    table = index.persons
    wanted = list(pins)
    return {
        pin: table.address_text(row)
        for pin, row in zip(wanted, table.rows_of_pins(wanted), strict=True)
        if row is not None
    }


def _person_node(pin: str, pepper: bytes | None = None) -> str:
    """A person's node id: :func:`ledger.pin_ref` of the PIN (with ``pepper``, the ledger's,
    read once by the caller that names thousands of owners)."""
    if pepper is None:
        return f"person:{ledger.pin_ref(pin)[:32]}"
    return f"person:{hmac.new(pepper, pin.encode('utf-8'), hashlib.sha256).hexdigest()[:32]}"


def ownership_graph() -> OwnershipGraph:
    """Every legal entity and its owners over time; persons as owners with their nationality
    (the register's citizenship where the registry left it blank). Shares that add up to
    more than 100 % are scaled down and listed in ``problems`` rather than refusing the
    screen: a registry's rounding must not stop it."""
    nodes: dict[str, Node] = {}
    for inn, name, country in LegalEntity.objects.values_list("inn", "name", "country").iterator(
        chunk_size=20_000
    ):
        nodes[entity_key(inn)] = Node(entity_key(inn), "entity", name, country)
    ids = dict(LegalEntity.objects.values_list("pk", "inn").iterator(chunk_size=20_000))
    holdings: list[Holding] = []
    unknown_pins: set[str] = set()
    pepper = ledger.pepper()
    rows = Shareholding.objects.values_list(
        "owned_id",
        "owner_entity_id",
        "owner_pin",
        "owner_name",
        "owner_country",
        "share",
        "started_on",
        "ended_on",
    ).iterator(chunk_size=20_000)
    for owned, owner_entity, pin, name, country, share, start, end in rows:
        if owner_entity is not None:
            owner = entity_key(ids[owner_entity])
        elif pin:
            # Persons are nodes under an opaque reference: the graph's ids are the record
            # ids of its BODS export, and a PIN must not leave the commission that way.
            owner = _person_node(pin, pepper)
            if owner not in nodes:
                nodes[owner] = Node(owner, "person", name, country)
                if not country:
                    unknown_pins.add(pin)
        else:  # a person the register does not know (a foreigner abroad): named by the row
            owner = f"X:{name}:{country}"
            nodes.setdefault(owner, Node(owner, "person", name, country))
        holdings.append(Holding(owner, entity_key(ids[owned]), Decimal(share), start, end))
    for part in _chunks(sorted(unknown_pins)):
        for pin, citizenship, surname, given in Person.objects.filter(pin__in=part).values_list(
            "pin", "citizenship", "surname", "given_name"
        ):
            key = _person_node(pin, pepper)
            nodes[key] = Node(key, "person", nodes[key].name or f"{surname} {given}", citizenship)
    return OwnershipGraph(nodes.values(), holdings, lenient=True)


def ownership_lookup(graph: OwnershipGraph, law: Finance) -> OwnershipLookup:
    """The screen's ownership question, answered by the graph with the law's thresholds."""
    min_share = float(law.foreign_participation_min_share.value)
    control = float(law.look_through_control_share.value)

    def lookup(key: str, day: date) -> OwnershipFinding | None:
        if key not in graph:
            return None
        found = graph.assess(key, day, min_share, control)
        if found is None:
            return None
        rule: Literal["direct", "look_through"] = (
            "direct" if found.rule == "direct" else "look_through"
        )
        return OwnershipFinding(
            entity=key,
            rule=rule,
            direct_share=Decimal(str(round(found.direct_share, 6))),
            effective_share=Decimal(str(round(found.effective_share, 6))),
            chains=tuple(chain.text() for chain in found.chains),
            foreign_owners=tuple(
                f"{o.name} ({o.country or '?'}) {o.share:.1%}" for o in found.foreign_owners
            ),
        )

    return lookup


def transfers_to(keys: Iterable[str]) -> list[Transfer]:
    """The reported payments to these identities (the conduit check's input)."""
    wanted = sorted(set(keys))
    out: list[Transfer] = []
    for part in _chunks(wanted):
        for payer, payee, day, amount in ReportedTransfer.objects.filter(
            payee__in=part
        ).values_list("payer", "payee", "day", "amount"):
            out.append(Transfer(payer, payee, day, amount))
    return out
