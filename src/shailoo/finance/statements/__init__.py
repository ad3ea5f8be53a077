"""Bank statements of election funds: camt.053 (any version) and CSV, read into one model."""

from shailoo.finance.statements.camt import read_camt053
from shailoo.finance.statements.csvformat import read_statement_csv, write_statement_csv
from shailoo.finance.statements.dryrun import read_statement_file, summary_line, transaction_line
from shailoo.finance.statements.model import (
    Party,
    Statement,
    StatementError,
    Transaction,
    account_country,
    iban_country,
    reconcile,
)

__all__ = [
    "Party",
    "Statement",
    "StatementError",
    "Transaction",
    "account_country",
    "iban_country",
    "read_camt053",
    "read_statement_csv",
    "read_statement_file",
    "reconcile",
    "summary_line",
    "transaction_line",
    "write_statement_csv",
]
