"""What ``shailoo finance import FILE --dry-run`` prints, and how it tells camt from CSV."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from shailoo.finance.statements import (
    StatementError,
    read_statement_file,
    summary_line,
    transaction_line,
    write_statement_csv,
)

from .test_statements_kit import EXAMPLE, GERMAN_IBAN, camt_document

KEYS = ["entry_ref", "amount", "currency", "credit", "reversal", "name", "account", "country", "id"]


def test_each_transaction_line_has_exactly_the_issues_keys() -> None:
    lines = [transaction_line(t) for t in EXAMPLE.transactions]
    assert all(list(line) == KEYS for line in lines)
    assert all(json.loads(json.dumps(line)) == line for line in lines)


def test_the_foreign_donation_shows_the_payer_not_the_ultimate_debtor() -> None:
    line = transaction_line(EXAMPLE.transactions[1])
    assert line == {
        "entry_ref": "KG-0002",
        "amount": "43500.00",
        "currency": "KGS",
        "credit": True,
        "reversal": False,
        "name": "Hans Müller",
        "account": GERMAN_IBAN,
        "country": "DE",
        "id": "",
    }


def test_money_out_shows_the_creditor_and_a_reversal_the_original_donor() -> None:
    paid = transaction_line(EXAMPLE.transactions[5])
    assert (paid["name"], paid["id"], paid["credit"]) == ("ОсОО Басмакана", "01234567891011", False)
    returned = transaction_line(EXAMPLE.transactions[6])
    assert (returned["name"], returned["country"], returned["reversal"]) == (
        "Нурлан Абенов",
        "KZ",
        True,
    )


def test_the_amount_is_the_text_the_file_wrote(tmp_path: Path) -> None:
    path = tmp_path / "fund.xml"
    path.write_bytes(camt_document([EXAMPLE], "08").replace(b">15000.00<", b">15000.0<"))
    [statement] = read_statement_file(path)
    assert transaction_line(statement.transactions[0])["amount"] == "15000.0"


def test_the_summary_counts_and_totals_booked_money_per_currency() -> None:
    assert summary_line([EXAMPLE]) == {
        "statements": 1,
        "transactions": 8,
        "credits": 6,
        "debits": 2,
        "totals": {"KGS": {"credit": "63000.49", "debit": "12999.99"}},
        "reconciled": True,
    }


@pytest.mark.parametrize("kind", ["camt02", "camt08", "csv", "csv-bom", "camt-bom"])
def test_a_file_is_read_as_camt_or_csv_by_its_content(tmp_path: Path, kind: str) -> None:
    if kind.startswith("camt"):
        data = camt_document([EXAMPLE], "02" if kind == "camt02" else "08")
    else:
        out = io.StringIO(newline="")
        write_statement_csv([EXAMPLE], out)
        data = out.getvalue().encode()
    if kind.endswith("bom"):
        data = b"\xef\xbb\xbf" + data
    path = tmp_path / "statement.dat"
    path.write_bytes(data)
    assert read_statement_file(path) == [EXAMPLE]


def test_a_refused_file_names_itself(tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_bytes(camt_document([EXAMPLE], "08")[:500])
    with pytest.raises(StatementError) as caught:
        read_statement_file(path)
    assert caught.value.problems[0].source == str(path)
    with pytest.raises(StatementError) as caught:
        read_statement_file(path, max_bytes=100)
    assert caught.value.code == "statement_too_large"
