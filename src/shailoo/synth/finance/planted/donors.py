"""Planted cases decided by who a person is: foreign citizens and stateless persons
(with a PIN, under a Latin spelling without one, behind a payment agent), civil servants,
religious figures and debtors, and donors nobody of the register bears the name of.

The negatives are the near misses a resolver must not take for a hit: a citizen namesake born
on another day, a status that ended, a spelling variant of a real person.
"""

from __future__ import annotations

from datetime import timedelta

from shailoo.register.pin import build_pin
from shailoo.synth import namepools
from shailoo.synth.namepools import KYRGYZ, NamePool, feminine
from shailoo.synth.population import PopulationRow
from shailoo.synth.variants import spelling_variant

from ..accounts import entry_ref, kg_account, kg_bank, som
from ..entries import REMIT_PERSON, VIA_AGENT
from ..names import NOBODY_SURNAMES, full_name, latin_name
from ..rows import PersonLike, PersonStatusRow, TxRow
from .base import PlanterBase


class DonorCases(PlanterBase):
    """The cases decided by who a person is: foreign citizens and stateless persons
    (with and without a PIN, behind a payment agent), barred statuses, and donors
    nobody of the register bears the name of."""

    def foreign_persons(self) -> None:
        people, rng = self.people, self.rng
        foreign = [p for p in people.foreign if people.free(p)]
        rng.shuffle(foreign)
        # The transliterated foreign donor and a citizen namesake.
        pair = self.namesakes(foreign)
        if pair is None:
            self.notes.append(
                "no foreign citizen in the persons: no transliterated foreign donor planted"
            )
        else:
            foreigner, citizen = pair
            for p, positive in ((foreigner, True), (citizen, False)):
                k, day = self.next_fund(), self.day()
                tx = self.credit_person(
                    k, day, 30_000, p, name=latin_name(p), person_id="", id_scheme="",
                    birth_date=p.birth_date, birth_city="NOTPROVIDED",
                    birth_country=p.citizenship if p.citizenship != "XX" else "KG",
                )  # fmt: skip
                category = "foreign_citizen"
                note = (
                    f"{latin_name(p)}, born {p.birth_date}, no PIN: the foreign citizen "
                    f"({p.citizenship}) {full_name(p)} of the register"
                    if positive
                    else f"{latin_name(p)}, born {p.birth_date}, no PIN: a citizen, namesake of "
                    f"a foreign citizen born {foreigner.birth_date}"
                )
                self.source(category, positive, [tx], note, f"P:{p.pin}")
        # A foreign citizen and a stateless person with their PINs, each beside a citizen.
        remaining = [p for p in foreign if people.free(p)]
        for category, found in (
            ("foreign_citizen", remaining),
            ("stateless_person", people.stateless),
        ):
            chosen = next((p for p in found if people.free(p)), None)
            if chosen is None:
                self.notes.append(f"no {category.replace('_', ' ')} in the persons: none planted")
                continue
            people.reserve(chosen)
            k, day = self.next_fund(), self.day()
            tx = self.credit_person(k, day, 15_000, chosen)
            self.source(
                category, True, [tx], f"citizenship {chosen.citizenship}", f"P:{chosen.pin}"
            )
            near = self.near_citizen(chosen)
            k, day = self.next_fund(), self.day()
            tx = self.credit_person(k, day, 15_000, near)
            self.source(
                category,
                False,
                [tx],
                "a citizen (of a foreign-sounding name or household)",
                f"P:{near.pin}",
            )
        # A foreign citizen behind a payment agent (the ultimate debtor), and a citizen.
        agent = self.agent
        behind = next((p for p in foreign if people.free(p)), None)
        if behind is None:
            self.notes.append("too few foreign citizens: no foreign ultimate debtor planted")
        else:
            people.reserve(behind)
            for p, positive in ((behind, True), (people.citizen(), False)):
                k, day = self.next_fund(), self.day()
                tx = self.credit_entity(
                    k, day, 25_000, agent, ultimate_name=full_name(p), ultimate_id=p.pin,
                    ultimate_id_scheme="NIDN",
                    remittance=f"{VIA_AGENT}; плательщик {full_name(p)}",
                )  # fmt: skip
                note = f"paid through {agent.name}; ultimate debtor {p.citizenship} citizen"
                self.source("foreign_citizen", positive, [tx], note, f"P:{p.pin}")

    def namesakes(self, foreign: list[PersonLike]) -> tuple[PersonLike, PersonLike] | None:
        """A foreign citizen and a citizen of the same surname and given name, born on
        another day; the citizen is added to the register when the persons have none."""
        people = self.people
        if not foreign:
            return None
        keys = {(p.surname, p.given_name): p for p in reversed(foreign)}
        for c in people.citizens:
            f = keys.get((c.surname, c.given_name))
            if f is not None and c.birth_date != f.birth_date and people.free(c):
                return people.reserve(f), people.reserve(c)
        f = people.reserve(foreign[0])
        home = people.citizen()
        birth = f.birth_date - timedelta(days=self.rng.randint(400, 4000))
        sex = f.sex if f.sex in ("M", "F") else "M"
        pins = {p.pin for p in people.persons if p.birth_date == birth}
        serial = self.rng.randrange(100_000)
        while build_pin(sex, birth, serial) in pins:
            serial = (serial + 1) % 100_000
        row = PopulationRow(
            build_pin(sex, birth, serial), f.surname, f.given_name, f.patronymic, sex, birth,
            "KG", "", False, False, True, None, home.address, home.dwelling_id, home.station,
        )  # fmt: skip
        self.new_persons.append(row)
        people.reserve(row)
        self.notes.append(
            f"no citizen namesake of a foreign citizen in the persons: {row.pin} added "
            "(new_persons)"
        )
        return f, row

    def near_citizen(self, p: PersonLike) -> PersonLike:
        """A citizen of ``p``'s household, else any free citizen."""
        for other in self.people.homes.get(p.dwelling_id, ()):
            if other.pin not in self.people.reserved_pins:
                self.people.reserved_pins.add(other.pin)
                return other
        return self.people.citizen()

    def statuses_cases(self) -> None:
        sources = {
            "civil_servant": "Государственная кадровая служба",
            "religious_figure": "Государственная комиссия по делам религий",
            "budget_debtor": "Государственная налоговая служба",
        }
        for status, source in sources.items():
            for positive in (True, False):
                p = self.people.citizen()
                k, day = self.next_fund(), self.day()
                began = day - timedelta(days=self.rng.randint(400, 4000))
                ended = None if positive else day - timedelta(days=10)
                self.statuses.append(PersonStatusRow(p.pin, status, began, ended, source))
                tx = self.credit_person(k, day, 20_000, p)
                note = f"{status} since {began}" + ("" if positive else f", until {ended}")
                self.source(status, positive, [tx], note, f"P:{p.pin}")

    def unresolved(self) -> None:
        people, rng = self.people, self.rng
        surnames = {s for pool in _all_pools() for s in pool.surnames}
        surnames |= {feminine(s) for s in surnames}
        free = [s for s in NOBODY_SURNAMES if s not in surnames]
        k, day = self.next_fund(), self.day()
        name = f"{rng.choice(free)} {rng.choice(KYRGYZ.male)}"
        bank = kg_bank(name)
        tx = self.book(
            k,
            TxRow(
                entry_ref(self.seed, k, self.serial(k)), self.funds[k].account, day, som(12_000),
                True, value_date=day, name=name, account=kg_account(bank, name),
                account_country="KG", agent_bic=bank.bic, agent_name=bank.name,
                remittance=rng.choice(REMIT_PERSON),
            ),
        )  # fmt: skip
        self.plant("unresolved", [tx], True, f"{name}: nobody of the register, no identifier")
        p = people.citizen()
        (surname, given, middle), variant = spelling_variant(
            rng, (p.surname, p.given_name, p.patronymic)
        )
        k, day = self.next_fund(), self.day()
        tx = self.credit_person(
            k, day, 12_000, p, name=" ".join(x for x in (surname, given, middle) if x),
            person_id="", id_scheme="", birth_date=p.birth_date, birth_city="NOTPROVIDED",
            birth_country="KG",
        )  # fmt: skip
        note = f"spelling variant ({variant}) of {full_name(p)}, with birth date and address"
        self.plant("unresolved", [tx], False, note, subject=f"P:{p.pin}")


def _all_pools() -> list[NamePool]:
    return [v for v in vars(namepools).values() if isinstance(v, NamePool)]
