"""Synthetic election definitions: contests, candidates, parties and ballot styles per station.

Counting, ballot printing and reading need a definition before candidate registration exists,
so this module invents one that is shaped like the real elections of each law edition:

* ``kg-2025``: 30 three-seat districts, single non-transferable vote (one mark), 8-15
  candidates each, plus "against all";
* ``kg-2021``: a 54-seat national party list plus 36 single-member districts, two sheets;
* ``kg-2020``: a 120-seat national party list;
* ``president`` (any edition): one national contest.

Seats, districts, marks per ballot and "against all" are read from the edition's law file
(its ``counting`` section), so a new edition needs no code here.

Districts are carved out of the given stations region by region (seats shared out by station
count, largest remainder, never more districts than stations), each a run of neighbouring
stations in TEC order, so a district never straddles a region. Stations abroad issue every
district's sheet (the voter's own district is printed on demand, as remote voting works since
2025). Pure and deterministic: the same stations and
seed give the same bytes through :func:`shailoo.counting.definition.dump_definition`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from shailoo.counting.definition import (
    BallotStyle,
    Contest,
    ElectionDefinition,
    LocalText,
    Option,
)
from shailoo.law.loader import LawError, load_edition
from shailoo.synth.namepools import REGION_MIX, NamePool, feminine, patronymic, russify
from shailoo.synth.places import ABROAD, REGIONS

ElectionKind = Literal["parliament", "president"]

AGAINST_ALL = LocalText(ky="Баарына каршы", ru="Против всех")
SELF_NOMINATED_SHARE = 0.35
WOMEN_SHARE = 0.3


@dataclass(frozen=True, slots=True)
class EditionShape:
    """How an edition's parliamentary election looks on paper.

    Seats, districts, marks and "against all" come from the law edition's ``counting``
    section; only the numbers of candidates and parties standing are synthetic choices.
    """

    list_seats: int  # seats of the national party-list contest (0: none)
    districts: int  # electoral districts with their own contest (0: none)
    district_seats: int  # seats per district
    marks: int  # marks a voter may make in a district contest
    both_sexes: bool  # a gender rule on district winners: both sexes must stand
    against_all: bool  # an "against all" oval on every sheet
    candidates: tuple[int, int]  # candidates per district contest, inclusive range
    parties: tuple[int, int]  # parties on the national list, inclusive range


#: Synthetic ranges: candidates per district (single-member, multi-member), parties, president.
SINGLE_MEMBER_CANDIDATES = (4, 12)
MULTI_MEMBER_CANDIDATES = (8, 15)
LIST_PARTIES = (14, 21)
PRESIDENT_CANDIDATES = (4, 10)


def edition_shape(law_edition: str) -> EditionShape:
    """The shape of ``law_edition``'s elections, read from its law file (ValueError if none)."""
    try:
        counting = load_edition(law_edition).counting
    except LawError as exc:
        raise ValueError(f"law edition {law_edition!r} cannot be used: {exc}") from None
    party_list, district = counting.party_list, counting.district
    seats = district.seats_per_district.value if district else 0
    return EditionShape(
        list_seats=party_list.seats.value if party_list else 0,
        districts=district.districts.value if district else 0,
        district_seats=seats,
        marks=district.marks_per_ballot.value if district else 1,
        both_sexes=bool(district and district.max_winners_one_sex is not None),
        against_all=counting.against_all.on_ballot.value,
        candidates=MULTI_MEMBER_CANDIDATES if seats > 1 else SINGLE_MEMBER_CANDIDATES,
        parties=LIST_PARTIES,
    )


#: Words parties take their names from: (Kyrgyz, Russian).
_PARTY_WORDS: tuple[tuple[str, str], ...] = (
    ("Биримдик", "Единство"), ("Ынтымак", "Согласие"), ("Ишеним", "Доверие"),
    ("Адилет", "Справедливость"), ("Өнүгүү", "Развитие"), ("Келечек", "Будущее"),
    ("Мекен", "Отечество"), ("Ыйман", "Вера"), ("Эл үнү", "Голос народа"),
    ("Ак жол", "Светлый путь"), ("Жаңы доор", "Новая эра"), ("Туулган жер", "Родной край"),
    ("Замандаш", "Современник"), ("Ала-Тоо", "Ала-Тоо"), ("Акыйкат", "Истина"),
    ("Бакубат эл", "Благополучный народ"), ("Мекенчил", "Патриоты"), ("Ордо", "Ордо"),
    ("Кайрат", "Сила духа"), ("Эркиндик", "Свобода"), ("Ырыс", "Удача"),
    ("Нур", "Свет"), ("Тынчтык", "Мир"), ("Мурас", "Наследие"), ("Улуу жол", "Великий путь"),
)  # fmt: skip
_PARTY_QUALIFIERS: tuple[tuple[str, str], ...] = (
    ("", ""), ("", ""), ("Кыргызстан", "Кыргызстан"), ("Элдик", "Народная"),
    ("Демократиялык", "Демократическая"), ("Социал-демократиялык", "Социал-демократическая"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class _Place:
    station: str
    region: str
    tec: str


def make_definition(
    stations: Sequence[tuple[str, str, str]],
    *,
    seed: int,
    law_edition: str = "kg-2025",
    election_date: date,
    election_id: str,
    election: ElectionKind = "parliament",
) -> ElectionDefinition:
    """A realistic definition for ``stations`` as (number, region code, TEC or district id).

    Raises ``ValueError`` for an unknown edition or a station listed twice.
    """
    places = _places(stations)
    shape = edition_shape(law_edition)
    rng = random.Random(f"synth.definition/{seed}/{law_edition}/{election}")
    parties = _parties(rng, 30)
    contests: list[Contest] = []
    styles: list[BallotStyle] = []
    all_stations = tuple(p.station for p in places)
    year = election_date.year
    if election == "president":
        contests.append(_president(rng, shape.against_all, parties))
        styles.append(BallotStyle(id="president", contests=("president",), stations=all_stations))
        name = LocalText(
            ky=f"Кыргыз Республикасынын Президентин шайлоо {year}",
            ru=f"Выборы Президента Кыргызской Республики {year}",
        )
    else:
        if shape.list_seats:
            count = rng.randint(*shape.parties)
            contests.append(_party_list(rng, shape, parties[:count]))
            styles.append(BallotStyle(id="list", contests=("list",), stations=all_stations))
        for number, (region, members) in enumerate(_districts(places, shape.districts), 1):
            contest = _district(rng, shape, number, region, parties)
            contests.append(contest)
            styles.append(
                BallotStyle(id=f"style-{contest.id}", contests=(contest.id,), stations=members)
            )
        name = LocalText(
            ky=f"Кыргыз Республикасынын Жогорку Кеңешинин депутаттарын шайлоо {year}",
            ru=f"Выборы депутатов Жогорку Кенеша Кыргызской Республики {year}",
        )
    return ElectionDefinition(
        format="shailoo-election-definition/1",
        election_id=election_id,
        name=name,
        election_date=election_date,
        law_edition=law_edition,
        contests=tuple(contests),
        ballot_styles=tuple(styles),
    )


def _places(stations: Sequence[tuple[str, str, str]]) -> list[_Place]:
    seen: set[str] = set()
    places = []
    for number, region, tec in stations:
        if number in seen:
            raise ValueError(f"station {number} is listed twice")
        seen.add(number)
        places.append(_Place(str(number), region, tec))
    return places


def _station_key(station: str) -> tuple[int, str]:
    return (int(station), station) if station.isdigit() else (1 << 62, station)


def _districts(places: list[_Place], count: int) -> list[tuple[str, tuple[str, ...]]]:
    """``count`` districts as (region code, stations), shared among regions by station count.

    Every region with stations gets at least one district while there are districts enough;
    within a region the stations, ordered by TEC and number, are cut into runs of equal size.
    Stations abroad are added to every district.
    """
    if count == 0:
        return []
    home = [p for p in places if p.region != ABROAD.code]
    abroad = tuple(sorted((p.station for p in places if p.region == ABROAD.code), key=_station_key))
    by_region: dict[str, list[_Place]] = {}
    for place in sorted(home, key=lambda p: (p.region, p.tec, _station_key(p.station))):
        by_region.setdefault(place.region, []).append(place)
    order = [r.code for r in REGIONS if r.code in by_region] + sorted(
        r for r in by_region if r not in {x.code for x in REGIONS}
    )
    seats = _capped_share(min(count, len(home)), [len(by_region[r]) for r in order])
    districts: list[tuple[str, tuple[str, ...]]] = []
    for region, n in zip(order, seats, strict=True):
        members = by_region[region]
        for i in range(n):
            run = members[len(members) * i // n : len(members) * (i + 1) // n]
            districts.append((region, tuple(p.station for p in run)))
    # Regions with no stations: the remaining districts exist on paper only.
    while len(districts) < count:
        districts.append(("", ()))
    return [(region, _merge(members, abroad)) for region, members in districts]


def _merge(members: tuple[str, ...], abroad: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted(set(members) | set(abroad), key=_station_key))


def _capped_share(total: int, sizes: list[int]) -> list[int]:
    """:func:`_share`, but no region gets more districts than it has stations."""
    shares = [0] * len(sizes)
    open_ = [i for i, size in enumerate(sizes) if size]
    while total > 0 and open_:
        part = _share(total, [sizes[i] - shares[i] for i in open_])
        for i, extra in zip(open_, part, strict=True):
            give = min(extra, sizes[i] - shares[i])
            shares[i] += give
            total -= give
        open_ = [i for i in open_ if shares[i] < sizes[i]]
    return shares


def _share(total: int, weights: list[int]) -> list[int]:
    """``total`` split by ``weights`` (largest remainder), at least 1 each while possible."""
    base = [1 if total >= len(weights) else 0 for _ in weights]
    rest = total - sum(base)
    whole = sum(weights)
    quotas = [rest * w / whole for w in weights]
    shares = [b + int(q) for b, q in zip(base, quotas, strict=True)]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - int(quotas[i])), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _region_titles(code: str) -> tuple[str, str]:
    for region in (*REGIONS, ABROAD):
        if region.code == code:
            return region.name_ky, region.name_ru
    return "", ""


def _district(
    rng: random.Random, shape: EditionShape, number: int, region: str, parties: list[LocalText]
) -> Contest:
    contest_id = f"d{number:02d}"
    region_ky, region_ru = _region_titles(region)
    ky = f"№{number} шайлоо округу" + (f" ({region_ky})" if region_ky else "")
    ru = f"Избирательный округ №{number}" + (f" ({region_ru})" if region_ru else "")
    count = rng.randint(*shape.candidates)
    seats = shape.district_seats
    options = _candidates(rng, contest_id, count, region or "KG-GB", parties, shape.both_sexes)
    if shape.against_all:
        options.append(_against_all(contest_id))
    return Contest(
        id=contest_id,
        kind="district",
        title=LocalText(ky=ky, ru=ru),
        votes_allowed=shape.marks,
        seats=seats,
        district=contest_id.upper(),
        options=tuple(options),
    )


def _president(rng: random.Random, against_all: bool, parties: list[LocalText]) -> Contest:
    count = rng.randint(*PRESIDENT_CANDIDATES)
    options = _candidates(rng, "president", count, "KG-GB", parties, False)
    if against_all:
        options.append(_against_all("president"))
    return Contest(
        id="president",
        kind="president",
        title=LocalText(
            ky="Кыргыз Республикасынын Президенти", ru="Президент Кыргызской Республики"
        ),
        options=tuple(options),
    )


def _party_list(rng: random.Random, shape: EditionShape, parties: list[LocalText]) -> Contest:
    options = []
    for i, party in enumerate(parties, 1):
        size = rng.randint(shape.list_seats // 2 + 10, shape.list_seats + 20)
        names = _unique_names(rng, size, "KG-GB", women_every=3)
        options.append(
            Option(
                id=f"list-p{i:02d}",
                kind="party",
                name=party,
                party=party,
                list_candidates=tuple(names),
            )
        )
    if shape.against_all:
        options.append(_against_all("list"))
    return Contest(
        id="list",
        kind="party_list",
        title=LocalText(ky="Бирдиктүү шайлоо округу", ru="Единый избирательный округ"),
        seats=shape.list_seats,
        options=tuple(options),
    )


def _candidates(
    rng: random.Random,
    contest_id: str,
    count: int,
    region: str,
    parties: list[LocalText],
    both_sexes: bool,
) -> list[Option]:
    # Where a gender rule applies to the winners, both sexes stand: every third is a woman.
    women_every = 3 if both_sexes else 0
    options = []
    for i, name in enumerate(_unique_names(rng, count, region, women_every), 1):
        party = None if rng.random() < SELF_NOMINATED_SHARE else rng.choice(parties)
        option_id = f"{contest_id}-c{i:02d}"
        options.append(Option(id=option_id, kind="candidate", name=name, party=party))
    return options


def _against_all(contest_id: str) -> Option:
    return Option(id=f"{contest_id}-against", kind="against_all", name=AGAINST_ALL)


def _unique_names(
    rng: random.Random, count: int, region: str, women_every: int = 0
) -> list[LocalText]:
    """``count`` distinct full names; with ``women_every`` k, at least every k-th is a woman."""
    mix = REGION_MIX.get(region, REGION_MIX["KG-GB"])
    pools = [pool for pool, _ in mix]
    weights = [weight for _, weight in mix]
    names: list[LocalText] = []
    seen: set[str] = set()
    while len(names) < count:
        pool = rng.choices(pools, weights)[0]
        forced = women_every and len(names) % women_every == women_every - 1
        sex = "F" if forced or rng.random() < WOMEN_SHARE else "M"
        name = _full_name(rng, pool, sex)
        if name.ky not in seen:
            seen.add(name.ky)
            names.append(name)
    return names


def _full_name(rng: random.Random, pool: NamePool, sex: str) -> LocalText:
    given = rng.choice(pool.male if sex == "M" else pool.female)
    surname = rng.choice(pool.surnames)
    if sex == "F":
        surname = feminine(surname)
    styles = [s for s, _ in pool.patronymics]
    style = rng.choices(styles, [w for _, w in pool.patronymics])[0]
    middle = patronymic(rng.choice(pool.male), sex, style)
    ky = " ".join(part for part in (surname, given, middle) if part)
    ru = " ".join(russify(word) for word in ky.split())
    return LocalText(ky=ky, ru=ru)


def _parties(rng: random.Random, count: int) -> list[LocalText]:
    """``count`` distinct party names, in Kyrgyz and Russian as registered."""
    parties: list[LocalText] = []
    seen: set[str] = set()
    words = list(_PARTY_WORDS)
    while len(parties) < count:
        word_ky, word_ru = rng.choice(words)
        qual_ky, qual_ru = rng.choice(_PARTY_QUALIFIERS)
        keep_kyrgyz = rng.random() < 0.5  # many parties register the Kyrgyz word in Russian too
        inner_ky = f"{word_ky} {qual_ky}".strip() if qual_ky == "Кыргызстан" else word_ky
        inner_ru = russify(inner_ky) if keep_kyrgyz or qual_ky == "Кыргызстан" else word_ru
        if inner_ky in seen:
            continue
        seen.add(inner_ky)
        lead_ky = f"{qual_ky} " if qual_ky and qual_ky != "Кыргызстан" else ""
        lead_ru = f"{qual_ru} партия" if qual_ru and qual_ky != "Кыргызстан" else "Партия"
        parties.append(
            LocalText(ky=f"«{inner_ky}» {lead_ky}партиясы", ru=f"{lead_ru} «{inner_ru}»")
        )
    return parties
