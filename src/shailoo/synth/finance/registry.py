"""The registry of legal entities as it is built: an owner always before what it owns.

Building in that order means the longest chain above an entity (its level) and whether anything
foreign or state ever stood above it (``tainted``) are known as it is made; the background
draws its clean donors and suppliers by that mark alone.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from shailoo.register.names import transliterate

from .names import FOREIGN_COMPANIES, SECTOR_NAMES, WORDS_A, WORDS_B, office_address
from .people import Owner
from .rows import DebtRow, EntityRow, HoldingRow


class Registry:
    """Legal entities and their holdings as they are built: an owner always before what it
    owns, so that the longest chain above each entity (its level) and whether anything
    foreign or state ever stood above it (``tainted``) are known as it is made."""

    def __init__(self, rng: random.Random, start: date) -> None:
        self.rng, self.start = rng, start
        self.rows: list[EntityRow] = []
        self.holdings: list[HoldingRow] = []
        self.debts: list[DebtRow] = []
        self.level: list[int] = []
        self.tainted: list[bool] = []
        self.sector: list[str] = []
        self.ids: set[str] = set()
        self.name_uses: dict[str, int] = {}
        self.foreign: list[int] = []
        self.state_fund = -1

    def unique(self, name: str) -> str:
        uses = self.name_uses.get(name, 0) + 1
        self.name_uses[name] = uses
        if uses == 1:
            return name
        return f"{name[:-1]}-{uses}»" if name.endswith("»") else f"{name} {uses}"

    def new_id(self, country: str, registered_on: date) -> str:
        rng = self.rng
        while True:
            if country == "KG":
                found = f"0{registered_on:%d%m%Y}{rng.randrange(100_000):05d}"
            elif country == "RU":
                found = f"RU1{rng.randrange(10**12):012d}"
            elif country == "KZ":
                found = f"KZ{rng.randrange(10**12):012d}"
            elif country == "CN":
                found = f"CN91{rng.randrange(10**14):014d}X{rng.randrange(10)}"
            elif country == "DE":
                found = f"DEHRB{rng.randrange(10**6):06d}"
            elif country == "CY":
                found = f"CYHE{rng.randrange(10**6):06d}"
            else:
                found = f"{country}{rng.randrange(10**10):010d}"
            if found not in self.ids:
                self.ids.add(found)
                return found

    def add(
        self,
        kind: str,
        name: str,
        registered_on: date,
        *,
        country: str = "KG",
        other_names: tuple[str, ...] = (),
        parent: int | None = None,
        preference: bool = False,
        address: str = "",
        sector: str = "",
        dissolved_on: date | None = None,
    ) -> int:
        name = self.unique(name)
        if not other_names:
            latin = transliterate(name)
            other_names = (latin,) if latin != name else ()
        self.rows.append(
            EntityRow(
                self.new_id(country, registered_on),
                name,
                other_names,
                kind,
                country,
                registered_on,
                dissolved_on,
                None if parent is None else self.rows[parent].inn,
                preference,
                address or (office_address(self.rng) if country == "KG" else ""),
            )
        )
        self.level.append(0)
        self.tainted.append(kind != "local_company")
        self.sector.append(sector)
        return len(self.rows) - 1

    def hold(
        self,
        owned: int,
        owner: int | Owner,
        share: Decimal,
        started_on: date | None = None,
        ended_on: date | None = None,
    ) -> None:
        """Record a holding; its start defaults to the later of the two registrations."""
        start = started_on or self.rows[owned].registered_on
        if isinstance(owner, int):
            other = self.rows[owner]
            if started_on is None and other.registered_on and start:
                start = max(start, other.registered_on)
            self.holdings.append(
                HoldingRow(self.rows[owned].inn, other.inn, "", "", "", share, start, ended_on)
            )
            self.level[owned] = max(self.level[owned], self.level[owner] + 1)
            self.tainted[owned] = self.tainted[owned] or self.tainted[owner]
        else:
            self.holdings.append(
                HoldingRow(
                    self.rows[owned].inn,
                    None,
                    owner.pin,
                    owner.name,
                    owner.country,
                    share,
                    start,
                    ended_on,
                )
            )
            self.tainted[owned] = self.tainted[owned] or owner.country != "KG"

    def reg_day(self, low_days: int = 60, high_days: int = 25 * 365) -> date:
        return self.start - timedelta(days=self.rng.randint(low_days, high_days))

    def local_name(self, sector: str = "") -> str:
        rng = self.rng
        if sector:
            return rng.choice(SECTOR_NAMES[sector]).format(rng.choice(WORDS_A))
        form = rng.choices(("ОсОО", "ОАО", "ЗАО"), (86, 6, 8))[0]
        return f"{form} «{rng.choice(WORDS_A)} {rng.choice(WORDS_B)}»"

    def foreign_company(self, country: str | None = None) -> int:
        rng = self.rng
        spec = (
            rng.choices(FOREIGN_COMPANIES, [w for _, w, *_ in FOREIGN_COMPANIES])[0]
            if country is None
            else next(s for s in FOREIGN_COMPANIES if s[0] == country)
        )
        code, _, forms, words, addresses = spec
        name = rng.choice(forms).format(rng.choice(words))
        index = self.add(
            "foreign_company",
            name,
            self.reg_day(365, 30 * 365),
            country=code,
            other_names=(transliterate(name),) if code in ("RU", "KZ") else (),
            address=rng.choice(addresses).format(rng.randint(1, 300)),
        )
        self.foreign.append(index)
        return index

    def company(
        self,
        owners: Sequence[tuple[int | Owner, Decimal]],
        *,
        name: str = "",
        sector: str = "",
        registered_on: date | None = None,
        kind: str = "local_company",
        preference: bool = False,
    ) -> int:
        """A local entity held by ``owners`` (shares summing to one) since it was registered."""
        reg = registered_on or self.reg_day()
        index = self.add(
            kind, name or self.local_name(sector), reg, sector=sector, preference=preference
        )
        for owner, share in owners:
            self.hold(index, owner, share)
        return index


def split_shares(rng: random.Random, parts: int, total: int = 100) -> list[Decimal]:
    """``total`` percent split into ``parts`` whole percents, as shares."""
    if parts <= 1:
        return [Decimal(total) / 100]
    cuts = sorted(rng.sample(range(1, total), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]
    return [Decimal(size) / 100 for size in sizes]
