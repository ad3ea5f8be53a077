"""What every planted case shares: the funds taken in turn, each fund's entry serials,
days inside the campaign, the entries booked, and the manifest line (:class:`Planted`) that
says what the screen must make of them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from shailoo.synth.population import PopulationRow

from ..accounts import entry_ref, som
from ..entries import REMIT_COMPANY, REMIT_PERSON, entity_credit, payment, person_credit
from ..people import People, person_owner
from ..registry import Registry, split_shares
from ..rows import (
    Caps,
    EntityRow,
    FundRow,
    PersonLike,
    PersonStatusRow,
    Planted,
    TransferRow,
    TxRow,
)


class PlanterBase:
    """Builds the planted cases: their entities, holdings, statuses, debts, transfers and
    bank entries, each fund's entries numbered from 0 (serials; refs scrambled)."""

    def __init__(
        self,
        seed: int,
        rng: random.Random,
        reg: Registry,
        people: People,
        funds: list[FundRow],
        holders: list[PersonLike | None],
        parties: list[EntityRow | None],
        caps: list[Caps],
        start: date,
        polling_day: date,
        targets: list[int],
    ) -> None:
        self.seed, self.rng, self.reg, self.people = seed, rng, reg, people
        self.funds, self.holders, self.parties, self.caps = funds, holders, parties, caps
        self.start, self.polling_day = start, polling_day
        self.targets = targets  # funds that take planted cases (round robin)
        self.turn = 0
        self.serials = [0] * len(funds)
        self.txs: dict[str, list[TxRow]] = {}
        self.planted: list[Planted] = []
        self.statuses: list[PersonStatusRow] = []
        self.transfers: list[TransferRow] = []
        self.notes: list[str] = []
        self.new_persons: list[PopulationRow] = []
        #: The payment agent whose transit account carries gifts of others (ultimate debtors).
        self.agent = reg.rows[self.clean_company(name="ОсОО «Төлөм Сервис»", years=6)]

    def next_fund(self) -> int:
        k = self.targets[self.turn % len(self.targets)]
        self.turn += 1
        return k

    def serial(self, k: int) -> int:
        self.serials[k] += 1
        return self.serials[k] - 1

    def day(self, early: int = 14, late: int = 12) -> date:
        first = self.start + timedelta(days=early)
        last = self.polling_day - timedelta(days=late)
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def book(self, k: int, tx: TxRow) -> TxRow:
        self.txs.setdefault(tx.fund, []).append(tx)
        return tx

    def credit_person(
        self, k: int, day: date, amount: int | Decimal, p: PersonLike, **changes: Any
    ) -> TxRow:
        ref = entry_ref(self.seed, k, self.serial(k))
        remittance = self.rng.choice(REMIT_PERSON)
        tx = person_credit(ref, self.funds[k], day, som(amount), p, remittance)
        return self.book(k, replace(tx, **changes) if changes else tx)

    def credit_entity(
        self, k: int, day: date, amount: int | Decimal, e: EntityRow, **changes: Any
    ) -> TxRow:
        tx = entity_credit(self.seed, k, self.serial(k), self.funds[k], day, som(amount), e)
        tx = replace(tx, remittance=self.rng.choice(REMIT_COMPANY))
        return self.book(k, replace(tx, **changes) if changes else tx)

    def pay(
        self, k: int, day: date, amount: int, e: EntityRow, purpose: str, **changes: Any
    ) -> TxRow:
        tx = payment(
            self.seed, k, self.serial(k), self.funds[k], day, som(amount), e, purpose, self.rng
        )
        return self.book(k, replace(tx, **changes) if changes else tx)

    def plant(
        self,
        kind: str,
        txs: Sequence[TxRow],
        positive: bool,
        note: str,
        category: str = "",
        subject: str = "",
    ) -> None:
        self.planted.append(
            Planted(
                kind,
                tuple(t.entry_ref for t in txs),
                txs[0].fund,
                positive,
                note,
                category,
                subject,
            )
        )

    def source(
        self, category: str, positive: bool, txs: Sequence[TxRow], note: str, subject: str
    ) -> None:
        # The screen's vocabulary: a local entity with foreign participants is
        # ``foreign_participation``; every other prohibited donor (foreign ones included) is a
        # ``prohibited_source`` with its category.
        kind = (
            "foreign_participation"
            if category == "foreign_participation_entity"
            else "prohibited_source"
        )
        self.plant(kind, txs, positive, note, category, subject)

    def legal_cap(self, k: int) -> int:
        return self.caps[k].legal_entity or 500_000

    def person_cap(self, k: int) -> int:
        return self.caps[k].individual or 200_000

    def clean_company(self, name: str = "", sector: str = "", years: int = 8) -> int:
        owners = [(person_owner(self.people.owner_citizen()), s) for s in split_shares(self.rng, 2)]
        reg_on = self.start - timedelta(days=self.rng.randint(400, years * 365))
        return self.reg.company(owners, name=name, sector=sector, registered_on=reg_on)
