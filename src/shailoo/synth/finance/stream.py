"""The background transactions, fund by fund, for :func:`iter_transactions`.

Streamed rather than stored so that a world of a million entries needs one fund's at a time;
each fund is walked in booking order with its planted entries so that every amount drawn fits
the balance, the caps and the rules that keep the background clean.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal
from itertools import accumulate

from .accounts import entry_ref, key_digits, kg_account, kg_bank, som
from .caps import own_top_up, party_top_up
from .entries import (
    BATCH_TEXT,
    CANDIDATE_OWN,
    FROM_PARTY,
    PARTY_OWN,
    REMIT_COMPANY,
    REMIT_PERSON,
    VIA_AGENT,
    entity_credit,
    payment,
    person_credit,
)
from .mix import (
    CANDIDATE_MIX,
    GIFT_AMOUNTS,
    GIFT_CUMULATIVE,
    INCOME_KINDS,
    PARTY_MIX,
    SPEND_RANGES,
    SPEND_WEIGHTS,
)
from .names import full_name, latin_name
from .rows import PURPOSES, CapPlan, EntityRow, FinanceWorld, PersonLike, TxRow


class _FundStream:
    """One fund's transactions in booking order: background slots drawn first (kind and
    day), then walked day by day with the planted entries, so that every amount fits the
    balance (no debit overdraws), the caps (background income at most ``allowed``) and the
    rules that keep the background clean (three gifts per donor, two donors per dwelling,
    one gift per company, no five equal large gifts in a day)."""

    def __init__(self, world: FinanceWorld, k: int) -> None:
        bg = world.background
        self.world, self.bg, self.k = world, bg, k
        self.fund = world.funds[k]
        self.rng = random.Random(f"shailoo-finance:{world.seed}:fund:{k}")
        self.caps = bg.caps[k]
        self.scale = bg.scales[k]
        self.serial = bg.serial_start[k]
        self.holder = bg.holders[k]
        self.party = bg.parties[k]
        self.cap_plan = bg.cap_plans.get(k)
        self.no_own = self.fund.kind == "candidate" and self.holder is None
        cap = Decimal(self.caps.fund_total or 10**12)
        planted_income = sum(
            (t.amount for t in bg.planted.get(self.fund.account, ()) if t.credit), Decimal(0)
        )
        self.allowed = cap * Decimal("0.3" if self.cap_plan else "0.55") - planted_income
        self.balance = Decimal(0)
        self.income = Decimal(0)
        self.own = Decimal(0)
        self.from_party = Decimal(0)
        self.gifts: dict[int, int] = {}
        self.repeat: list[int] = []
        self.homes: dict[str, int] = {}
        self.firms: set[str] = set()
        self.large: dict[tuple[date, Decimal], int] = {}
        last = world.polling_day - timedelta(days=10 if self.cap_plan else 1)
        self.income_days = (world.start, last)
        self.spend_days = (world.start + timedelta(days=3), world.polling_day + timedelta(days=5))

    # -- drawing slots --------------------------------------------------------------------

    def day_in(self, span: tuple[date, date], power: float) -> date:
        first, last = span
        days = (last - first).days
        day = first + timedelta(days=int(days * self.rng.random() ** (1 / power) + 0.5))
        if day.weekday() == 6:
            day += timedelta(days=1) if day < last else timedelta(days=-1)
        return day

    def slots(self, n: int) -> list[tuple[date, float, str, int]]:
        mix = PARTY_MIX if self.fund.kind == "party" else CANDIDATE_MIX
        kinds = [kind for kind, _ in mix]
        cumulative = list(accumulate(w for _, w in mix))
        out = []
        made = 0
        rng = self.rng
        while made < n:
            kind = kinds[bisect(cumulative, rng.random() * cumulative[-1])]
            size = 1
            if kind == "batch":
                size = min(n - made, rng.randint(3, 8))
                kind = "batch" if size >= 2 else "person"
            elif kind == "reversal":
                size = 2 if n - made >= 2 else 1
                kind = "reversal" if size == 2 else "person"
            elif (kind == "party" and self.party is None) or (kind == "own" and self.no_own):
                kind = "person"
            if kind in INCOME_KINDS:
                day = self.day_in(self.income_days, 1.6)
            else:
                day = self.day_in(self.spend_days, 1.3)
            out.append((day, rng.random(), kind, size))
            made += size
        return out

    # -- the walk -------------------------------------------------------------------------

    def run(self) -> list[TxRow]:
        n = self.bg.counts[self.k]
        reserved = self.cap_plan.slots if self.cap_plan else 0
        events: list[tuple[date, float, str, int, TxRow | None]] = [
            (day, u, kind, size, None) for day, u, kind, size in self.slots(n - reserved)
        ]
        for planted in self.bg.planted.get(self.fund.account, ()):
            events.append((planted.booking_date, self.rng.random(), "planted", 1, planted))
        events.sort(key=lambda e: (e[0], e[1]))
        out: list[TxRow] = []
        index = owed = 0
        while index < len(events):
            day, _, kind, size, tx = events[index]
            index += 1
            if tx is not None:
                if not tx.credit and tx.amount > self.balance:  # cover a planted payment
                    out.append(self.cover(day, tx.amount - self.balance))
                    owed += not _drop_last(events, index)
                self.apply(tx)
                out.append(tx)
                continue
            out.extend(self.make(kind, size, day))
        fixed = set(self.bg.planted.get(self.fund.account, ()))
        at = len(out) - 1
        while owed and at >= 0:  # nothing was left to give up: a late background entry goes,
            # a debit (a balance only grows without it) or the very last entry
            if out[at] not in fixed and (not out[at].credit or at == len(out) - 1):
                del out[at]
                owed -= 1
            at -= 1
        if self.cap_plan is not None:
            out.extend(self.top_up(self.cap_plan))
        return out

    def make(self, kind: str, size: int, day: date) -> list[TxRow]:
        if kind == "person":
            return [self.person(day)]
        if kind == "batch":
            batch = self.ref()
            return [self.person(day, batch=batch) for _ in range(size)]
        if kind == "reversal":
            gift = self.person(day)
            return [gift, self.reverse(gift)]
        if kind == "company":
            return [self.company(day)]
        if kind == "own":
            return [self.own_money(day)]
        if kind == "party":
            return [self.party_money(day)]
        if kind == "name_only":
            return [self.person(day, with_pin=False)]
        if kind == "agent":
            return [self.via_agent(day)]
        if kind == "fee":
            return [self.fee(day)]
        return [self.spend(day)]

    def apply(self, tx: TxRow) -> None:
        if tx.credit:
            self.balance += tx.amount
            self.income += tx.amount
        else:
            self.balance -= tx.amount
            if tx.reversal:
                self.income -= tx.amount

    def ref(self) -> str:
        self.serial += 1
        return entry_ref(self.world.seed, self.k, self.serial - 1)

    def emit(self, tx: TxRow) -> TxRow:
        self.apply(tx)
        return tx

    def scaled(self, amount: int) -> Decimal:
        if self.scale >= 1:
            return Decimal(amount)
        return _round_down(amount * self.scale)

    def income_room(self, amount: Decimal) -> Decimal:
        room = self.allowed - self.income
        return _round_down(room) if amount > room else amount

    # -- income ---------------------------------------------------------------------------

    def donor(self) -> tuple[int, PersonLike]:
        pool, rng = self.bg.pool, self.rng
        for _ in range(60 + len(pool) // 1000):
            if self.repeat and rng.random() < 0.2:
                pos = self.repeat[rng.randrange(len(self.repeat))]
            else:
                pos = rng.randrange(len(pool))
            if self.takes(pos):
                return pos, pool[pos]
        for pos in range(len(pool)):
            if self.takes(pos):
                return pos, pool[pos]
        raise ValueError("the donor pool is exhausted: pass more persons or fewer transactions")

    def takes(self, pos: int) -> bool:
        count = self.gifts.get(pos, 0)
        if count >= 3:
            return False
        p = self.bg.pool[pos]
        if count == 0:
            if self.homes.get(p.dwelling_id, 0) >= 2:
                return False
            self.homes[p.dwelling_id] = self.homes.get(p.dwelling_id, 0) + 1
            self.repeat.append(pos)
        self.gifts[pos] = count + 1
        return True

    def gift_amount(self) -> Decimal:
        rng = self.rng
        amount = GIFT_AMOUNTS[bisect(GIFT_CUMULATIVE, rng.random() * GIFT_CUMULATIVE[-1])]
        if amount == 0:
            amount = rng.randint(10, 500) * 100
        return self.income_room(self.scaled(amount))

    def person(self, day: date, *, batch: str = "", with_pin: bool = True) -> TxRow:
        rng = self.rng
        _, p = self.donor()
        amount = self.gift_amount()
        bank = kg_bank(p.pin)
        roll = rng.random()
        if not with_pin:
            name = full_name(p)
        elif roll < 0.05:
            name = latin_name(p)
        elif roll < 0.25:
            name = f"{p.surname} {p.given_name}"
        elif roll < 0.35:
            name = full_name(p).upper()
        else:
            name = full_name(p)
        ref = self.ref()
        return self.emit(
            TxRow(
                ref, self.fund.account, day, som(amount), True, value_date=day, name=name,
                person_id=p.pin if with_pin else "", id_scheme="NIDN" if with_pin else "",
                birth_date=None if with_pin else p.birth_date,
                birth_city="" if with_pin else "NOTPROVIDED",
                birth_country="" if with_pin else "KG",
                address=p.address if (rng.random() < 0.6 or not with_pin) else "",
                counterparty_country="KG", account=kg_account(bank, p.pin), account_country="KG",
                agent_bic=bank.bic, agent_name=bank.name,
                remittance=BATCH_TEXT if batch else rng.choice(REMIT_PERSON),
                batch=batch, end_to_end_id=key_digits(f"e2e:{ref}", 10),
            )
        )  # fmt: skip

    def from_entity(self, day: date, amount: Decimal, e: EntityRow, text: str) -> TxRow:
        tx = entity_credit(self.world.seed, self.k, self.serial, self.fund, day, som(amount), e)
        self.serial += 1
        return self.emit(replace(tx, remittance=text))

    def from_holder(self, day: date, amount: Decimal, text: str) -> TxRow:
        """The candidate's own money (within the edition's cap on it)."""
        assert self.holder is not None
        self.own += amount
        tx = person_credit(self.ref(), self.fund, day, som(amount), self.holder, text)
        return self.emit(tx)

    def reverse(self, gift: TxRow) -> TxRow:
        return self.emit(
            replace(
                gift, entry_ref=self.ref(), credit=False, reversal=True, batch="",
                bank_tx_code="PMNT/RCDT/RRTN", remittance="Возврат ошибочно зачисленных средств",
                original_ref=gift.entry_ref,
            )
        )  # fmt: skip

    def company(self, day: date) -> TxRow:
        rng, companies = self.rng, self.bg.companies
        legal = self.caps.legal_entity or 500_000
        firm = companies[rng.randrange(len(companies))]
        for _ in range(30):
            if firm.inn not in self.firms:
                break
            firm = companies[rng.randrange(len(companies))]
        else:
            return self.person(day)
        self.firms.add(firm.inn)
        amount = rng.choice((10_000, 20_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000))
        value = self.income_room(self.scaled(min(amount, legal * 2 // 5)))
        if value >= 50_000:  # never five equal large gifts in a day
            if self.large.get((day, value), 0) >= 3:
                value -= 1000
            self.large[(day, value)] = self.large.get((day, value), 0) + 1
        return self.from_entity(day, value, firm, rng.choice(REMIT_COMPANY))

    def own_money(self, day: date) -> TxRow:
        rng = self.rng
        if self.fund.kind == "party":
            if self.party is None:
                return self.person(day)
            value = self.income_room(self.scaled(rng.randint(2, 10) * 100_000))
            return self.from_entity(day, value, self.party, PARTY_OWN)
        limit = Decimal((self.caps.own_funds or 10**12) * 2 // 5)
        value = self.income_room(self.scaled(rng.randint(5, 50) * 10_000))
        if self.holder is None or self.own + value > limit:
            return self.person(day)
        return self.from_holder(day, value, CANDIDATE_OWN)

    def party_money(self, day: date) -> TxRow:
        limit = Decimal((self.caps.from_party or 10**12) // 2)
        value = self.income_room(self.scaled(self.rng.randint(10, 25) * 10_000))
        if self.party is None or self.from_party + value > limit:
            return self.person(day)
        self.from_party += value
        return self.from_entity(day, value, self.party, f"{FROM_PARTY} {self.fund.holder_name}")

    def via_agent(self, day: date) -> TxRow:
        _, p = self.donor()
        agent = self.bg.agents[self.rng.randrange(len(self.bg.agents))]
        tx = self.from_entity(
            day, self.gift_amount(), agent, f"{VIA_AGENT}; плательщик {full_name(p)}"
        )
        return replace(tx, ultimate_name=full_name(p), ultimate_id=p.pin, ultimate_id_scheme="NIDN")

    def cover(self, day: date, short: Decimal) -> TxRow:
        """Income that lets a planted payment go through: the party's or the candidate's
        own money (a candidate fund always has its candidate)."""
        amount = _round_down(short + 10_000) + 1000
        if self.fund.kind == "party" and self.party is not None:
            return self.from_entity(day, amount, self.party, PARTY_OWN)
        if self.holder is not None:
            return self.from_holder(day, amount, CANDIDATE_OWN)
        return self.person(day)

    # -- spending -------------------------------------------------------------------------

    def spend(self, day: date, ceiling: int | None = None) -> TxRow:
        rng = self.rng
        purpose = rng.choices(PURPOSES, SPEND_WEIGHTS)[0]
        low, high = SPEND_RANGES[purpose]
        if self.fund.kind == "party":
            low, high = low * 3, high * 3
        if ceiling is not None:
            high = min(high, ceiling)
            low = min(low, high)
        drawn = Decimal(rng.randint(low // 100, high // 100) * 100)
        amount = min(drawn, (self.balance * Decimal("0.6")).quantize(Decimal(100), ROUND_DOWN))
        if amount < 500:
            return self.person(day)
        supplier: EntityRow | PersonLike
        if purpose in ("campaign_services", "rent") and rng.random() < 0.35:
            supplier = self.bg.pool[rng.randrange(len(self.bg.pool))]
        else:
            choices = self.bg.suppliers[purpose]
            supplier = choices[rng.randrange(len(choices))]
        tx = payment(
            self.world.seed,
            self.k,
            self.serial,
            self.fund,
            day,
            som(amount),
            supplier,
            purpose,
            rng,
        )
        self.serial += 1
        return self.emit(tx)

    def fee(self, day: date) -> TxRow:
        if self.balance < 500:
            return self.person(day)
        fund = self.fund
        return self.emit(
            TxRow(
                self.ref(), fund.account, day, som(300), False, value_date=day,
                name=fund.bank_name, agent_bic=fund.bank_bic, agent_name=fund.bank_name,
                remittance="Комиссия банка за обслуживание счета", bank_tx_code="ACMT/MDOP/CHRG",
                purpose="other",
            )
        )  # fmt: skip

    # -- a fund brought to its cap --------------------------------------------------------

    def top_up(self, plan: CapPlan) -> list[TxRow]:
        """The last income of a fund at its cap: own money, the party's, companies', and
        the final gift that crosses the cap by ``excess`` (or reaches it exactly). Each
        source stays within its own cap; the companies' gifts differ, day by day."""
        polling = self.world.polling_day
        cap = Decimal(self.caps.fund_total or 0)
        legal = Decimal(self.caps.legal_entity or 500_000)
        made: list[TxRow] = []

        def day() -> date:
            return polling - timedelta(days=9 - len(made) % 4)

        own_room = Decimal(self.caps.own_funds or 0) * Decimal("0.9") - self.own
        own = min(Decimal(own_top_up(self.caps)), own_room) // 3
        for _ in range(3 if self.holder is not None and own > 0 else 0):
            made.append(self.from_holder(day(), own, "Собственные средства кандидата"))
        if self.party is not None:
            room = Decimal(self.caps.from_party or 0) * Decimal("0.9") - self.from_party
            part = min(Decimal(party_top_up(self.caps)), room) // 2
            for _ in range(2 if part > 0 else 0):
                made.append(self.from_entity(day(), part, self.party, FROM_PARTY))
        need = cap - self.income
        for i, firm in enumerate(plan.companies):
            if need <= legal * 7 / 10:
                break
            value = min(legal * 88 / 100 - 1370 * i, need - legal / 2)
            value = value.quantize(Decimal(1), ROUND_DOWN)
            made.append(self.from_entity(day(), value, firm, REMIT_COMPANY[i % 3]))
            need -= value
        if need > legal * 7 / 10:
            raise ValueError("a fund at its cap needs more top-up companies than planned")
        final = entity_credit(
            self.world.seed, self.k, plan.final_serial, self.fund, polling - timedelta(days=5),
            som(need + plan.excess), plan.final,
        )  # fmt: skip
        made.append(self.emit(replace(final, remittance=REMIT_COMPANY[0])))
        for n in range(plan.slots - len(made)):  # the rest of the fund's entries: spending
            made.append(self.spend(polling - timedelta(days=4 - n % 8), ceiling=100_000))
        return made


def _round_down(amount: Decimal) -> Decimal:
    """Down to whole hundreds of som (tens below 1,000; never under 10)."""
    step = 100 if amount >= 1000 else 10
    return max(Decimal(10), Decimal(int(amount) // step * step))


def _drop_last(events: list[tuple[date, float, str, int, TxRow | None]], after: int) -> bool:
    """Give up one background entry after ``after`` (the fund's count stays exact); False
    when there is none left to give up."""
    for at in range(len(events) - 1, after - 1, -1):
        day, u, kind, size, tx = events[at]
        if tx is not None:
            continue
        if size > 2 and kind == "batch":
            events[at] = (day, u, kind, size - 1, None)
        elif kind in ("reversal", "batch"):
            events[at] = (day, u, "person", 1, None)
        else:
            del events[at]
        return True
    return False


def iter_transactions(world: FinanceWorld) -> Iterator[TxRow]:
    """Every transaction of the world, fund by fund in the order of ``world.funds``, each
    fund's in booking order (planted and background merged): ``world.transaction_count`` of
    them. Memory holds one fund's entries at a time."""
    for k in range(len(world.funds)):
        rows = _FundStream(world, k).run()
        rows.sort(key=lambda t: t.booking_date)
        yield from rows
