"""Shailoo's statement CSV: it carries what camt.053 carries, round-trips, and refuses a bad
row with its line and column, never half-reading a file."""

from __future__ import annotations

import io
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from shailoo.finance.statements import (
    Party,
    StatementError,
    read_camt053,
    read_statement_csv,
    write_statement_csv,
)
from shailoo.finance.statements.csvformat import COLUMNS

from .test_statements_kit import EXAMPLE, camt_document


def csv_bytes(statements: list) -> bytes:
    out = io.StringIO(newline="")
    write_statement_csv(statements, out)
    return out.getvalue().encode()


def refusal(data: bytes) -> StatementError:
    with pytest.raises(StatementError) as caught:
        read_statement_csv(data, "fund.csv")
    return caught.value


def rows(data: bytes) -> list[str]:
    return data.decode().split("\r\n")


SIMPLE = replace(
    EXAMPLE,
    owner_name="Fund",
    transactions=tuple(
        replace(
            t,
            debtor=replace(t.debtor, address=t.debtor.address.replace(",", "")),
            creditor=replace(t.creditor, address=t.creditor.address.replace(",", "")),
            ultimate_debtor=replace(t.ultimate_debtor, address=""),
            remittance=t.remittance.replace(",", ""),
        )
        for t in EXAMPLE.transactions
    ),
)


def test_camt_02_08_and_csv_give_the_same_transactions() -> None:
    [old] = read_camt053(camt_document([EXAMPLE], "02"))
    [new] = read_camt053(camt_document([EXAMPLE], "08"))
    [from_csv] = read_statement_csv(csv_bytes([old]), "fund.csv")
    assert old.transactions == new.transactions == from_csv.transactions
    assert from_csv == EXAMPLE
    assert from_csv.source == "fund.csv"
    assert [t.line for t in from_csv.transactions] == list(range(3, 3 + 8))


def test_the_file_has_one_statement_row_then_its_transaction_rows() -> None:
    data = csv_bytes([EXAMPLE])
    lines = rows(data)
    assert lines[0].split(",") == list(COLUMNS)
    assert lines[1].startswith("S,ST-2025-10-06,1280016012345678,KGS,")
    assert all(line.startswith("T,ST-2025-10-06,,,") for line in lines[2:-1])
    assert lines[-1] == ""


def test_a_path_reads_as_its_bytes(tmp_path: Path) -> None:
    path = tmp_path / "fund.csv"
    path.write_bytes(csv_bytes([EXAMPLE]))
    [statement] = read_statement_csv(path)
    assert statement == EXAMPLE and statement.source == str(path)


def test_an_empty_statement_and_several_statements_round_trip() -> None:
    empty = replace(
        EXAMPLE,
        statement_id="ST-EMPTY",
        opening_balance=EXAMPLE.closing_balance,
        transactions=(),
        entries_count=0,
    )
    assert read_statement_csv(csv_bytes([EXAMPLE, empty])) == [EXAMPLE, empty]


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://x")', "'quoted'", "''", "'", "-5", "@home", "+996 555", "-x"]
)
def test_text_a_spreadsheet_would_run_survives_the_round_trip(name: str) -> None:
    txs = list(EXAMPLE.transactions)
    txs[0] = replace(txs[0], debtor=replace(txs[0].debtor, name=name), remittance=name)
    statement = replace(EXAMPLE, transactions=tuple(txs))
    data = csv_bytes([statement])
    if name.startswith(("=", "@")):
        assert f",\"'{name[:5]}".encode() in data  # neutralised by csvout
    [back] = read_statement_csv(data)
    assert back == statement


def test_a_hand_made_file_may_repeat_the_statement_columns_and_leave_out_countries() -> None:
    lines = rows(csv_bytes([SIMPLE]))
    header = lines[0].split(",")
    cells = lines[3].split(",")  # KG-0002: the German IBAN
    at = {name: i for i, name in enumerate(header)}
    assert cells[at["entry_ref"]] == "KG-0002"
    cells[at["account"]] = SIMPLE.account
    cells[at["account_currency"]] = "KGS"
    cells[at["debtor_account_country"]] = ""
    lines[3] = ",".join(cells)
    [statement] = read_statement_csv("\r\n".join(lines).encode())
    assert statement == SIMPLE  # the country is found again from the IBAN


def replace_cell(data: bytes, line: int, column: str, value: str) -> bytes:
    lines = rows(data)
    cells = lines[line - 1].split(",")
    cells[COLUMNS.index(column)] = value
    lines[line - 1] = ",".join(cells)
    return "\r\n".join(lines).encode()


@pytest.mark.parametrize(
    ("line", "column", "value", "why"),
    [
        (3, "amount", "15000.001", "more decimal places than KGS allows"),
        (3, "amount", "", "is empty"),
        (3, "amount", "1e4", "is not an amount"),
        (3, "currency", "USD", "USD: the account is in KGS"),
        (3, "currency", "SOM", "'SOM' is not an ISO 4217 currency code"),
        (3, "credit_debit", "C", "'C' is not CRDT or DBIT"),
        (3, "status", "BOOKED", "'BOOKED' is not one of"),
        (3, "booking_date", "06.10.2025", "is not a date"),
        (3, "reversal", "yes", "is not true or false"),
        (3, "debtor_agent_bic", "demokg22", "is not a BIC"),
        (3, "debtor_country", "Kyrgyzstan", "is not a country code"),
        (4, "instructed_currency", "", "go together"),
        (4, "instructed_amount", "", "go together"),
        (3, "entry_ref", "", "is empty"),
        (3, "record", "X", "'X' is not S (statement) or T (transaction)"),
        (3, "statement_id", "ST-OTHER", "statement_id differs"),
        (3, "account", "999", "differs from its statement's"),
        (2, "opening_balance", "10 000.00", "is not an amount"),
        (2, "from_date", "", "is empty"),
        (2, "entries", "six", "is not a count of entries"),
        (2, "entry_ref", "X-1", "holds no transaction fields"),
        (2, "account_currency", "KGZ", "not an ISO 4217 currency code"),
    ],
)
def test_a_bad_cell_is_refused_at_its_line_and_column(
    line: int, column: str, value: str, why: str
) -> None:
    data = replace_cell(csv_bytes([SIMPLE]), line, column, value)
    error = refusal(data)
    assert error.code == "statement_invalid"
    problem = error.problems[0]
    assert (problem.line, problem.where, problem.source) == (line, column, "fund.csv")
    assert why in problem.why


def test_every_bad_row_is_reported_and_nothing_is_returned() -> None:
    data = csv_bytes([SIMPLE])
    data = replace_cell(data, 3, "amount", "x")
    data = replace_cell(data, 6, "status", "?")
    error = refusal(data)
    assert [(p.line, p.where) for p in error.problems] == [(3, "amount"), (6, "status")]


def test_a_transaction_before_any_statement_is_refused() -> None:
    lines = rows(csv_bytes([SIMPLE]))
    del lines[1]
    [first, *_] = refusal("\r\n".join(lines).encode()).problems
    assert (first.line, first.where) == (2, "record")


def test_a_row_broken_by_a_quote_left_open_is_located() -> None:
    data = csv_bytes([SIMPLE])
    lines = rows(data)
    assert ",Hans Müller," in lines[3]
    lines[3] = lines[3].replace(",Hans Müller,", ',"Hans Müller,')
    error = refusal("\r\n".join(lines).encode())
    assert error.problems[0].line == 4


def test_a_truncated_file_is_refused() -> None:
    data = csv_bytes([SIMPLE])
    cut = data[: data.index(b"KG-0004")]
    error = refusal(cut)
    assert any(p.line == cut.count(b"\n") + 1 for p in error.problems)


def test_a_wrong_header_is_refused_at_line_1() -> None:
    data = csv_bytes([SIMPLE]).replace(b"debtor_name", b"payer_name", 1)
    [problem] = refusal(data).problems
    assert problem.line == 1 and "payer_name" in problem.why


def test_no_statement_at_all_is_refused() -> None:
    data = csv_bytes([])
    assert "no statement" in refusal(data).problems[0].why


def test_balances_that_do_not_reconcile_are_refused() -> None:
    data = replace_cell(csv_bytes([SIMPLE]), 2, "closing_balance", "60000.00")
    error = refusal(data)
    assert error.code == "statement_unreconciled"
    [problem] = error.problems
    assert problem.line == 2 and "difference of -0.50 KGS" in problem.why


def test_a_debit_balance_is_negative() -> None:
    statement = replace(
        SIMPLE,
        opening_balance=Decimal("-70000.00"),
        closing_balance=SIMPLE.closing_balance - Decimal("80000.00"),
    )
    data = csv_bytes([statement])
    assert b",-70000.00,-19999.50," in data
    assert read_statement_csv(data) == [statement]


def test_an_entry_reference_used_twice_is_refused() -> None:
    data = replace_cell(csv_bytes([SIMPLE]), 4, "entry_ref", "KG-0001")
    [problem] = refusal(data).problems
    assert problem.line == 4 and "'KG-0001' already used on line 3" in problem.why


def test_more_entries_than_transactions_is_refused() -> None:
    data = replace_cell(csv_bytes([SIMPLE]), 2, "entries", "9")
    assert "9 entries cannot hold 8 transactions" in refusal(data).problems[0].why


def test_a_party_without_any_field_is_no_party() -> None:
    [statement] = read_statement_csv(csv_bytes([SIMPLE]))
    assert statement.transactions[0].ultimate_debtor == Party()


def test_a_file_cut_at_a_line_end_is_refused_by_its_row_count() -> None:
    data = csv_bytes([SIMPLE])
    cut = data[: data.index(b"T,ST-2025-10-06,,,,,,,,,,,KG-0006")]
    [problem] = refusal(cut).problems
    assert (problem.line, problem.where) == (2, "transactions")
    assert "declares 8 transaction rows, the file holds 7" in problem.why
