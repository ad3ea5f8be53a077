"""Planted cases decided by who stands behind an entity: a foreign parent up a
chain, a foreign branch or company, an international organisation, a state enterprise or share,
a religious organisation, a charity, a debtor to the budget, and a supplier owned from abroad.

Each negative is the same shape missing the fact by the least (the day of an exit, 0.1 % of a
share, a name alone), so that the screen is tested on the fact and not on the shape.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from ..accounts import CENT, FOREIGN_BANKS, RATES, foreign_account, som
from ..people import person_owner
from ..registry import split_shares
from ..rows import DebtRow
from .base import PlanterBase


class OwnershipCases(PlanterBase):
    """The cases decided by who stands behind an entity: foreign parents up a chain, a
    foreign branch, international organisations, the state and the organisations
    that may not give, and suppliers owned from abroad."""

    def foreign_chains(self) -> None:
        reg, rng = self.reg, self.rng
        for positive in (True, False):
            k, day = self.next_fund(), self.day()
            top = reg.foreign_company(rng.choice(("CY", "DE", "RU")))
            founded = self.start - timedelta(days=rng.randint(1500, 3000))
            a = reg.add("local_company", reg.local_name(), founded)
            if positive:
                reg.hold(a, top, Decimal(1), founded)
            else:  # the foreign parent sold out the day before the donation
                exit_day = day - timedelta(days=1)
                reg.hold(a, top, Decimal(1), founded, exit_day)
                reg.hold(a, person_owner(self.people.owner_citizen()), Decimal(1), exit_day)
            b = reg.company([(a, Decimal(1))], registered_on=founded + timedelta(days=200))
            d = reg.company([(b, Decimal(1))], registered_on=founded + timedelta(days=400))
            amount = min(300_000, self.legal_cap(k) * 3 // 5)
            tx = self.credit_entity(k, day, amount, reg.rows[d])
            names = [reg.rows[i].name for i in (a, b, d)]
            chain = f"{reg.rows[top].name} ({reg.rows[top].country}) 100% → " + " 100% → ".join(
                names
            )
            note = (
                chain
                if positive
                else f"{chain}; the foreign parent exited {day - timedelta(days=1)}, the day before"
            )
            self.source(
                "foreign_participation_entity", positive, [tx], note, f"E:{reg.rows[d].inn}"
            )
        for share in (Decimal("0.5"), Decimal("0.499")):
            k, day = self.next_fund(), self.day()
            top = reg.foreign_company(rng.choice(("KZ", "TR", "CN")))
            person = person_owner(self.people.owner_citizen())
            mid = reg.company([(top, share), (person, Decimal(1) - share)])
            donor = reg.company([(mid, Decimal(1))])
            tx = self.credit_entity(k, day, 150_000, reg.rows[donor])
            note = (
                f"{reg.rows[top].name} holds {share:.1%} of {reg.rows[mid].name}, which holds "
                f"100% of the donor: effective {share:.1%}"
            )
            self.source(
                "foreign_participation_entity",
                share >= Decimal("0.5"),
                [tx],
                note,
                f"E:{reg.rows[donor].inn}",
            )
        # A branch of a foreign company, and a local company bearing the foreign brand.
        k, day = self.next_fund(), self.day()
        parent = reg.foreign_company("DE")
        brand = reg.rows[parent].name.split()[0]
        branch = reg.add(
            "foreign_branch",
            f"Филиал «{reg.rows[parent].name}» в Кыргызской Республике",
            self.start - timedelta(days=900),
            parent=parent,
        )
        tx = self.credit_entity(k, day, 120_000, reg.rows[branch])
        self.source(
            "foreign_branch",
            True,
            [tx],
            f"branch of {reg.rows[parent].name} (DE)",
            f"E:{reg.rows[branch].inn}",
        )
        k, day = self.next_fund(), self.day()
        namesake = self.clean_company(name=f"ОсОО «{brand} Кыргызстан»")
        tx = self.credit_entity(k, day, 120_000, reg.rows[namesake])
        self.source(
            "foreign_branch",
            False,
            [tx],
            f"local company named after {brand}, held by citizens only",
            f"E:{reg.rows[namesake].inn}",
        )
        # A foreign company paying from abroad, in euro.
        k, day = self.next_fund(), self.day()
        foreign = reg.foreign_company("DE")
        row = reg.rows[foreign]
        eur = Decimal(2000)
        bank = FOREIGN_BANKS["DE"]
        tx = self.credit_entity(
            k, day, (eur * RATES["EUR"]).quantize(CENT), row,
            account=foreign_account("DE", row.inn, company=True), account_country="DE",
            agent_bic=bank.bic, agent_name=bank.name, counterparty_country="DE",
            instructed_amount=som(eur), instructed_currency="EUR", exchange_rate=RATES["EUR"],
            bank_tx_code="PMNT/RCDT/XBCT", value_date=day - timedelta(days=1),
            remittance="Donation to the election fund",
        )  # fmt: skip
        subject = f"E:{row.inn}"
        self.source(
            "foreign_legal_entity", True, [tx], f"{row.name} (DE) pays from Germany", subject
        )
        self.plant("foreign_account", [tx], True, "German IBAN at a German bank", subject=subject)
        self.plant("foreign_currency", [tx], True, "2,000.00 EUR instructed", subject=subject)
        k, day = self.next_fund(), self.day()
        latin = self.clean_company(name="ОсОО «Silk Way Logistics»")
        tx = self.credit_entity(k, day, tx.amount, reg.rows[latin])
        self.source(
            "foreign_legal_entity",
            False,
            [tx],
            "a local company with a Latin name, citizens its owners",
            f"E:{reg.rows[latin].inn}",
        )

    def foreign_bodies(self) -> None:
        reg = self.reg
        k, day = self.next_fund(), self.day()
        topic = "Central Asian Civic Partnership"
        io = reg.add(
            "international_organisation",
            f"Представительство международной организации «{topic}»",
            self.start - timedelta(days=2500),
            other_names=(f"{topic} (Kyrgyz Republic office)",),
        )
        tx = self.credit_entity(k, day, 100_000, reg.rows[io])
        self.source(
            "international_organisation",
            True,
            [tx],
            "registered international organisation",
            f"E:{reg.rows[io].inn}",
        )
        k, day = self.next_fund(), self.day()
        npo = reg.add(
            "non_profit",
            "ОО «Ассоциация международного сотрудничества молодежи»",
            self.start - timedelta(days=1800),
        )
        tx = self.credit_entity(k, day, 100_000, reg.rows[npo])
        self.source(
            "international_organisation",
            False,
            [tx],
            "a local public association",
            f"E:{reg.rows[npo].inn}",
        )

    def domestic_sources(self) -> None:
        reg, rng = self.reg, self.rng
        founded = self.start - timedelta(days=4000)
        # A state enterprise, and a privatised one (the state's holding ended two years ago).
        k, day = self.next_fund(), self.day()
        se = reg.add("state_enterprise", "ГП «Кыргыз Жол Курулуш»", founded)
        reg.hold(se, reg.state_fund, Decimal(1))
        tx = self.credit_entity(k, day, 200_000, reg.rows[se])
        self.source("state_enterprise", True, [tx], "state enterprise", f"E:{reg.rows[se].inn}")
        k, day = self.next_fund(), self.day()
        sold = reg.add("local_company", "ОАО «Ак-Суу Жол Курулуш»", founded)
        privatised = self.start - timedelta(days=730)
        reg.hold(sold, reg.state_fund, Decimal(1), founded, privatised)
        for person_share in split_shares(rng, 2):
            reg.hold(sold, person_owner(self.people.owner_citizen()), person_share, privatised)
        tx = self.credit_entity(k, day, 200_000, reg.rows[sold])
        self.source(
            "state_enterprise",
            False,
            [tx],
            f"privatised on {privatised}",
            f"E:{reg.rows[sold].inn}",
        )
        # A state share with tax preferences, and one without.
        for preference in (True, False):
            k, day = self.next_fund(), self.day()
            person = person_owner(self.people.owner_citizen())
            firm = reg.company(
                [(reg.state_fund, Decimal("0.3")), (person, Decimal("0.7"))], preference=preference
            )
            tx = self.credit_entity(k, day, 150_000, reg.rows[firm])
            note = "30% state share " + ("with" if preference else "without") + " tax preferences"
            self.source(
                "state_share_tax_preference", preference, [tx], note, f"E:{reg.rows[firm].inn}"
            )
        # A religious organisation and a charity; a non-profit and a company named "фонд".
        cases = (
            ("religious_organisation", "Религиозная организация «Мечеть Ак-Бата»", True),
            ("religious_organisation", "ОО «Ак-Бата Спорт»", False),
            ("charity", "ОФ «Мээрим Береке»", True),
            ("charity", "ОсОО «Береке Фонд Инвест»", False),
        )
        for category, name, positive in cases:
            k, day = self.next_fund(), self.day()
            if positive:
                index = reg.add(category, name, founded)
            elif name.startswith("ОсОО"):
                index = self.clean_company(name=name)
            else:
                index = reg.add("non_profit", name, founded)
            tx = self.credit_entity(k, day, 50_000, reg.rows[index])
            self.source(category, positive, [tx], reg.rows[index].kind, f"E:{reg.rows[index].inn}")
        # A company in debt to the budget, and one whose debt was paid before.
        for positive in (True, False):
            k, day = self.next_fund(), self.day()
            firm = self.clean_company()
            began = day - timedelta(days=rng.randint(100, 400))
            ended = None if positive else day - timedelta(days=10)
            reg.debts.append(
                DebtRow(reg.rows[firm].inn, began, ended, som(rng.randint(50, 900) * 1000))
            )
            tx = self.credit_entity(k, day, 100_000, reg.rows[firm])
            note = "debt to the budget open on the day" if positive else f"debt paid on {ended}"
            self.source("budget_debtor", positive, [tx], note, f"E:{reg.rows[firm].inn}")

    def suppliers(self) -> None:
        reg, rng = self.reg, self.rng
        for positive in (True, False):
            k = self.next_fund()
            day = self.day(25, 6)
            top = reg.foreign_company(rng.choice(("RU", "TR", "CN")))
            founded = self.start - timedelta(days=2000)
            printer = reg.add(
                "local_company", reg.local_name("printing"), founded, sector="printing"
            )
            person = person_owner(self.people.owner_citizen())
            if positive:
                reg.hold(printer, top, Decimal("0.7"), founded)
                reg.hold(printer, person, Decimal("0.3"), founded)
            else:
                exit_day = day - timedelta(days=5)
                reg.hold(printer, top, Decimal("0.7"), founded, exit_day)
                reg.hold(printer, person, Decimal("0.3"), founded, exit_day)
                reg.hold(printer, person, Decimal(1), exit_day)
            tx = self.pay(k, day, 250_000, reg.rows[printer], "printing")
            note = (
                f"70% held by {reg.rows[top].name} ({reg.rows[top].country})"
                if positive
                else f"foreign shareholder {reg.rows[top].name} exited {day - timedelta(days=5)}"
            )
            self.plant(
                "foreign_supplier", [tx], positive, note, subject=f"E:{reg.rows[printer].inn}"
            )
        k, day = self.next_fund(), self.day(25, 6)
        abroad = reg.rows[reg.foreign_company("AE")]
        bank = FOREIGN_BANKS["AE"]
        tx = self.pay(
            k, day, 180_000, abroad, "advertising",
            account=foreign_account("AE", abroad.inn, company=True), account_country="AE",
            agent_bic=bank.bic, agent_name=bank.name, counterparty_country="AE",
            bank_tx_code="PMNT/ICDT/XBCT",
        )  # fmt: skip
        self.plant(
            "foreign_supplier",
            [tx],
            True,
            f"{abroad.name} (AE), paid abroad",
            subject=f"E:{abroad.inn}",
        )
        k, day = self.next_fund(), self.day(25, 6)
        agency = reg.rows[self.clean_company(sector="advertising")]
        tx = self.pay(k, day, 180_000, agency, "advertising")
        self.plant(
            "foreign_supplier",
            [tx],
            False,
            "local agency held by citizens",
            subject=f"E:{agency.inn}",
        )
