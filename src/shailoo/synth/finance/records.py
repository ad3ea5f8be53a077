"""The other registers the screen reads, in the background: statuses that bar a person
from giving, debts to the budget and the transfers the financial-intelligence service reports.

Each is drawn so that none of it touches a donor while it is in force (ended statuses and paid
debts do), so that only planted cases cross a line.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from .accounts import key_digits, som
from .names import FOREIGN_PEOPLE, full_name
from .people import People
from .registry import Registry
from .rows import DebtRow, EntityRow, PersonLike, PersonStatusRow, TransferRow


def background_statuses(
    people: People,
    pool: list[PersonLike],
    pool_pins: set[str],
    transactions: int,
    rng: random.Random,
    start: date,
) -> list[PersonStatusRow]:
    """Civil servants, religious figures and debtors who do not give (some of them former),
    and former ones among the donors (their status ended a year or more before)."""
    sources = {
        "civil_servant": "Государственная кадровая служба",
        "religious_figure": "Государственная комиссия по делам религий",
        "budget_debtor": "Социальный фонд",
    }
    kinds = tuple(sources)
    out = []
    for _ in range(max(30, transactions // 40)):
        p = people.citizens[rng.randrange(len(people.citizens))]
        if p.pin in pool_pins or not people.free(p):
            continue
        status = rng.choices(kinds, (60, 10, 30))[0]
        began = start - timedelta(days=rng.randint(200, 6000))
        ended = None
        if rng.random() < 0.15:
            ended = min(start - timedelta(days=30), began + timedelta(days=rng.randint(100, 3000)))
        out.append(PersonStatusRow(p.pin, status, began, ended, sources[status]))
    for _ in range(max(5, len(pool) // 100)):
        p = pool[rng.randrange(len(pool))]
        status = rng.choices(kinds, (60, 10, 30))[0]
        ended = start - timedelta(days=rng.randint(365, 3000))
        began = ended - timedelta(days=rng.randint(100, 4000))
        out.append(PersonStatusRow(p.pin, status, began, ended, sources[status]))
    return out


def background_debts(reg: Registry, start: date, end: date) -> None:
    """Debts to the budget: open ones of companies outside the clean pool, paid-off ones of
    clean companies (a year or more before the campaign)."""
    rng = reg.rng
    for i, row in enumerate(reg.rows):
        if row.kind != "local_company" or row.registered_on is None:
            continue
        roll = rng.random()
        if reg.tainted[i] and roll < 0.03:
            began = start - timedelta(days=rng.randint(30, 1500))
            reg.debts.append(DebtRow(row.inn, began, None, som(rng.randint(5, 2000) * 1000)))
        elif not reg.tainted[i] and roll < 0.02:
            ended = start - timedelta(days=rng.randint(365, 2000))
            began = ended - timedelta(days=rng.randint(60, 900))
            reg.debts.append(DebtRow(row.inn, began, ended, som(rng.randint(5, 500) * 1000)))


def background_transfers(
    reg: Registry,
    people: People,
    pool: list[PersonLike],
    pool_pins: set[str],
    clean: list[EntityRow],
    transactions: int,
    rng: random.Random,
    start: date,
    end: date,
) -> list[TransferRow]:
    """Payments the financial-intelligence service reports: between citizens and from
    clean companies to anyone; from prohibited payers only to persons who never give."""
    banned = [
        i for i, r in enumerate(reg.rows) if r.kind in ("foreign_company", "state_body", "charity")
    ]
    out = []
    first = start - timedelta(days=150)
    span = (end - first).days

    def anyone() -> PersonLike | None:
        p = people.any_adult()
        return p if people.free(p) else None

    for n in range(max(60, transactions // 20)):
        roll = rng.random()
        day = first + timedelta(days=rng.randint(0, span))
        amount = som(rng.randint(50, 5000) * 100)
        reference = f"СФР-{key_digits(f'{n}:{day}', 8)}"
        payee = anyone()
        if payee is None:
            continue
        if roll < 0.55:
            payer = pool[rng.randrange(len(pool))]
            if payer.pin == payee.pin:
                continue
            out.append(
                TransferRow(
                    f"P:{payer.pin}",
                    full_name(payer),
                    f"P:{payee.pin}",
                    day,
                    amount,
                    "KGS",
                    reference,
                )
            )
        elif roll < 0.80:
            firm = clean[rng.randrange(len(clean))]
            out.append(
                TransferRow(
                    f"E:{firm.inn}", firm.name, f"P:{payee.pin}", day, amount, "KGS", reference
                )
            )
        elif roll < 0.90:
            firm, other = clean[rng.randrange(len(clean))], clean[rng.randrange(len(clean))]
            if firm.inn != other.inn:
                out.append(
                    TransferRow(
                        f"E:{firm.inn}", firm.name, f"E:{other.inn}", day, amount, "KGS", reference
                    )
                )
        else:
            if payee.pin in pool_pins:
                continue
            if rng.random() < 0.3:
                country = rng.choice(tuple(FOREIGN_PEOPLE))
                name = rng.choice(FOREIGN_PEOPLE[country])
                key = f"F:{country}-{key_digits(name + str(n), 9)}"
                out.append(TransferRow(key, name, f"P:{payee.pin}", day, amount, "KGS", reference))
            else:
                row = reg.rows[rng.choice(banned)]
                out.append(
                    TransferRow(
                        f"E:{row.inn}", row.name, f"P:{payee.pin}", day, amount, "KGS", reference
                    )
                )
    return out
