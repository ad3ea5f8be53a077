"""Taking bank statements in: whole files, once, onto the funds they belong to.

A file is read and checked completely by the pure readers (``finance.statements``) before
anything is written: a malformed, truncated or unreconciled statement refuses the whole file.
Then, in one transaction, every statement must name a fund's account (else the file is
refused, naming the statement); transactions already stored (same fund, same entry reference)
are counted, not stored again, so importing a file twice adds nothing (a stored reference
that comes back with another amount or direction refuses the file); each statement is one
ledger entry with the file's digest and its counts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shailoo.accounts.permissions import require
from shailoo.accounts.roles import Permission
from shailoo.common.actors import actor_name
from shailoo.common.problems import Problem
from shailoo.common.refusals import Conflict, InvalidInput
from shailoo.finance.facts import purpose_of
from shailoo.finance.models import Fund, StatementImport, Transaction
from shailoo.finance.statements.dryrun import read_statement_file
from shailoo.finance.statements.model import Statement
from shailoo.finance.statements.model import Transaction as StatementTransaction
from shailoo.integrity import ledger

STATEMENT_IMPORTED = "finance.statement_imported"


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one file added: statements, new transactions, ones already stored."""

    statements: int
    new: int
    known: int
    file_sha256: str


def _row(fund: Fund, stored: StatementImport, tx: StatementTransaction) -> Transaction:
    party = tx.counterparty
    ultimate = tx.ultimate_debtor if tx.incoming else tx.ultimate_creditor
    return Transaction(
        fund=fund,
        statement=stored,
        entry_ref=tx.entry_ref[:120],
        amount=tx.amount,
        currency=tx.currency,
        instructed_amount=tx.instructed_amount,
        instructed_currency=tx.instructed_currency,
        credit=tx.credit,
        reversal=tx.reversal,
        status=tx.status,
        booking_date=tx.booking_date or stored.to_date,
        value_date=tx.value_date,
        name=party.name[:300],
        person_id=party.person_id[:40],
        org_id=party.org_id[:40],
        id_scheme=party.id_scheme[:40],
        birth_date=party.birth_date,
        address=party.address[:300],
        counterparty_country=party.country,
        ultimate_name=ultimate.name[:300],
        ultimate_id=ultimate.id[:40],
        account=tx.counterparty_account[:40],
        account_country=tx.counterparty_country,
        agent_bic=(tx.debtor_agent_bic if tx.incoming else tx.creditor_agent_bic)[:11],
        agent_name=tx.debtor_agent_name[:200] if tx.incoming else "",
        remittance=tx.remittance[:500],
        bank_tx_code=tx.bank_tx_code[:40],
        purpose="" if tx.incoming else purpose_of(tx.remittance),
        resolution=Transaction.Resolution.PENDING,
    )


def _funds_of(statements: list[Statement], source: str) -> dict[str, Fund]:
    accounts = {s.account for s in statements}
    funds = {f.account: f for f in Fund.objects.filter(account__in=accounts)}
    problems = [
        Problem(
            "account",
            gettext("statement %(id)s: account %(account)s is no election fund")
            % {"id": s.statement_id, "account": s.account},
            line=s.line or None,
            source=source,
        )
        for s in statements
        if s.account not in funds
    ]
    problems += [
        Problem(
            "account_currency",
            gettext("statement %(id)s is in %(cur)s, the fund in %(fund)s")
            % {"id": s.statement_id, "cur": s.account_currency, "fund": funds[s.account].currency},
            line=s.line or None,
            source=source,
        )
        for s in statements
        if s.account in funds and s.account_currency != funds[s.account].currency
    ]
    if problems:
        raise InvalidInput(
            "statement_no_fund", gettext("The statement does not fit a fund."), problems=problems
        )
    return funds


def _refuse_rewritten(
    statement: Statement, stored: dict[str, tuple[Any, bool, bool]], source: str
) -> None:
    """A reference already stored must name the same movement: a bank that reused it for
    another amount or direction would otherwise make that movement vanish as "known"."""
    problems = [
        Problem(
            "entry_ref",
            gettext("%(ref)s is stored with another amount or direction")
            % {"ref": tx.entry_ref[:120]},
            line=tx.line or None,
            source=source,
        )
        for tx in statement.transactions
        if tx.entry_ref[:120] in stored
        and stored[tx.entry_ref[:120]] != (tx.amount, tx.credit, tx.reversal)
    ]
    if problems:
        raise Conflict(
            "statement_ref_reused",
            gettext("The statement reuses entry references for other movements."),
            problems=problems,
        )


def import_statements(actor: Any, path: Path | str) -> ImportReport:
    """Import every statement of the file at ``path`` onto its fund, all or nothing."""
    require(actor, Permission.FINANCE_IMPORT)
    path = Path(path)
    statements = read_statement_file(path)  # refuses the whole file on any fault
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    funds = _funds_of(statements, path.name)
    new = known = 0
    now = timezone.now()
    with transaction.atomic():
        for statement in statements:
            fund = funds[statement.account]
            refs = [tx.entry_ref[:120] for tx in statement.transactions]
            stored_refs = {
                ref: (amount, credit, reversal)
                for ref, amount, credit, reversal in Transaction.objects.filter(
                    fund=fund, entry_ref__in=refs
                ).values_list("entry_ref", "amount", "credit", "reversal")
            }
            _refuse_rewritten(statement, stored_refs, path.name)
            fresh = [tx for tx in statement.transactions if tx.entry_ref[:120] not in stored_refs]
            counted = Counter(tx.entry_ref[:120] for tx in fresh)
            duplicates = [tx for tx in fresh if counted[tx.entry_ref[:120]] > 1]
            if duplicates:
                raise InvalidInput(
                    "statement_duplicate_ref",
                    gettext("An entry reference appears twice in one statement."),
                    problems=[
                        Problem("entry_ref", tx.entry_ref, line=tx.line or None, source=path.name)
                        for tx in duplicates[:20]
                    ],
                )
            stored = StatementImport.objects.create(
                fund=fund,
                statement_id=statement.statement_id[:80],
                source_name=path.name[:200],
                file_sha256=digest,
                from_date=statement.from_date,
                to_date=statement.to_date,
                opening_balance=statement.opening_balance,
                closing_balance=statement.closing_balance,
                transactions_new=len(fresh),
                transactions_known=len(statement.transactions) - len(fresh),
                imported_at=now,
                imported_by=actor_name(actor),
            )
            Transaction.objects.bulk_create(
                [_row(fund, stored, tx) for tx in fresh], batch_size=2000
            )
            entry = ledger.record(
                STATEMENT_IMPORTED,
                actor=actor_name(actor),
                subject=ledger.ref(stored),
                data={
                    "fund": fund.account,
                    "statement": statement.statement_id[:80],
                    "file_sha256": digest,
                    "from": statement.from_date.isoformat(),
                    "to": statement.to_date.isoformat(),
                    "opening": str(statement.opening_balance),
                    "closing": str(statement.closing_balance),
                    "new": len(fresh),
                    "known": len(statement.transactions) - len(fresh),
                },
            )
            stored.ledger_index = entry.sequence
            stored.save(update_fields=["ledger_index"])
            new += len(fresh)
            known += len(statement.transactions) - len(fresh)
    return ImportReport(len(statements), new, known, digest)
