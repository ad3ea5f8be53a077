"""What ``shailoo finance import FILE --dry-run`` prints: one JSON object per transaction, then
a summary — read, validated and reconciled, with no fund or database record needed.

:func:`read_statement_file` tells camt.053 (XML) from Shailoo's CSV by the file's first
non-blank character, so the command takes either. The line shapes are fixed here, once, so
the command, its tests and docs/finance-formats.md agree. Pure: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from shailoo.common.problems import Problem
from shailoo.finance.statements.camt import MAX_BYTES, read_camt053
from shailoo.finance.statements.csvformat import read_statement_csv
from shailoo.finance.statements.model import Statement, StatementError, Transaction

__all__ = ["read_statement_file", "summary_line", "transaction_line"]

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def transaction_line(tx: Transaction) -> dict[str, Any]:
    """One transaction as the dry run prints it.

    ``amount`` is the text of the booked amount as the file wrote it; ``name``, ``account``,
    ``country`` (of the account) and ``id`` are the counterparty's — the debtor of money in,
    the creditor of money out — never the ultimate party's.
    """
    party = tx.counterparty
    return {
        "entry_ref": tx.entry_ref,
        "amount": str(tx.amount),
        "currency": tx.currency,
        "credit": tx.credit,
        "reversal": tx.reversal,
        "name": party.name,
        "account": tx.counterparty_account,
        "country": tx.counterparty_country,
        "id": party.id,
    }


def summary_line(statements: Iterable[Statement]) -> dict[str, Any]:
    """The dry run's last line: counts, and booked totals per currency (as text).

    ``totals`` is ``{currency: {"credit": "...", "debit": "..."}}`` over booked transactions
    (those that moved the balance); ``credits`` and ``debits`` count every transaction.
    ``reconciled`` is always true: statements that do not reconcile are refused earlier.
    """
    count = credits = debits = transactions = 0
    totals: dict[str, dict[str, Decimal]] = {}
    for statement in statements:
        count += 1
        for tx in statement.transactions:
            transactions += 1
            credits += tx.credit
            debits += not tx.credit
            if tx.booked:
                sums = totals.setdefault(tx.currency, {"credit": Decimal(0), "debit": Decimal(0)})
                sums["credit" if tx.credit else "debit"] += tx.amount
    return {
        "statements": count,
        "transactions": transactions,
        "credits": credits,
        "debits": debits,
        "totals": {
            currency: {side: str(value) for side, value in sums.items()}
            for currency, sums in sorted(totals.items())
        },
        "reconciled": True,
    }


def read_statement_file(path: Path | str, *, max_bytes: int = MAX_BYTES) -> list[Statement]:
    """The statements of a camt.053 file (XML: its first non-blank character is ``<``) or of
    a statement CSV (anything else), validated and reconciled; :class:`StatementError` else.

    The size is checked before the file is read.
    """
    path = Path(path)
    size = path.stat().st_size
    if size > max_bytes:
        why = f"{size} bytes is more than the {max_bytes} allowed"
        raise StatementError([Problem("", why, None, str(path))], code="statement_too_large")
    with path.open("rb") as fh:
        head = fh.read(4096)
    for bom in _BOMS:
        head = head.removeprefix(bom)
    stripped = head.replace(b"\x00", b"").lstrip()
    if stripped.startswith(b"<"):
        return read_camt053(path.read_bytes(), str(path), max_bytes=max_bytes)
    return read_statement_csv(path, str(path))
