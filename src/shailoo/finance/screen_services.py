"""The screen as the commission runs it: resolve who gave, then apply every check of the law.

``screen(actor, election)`` resolves the imported transactions no one has resolved yet (the
register's persons and the registries' organisations, indexed once per run), then hands the
donations, spending lines, registry facts, ownership graph and reported transfers to the pure
screen (``finance.screening``) with the election's law edition, and stores what it found: a
flag already found keeps its review; a new one is stored with its evidence and citation. One
ledger entry per run records the counts and a digest of the flags.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import actor_name
from shailoo.elections.models import Election
from shailoo.finance import registry_adapters as registries
from shailoo.finance.models import Donor, Flag, Fund, Transaction
from shailoo.finance.ownership import OwnershipGraph
from shailoo.finance.ownership.picture import chain_svg
from shailoo.finance.resolution import Counterparty, DonorIndex, Resolution
from shailoo.finance.screening import Donation, Payment, ScreenResult, ScreenSettings
from shailoo.finance.screening import screen as run_screen
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition
from shailoo.register.pin import check_pin

SCREENED = "finance.screened"
RESOLVE_BATCH = 5000
# Cash paid in at a bank's counter: ISO 20022 bank transaction code PMNT / CNTR / CDPT.
CASH_CODES = ("CNTR/CDPT", "CDPT")


@dataclass(frozen=True, slots=True)
class ScreenReport:
    """What a run did: transactions resolved, flags per kind, new flags, donations to review."""

    resolved: int
    flags: dict[str, int]
    new_flags: int
    review: int
    result: ScreenResult


def _own_keys(fund: Fund) -> tuple[str, str]:
    """The identities whose money is the fund's own: the candidate, and the party."""
    own = registries.person_key(fund.candidate.pin) if fund.candidate_id else ""
    party = fund.party or (fund.candidate.party if fund.candidate_id else None)
    inn = party.inn if party is not None else ""
    return own, registries.entity_key(inn) if inn else ""


def _counterparty(tx: Transaction) -> Counterparty:
    return Counterparty(
        name=tx.name,
        person_id=tx.person_id,
        org_id=tx.org_id,
        id_scheme=tx.id_scheme,
        birth_date=tx.birth_date,
        address=tx.address,
        account=tx.account,
        country=tx.account_country or tx.counterparty_country,
    )


def _ultimate(tx: Transaction) -> Counterparty | None:
    """The party on whose behalf the money was paid (camt ``UltmtDbtr``), when the bank
    names one: the true donor behind a payment agent or a relative's account."""
    if not tx.ultimate_name and not tx.ultimate_id:
        return None
    uid = tx.ultimate_id
    is_pin = bool(uid) and check_pin(uid) is None
    return Counterparty(
        name=tx.ultimate_name,
        person_id=uid if is_pin else "",
        org_id="" if is_pin else uid,
        country=tx.counterparty_country,
    )


def resolve_pending(election: Election, index: DonorIndex | None = None) -> int:
    """Resolve every imported transaction of ``election``'s funds that waits for it."""
    pending = Transaction.objects.filter(
        fund__election=election, resolution=Transaction.Resolution.PENDING
    ).select_related("fund", "fund__candidate", "fund__candidate__party", "fund__party")
    total = 0
    while True:
        batch = list(pending[:RESOLVE_BATCH])
        if not batch:
            return total
        index = index or registries.donor_index()
        payers = index.resolve_many(_counterparty(tx) for tx in batch)
        behind = {
            i: index.resolve(cp)
            for i, cp in ((i, _ultimate(tx)) for i, tx in enumerate(batch))
            if cp is not None
        }
        _store_resolutions(batch, payers, behind)
        total += len(batch)


def _store_resolutions(
    batch: list[Transaction], payers: list[Resolution], behind: dict[int, Resolution]
) -> None:
    """Store who gave: the ultimate party when the bank names one (the payer then only
    carried the money, and says so in the note), else the payer."""
    answers = [behind.get(i, answer) for i, answer in enumerate(payers)]
    today = timezone.localdate()
    fresh: dict[str, Donor] = {}
    for tx, answer in zip(batch, answers, strict=True):
        key = answer.identity_key
        if key and key not in fresh:
            best = answer.candidates[0] if answer.candidates else None
            fresh[key] = Donor(
                key=key,
                kind="person" if key.startswith("P:") else "entity",
                name=(best.name if best else tx.name)[:300],
                country=(best.country if best else "")[:2],
                first_seen=tx.booking_date or today,
            )
    # One identity across statements, funds and years: an existing donor is kept as it is.
    Donor.objects.bulk_create(fresh.values(), ignore_conflicts=True, batch_size=2000)
    donors = {d.key: d for d in Donor.objects.filter(key__in=list(fresh))}
    for i, (tx, answer) in enumerate(zip(batch, answers, strict=True)):
        key = answer.identity_key
        own, party = _own_keys(tx.fund)
        tx.donor = donors.get(key) if key else None
        tx.resolution = str(answer.status)
        if key and key in (own, party):
            tx.resolution = Transaction.Resolution.OWN
        tx.resolution_score = round(answer.score, 1)
        note = "; ".join(answer.reasons)
        if i in behind:
            note = f"on behalf of {tx.ultimate_name or '?'}, paid by {tx.name or '?'}: {note}"
        tx.resolution_note = note[:300]
    Transaction.objects.bulk_update(
        batch, ["donor", "resolution", "resolution_score", "resolution_note"], batch_size=2000
    )


def _donor_kind(tx: Transaction, own: str, party: str) -> str:
    key = tx.donor.key if tx.donor is not None else ""
    if key and key == own:
        return "own_funds"
    if key and key == party:
        return "party"
    if key.startswith("P:"):
        return "person"
    if key.startswith("E:"):
        return "entity"
    return ""


def _resolution(tx: Transaction) -> str:
    if tx.resolution in (Transaction.Resolution.OWN, Transaction.Resolution.REVIEWED):
        return "exact_id"
    return tx.resolution


def engine_rows(election: Election) -> tuple[list[Donation], list[Payment], dict[int, str]]:
    """The election's booked transactions as the screen reads them (and each one's place)."""
    donations: list[Donation] = []
    payments: list[Payment] = []
    places: dict[int, str] = {}
    rows = (
        Transaction.objects.filter(fund__election=election, status="BOOK")
        .select_related(
            "donor", "statement", "fund", "fund__candidate", "fund__candidate__party", "fund__party"
        )
        .order_by("pk")
    )
    owners: dict[int, tuple[str, str]] = {}
    for tx in rows.iterator(chunk_size=5000):
        if tx.fund_id not in owners:
            owners[tx.fund_id] = _own_keys(tx.fund)
        own, party = owners[tx.fund_id]
        place = f"{tx.statement.statement_id}/{tx.entry_ref}"
        places[tx.pk] = place
        incoming = tx.credit != tx.reversal
        fund_kind = tx.fund.kind
        if incoming:
            donations.append(
                Donation(
                    id=tx.pk,
                    fund=tx.fund.account,
                    fund_kind=fund_kind,
                    day=tx.booking_date,
                    amount=tx.amount,
                    credit=tx.credit,
                    reversal=tx.reversal,
                    channel="cash" if tx.bank_tx_code.endswith(CASH_CODES) else "bank",
                    donor=tx.donor.key if tx.donor is not None else "",
                    resolution=_resolution(tx),  # type: ignore[arg-type]
                    donor_kind=_donor_kind(tx, own, party),  # type: ignore[arg-type]
                    counterparty_name=tx.name,
                    account=tx.account,
                    account_country=tx.account_country,
                    agent_bic=tx.agent_bic,
                    currency=tx.currency,
                    instructed_currency=tx.instructed_currency,
                    address=tx.address,
                    line=place,
                )
            )
        else:
            payments.append(
                Payment(
                    id=tx.pk,
                    fund=tx.fund.account,
                    fund_kind=fund_kind,
                    day=tx.booking_date,
                    amount=tx.amount,
                    supplier=tx.donor.key if tx.donor is not None else "",
                    supplier_name=tx.name,
                    purpose=tx.purpose or "other",
                    account_country=tx.account_country,
                    agent_bic=tx.agent_bic,
                    line=place,
                )
            )
    return donations, payments, places


def _with_register_addresses(donations: list[Donation]) -> list[Donation]:
    """Donors resolved to a person get the register's address (statements write it freely),
    so donors living at one address are linked however each bank spelled it."""
    from dataclasses import replace

    from shailoo.register.models import Person

    pins = sorted({d.donor[2:] for d in donations if d.donor.startswith("P:")})
    addresses: dict[str, str] = {}
    for part in registries._chunks(pins):
        addresses.update(Person.objects.filter(pin__in=part).values_list("pin", "address"))
    return [
        replace(d, address=addresses.get(d.donor[2:], d.address)) if d.donor.startswith("P:") else d
        for d in donations
    ]


def _flag_key(flag: Any) -> str:
    ids = ",".join(str(i) for i in sorted((*flag.donation_ids, *flag.payment_ids)))
    digest = hashlib.sha256(f"{flag.kind}|{flag.fund}|{flag.donor}|{ids}".encode()).hexdigest()
    return f"{flag.kind}:{digest[:40]}"


def screen(
    actor: Any,
    election: Election,
    *,
    settings: ScreenSettings | None = None,
    graph: OwnershipGraph | None = None,
    index: DonorIndex | None = None,
) -> ScreenReport:
    """Resolve, screen and store the flags of every fund of ``election``."""
    require(actor, Permission.FINANCE_REVIEW)
    edition = load_edition(election.law_edition)
    law = edition.finance
    settings = settings or ScreenSettings(home_country=edition.meta.country)
    resolved = resolve_pending(election, index)
    donations, payments, _ = engine_rows(election)
    donations = _with_register_addresses(donations)
    transfers = registries.transfers_to(d.donor for d in donations if d.donor)
    keys = {d.donor for d in donations} | {p.supplier for p in payments}
    keys |= {t.payer for t in transfers}
    facts = registries.facts_for({k for k in keys if k})
    graph = graph or registries.ownership_graph()
    result = run_screen(
        donations,
        payments,
        facts,
        registries.ownership_lookup(graph, law),
        transfers,
        law,
        settings,
    )
    counts: Counter[str] = Counter(flag.kind for flag in result.flags)
    with transaction.atomic():
        new = _store_flags(result, election, graph, law)
        _record_run(actor, election, donations, payments, result, counts, new)
    return ScreenReport(resolved, dict(counts), new, len(result.review), result)


def _record_run(
    actor: Any,
    election: Election,
    donations: list[Donation],
    payments: list[Payment],
    result: ScreenResult,
    counts: Counter[str],
    new: int,
) -> None:
    ledger.record(
        SCREENED,
        actor=actor_name(actor),
        subject=f"elections.election:{election.pk}",
        data={
            "election": election.code,
            "donations": len(donations),
            "payments": len(payments),
            "flags": dict(sorted(counts.items())),
            "new_flags": new,
            "review": len(result.review),
            "flags_sha256": hashlib.sha256(
                "\n".join(sorted(_flag_key(f) for f in result.flags)).encode()
            ).hexdigest(),
        },
    )


def _store_flags(result: ScreenResult, election: Election, graph: OwnershipGraph, law: Any) -> int:
    funds = {f.account: f for f in Fund.objects.filter(election=election)}
    keyed = {_flag_key(flag): flag for flag in result.flags}
    known = set(Flag.objects.filter(key__in=list(keyed)).values_list("key", flat=True))
    donors = {d.key: d for d in Donor.objects.filter(key__in={f.donor for f in result.flags})}
    now = timezone.now()
    new = 0
    with transaction.atomic():
        for key, flag in keyed.items():
            if key in known:
                continue
            picture = ""
            if flag.kind in ("foreign_participation", "foreign_supplier") and flag.donor in graph:
                day = flag.evidence.get("day")
                found = graph.assess(
                    flag.donor,
                    date.fromisoformat(str(day)) if day else election.polling_day,
                    float(law.foreign_participation_min_share.value),
                    float(law.look_through_control_share.value),
                )
                picture = chain_svg(found) if found is not None else ""
            row = Flag.objects.create(
                key=key,
                kind=flag.kind,
                fund=funds[flag.fund],
                donor=donors.get(flag.donor),
                amount=flag.amount,
                severity=flag.severity,
                summary=flag.summary,
                evidence=_jsonable(flag.evidence),
                citation=flag.citation[:400],
                picture_svg=picture,
                found_at=now,
            )
            row.transactions.set([*flag.donation_ids, *flag.payment_ids])
            new += 1
    return new


def _jsonable(value: Any) -> Any:
    """Evidence as JSON: Decimals and dates as text, tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
