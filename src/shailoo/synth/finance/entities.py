"""The registry's background: foreign companies and their branches, the state and its
enterprises, the organisations that may not give, and local companies in chains of up to six
links, some changing owners, a few dissolved, a few pairs holding each other.

A registry this deep is what makes the planted chains hard to find: they must not be the only
long ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from .names import (
    DISTRICTS,
    EMBASSY_STATES,
    FOREIGN_PEOPLE,
    SECTOR_NAMES,
    WORDS_A,
    WORDS_B,
    draw_city,
)
from .people import Owner, People, person_owner
from .registry import Registry, split_shares

_LEVEL_WEIGHTS = (0.70, 0.14, 0.065, 0.035, 0.025, 0.02, 0.015)


def fixed_kinds(reg: Registry, entities: int, people: People) -> None:
    """Foreign companies and branches, the state, and the organisations that may not give."""
    rng = reg.rng

    def count(share: float, least: int) -> int:
        return max(least, int(entities * share))

    for _ in range(count(0.04, 8)):
        reg.foreign_company()
    for _ in range(count(0.008, 3)):
        parent = reg.rows[rng.choice(reg.foreign)]
        word = rng.choice(("Филиал", "Представительство"))
        reg.add(
            "foreign_branch",
            f"{word} «{parent.name}» в Кыргызской Республике",
            reg.reg_day(60, 15 * 365),
            parent=reg.rows.index(parent),
        )
    reg.state_fund = reg.add(
        "state_body",
        "Фонд по управлению государственным имуществом",
        date(1991, 12, 20),
        address="г. Бишкек, ул. Московская, д. 151",
    )
    ministries = ("финансов", "экономики и коммерции", "здравоохранения", "образования и науки")
    for k in range(count(0.01, 3)):
        pattern = rng.choice(("Айыл окмоту {d}", "Управление {m} {d} района", "Мэрия города {c}"))
        name = pattern.format(d=rng.choice(DISTRICTS), m="финансов", c=draw_city(rng))
        if k < len(ministries):
            name = f"Министерство {ministries[k]} Кыргызской Республики"
        reg.add("state_body", name, date(1993, 1, 1) + timedelta(days=rng.randint(0, 9000)))
    for _ in range(count(0.01, 2)):
        word = rng.choice(("Водоканал", "Жылуулук", "Жол курулуш", "Кыргыз Почтасы", "Энерго"))
        name = f"{rng.choice(('ГП', 'МП'))} «{rng.choice(WORDS_A)} {word}»"
        index = reg.add("state_enterprise", name, reg.reg_day(365, 30 * 365))
        reg.hold(index, reg.state_fund, Decimal(1))
    for _ in range(count(0.005, 2)):  # companies with a state share
        state = Decimal(rng.randint(20, 60)) / 100
        person = Decimal(1) - state
        reg.company(
            [(reg.state_fund, state), (person_owner(people.owner_citizen()), person)],
            preference=rng.random() < 0.4,
        )
    for _ in range(count(0.002, 1)):
        reg.add("military_unit", f"Войсковая часть {rng.randint(10000, 99999)}", date(1993, 5, 1))
    for _ in range(count(0.003, 1)):
        district = rng.choice(DISTRICTS)
        reg.add("law_enforcement", f"Управление внутренних дел {district} района", date(1994, 1, 1))
    for _ in range(count(0.002, 1)):
        reg.add("court", f"{rng.choice(DISTRICTS)} районный суд", date(1996, 1, 1))
    for _ in range(count(0.02, 2)):
        word = rng.choice(("Мээрим", "Камкор", "Үмүт", "Ырыс", "Жардам"))
        reg.add("charity", f"ОФ «{word} {rng.choice(WORDS_A)}»", reg.reg_day())
    for _ in range(count(0.02, 2)):
        name = rng.choice(
            (
                "Религиозная организация «Мечеть {}»",
                "Православный приход храма {}",
                "Религиозная организация «Церковь {}»",
            )
        ).format(rng.choice(("Нур", "Ак-Мечит", "Ынтымак", "Рахмат", "Святой Троицы")))
        reg.add("religious_organisation", name, reg.reg_day())
    for _ in range(count(0.03, 2)):
        word = rng.choice(("Ассоциация", "Союз", "ОО"))
        reg.add(
            "non_profit", f"{word} «{rng.choice(WORDS_A)} {rng.choice(WORDS_B)}»", reg.reg_day()
        )
    for _ in range(count(0.002, 2)):
        topic = rng.choice(
            ("Central Asian Mountain Partnership", "Silk Road Development Network",
             "Eurasian Water Council", "Global Literacy Initiative")
        )  # fmt: skip
        reg.add(
            "international_organisation",
            f"Представительство международной организации «{topic}»",
            reg.reg_day(365, 20 * 365),
            other_names=(f"{topic} (Kyrgyz Republic office)",),
        )
    for _ in range(count(0.0005, 1)):
        country = rng.choice(EMBASSY_STATES)
        reg.add(
            "foreign_state_body",
            f"Торговое представительство {country} в Кыргызской Республике",
            reg.reg_day(365, 20 * 365),
        )


def background_companies(reg: Registry, people: People, locals_: int) -> None:
    """Local companies in chains of up to six links, some foreign or state above them, some
    changing owners, a few dissolved, a few pairs holding each other."""
    rng = reg.rng
    pairs = max(1, locals_ // 2500)
    locals_ -= 2 * pairs
    counts = [max(2, int(locals_ * w)) for w in _LEVEL_WEIGHTS[1:]]
    counts.insert(0, locals_ - sum(counts))
    pools: list[list[int]] = [[] for _ in _LEVEL_WEIGHTS]
    sectors = tuple(SECTOR_NAMES)
    forced = len(sectors) * 5
    for k in range(counts[0]):
        clean = k < forced
        sector = sectors[k % len(sectors)] if clean else ""
        if not clean and rng.random() < 0.07:
            sector = rng.choice(sectors)
        shares = split_shares(rng, rng.choice((1, 1, 1, 2, 2, 3, 4)))
        owners: list[tuple[int | Owner, Decimal]] = []
        for share in shares:
            person = people.owner_citizen() if clean else people.any_adult()
            owners.append((person_owner(person), share))
        if not clean and rng.random() < 0.02:
            country = rng.choice(tuple(FOREIGN_PEOPLE))
            owners[-1] = (Owner("", rng.choice(FOREIGN_PEOPLE[country]), country), shares[-1])
        reg_on = reg.reg_day()
        dissolved = None
        if not clean and rng.random() < 0.04:
            dissolved = min(
                reg.start - timedelta(days=30), reg_on + timedelta(days=rng.randint(200, 3000))
            )
        index = reg.add(
            "local_company", reg.local_name(sector), reg_on, sector=sector, dissolved_on=dissolved
        )
        for owner, share in owners:
            _hold_maybe_changed(reg, people, index, owner, share, dissolved, allow=not clean)
        if dissolved is None:
            pools[0].append(index)
    for level in range(1, len(_LEVEL_WEIGHTS)):
        for _ in range(counts[level]):
            parent = _pick_parent(reg, pools[level - 1], level)
            parent_reg = reg.rows[parent].registered_on or reg.start
            room = (reg.start - timedelta(days=30) - parent_reg).days
            reg_on = parent_reg + timedelta(days=rng.randint(1, max(1, room)))
            sector = rng.choice(sectors) if rng.random() < 0.07 else ""
            index = reg.add("local_company", reg.local_name(sector), reg_on, sector=sector)
            first = rng.choice((100, 100, 100, rng.randint(51, 95), rng.randint(20, 50)))
            reg.hold(index, parent, Decimal(first) / 100)
            if first < 100:
                rest = split_shares(rng, rng.choice((1, 2)), 100 - first)
                for share in rest:
                    if rng.random() < 0.3:
                        lower = pools[rng.randrange(level)]
                        reg.hold(index, rng.choice(lower), share)
                    else:
                        _hold_maybe_changed(
                            reg,
                            people,
                            index,
                            person_owner(people.any_adult()),
                            share,
                            None,
                            allow=True,
                        )
            pools[level].append(index)
    for _ in range(pairs):  # two companies holding 10 % of each other: a cycle
        a = reg.add("local_company", reg.local_name(), reg.reg_day())
        b = reg.add("local_company", reg.local_name(), reg.reg_day())
        reg.hold(a, person_owner(people.owner_citizen()), Decimal("0.9"))
        reg.hold(b, person_owner(people.owner_citizen()), Decimal("0.9"))
        reg.hold(a, b, Decimal("0.1"))
        reg.hold(b, a, Decimal("0.1"))


def _pick_parent(reg: Registry, below: list[int], level: int) -> int:
    """An owner one level below: at the first level sometimes a foreign company or the
    state's property fund, else a local company of the level below."""
    rng = reg.rng
    if level == 1:
        roll = rng.random()
        if roll < 0.10:
            return rng.choice(reg.foreign)
        if roll < 0.13:
            return reg.state_fund
    return rng.choice(below)


def _hold_maybe_changed(
    reg: Registry,
    people: People,
    owned: int,
    owner: int | Owner,
    share: Decimal,
    dissolved: date | None,
    *,
    allow: bool,
) -> None:
    """A holding that, for a few companies, passed to another person at a day before the
    campaign (the old holder's exit day is the new one's first)."""
    rng = reg.rng
    row = reg.rows[owned]
    if allow and row.registered_on and rng.random() < 0.06:
        latest = min(reg.start - timedelta(days=10), dissolved or reg.start)
        span = (latest - row.registered_on).days
        if span > 40:
            change = row.registered_on + timedelta(days=rng.randint(20, span - 10))
            reg.hold(owned, owner, share, row.registered_on, change)
            reg.hold(owned, person_owner(people.any_adult()), share, change, dissolved)
            return
    reg.hold(owned, owner, share, None, dissolved)
