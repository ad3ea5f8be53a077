"""Shailoo's statement CSV: for banks that cannot send camt.053, and for people to read.

One table, one header, two kinds of row told apart by the ``record`` column:

- ``S`` — a statement: ``statement_id``, the fund's ``account``, ``account_currency``,
  ``owner_name``, ``servicer_bic``, ``from_date``, ``to_date``, signed ``opening_balance``
  and ``closing_balance`` (a debit balance is negative), ``entries`` (the bank's entry
  count) and ``transactions`` (the ``T`` rows that follow: a file cut at a line end is
  refused by it); its transaction columns empty;
- ``T`` — a transaction of the statement row above it: the same ``statement_id``, the other
  statement columns empty (or equal to the statement's), and every :class:`~.model.Transaction`
  field in its own column (parties as ``debtor_name``, ``debtor_person_id``... see
  :data:`COLUMNS` and docs/finance-formats.md).

So every statement, an empty one included, and every field the camt reader keeps survive a
round trip: what :func:`write_statement_csv` writes, :func:`read_statement_csv` reads back
equal. Reading goes through :class:`~shailoo.common.csvsource.CsvSource` (located rejects,
bounded records), validates every value as the camt reader does (ISO 4217, amounts, dates,
BIC, countries), checks references and reconciles balances; any problem refuses the whole
file with :class:`~.model.StatementError`, nothing half-returned. Writing goes through
:mod:`shailoo.common.csvout`, which puts ``'`` before a cell a spreadsheet would run as a
formula; to keep that reversible, a cell that itself begins with ``'`` gets one more in front,
and the reader drops one ``'`` before a ``'`` or a formula character. Pure: no Django.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from shailoo.common.csvout import FORMULA_START, Writer
from shailoo.common.csvsource import CsvSource, HeaderError, Reject
from shailoo.common.problems import Problem
from shailoo.finance.statements.model import (
    MAX_PROBLEMS,
    NO_PARTY,
    STATUSES,
    Party,
    Statement,
    StatementError,
    Transaction,
    account_country,
    check_bic,
    check_country,
    check_currency,
    check_unique_refs,
    clean_text,
    parse_amount,
    reconcile,
)

#: Largest statement CSV read, in bytes (as for camt.053).
MAX_BYTES = 200 * 1024 * 1024

STATEMENT_COLUMNS = (
    "statement_id",
    "account",
    "account_currency",
    "owner_name",
    "servicer_bic",
    "from_date",
    "to_date",
    "opening_balance",
    "closing_balance",
    "entries",
    "transactions",
)
PARTY_FIELDS = ("name", "person_id", "org_id", "id_scheme", "country", "address", "birth_date")
PARTIES = ("debtor", "ultimate_debtor", "creditor", "ultimate_creditor")


def _party_columns(role: str) -> tuple[str, ...]:
    return tuple(f"{role}_{name}" for name in PARTY_FIELDS)


TRANSACTION_COLUMNS = (
    "entry_ref",
    "batch",
    "status",
    "booking_date",
    "value_date",
    "credit_debit",
    "reversal",
    "amount",
    "currency",
    "instructed_amount",
    "instructed_currency",
    "bank_tx_code",
    "end_to_end_id",
    *_party_columns("debtor"),
    *_party_columns("ultimate_debtor"),
    "debtor_account",
    "debtor_account_country",
    "debtor_agent_bic",
    "debtor_agent_name",
    *_party_columns("creditor"),
    *_party_columns("ultimate_creditor"),
    "creditor_account",
    "creditor_account_country",
    "creditor_agent_bic",
    "remittance",
    "info",
)
#: The header, in order.
COLUMNS = ("record", *STATEMENT_COLUMNS, *TRANSACTION_COLUMNS)

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_COUNT = re.compile(r"[0-9]{1,9}")
_BOOLEAN = {"true": True, "false": False, "": False}

__all__ = ["COLUMNS", "MAX_BYTES", "read_statement_csv", "write_statement_csv"]


# --- writing ---------------------------------------------------------------------------------


class _TextOut(Protocol):
    def write(self, text: str, /) -> object: ...


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = value.isoformat() if isinstance(value, date) else str(value)
    return "'" + text if text.startswith("'") else text


def _party_cells(party: Party) -> list[object]:
    return [getattr(party, name) for name in PARTY_FIELDS]


def write_statement_csv(statements: Iterable[Statement], fh: _TextOut) -> None:
    """Write ``statements`` to the text file ``fh`` (opened with ``newline=""``)."""
    writer = Writer(fh)
    writer.writerow(COLUMNS)
    blank_tx = [""] * len(TRANSACTION_COLUMNS)
    for s in statements:
        writer.writerow(["S", *map(_cell, _head_cells(s)), *blank_tx])
        blank_head = [""] * (len(STATEMENT_COLUMNS) - 1)
        for t in s.transactions:
            cells: list[object] = [
                t.entry_ref,
                t.batch,
                t.status,
                t.booking_date,
                t.value_date,
                "CRDT" if t.credit else "DBIT",
                t.reversal,
                t.amount,
                t.currency,
                t.instructed_amount,
                t.instructed_currency,
                t.bank_tx_code,
                t.end_to_end_id,
                *_party_cells(t.debtor),
                *_party_cells(t.ultimate_debtor),
                t.debtor_account,
                t.debtor_account_country,
                t.debtor_agent_bic,
                t.debtor_agent_name,
                *_party_cells(t.creditor),
                *_party_cells(t.ultimate_creditor),
                t.creditor_account,
                t.creditor_account_country,
                t.creditor_agent_bic,
                t.remittance,
                t.info,
            ]
            writer.writerow(["T", _cell(s.statement_id), *blank_head, *map(_cell, cells)])


# --- reading ---------------------------------------------------------------------------------


def _unescape(text: str) -> str:
    """Drop the ``'`` that writing put before a ``'`` or a formula character."""
    if len(text) > 1 and text[0] == "'" and (text[1] == "'" or text[1] in FORMULA_START):
        return text[1:]
    return text


class _Row:
    """One CSV row's cells by column, with what reading them found wrong."""

    def __init__(self, values: dict[str, str], line: int, source: str) -> None:
        self.values = values
        self.line = line
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, column: str, why: str) -> None:
        self.problems.append(Problem(column, why, self.line, self.source))

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values[column]
        if required and not value:
            self.fail(column, "is empty")
        return value

    def day(self, column: str, *, required: bool = False) -> date | None:
        text = self.text(column, required=required)
        if not text:
            return None
        try:
            if _DAY.fullmatch(text) is None:
                raise ValueError(text)
            return date.fromisoformat(text)
        except ValueError:
            self.fail(column, f"{text!r} is not a date (YYYY-MM-DD)")
            return None

    def boolean(self, column: str) -> bool:
        text = self.text(column)
        if text not in _BOOLEAN:
            self.fail(column, f"{text!r} is not true or false")
        return _BOOLEAN.get(text, False)

    def currency(self, column: str, *, required: bool = False) -> str:
        code = self.text(column, required=required)
        why = check_currency(code) if code else None
        if why is not None:
            self.fail(column, why)
            return ""
        return code

    def amount(self, column: str, currency: str, *, signed: bool = False) -> Decimal | None:
        text = self.text(column)
        if not text:
            return None
        negative = signed and text.startswith("-")
        value = parse_amount(text[1:] if negative else text, currency)
        if isinstance(value, str):
            self.fail(column, value)
            return None
        return -value if negative else value

    def bic(self, column: str) -> str:
        bic = self.text(column)
        why = check_bic(bic) if bic else None
        if why is not None:
            self.fail(column, why)
            return ""
        return bic

    def country(self, column: str) -> str:
        code = self.text(column)
        why = check_country(code) if code else None
        if why is not None:
            self.fail(column, why)
            return ""
        return code

    def party(self, role: str) -> Party:
        party = Party(
            name=self.text(f"{role}_name"),
            person_id=self.text(f"{role}_person_id"),
            org_id=self.text(f"{role}_org_id"),
            id_scheme=self.text(f"{role}_id_scheme"),
            country=self.country(f"{role}_country"),
            address=self.text(f"{role}_address"),
            birth_date=self.day(f"{role}_birth_date"),
        )
        return NO_PARTY if party == NO_PARTY else party


def _head_cells(statement: Statement) -> list[object]:
    """A statement's values in the order of :data:`STATEMENT_COLUMNS`."""
    s = statement
    return [
        s.statement_id,
        s.account,
        s.account_currency,
        s.owner_name,
        s.servicer_bic,
        s.from_date,
        s.to_date,
        s.opening_balance,
        s.closing_balance,
        s.entries_count,
        len(s.transactions),
    ]


def _statement_head(row: _Row, source: str) -> tuple[Statement, int] | None:
    """The statement a row of record ``S`` gives (its transactions to follow) and the number
    of transaction rows it declares, or None."""
    currency = row.currency("account_currency", required=True)
    balances: list[Decimal | None] = []
    for column in ("opening_balance", "closing_balance"):
        present = bool(row.text(column, required=True))
        balances.append(row.amount(column, currency, signed=True) if present else None)
    counts = []
    for column in ("entries", "transactions"):
        count = row.text(column, required=True)
        if count and _COUNT.fullmatch(count) is None:
            row.fail(column, f"{count!r} is not a count of {column}")
        counts.append(count)
    entries, transactions = counts
    statement_id = row.text("statement_id", required=True)
    account = row.text("account", required=True)
    from_date = row.day("from_date", required=True)
    to_date = row.day("to_date", required=True)
    servicer_bic = row.bic("servicer_bic")
    for column in TRANSACTION_COLUMNS:
        if row.values[column]:
            row.fail(column, "a statement row (record S) holds no transaction fields")
    opening, closing = balances
    if row.problems or None in (opening, closing, from_date, to_date):
        return None
    assert opening is not None and closing is not None  # for mypy: checked just above
    assert from_date is not None and to_date is not None
    statement = Statement(
        statement_id=statement_id,
        account=account,
        account_currency=currency,
        owner_name=row.text("owner_name"),
        servicer_bic=servicer_bic,
        from_date=from_date,
        to_date=to_date,
        opening_balance=opening,
        closing_balance=closing,
        transactions=(),
        entries_count=int(entries),
        source=source,
        line=row.line,
    )
    return statement, int(transactions)


def _transaction(row: _Row, head: Statement, declared: int) -> Transaction | None:
    """The transaction a row of record ``T`` gives, or None (its problems noted)."""
    expected_cells = [*_head_cells(head)[1:-1], declared]
    for column, expected in zip(STATEMENT_COLUMNS[1:], expected_cells, strict=True):
        value, shown = row.values[column], _cell(expected)
        if value and value != shown:
            row.fail(column, f"{value!r} differs from its statement's {shown!r}")
    account_currency = head.account_currency
    currency = row.currency("currency", required=True)
    if currency and currency != account_currency:
        row.fail("currency", f"{currency}: the account is in {account_currency}")
    amount = row.amount("amount", currency or account_currency)
    if amount is None and not row.values["amount"]:
        row.fail("amount", "is empty")
    instructed_currency = row.currency("instructed_currency")
    # Without its currency the amount is still read (as ISO 4217 "XXX", no currency), so
    # that the row's problem below names the missing half of the pair, not the amount.
    instructed = row.amount("instructed_amount", instructed_currency or "XXX")
    if (instructed is None) != (instructed_currency == ""):
        empty = "instructed_currency" if instructed_currency == "" else "instructed_amount"
        if row.values[empty] == "":
            row.fail(empty, "instructed_amount and instructed_currency go together")
    direction = row.text("credit_debit", required=True)
    if direction and direction not in ("CRDT", "DBIT"):
        row.fail("credit_debit", f"{direction!r} is not CRDT or DBIT")
    status = row.text("status", required=True)
    if status and status not in STATUSES:
        row.fail("status", f"{status!r} is not one of {', '.join(sorted(STATUSES))}")
    debtor, creditor = row.party("debtor"), row.party("creditor")
    debtor_account, creditor_account = row.text("debtor_account"), row.text("creditor_account")
    debtor_bic, creditor_bic = row.bic("debtor_agent_bic"), row.bic("creditor_agent_bic")
    tx = Transaction(
        entry_ref=row.text("entry_ref", required=True),
        account=head.account,
        amount=amount if amount is not None else Decimal(0),
        currency=currency,
        credit=direction == "CRDT",
        status=status,
        instructed_amount=instructed,
        instructed_currency=instructed_currency,
        reversal=row.boolean("reversal"),
        booking_date=row.day("booking_date"),
        value_date=row.day("value_date"),
        debtor=debtor,
        ultimate_debtor=row.party("ultimate_debtor"),
        debtor_account=debtor_account,
        debtor_account_country=row.country("debtor_account_country")
        or account_country(debtor_account, debtor_bic, debtor.country),
        debtor_agent_bic=debtor_bic,
        debtor_agent_name=row.text("debtor_agent_name"),
        creditor=creditor,
        ultimate_creditor=row.party("ultimate_creditor"),
        creditor_account=creditor_account,
        creditor_account_country=row.country("creditor_account_country")
        or account_country(creditor_account, creditor_bic, creditor.country),
        creditor_agent_bic=creditor_bic,
        remittance=row.text("remittance"),
        info=row.text("info"),
        bank_tx_code=row.text("bank_tx_code"),
        end_to_end_id=row.text("end_to_end_id"),
        batch=row.boolean("batch"),
        line=row.line,
    )
    return None if row.problems else tx


def _read_rows(path: Path, source: str) -> tuple[list[Statement], list[Problem]]:
    statements: list[Statement] = []
    problems: list[Problem] = []
    head: Statement | None = None
    declared = rows = 0  # transaction rows the open statement declares, and those met
    transactions: list[Transaction] = []
    bad_head = False  # the open statement's row was refused: its transactions say no more

    def close() -> None:
        if head is None:
            return
        statements.append(replace(head, transactions=tuple(transactions)))
        if rows != declared:  # a file cut at a line end, or rows lost or added
            why = f"the statement declares {declared} transaction rows, the file holds {rows}"
            problems.append(Problem("transactions", why, head.line, source))

    for item in CsvSource(path, COLUMNS):
        if len(problems) >= MAX_PROBLEMS:
            break
        if isinstance(item, Reject):
            problems.append(Problem(item.where, item.why, item.line, source))
            continue
        cells = {c: clean_text(_unescape(item.values[i])) for i, c in enumerate(COLUMNS)}
        row = _Row(cells, item.line, source)
        record = cells["record"]
        if record == "S":
            close()
            opened = _statement_head(row, source)
            head, declared = opened if opened is not None else (None, 0)
            transactions, rows = [], 0
            bad_head = head is None
        elif record == "T":
            if head is None:
                if not bad_head:
                    row.fail("record", "a transaction (record T) before any statement (record S)")
            elif cells["statement_id"] != head.statement_id:
                why = f"statement_id differs from its statement's {head.statement_id!r}"
                row.fail("statement_id", why)
            else:
                rows += 1
                tx = _transaction(row, head, declared)
                if tx is not None:
                    transactions.append(tx)
        else:
            row.fail("record", f"{record!r} is not S (statement) or T (transaction)")
        problems.extend(row.problems)
    close()
    return statements, problems


def read_statement_csv(data: Path | str | bytes, source: str = "") -> list[Statement]:
    """Every statement of the statement CSV ``data`` (a path, or the file's bytes), reconciled.

    Refused with :class:`~.model.StatementError` for: more than :data:`MAX_BYTES`; a header
    that is not :data:`COLUMNS` (in any order); any rejected row or refused value, located
    by line and column; an ``(account, entry_ref)`` met twice; no statement at all; a
    statement whose balances do not reconcile (``statement_unreconciled``).
    """
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            return _too_large(len(data), source)
        handle, name = tempfile.mkstemp(suffix=".csv")
        try:
            with os.fdopen(handle, "wb") as fh:
                fh.write(data)
            return _read_path(Path(name), source)
        finally:
            os.unlink(name)
    path = Path(data)
    size = path.stat().st_size
    if size > MAX_BYTES:
        return _too_large(size, source or str(path))
    return _read_path(path, source or str(path))


def _too_large(size: int, source: str) -> list[Statement]:
    why = f"{size} bytes is more than the {MAX_BYTES} allowed"
    raise StatementError([Problem("", why, None, source)], code="statement_too_large")


def _read_path(path: Path, source: str) -> list[Statement]:
    try:
        statements, problems = _read_rows(path, source)
    except HeaderError as exc:
        raise StatementError([p.located(source) for p in exc.problems]) from None
    if not statements and not problems:
        problems.append(Problem("record", "no statement (record S) in the file", 2, source))
    for statement in statements:
        entries = statement.entries_count
        if entries > len(statement.transactions) or (statement.transactions and entries == 0):
            why = f"{entries} entries cannot hold {len(statement.transactions)} transactions"
            problems.append(Problem("entries", why, statement.line, source))
    problems.extend(check_unique_refs(statements))
    if problems:
        raise StatementError(problems[:MAX_PROBLEMS])
    reconcile(statements)
    return statements
