"""Planted cases decided by how the money came: from a foreign account, in a
foreign currency, from nobody, in cash, over a donor's or a fund's cap, split among a
dwelling's members, or through a person paid by a foreign company just before.

Each negative stops at the line (exactly at a cap, two of a dwelling, 40 days before), so that
an off-by-one in the screen shows.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ..accounts import (
    CENT,
    FOREIGN_BANKS,
    KG_BANKS,
    RATES,
    entry_ref,
    foreign_account,
    key_digits,
    som,
)
from ..caps import own_top_up, party_top_up
from ..rows import CapPlan, PersonLike, Planted, TransferRow, TxRow
from .base import PlanterBase


class PatternCases(PlanterBase):
    """The cases decided by how the money came: from abroad, in another currency, from
    nobody or in cash, over a cap, split within a dwelling, or through a conduit."""

    def origin_cases(self) -> None:
        people = self.people
        # Foreign accounts: a Kazakh IBAN, a Russian account; a Moscow address, Kyrgyz account.
        for country in ("KZ", "RU"):
            p = people.citizen()
            k, day = self.next_fund(), self.day()
            bank = FOREIGN_BANKS[country]
            tx = self.credit_person(
                k, day, 20_000, p, account=foreign_account(country, p.pin),
                account_country=country, agent_bic=bank.bic, agent_name=bank.name,
                bank_tx_code="PMNT/RCDT/XBCT", value_date=day - timedelta(days=1),
            )  # fmt: skip
            self.plant(
                "foreign_account",
                [tx],
                True,
                f"account at {bank.name} ({country})",
                subject=f"P:{p.pin}",
            )
        p = people.citizen()
        k, day = self.next_fund(), self.day()
        tx = self.credit_person(
            k, day, 20_000, p, address="Москва, ул. Профсоюзная, д. 12, кв. 40",
            counterparty_country="RU",
        )  # fmt: skip
        self.plant(
            "foreign_account",
            [tx],
            False,
            "address in Moscow, account at a Kyrgyz bank",
            subject=f"P:{p.pin}",
        )
        # Foreign currency: USD instructed; KGS instructed.
        p = people.citizen()
        k, day = self.next_fund(), self.day()
        usd = Decimal(300)
        tx = self.credit_person(
            k, day, (usd * RATES["USD"]).quantize(CENT), p, instructed_amount=som(usd),
            instructed_currency="USD", exchange_rate=RATES["USD"],
        )  # fmt: skip
        self.plant(
            "foreign_currency",
            [tx],
            True,
            "300.00 USD instructed, booked in KGS",
            subject=f"P:{p.pin}",
        )
        p = people.citizen()
        k, day = self.next_fund(), self.day()
        tx = self.credit_person(
            k, day, 26_000, p, instructed_amount=som(26_000), instructed_currency="KGS"
        )
        self.plant("foreign_currency", [tx], False, "KGS instructed", subject=f"P:{p.pin}")
        # Anonymous: nothing; a PIN and an account but no name.
        k, day = self.next_fund(), self.day()
        bank = KG_BANKS[2]
        tx = self.book(
            k,
            TxRow(
                entry_ref(self.seed, k, self.serial(k)), self.funds[k].account, day, som(45_000),
                True, value_date=day, agent_bic=bank.bic, agent_name=bank.name,
                remittance="Пожертвование",
            ),
        )  # fmt: skip
        self.plant("anonymous", [tx], True, "no name, no identifier, no account")
        p = people.citizen()
        k, day = self.next_fund(), self.day()
        tx = self.credit_person(k, day, 45_000, p, name="", address="")
        self.plant("anonymous", [tx], False, "no name, but PIN and account", subject=f"P:{p.pin}")
        # Cash: an identified deposit at the counter; a transfer made at a branch.
        p = people.citizen()
        k, day = self.next_fund(), self.day()
        tx = self.credit_person(
            k, day, 10_000, p, account="", account_country="", channel="cash",
            bank_tx_code="CAMT/CNTR/CDPT", remittance="Взнос наличными в избирательный фонд",
            agent_bic=self.funds[k].bank_bic, agent_name=self.funds[k].bank_name,
        )  # fmt: skip
        self.plant(
            "cash",
            [tx],
            True,
            "cash deposit at the bank's counter, PIN given",
            subject=f"P:{p.pin}",
        )
        p = people.citizen()
        k, day = self.next_fund(), self.day()
        tx = self.credit_person(
            k, day, 10_000, p, remittance="Перевод через отделение банка в избирательный фонд"
        )
        self.plant(
            "cash",
            [tx],
            False,
            "a transfer from the donor's account made at a branch",
            subject=f"P:{p.pin}",
        )

    def caps_and_patterns(self) -> None:
        people, rng = self.people, self.rng
        # Over the individual cap in two gifts; exactly at it.
        for over in (True, False):
            p = people.citizen()
            k = self.next_fund()
            cap = self.person_cap(k)
            first = cap * 3 // 5
            second = cap - first + (5_000 if over else 0)
            d1 = self.day(14, 30)
            d2 = d1 + timedelta(days=rng.randint(3, 15))
            txs = [self.credit_person(k, d1, first, p), self.credit_person(k, d2, second, p)]
            self.plant(
                "over_donor_cap",
                txs,
                over,
                f"{first + second} in two gifts, cap {cap}",
                subject=f"P:{p.pin}",
            )
        for over in (True, False):
            firm = self.reg.rows[self.clean_company()]
            k = self.next_fund()
            cap = self.legal_cap(k)
            first = cap * 3 // 5
            second = cap - first + (cap // 10 if over else 0)
            d1 = self.day(14, 30)
            d2 = d1 + timedelta(days=rng.randint(3, 15))
            txs = [self.credit_entity(k, d1, first, firm), self.credit_entity(k, d2, second, firm)]
            self.plant(
                "over_donor_cap",
                txs,
                over,
                f"{first + second} in two gifts, cap {cap}",
                subject=f"E:{firm.inn}",
            )
        # Structuring: three donors of one dwelling just under the cap within days; two.
        for size, positive in ((3, True), (2, False)):
            group = self.household(size)
            if group is None:
                self.notes.append(
                    f"no dwelling with {size} free adult citizens: structuring case not planted"
                )
                continue
            k = self.next_fund()
            cap = self.person_cap(k)
            day = self.day()
            txs = []
            for n, p in enumerate(group):
                amount = (cap * (975 + 10 * n) // 1000) // 500 * 500
                txs.append(self.credit_person(k, day + timedelta(days=n), amount, p))
            note = f"{size} donors at {group[0].address}, each just under the cap {cap}"
            self.plant("structuring", txs, positive, note, subject=f"P:{group[0].pin}")
        # Conduits: 100,000 from a foreign company 10 days before giving 90,000; 40 days.
        for days, positive in ((10, True), (40, False)):
            p = people.citizen()
            payer = self.reg.rows[self.reg.foreign_company(rng.choice(("RU", "KZ", "TR")))]
            k, day = self.next_fund(), self.day(20, 12)
            self.transfers.append(
                TransferRow(
                    f"E:{payer.inn}", payer.name, f"P:{p.pin}", day - timedelta(days=days),
                    som(100_000), "KGS", f"СФР-{key_digits(p.pin + str(days), 8)}",
                )
            )  # fmt: skip
            tx = self.credit_person(k, day, 90_000, p)
            note = f"received 100,000 from {payer.name} ({payer.country}) {days} days before"
            self.plant("conduit", [tx], positive, note, subject=f"P:{p.pin}")

    def household(self, size: int) -> list[PersonLike] | None:
        homes = [
            h
            for h, members in self.people.homes.items()
            if len(members) >= size and h not in self.people.reserved_homes
        ]
        if not homes:
            return None
        home = homes[self.rng.randrange(len(homes))]
        group = [m for m in self.people.homes[home] if m.pin not in self.people.reserved_pins][
            :size
        ]
        if len(group) < size:
            return None
        for p in group:
            self.people.reserve(p)
        return group


def cap_plan(planter: PlanterBase, k: int, excess: Decimal) -> CapPlan:
    """Companies enough to fill fund ``k`` from nothing to its cap after the candidate's and
    the party's top-ups, the final one's serial, and the planted case naming it."""
    caps = planter.caps[k]
    cap = caps.fund_total or 0
    legal = caps.legal_entity or 500_000
    own = own_top_up(caps) if planter.holders[k] is not None else 0
    party = party_top_up(caps) if planter.parties[k] is not None else 0
    worst = cap - own - party - legal // 2
    each = legal * 88 // 100 - 1370 * 40
    count = max(1, -(-worst // each) + 1)
    companies = tuple(planter.reg.rows[planter.clean_company()] for _ in range(count))
    final = planter.reg.rows[planter.clean_company()]
    serial = planter.serial(k)
    slots = (3 if own else 0) + (2 if party else 0) + count + 1
    ref = entry_ref(planter.seed, k, serial)
    fund = planter.funds[k].account
    if excess:
        note = f"this gift takes the fund over its cap of {cap:,} by {excess:,}"
    else:
        note = f"this gift brings the fund to exactly its cap of {cap:,}"
    planter.planted.append(
        Planted("over_fund_cap", (ref,), fund, excess > 0, note, subject=f"E:{final.inn}")
    )
    return CapPlan(excess, companies, final, serial, slots)
