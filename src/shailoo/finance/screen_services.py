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
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction
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
from shailoo.finance.resolution.parallel import ResolverPool, default_workers
from shailoo.finance.resolution_writer import DonorRow, ResolutionWriter, UpdateRow
from shailoo.finance.screening import Donation, Payment, ScreenResult, ScreenSettings
from shailoo.finance.screening import screen as run_screen
from shailoo.integrity import ledger
from shailoo.law.loader import load_edition
from shailoo.register.pin import check_pin

SCREENED = "finance.screened"
RESOLVE_BATCH = 20_000  # a commit per batch: fewer, larger ones
#: Booked transactions read into the screen per chunk (their donors' addresses looked up
#: together).
ROWS_CHUNK = 20_000
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
    """The identities whose money is the fund's own, and the party's (``disclosure.own_keys``:
    the one definition the pages and the screen share)."""
    from shailoo.finance.disclosure import own_keys

    return own_keys(fund)


#: What resolution reads of a stored transaction, in this order.
_PAYER = (
    "pk", "fund_id", "name", "person_id", "org_id", "id_scheme", "birth_date", "address",
    "account", "account_country", "counterparty_country", "ultimate_name", "ultimate_id",
    "booking_date",
)  # fmt: skip


def _counterparty(row: tuple[Any, ...]) -> Counterparty:
    _, _, name, pid, oid, scheme, born, address, account, acc_country, country = row[:11]
    return Counterparty(
        name=name,
        person_id=pid,
        org_id=oid,
        id_scheme=scheme,
        birth_date=born,
        address=address,
        account=account,
        country=acc_country or country,
    )


def _ultimate(row: tuple[Any, ...]) -> Counterparty | None:
    """The party on whose behalf the money was paid (camt ``UltmtDbtr``), when the bank
    names one: the true donor behind a payment agent or a relative's account."""
    name, uid = row[11], row[12]
    if not name and not uid:
        return None
    is_pin = bool(uid) and check_pin(uid) is None
    return Counterparty(
        name=name,
        person_id=uid if is_pin else "",
        org_id="" if is_pin else uid,
        country=row[10],
    )


def resolve_pending(
    election: Election,
    index: DonorIndex | None = None,
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> int:
    """Resolve and store every imported transaction of ``election``'s funds that waits for
    it (see :func:`resolving`); how many there were."""
    with resolving(election, index, workers, meanwhile) as answers:
        return len(answers)


@contextmanager
def resolving(
    election: Election,
    index: DonorIndex | None = None,
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[dict[int, tuple[str, str]]]:
    """Resolve every imported transaction of ``election``'s funds that waits for it; gives
    each one's identity key and status by id, which are stored by the time the block ends.

    Rows are read as tuples and written back with one ``executemany`` per batch: at a
    million transactions, model instances and the ORM's bulk update would cost more than
    the resolution itself. Every distinct payer (and party the bank names behind one) is
    handed at once to ``workers`` processes forked with the index (see
    :mod:`shailoo.finance.resolution.parallel`; default: the setting, else every core);
    this process runs ``meanwhile``, then prepares each batch's rows as its answers come,
    and a writer process stores them (:mod:`shailoo.finance.resolution_writer`) while the
    block goes on.
    """
    owners = {f.pk: _own_keys(f) for f in _funds(election)}
    rows = list(
        Transaction.objects.filter(
            fund__election=election, resolution=Transaction.Resolution.PENDING
        )
        .order_by("pk")
        .values_list(*_PAYER)
    )
    answered: dict[int, tuple[str, str]] = {}
    if not rows:
        if meanwhile is not None:
            meanwhile()
        yield answered
        return
    index = index or registries.donor_index(screen_workers(workers))
    batches = [rows[i : i + RESOLVE_BATCH] for i in range(0, len(rows), RESOLVE_BATCH)]
    del rows
    behind = [
        {i: cp for i, row in enumerate(batch) if (cp := _ultimate(row)) is not None}
        for batch in batches
    ]
    parties = [
        [*(_counterparty(row) for row in batch), *ultimate.values()]
        for batch, ultimate in zip(batches, behind, strict=True)
    ]
    seen: set[str] = set()  # the identities met so far in this run
    processes = screen_workers(workers)
    plan = index.plan_batches(parties)
    del parties
    # The writer is forked first, while this process runs no threads of its own; the
    # resolvers are forked with the plan, so only numbers and short answers cross.
    with ResolutionWriter(fork=processes > 1) as writer:
        with ResolverPool(index, processes, parties=plan.fresh) as pool:
            answers = index.answer_batches(plan, pool, shape=stored_part)
            del plan
            if meanwhile is not None:
                meanwhile()
            for batch, ultimate, found in zip(batches, behind, answers, strict=True):
                payers = found[: len(batch)]
                named = dict(zip(ultimate, found[len(batch) :], strict=True))
                new_donors, updates = _resolved_rows(batch, payers, named, owners, seen)
                writer.submit(new_donors, updates)
                for key, status, _, _, pk in updates:
                    answered[pk] = (key or "", status)
        yield answered


#: What the screen stores of a resolution: status, identity key (or None), score, reasons
#: (joined), and the best candidate's name and country (a new donor's), or empty.
StoredAnswer = tuple[str, str | None, float, str, str, str]


def stored_part(answer: Resolution) -> StoredAnswer:
    """:data:`StoredAnswer` of a resolution: what the resolvers send back (a tuple of plain
    values costs far less to send than the resolution with its candidates)."""
    best = answer.candidates[0] if answer.candidates else None
    return (
        str(answer.status),
        answer.identity_key,
        answer.score,
        "; ".join(answer.reasons),
        best.name if best else "",
        best.country if best else "",
    )


def screen_workers(asked: int | None = None) -> int:
    """How many processes resolve donors: ``asked``, else the setting, else every core."""
    from django.conf import settings

    return asked or getattr(settings, "FINANCE_SCREEN_WORKERS", 0) or default_workers()


def _funds(election: Election) -> list[Fund]:
    return list(
        Fund.objects.filter(election=election).select_related(
            "candidate", "candidate__party", "party"
        )
    )


def _resolved_rows(
    batch: list[tuple[Any, ...]],
    payers: list[StoredAnswer],
    behind: dict[int, StoredAnswer],
    owners: dict[int, tuple[str, str]],
    seen: set[str],
) -> tuple[list[DonorRow], list[UpdateRow]]:
    """What to store of a batch: the donors met for the first time in this run (``seen``
    gets them) and each transaction's resolution. Who gave is the ultimate party when the
    bank names one (the payer then only carried the money, and says so in the note), else
    the payer."""
    answers = [behind.get(i, answer) for i, answer in enumerate(payers)]
    today = timezone.localdate()
    new_donors: list[DonorRow] = []
    for row, (_, key, _, _, best_name, best_country) in zip(batch, answers, strict=True):
        if key and key not in seen:
            seen.add(key)
            new_donors.append(
                (
                    key,
                    "person" if key.startswith("P:") else "entity",
                    (best_name or row[2])[:300],
                    best_country[:2],
                    connection.ops.adapt_datefield_value(row[13] or today),
                )
            )
    updates: list[UpdateRow] = []
    for i, (row, (status, key, score, note, _, _)) in enumerate(zip(batch, answers, strict=True)):
        own, party = owners[row[1]]
        if key and key in (own, party):
            status = "own"  # Transaction.Resolution.OWN
        if i in behind:
            note = f"on behalf of {row[11] or '?'}, paid by {row[2] or '?'}: {note}"
        updates.append((key, status, round(score, 1), note[:300], row[0]))
    return new_donors, updates


def _donor_kind(key: str, own: str, party: str) -> str:
    if key and key == own:
        return "own_funds"
    if key and key == party:
        return "party"
    if key.startswith("P:"):
        return "person"
    if key.startswith("E:"):
        return "entity"
    return ""


#: Stored resolutions the screen reads as an identified donor (plain strings: comparing a
#: million statuses with the model's choices would cost seconds).
_IDENTIFIED = frozenset({str(Transaction.Resolution.OWN), str(Transaction.Resolution.REVIEWED)})


def _resolution(status: str) -> str:
    return "exact_id" if status in _IDENTIFIED else status


#: What the screen reads of a stored transaction, in this order.
_SCREENED = (
    "pk", "fund_id", "statement__statement_id", "entry_ref", "credit", "reversal",
    "booking_date", "amount", "bank_tx_code", "donor__key", "resolution", "name", "account",
    "account_country", "agent_bic", "currency", "instructed_currency", "address", "purpose",
)  # fmt: skip


def engine_rows(
    election: Election,
    index: DonorIndex | None = None,
    answered: Mapping[int, tuple[str, str]] | None = None,
) -> tuple[list[Donation], list[Payment], dict[int, str]]:
    """The election's booked transactions as the screen reads them (and each one's place).

    ``answered`` gives the identity key and status of transactions resolved in this run,
    by id, which may not be stored yet (:func:`resolving`): they are read from it.

    With ``index``, a donor resolved to a person gets the register's address (statements
    write it freely), so donors living at one address are linked however each bank spelled
    it; it is set as each donation is made (a copy of a million donations costs seconds),
    the addresses of a chunk's new donors looked up together.
    """
    registered: dict[str, str] = {}

    def address_of(key: str, written: str) -> str:
        if index is None or not key.startswith("P:"):
            return written
        return registered.get(key[2:], written)

    funds = {f.pk: f for f in _funds(election)}
    owners = {pk: _own_keys(f) for pk, f in funds.items()}
    donations: list[Donation] = []
    payments: list[Payment] = []
    places: dict[int, str] = {}
    rows = (
        Transaction.objects.filter(fund__election=election, status="BOOK")
        .order_by("pk")
        .values_list(*_SCREENED)
    )
    for row in _registered_first(rows.iterator(chunk_size=ROWS_CHUNK), index, registered):
        (pk, fund_id, statement, ref, credit, reversal, day, amount, code, key, status,
         name, account, country, bic, currency, instructed, address, purpose) = row  # fmt: skip
        if answered:
            key, status = answered.get(pk) or (key, status)
        fund = funds[fund_id]
        place = f"{statement}/{ref}"
        places[pk] = place
        if credit != reversal:  # money in, or the reversal of money in
            own, party = owners[fund_id]
            donations.append(
                Donation(
                    id=pk,
                    fund=fund.account,
                    fund_kind=fund.kind,
                    day=day,
                    amount=amount,
                    credit=credit,
                    reversal=reversal,
                    channel="cash" if code.endswith(CASH_CODES) else "bank",
                    donor=key or "",
                    resolution=_resolution(status),  # type: ignore[arg-type]
                    donor_kind=_donor_kind(key or "", own, party),  # type: ignore[arg-type]
                    counterparty_name=name,
                    account=account,
                    account_country=country,
                    agent_bic=bic,
                    currency=currency,
                    instructed_currency=instructed,
                    address=address_of(key or "", address),
                    line=place,
                )
            )
        else:
            payments.append(
                Payment(
                    id=pk,
                    fund=fund.account,
                    fund_kind=fund.kind,
                    day=day,
                    amount=amount,
                    supplier=key or "",
                    supplier_name=name,
                    purpose=purpose or "other",
                    account_country=country,
                    agent_bic=bic,
                    line=place,
                )
            )
    return donations, payments, places


def _registered_first(
    rows: Iterator[tuple[Any, ...]], index: DonorIndex | None, registered: dict[str, str]
) -> Iterator[tuple[Any, ...]]:
    """``rows`` again, a chunk at a time, each chunk's persons' register addresses put in
    ``registered`` (by PIN) before its rows are given: one search of the register's PINs
    per chunk instead of one per donor."""
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == ROWS_CHUNK:
            yield from _with_addresses(chunk, index, registered)
            chunk = []
    yield from _with_addresses(chunk, index, registered)


def _with_addresses(
    chunk: list[tuple[Any, ...]], index: DonorIndex | None, registered: dict[str, str]
) -> list[tuple[Any, ...]]:
    if index is not None:
        pins = {k[2:] for k in (row[9] for row in chunk) if k and k.startswith("P:")}
        registered.update(registries.register_addresses(pins - registered.keys(), index))
    return chunk


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
    workers: int | None = None,
) -> ScreenReport:
    """Resolve, screen and store the flags of every fund of ``election`` (``workers``: the
    processes that resolve donors, see :func:`resolve_pending`)."""
    require(actor, Permission.FINANCE_REVIEW)
    edition = load_edition(election.law_edition)
    law = edition.finance
    settings = settings or ScreenSettings(home_country=edition.meta.country)
    index = index or registries.donor_index(screen_workers(workers))
    built: list[OwnershipGraph] = [graph] if graph is not None else []

    def build_graph() -> None:  # while the workers resolve the donors
        if not built:
            built.append(registries.ownership_graph())

    # The resolutions are stored while the screen goes on; the flags, once they are.
    with resolving(election, index, workers, meanwhile=build_graph) as answered:
        resolved = len(answered)
        graph = built[0]
        donations, payments, _ = engine_rows(election, index, answered)
        transfers = registries.transfers_to(d.donor for d in donations if d.donor)
        keys = {d.donor for d in donations} | {p.supplier for p in payments}
        keys |= {t.payer for t in transfers}
        facts = registries.facts_for({k for k in keys if k}, index)
        result = run_screen(
            donations,
            payments,
            facts,
            registries.ownership_lookup(graph, law),
            transfers,
            law,
            settings,
            workers=screen_workers(workers),
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
