"""A campaign and a polling day of complaints for the rapid-response groups (deterministic).

The mix follows the 2025 figures the CEC published: about 220 appeals before polling day, half
of them on campaign rules and one in ten on possible vote buying, and some 70 complaints on
polling day itself, where multiple voting, pressure on voters and count irregularities weigh
more. Reports come through the public form, the hotline, observers and agents; each carries a
synthetic complainant (name, phone, e-mail) so that redaction can be tested; a share is
decided by the handlers, some late, some never (overdue and escalated in the demo).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shailoo.incidents.categories import Category

BISHKEK = ZoneInfo("Asia/Bishkek")
CAMPAIGN_DAYS = 30

#: Relative weights of the categories before polling day and on it.
CAMPAIGN_MIX: dict[Category, int] = {
    "illegal_campaigning": 52,
    "vote_buying": 10,
    "administrative_resources": 12,
    "pressure_on_voters": 8,
    "prohibited_financing": 6,
    "foreign_interference": 3,
    "cyber_incident": 2,
    "public_order": 2,
    "other": 5,
}
POLLING_DAY_MIX: dict[Category, int] = {
    "multiple_voting": 18,
    "vote_buying": 16,
    "pressure_on_voters": 14,
    "count_irregularity": 16,
    "illegal_campaigning": 10,
    "public_order": 10,
    "administrative_resources": 6,
    "cyber_incident": 2,
    "other": 8,
}
_PLACES = ("Бишкек ш., Чүй пр., 120", "Ош ш., Курманжан Датка көч.", "Кара-Балта, базар")
SOURCES = (("public_web", 45), ("hotline", 30), ("observer", 17), ("agent", 8))

_SURNAMES = ("Асанов", "Токтогулова", "Жээнбеков", "Сыдыкова", "Маматов", "Абдыкадырова", "Ким")
_GIVEN = ("Бакыт", "Айгүл", "Нурлан", "Жылдыз", "Эрмек", "Гүлнара", "Олег")
_TEXT: dict[Category, tuple[str, ...]] = {
    "illegal_campaigning": (
        "Агитациялык материалдар мектептин ичинде илинип турат.",
        "Агитация в здании акимиата во время рабочего дня.",
    ),
    "vote_buying": (
        "Шайлоочуларга акча таратышууда, дарегинде машина турат.",
        "У входа раздают продуктовые наборы и просят голосовать за кандидата.",
    ),
    "administrative_resources": ("Бюджетчилерди жыйынга мажбурлап алып барышты.",),
    "pressure_on_voters": ("Начальник требует фото бюллетеня от сотрудников.",),
    "prohibited_financing": ("Кампанияны чет элдик компания каржылап жатат деген маалымат бар.",),
    "foreign_interference": ("Иностранный фонд оплачивает рекламу кандидата в соцсетях.",),
    "cyber_incident": ("Сайт участковой комиссии показывает чужие результаты.",),
    "public_order": ("Участок алдында топ адамдар чатак чыгарышты.",),
    "multiple_voting": ("Один и тот же человек голосовал на двух участках.",),
    "count_irregularity": ("При подсчёте бюллетени не показывали наблюдателям.",),
    "other": ("Участок ачылган жок, эшик жабык.",),
}


@dataclass(frozen=True)
class SynthReport:
    """One report as it reached the door, and what the handlers will do with it."""

    received_at: datetime
    category: Category
    source: str
    station: int | None
    place: str
    description: str
    complainant_name: str
    complainant_phone: str
    complainant_email: str
    #: Hours after receipt the handlers decide it (None: never, it goes overdue).
    decided_after_h: float | None
    outcome: str


def _pick(rng: random.Random, weighted: Sequence[tuple[str, int]]) -> str:
    names = [name for name, _ in weighted]
    weights = [weight for _, weight in weighted]
    chosen: str = rng.choices(names, weights=weights)[0]
    return chosen


def generate_reports(
    seed: int, stations: Sequence[int], polling_day: date, *, campaign: int = 220, day: int = 70
) -> list[SynthReport]:
    """``campaign`` reports spread over the campaign and ``day`` on polling day, in time order."""
    if not stations:
        raise ValueError("no polling stations to place reports at")
    rng = random.Random(f"synth.incidents/{seed}")
    out: list[SynthReport] = []
    start = datetime.combine(polling_day - timedelta(days=CAMPAIGN_DAYS), time(8), BISHKEK)
    for n in range(campaign + day):
        on_day = n >= campaign
        if on_day:
            moment = datetime.combine(polling_day, time(7), BISHKEK) + timedelta(
                minutes=rng.randint(0, 14 * 60)
            )
            mix = POLLING_DAY_MIX
        else:
            moment = start + timedelta(
                days=rng.randint(0, CAMPAIGN_DAYS - 1), minutes=rng.randint(0, 12 * 60)
            )
            mix = CAMPAIGN_MIX
        category: Category = _pick(rng, list(mix.items()))  # type: ignore[assignment]
        surname, given = rng.choice(_SURNAMES), rng.choice(_GIVEN)
        decided = rng.random()
        station = rng.choice(stations) if rng.random() < 0.85 else None
        out.append(
            SynthReport(
                received_at=moment,
                category=category,
                source=_pick(rng, SOURCES),
                station=station,
                place="" if station is not None else rng.choice(_PLACES),
                description=rng.choice(_TEXT[category]),
                complainant_name=f"{surname} {given}",
                complainant_phone=f"+99655{rng.randint(1_000_000, 9_999_999)}",
                complainant_email=f"citizen{n}@example.kg",
                decided_after_h=None if decided < 0.12 else rng.uniform(0.5, 1.6 if on_day else 96),
                outcome=_pick(
                    rng,
                    [("upheld", 30), ("dismissed", 25), ("referred", 25), ("no_violation", 20)],
                ),
            )
        )
    out.sort(key=lambda r: r.received_at)
    return out
