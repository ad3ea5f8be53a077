"""The entry points: :func:`plan_finance` builds the funds, the registries and the planted
cases and sizes the background; :func:`generate_finance` adds the streamed transactions.

The order of the draws here fixes every row of a seed's world: moving a step moves them all.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from .accounts import DESIGNATED_BANKS, kg_account
from .caps import allocate, background_scale, edition_caps
from .entities import background_companies, fixed_kinds
from .names import SECTOR_NAMES, full_name
from .people import People, donor_pool
from .planted import Planter
from .planted.patterns import cap_plan
from .records import background_debts, background_statuses, background_transfers
from .registry import Registry
from .rows import (
    MIN_CAMPAIGN_DAYS,
    MIN_ENTITIES,
    Background,
    CapPlan,
    EntityRow,
    FinanceWorld,
    FundKind,
    FundRow,
    FundSpec,
    HoldingRow,
    PersonLike,
)
from .stream import iter_transactions


def _specs(funds: Sequence[tuple[str, str] | FundSpec]) -> list[FundSpec]:
    specs = []
    for item in funds:
        spec = item if isinstance(item, FundSpec) else FundSpec(cast(FundKind, item[0]), item[1])
        if spec.kind not in ("party", "candidate"):
            raise ValueError(
                f"fund {spec.owner!r}: kind must be party or candidate, not {spec.kind!r}"
            )
        specs.append(spec)
    if not specs:
        raise ValueError("at least one fund is needed")
    owners = [(s.kind, s.owner) for s in specs]
    if len(set(owners)) != len(owners):
        raise ValueError("each (kind, owner) may have one fund only")
    return specs


def plan_finance(
    seed: int,
    persons: Sequence[PersonLike],
    funds: Sequence[tuple[str, str] | FundSpec],
    *,
    entities: int = 2000,
    transactions: int = 20_000,
    start: date,
    polling_day: date,
    law_edition: str = "kg-2025",
) -> FinanceWorld:
    """Everything but the background transactions (stream those with
    :func:`iter_transactions`): funds, registries, planted cases and their entries.

    ``funds`` are ``(kind, owner)`` pairs or :class:`FundSpec`; ``start`` is the day the
    funds open, ``polling_day`` the election's. Raises ``ValueError`` on a campaign shorter
    than 40 days, fewer than 400 entities, too few transactions for the funds and planted
    cases, or persons with too few adult citizens.
    """
    if (polling_day - start).days < MIN_CAMPAIGN_DAYS:
        raise ValueError(f"the campaign must last at least {MIN_CAMPAIGN_DAYS} days")
    if entities < MIN_ENTITIES:
        raise ValueError(f"entities must be at least {MIN_ENTITIES}")
    specs = _specs(funds)
    if len(specs) >= 100_000:
        raise ValueError("at most 99,999 funds")
    rng = random.Random(f"shailoo-finance:{seed}")
    people = People(persons, rng, start, polling_day)
    caps_by_kind = edition_caps(law_edition)
    reg = Registry(rng, start)
    notes: list[str] = []
    # The funds, their holders and the parties.
    party_rows: dict[str, int] = {}

    def party(code: str, name: str = "") -> int:
        if code not in party_rows:
            party_rows[code] = reg.add(
                "party", name or f"Политическая партия «{code}»", reg.reg_day(1000, 20 * 365)
            )
        return party_rows[code]

    fund_rows: list[FundRow] = []
    holders: list[PersonLike | None] = []
    parties: list[EntityRow | None] = []
    for k, spec in enumerate(specs):
        bank = DESIGNATED_BANKS[k % len(DESIGNATED_BANKS)]
        account = kg_account(bank, f"fund:{seed}:{k}")
        if spec.kind == "party":
            row = reg.rows[party(spec.owner, spec.name)]
            holders.append(None)
            parties.append(row)
            fund_rows.append(
                FundRow(
                    account,
                    bank.bic,
                    bank.name,
                    "party",
                    spec.owner,
                    start,
                    holder_name=row.name,
                    holder_inn=row.inn,
                )
            )
        else:
            holder = people.reserve(spec.holder) if spec.holder is not None else people.citizen()
            holders.append(holder)
            parties.append(reg.rows[party(spec.party)] if spec.party else None)
            fund_rows.append(
                FundRow(account, bank.bic, bank.name, "candidate", spec.owner, start,
                        holder_name=spec.name or full_name(holder), holder_pin=holder.pin)
            )  # fmt: skip
    if len({f.account for f in fund_rows}) != len(fund_rows):
        raise ValueError("two funds drew one account number: use another seed")
    caps = [caps_by_kind[f.kind] for f in fund_rows]
    fixed_kinds(reg, entities, people)
    # Which funds are brought to their cap, which take the planted cases.
    candidates = [
        k for k, f in enumerate(fund_rows) if f.kind == "candidate" and caps[k].fund_total
    ]
    capped: list[tuple[int, Decimal]] = []
    if len(fund_rows) >= 3 and len(candidates) >= 2:
        capped = [(candidates[0], Decimal(150_000)), (candidates[1], Decimal(0))]
    else:
        notes.append("fewer than 3 funds or 2 candidate funds: no over_fund_cap case planted")
    targets = [k for k in range(len(fund_rows)) if k not in {c for c, _ in capped}]
    first_planted = len(reg.rows)
    planter = Planter(
        seed, rng, reg, people, fund_rows, holders, parties, caps, start, polling_day, targets
    )
    planter.all()
    cap_plans: dict[int, CapPlan] = {}
    for k, excess in capped:
        cap_plans[k] = cap_plan(planter, k, excess)
    planted_entities = set(range(first_planted, len(reg.rows)))
    locals_ = entities - len(reg.rows)
    if locals_ < 120:
        raise ValueError(f"entities must be at least {entities - locals_ + 120} for these funds")
    background_companies(reg, people, locals_)
    background_debts(reg, start, polling_day)
    # Clean companies for background gifts and supplies.
    debtors = {d.inn for d in reg.debts if d.ended_on is None or d.ended_on >= start}
    clean = [
        i for i, row in enumerate(reg.rows)
        if row.kind == "local_company" and not reg.tainted[i] and row.dissolved_on is None
        and i not in planted_entities and row.inn not in debtors
        and row.registered_on is not None and row.registered_on <= start - timedelta(days=30)
    ]  # fmt: skip
    suppliers = {s: tuple(reg.rows[i] for i in clean if reg.sector[i] == s) for s in SECTOR_NAMES}
    for sector, found in suppliers.items():
        if not found:
            raise ValueError(f"no clean {sector} company: raise entities")
    pool = donor_pool(people, transactions, rng)
    pool_pins = {p.pin for p in pool}
    statuses = planter.statuses + background_statuses(
        people, pool, pool_pins, transactions, rng, start
    )
    transfers = planter.transfers + background_transfers(
        reg,
        people,
        pool,
        pool_pins,
        [reg.rows[i] for i in clean],
        transactions,
        rng,
        start,
        polling_day,
    )
    # Entries per fund: planted first (their serials are fixed), then the background.
    planted_txs = {
        f: tuple(sorted(txs, key=lambda t: t.booking_date)) for f, txs in planter.txs.items()
    }
    planted_count = sum(len(t) for t in planted_txs.values())
    counts = allocate(transactions - planted_count, fund_rows, caps, cap_plans)
    scales = [
        background_scale(caps[k], counts[k], k in cap_plans, planted_txs.get(f.account, ()))
        for k, f in enumerate(fund_rows)
    ]
    scaled = [(f.owner, scale) for f, scale in zip(fund_rows, scales, strict=True) if scale < 1]
    if scaled:
        low, high = min(s for _, s in scaled), max(s for _, s in scaled)
        owners = ", ".join(owner for owner, _ in scaled[:10]) + (", …" if len(scaled) > 10 else "")
        notes.append(
            f"background amounts scaled by {low}-{high} in {len(scaled)} funds ({owners}) "
            "to keep them under their caps: more transactions than such funds take"
        )
    background = Background(
        counts=tuple(counts),
        serial_start=tuple(planter.serials),
        caps=tuple(caps),
        scales=tuple(scales),
        holders=tuple(holders),
        parties=tuple(parties),
        pool=tuple(pool),
        companies=tuple(reg.rows[i] for i in clean),
        suppliers=suppliers,
        agents=(planter.agent,),
        planted=planted_txs,
        cap_plans=cap_plans,
    )
    return FinanceWorld(
        seed=seed,
        start=start,
        polling_day=polling_day,
        law_edition=law_edition,
        funds=tuple(fund_rows),
        entities=tuple(sorted(reg.rows, key=lambda r: r.inn)),
        holdings=tuple(sorted(reg.holdings, key=_holding_key)),
        statuses=tuple(sorted(statuses, key=lambda s: (s.pin, s.status, s.started_on or start))),
        debts=tuple(sorted(reg.debts, key=lambda d: (d.inn, d.started_on))),
        transfers=tuple(sorted(transfers, key=lambda t: (t.day, t.payer, t.payee))),
        planted=tuple(planter.planted),
        new_persons=tuple(planter.new_persons),
        notes=tuple(planter.notes + notes),
        transaction_count=planted_count + sum(counts),
        background=background,
    )


def _holding_key(h: HoldingRow) -> tuple[str, str, str, date]:
    return (h.owned_inn, h.owner_inn or "", h.owner_pin or h.owner_name, h.started_on or date.min)


def generate_finance(
    seed: int,
    persons: Sequence[PersonLike],
    funds: Sequence[tuple[str, str] | FundSpec],
    *,
    entities: int = 2000,
    transactions: int = 20_000,
    start: date,
    polling_day: date,
    law_edition: str = "kg-2025",
) -> FinanceWorld:
    """The whole world: :func:`plan_finance`, with its transactions kept."""
    world = plan_finance(
        seed, persons, funds, entities=entities, transactions=transactions, start=start,
        polling_day=polling_day, law_edition=law_edition,
    )  # fmt: skip
    return replace(world, transactions=tuple(iter_transactions(world)))
