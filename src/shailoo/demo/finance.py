"""The demo's campaign finance: funds, their banks' statements, the screen and a few decisions.

``plan_finance_world`` runs before the register import (the namesakes the planted cases need
join the population extract); ``load_finance`` then fills the registries, designates the
banks, opens the funds, writes the banks' camt.053 statements and takes them in through the
product's import, screens the election, and works a few flags through review, decision and
disclosure — so the auditor's workspace and the public disclosure are alive.
``load_registries`` is shared with ``bench/finance.py``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from shailoo.candidates.models import Candidate, Party
from shailoo.common.cli import console
from shailoo.elections.models import Election
from shailoo.finance import fund_services, review_services
from shailoo.finance.import_services import import_statements
from shailoo.finance.models import (
    EntityDebt,
    Flag,
    Fund,
    LegalEntity,
    PersonStatus,
    ReportedTransfer,
    Shareholding,
)
from shailoo.finance.screen_services import ScreenReport, screen
from shailoo.synth.candidates import CandidateWorld
from shailoo.synth.finance import FinanceWorld, FundSpec, plan_finance
from shailoo.synth.finance.camt import write_statements
from shailoo.synth.population import PopulationRow

DEMO = "demo"
BATCH = 5000


@dataclass(frozen=True, slots=True)
class Holder:
    """A candidate as the finance world needs them (own money comes from their account)."""

    pin: str
    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth_date: date
    citizenship: str = "KG"
    address: str = ""
    dwelling_id: str = ""
    station: int = 0


def plan_finance_world(
    election: Election,
    seed: int,
    candidates: CandidateWorld,
    persons: Sequence[PopulationRow],
    population_csv: Path,
    *,
    transactions: int = 20_000,
    entities: int = 2000,
) -> FinanceWorld:
    """Funds for every party and every candidate of the deputies' election, with the world's
    registries and statements; the persons it adds are appended to ``population_csv``."""
    specs: list[FundSpec] = [
        FundSpec("party", p.code, name=p.name_ru) for p in candidates.parties
    ]  # fmt: skip
    for c in candidates.candidates:
        if c.office != "jk_deputy" or c.planted is not None:
            continue
        holder = Holder(c.pin, c.surname, c.given_name, c.patronymic, c.sex, c.birth_date)
        specs.append(FundSpec("candidate", c.ref, holder=holder, party=c.party))
    world = plan_finance(
        seed,
        persons,
        specs,
        entities=entities,
        transactions=transactions,
        start=election.polling_day - timedelta(days=60),
        polling_day=election.polling_day,
        law_edition=election.law_edition,
    )
    if world.new_persons:
        with population_csv.open("a", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh, lineterminator="\n")
            for person in world.new_persons:
                writer.writerow(person.values())
    return world


def _chunked(rows: Iterable[object], size: int = BATCH) -> Iterable[list[object]]:
    batch: list[object] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def load_registries(world: FinanceWorld) -> None:
    """The registries the screen reads: entities and their owners, statuses, debts, and the
    transfers the financial-intelligence service reported."""
    LegalEntity.objects.bulk_create(
        (
            LegalEntity(
                inn=e.inn, name=e.name, other_names=list(e.other_names), kind=e.kind,
                country=e.country, registered_on=e.registered_on, dissolved_on=e.dissolved_on,
                state_share_tax_preference=e.state_share_tax_preference, address=e.address,
            )
            for e in world.entities
        ),
        batch_size=BATCH,
    )  # fmt: skip
    ids = dict(LegalEntity.objects.values_list("inn", "pk"))
    branches = [
        LegalEntity(pk=ids[e.inn], parent_id=ids[e.parent_inn])
        for e in world.entities
        if e.parent_inn and e.parent_inn in ids
    ]
    LegalEntity.objects.bulk_update(branches, ["parent"], batch_size=BATCH)
    Shareholding.objects.bulk_create(
        (
            Shareholding(
                owned_id=ids[h.owned_inn],
                owner_entity_id=ids[h.owner_inn] if h.owner_inn else None,
                owner_pin=h.owner_pin, owner_name=h.owner_name[:300],
                owner_country=h.owner_country, share=h.share,
                started_on=h.started_on, ended_on=h.ended_on,
            )
            for h in world.holdings
        ),
        batch_size=BATCH,
    )  # fmt: skip
    PersonStatus.objects.bulk_create(
        (
            PersonStatus(pin=s.pin, status=s.status, started_on=s.started_on,
                         ended_on=s.ended_on, source=s.source[:80])
            for s in world.statuses
        ),
        batch_size=BATCH,
    )  # fmt: skip
    EntityDebt.objects.bulk_create(
        (
            EntityDebt(entity_id=ids[d.inn], started_on=d.started_on, ended_on=d.ended_on,
                       amount=d.amount)
            for d in world.debts
        ),
        batch_size=BATCH,
    )  # fmt: skip
    ReportedTransfer.objects.bulk_create(
        (
            ReportedTransfer(payer=t.payer, payer_name=t.payer_name[:300], payee=t.payee,
                             day=t.day, amount=t.amount, currency=t.currency,
                             reference=t.reference[:80])
            for t in world.transfers
        ),
        batch_size=BATCH,
    )  # fmt: skip


def open_funds(election: Election, world: FinanceWorld) -> list[Fund]:
    """Designate the world's banks and open its funds for the election's parties and
    candidates (a party's taxpayer number is the one its bank uses)."""
    for bic, name in sorted({(f.bank_bic, f.bank_name) for f in world.funds}):
        fund_services.designate_bank(DEMO, bic, name, world.start - timedelta(days=30))
    parties = {p.code: p for p in Party.objects.all()}
    candidates = {c.ref: c for c in Candidate.objects.filter(election=election)}
    funds: list[Fund] = []
    for row in world.funds:
        if row.kind == "party":
            party = parties.get(row.owner)
            if party is None:
                continue
            if row.holder_inn and not party.inn:
                party.inn = row.holder_inn
                party.save(update_fields=["inn"])
            funds.append(
                fund_services.open_fund(
                    DEMO, election=election, account=row.account, opened_on=row.opened_on,
                    party=party, bank_bic=row.bank_bic, bank_name=row.bank_name,
                )
            )  # fmt: skip
        elif row.owner in candidates:
            funds.append(
                fund_services.open_fund(
                    DEMO, election=election, account=row.account, opened_on=row.opened_on,
                    candidate=candidates[row.owner], bank_bic=row.bank_bic,
                    bank_name=row.bank_name,
                )
            )  # fmt: skip
    return funds


def load_finance(election: Election, world: FinanceWorld, out: Path) -> ScreenReport:
    """Registries, funds, the banks' statements through the product's import, the screen,
    and a few flags worked to the end."""
    load_registries(world)
    funds = {f.account for f in open_funds(election, world)}
    files = [
        path
        for path in write_statements(world, out)
        if path.name.split("-", 1)[0] in funds  # a fund the demo could not open: not imported
    ]
    new = 0
    for path in files:
        new += import_statements(DEMO, path).new
    console.print(f"finance import: {len(files)} camt.053 statements, {new} transactions")
    report = screen(DEMO, election)
    console.print(
        "finance screen: "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(report.flags.items()))
        + f"; {report.review} donations for a person to resolve"
    )
    _work_some_flags()
    return report


def _work_some_flags() -> None:
    """Confirm, decide and disclose one flag of each prohibited-money kind; dismiss one."""
    worked: set[str] = set()
    for flag in Flag.objects.select_related("fund", "fund__election").order_by("pk"):
        if flag.kind in worked:
            continue
        worked.add(flag.kind)
        if flag.kind == "structuring":
            review_services.review(
                DEMO, flag, confirmed=False,
                reasons="The donors are one family; each gave from their own salary.",
            )  # fmt: skip
            continue
        review_services.review(
            DEMO, flag, confirmed=True, reasons="Checked against the registry extracts."
        )
        decided = review_services.decide(DEMO, flag)
        review_services.disclose(DEMO, decided)
