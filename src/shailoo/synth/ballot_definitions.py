"""Realistic election definitions for ballot printing and reading tests.

A 2025-style parliamentary district (one mark, three seats, "against all"), a presidential
ballot, a party-list ballot of about fifteen parties and a local-council list, with candidates'
names in Kyrgyz and their Russian spelling drawn from :mod:`shailoo.synth.namepools`. The
``combined`` style carries three contests on one sheet, which is what the OMR benchmark reads to
get many oval positions per scanned image. Deterministic by seed.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date

from shailoo.counting.definition import (
    BallotStyle,
    Contest,
    ElectionDefinition,
    LocalText,
    Option,
)
from shailoo.synth.namepools import KYRGYZ, RUSSIAN, UZBEK, NamePool, feminine, patronymic
from shailoo.synth.namepools import russify as _russify

#: Party-name words: (Kyrgyz, Russian). Invented, not the names of registered parties.
PARTY_WORDS: tuple[tuple[str, str], ...] = (
    ("Ынтымак жолу", "Путь согласия"),
    ("Ишеним", "Доверие"),
    ("Жаңы доор", "Новая эпоха"),
    ("Келечек үчүн", "За будущее"),
    ("Адилеттүү Ала-Тоо", "Справедливый Ала-Тоо"),
    ("Өнүгүү жана эмгек", "Развитие и труд"),
    ("Элдик биримдик", "Народное единство"),
    ("Тоолуу өлкө", "Горная страна"),
    ("Жаштар күчү", "Сила молодёжи"),
    ("Айыл-чарба", "Аграрный союз"),
    ("Мыйзам жана тартип", "Закон и порядок"),
    ("Жашыл Кыргызстан", "Зелёный Кыргызстан"),
    ("Санарип келечек", "Цифровое будущее"),
    ("Ата-бабалар мурасы", "Наследие предков"),
    ("Эркин базар", "Свободный рынок"),
    ("Аялдар үнү", "Голос женщин"),
    ("Билим жана илим", "Образование и наука"),
    ("Ден соолук", "Здоровье нации"),
)

AGAINST_ALL = LocalText(ky="Баарына каршы", ru="Против всех")
_POOLS: tuple[tuple[NamePool, float], ...] = ((KYRGYZ, 0.78), (UZBEK, 0.14), (RUSSIAN, 0.08))


def _pool(rng: random.Random) -> NamePool:
    roll, total = rng.random(), 0.0
    for pool, weight in _POOLS:
        total += weight
        if roll < total:
            return pool
    return _POOLS[-1][0]


def candidate_name(rng: random.Random) -> LocalText:
    """Surname, given name and patronymic; the Russian form uses Russian spelling."""
    pool = _pool(rng)
    sex = "F" if rng.random() < 0.4 else "M"
    given = rng.choice(pool.female if sex == "F" else pool.male)
    surname = rng.choice(pool.surnames)
    if sex == "F":
        surname = feminine(surname)
    styles = [style for style, _ in pool.patronymics]
    weights = [weight for _, weight in pool.patronymics]
    style = rng.choices(styles, weights)[0]
    father = rng.choice(pool.male)
    middle = patronymic(father, sex, style)
    ky = " ".join(part for part in (surname, given, middle) if part)
    ru = " ".join(_russify(part) for part in ky.split(" "))
    return LocalText(ky=ky, ru=ru)


def _party_text(ky: str, ru: str) -> LocalText:
    return LocalText(ky=f"«{ky}» саясий партиясы", ru=f"Политическая партия «{ru}»")


def _against_all() -> Option:
    return Option(id="against-all", kind="against_all", name=AGAINST_ALL)


def make_ballot_definition(
    seed: int = 2026,
    stations: Sequence[str] = ("1001", "1002"),
    district_candidates: int = 12,
    parties: int = 15,
    president_candidates: int = 8,
    local_parties: int = 10,
) -> ElectionDefinition:
    """A definition with four contests and five ballot styles, all issued at ``stations``."""
    if not 1 <= parties <= len(PARTY_WORDS) or not 1 <= local_parties <= len(PARTY_WORDS):
        raise ValueError(f"between 1 and {len(PARTY_WORDS)} parties")
    rng = random.Random(f"shailoo-ballot-definition:{seed}")
    party_words = rng.sample(PARTY_WORDS, len(PARTY_WORDS))
    party_list = [_party_text(ky, ru) for ky, ru in party_words[:parties]]
    president = Contest(
        id="president",
        kind="president",
        title=LocalText(
            ky="Кыргыз Республикасынын Президенти", ru="Президент Кыргызской Республики"
        ),
        options=(
            *(
                Option(id=f"p{i + 1:02d}", kind="candidate", name=candidate_name(rng))
                for i in range(president_candidates)
            ),
            _against_all(),
        ),
    )
    parliament_list = Contest(
        id="jk-list",
        kind="party_list",
        title=LocalText(
            ky="Жогорку Кеңеш: партиялык тизмелер", ru="Жогорку Кенеш: партийные списки"
        ),
        seats=54,
        options=(
            *(
                Option(id=f"party{i + 1:02d}", kind="party", name=name)
                for i, name in enumerate(party_list)
            ),
            _against_all(),
        ),
    )
    district = Contest(
        id="jk-d07",
        kind="district",
        title=LocalText(ky="Жогорку Кеңеш: №7 шайлоо округу", ru="Жогорку Кенеш: округ №7"),
        seats=3,
        district="D07",
        options=(
            *(
                Option(
                    id=f"c{i + 1:02d}",
                    kind="candidate",
                    name=candidate_name(rng),
                    party=rng.choice(party_list) if rng.random() < 0.6 else None,
                )
                for i in range(district_candidates)
            ),
            _against_all(),
        ),
    )
    local = Contest(
        id="local-council",
        kind="local_list",
        title=LocalText(ky="Шаардык кеңеш", ru="Городской кенеш"),
        seats=45,
        options=(
            *(
                Option(id=f"lp{i + 1:02d}", kind="party", name=_party_text(ky, ru))
                for i, (ky, ru) in enumerate(party_words[-local_parties:])
            ),
            _against_all(),
        ),
    )
    at = tuple(stations)
    return ElectionDefinition(
        format="shailoo-election-definition/1",
        election_id=f"KG-SYNTH-{seed}",
        name=LocalText(
            ky="Синтетикалык шайлоо (сыноо үчүн)", ru="Синтетические выборы (для испытаний)"
        ),
        election_date=date(2026, 11, 29),
        law_edition="kg-2025",
        contests=(president, parliament_list, district, local),
        ballot_styles=(
            BallotStyle(id="president", contests=("president",), stations=at),
            BallotStyle(id="jk-list", contests=("jk-list",), stations=at),
            BallotStyle(id="jk-d07", contests=("jk-d07",), stations=at),
            BallotStyle(id="local", contests=("local-council",), stations=at),
            BallotStyle(
                id="combined", contests=("jk-list", "jk-d07", "local-council"), stations=at
            ),
        ),
    )
