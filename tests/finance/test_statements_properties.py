"""Properties of the statement readers on generated statements: any statement written as
camt.053 (each version) and as CSV reads back equal; any cut of a document is refused."""

from __future__ import annotations

import io
import string
from datetime import timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

import strategies as sx
from shailoo.finance.statements import (
    Party,
    Statement,
    StatementError,
    Transaction,
    read_camt053,
    read_statement_csv,
    write_statement_csv,
)

from .test_statements_kit import EXAMPLE, VERSIONS, camt_document, make_iban

# Text as banks write it, XML and spreadsheet specials included; white space as the readers
# keep it (one space between words, none at the ends).
_ALPHABET = string.ascii_letters + sx.KYRGYZ_LETTERS + string.digits + " &<>\"'=+-@,;/.()№ёЁ"
texts = st.text(_ALPHABET, max_size=30).map(lambda t: " ".join(t.split()))
words = texts.filter(bool)
currencies = st.sampled_from(["KGS", "KGS", "USD", "JPY", "KWD"])
DIGITS = {"KGS": 2, "USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}


def amounts(currency: str, low: int = 0) -> st.SearchStrategy[Decimal]:
    """A non-negative amount written with exactly the currency's decimal places."""
    return st.integers(low, 10**12).map(lambda n: Decimal(n).scaleb(-DIGITS[currency]))


bics = st.builds(
    lambda bank, country, place, branch: bank + country + place + branch,
    st.text(string.ascii_uppercase, min_size=4, max_size=4),
    sx.country_codes,
    st.text(string.ascii_uppercase + string.digits, min_size=2, max_size=2),
    st.sampled_from(["", "XXX", "001"]),
)


@st.composite
def parties(draw: st.DrawFn) -> Party:
    kind = draw(st.sampled_from(["none", "person", "org", "name"]))
    if kind == "none":
        return Party()
    name = draw(texts)
    country = draw(st.just("") | sx.country_codes)
    address = draw(texts)
    if kind == "person":
        person_id = draw(st.just("") | sx.pins | words)
        scheme = draw(st.sampled_from(["NIDN", "CCPT", "Паспорт", ""])) if person_id else ""
        born = draw(st.none() | sx.birth_dates)
        return Party(name, person_id, "", scheme, country, address, born)
    if kind == "org":
        org_id = draw(words)
        scheme = draw(st.sampled_from(["TXID", "LEI", "BIC", "ИНН", ""]))
        return Party(name, "", org_id, scheme, country, address)
    return Party(name=name, country=country, address=address)


@st.composite
def accounts(draw: st.DrawFn) -> tuple[str, str]:
    """An account and, when it is an IBAN, its country."""
    kind = draw(st.sampled_from(["none", "kyrgyz", "iban", "other"]))
    if kind == "kyrgyz":
        return draw(st.text(string.digits, min_size=16, max_size=16)), ""
    if kind == "iban":
        country = draw(sx.foreign_country_codes)
        return make_iban(country, draw(st.text(string.digits, min_size=12, max_size=20))), country
    if kind == "other":
        return "ACC-" + draw(st.text(string.ascii_uppercase + string.digits, max_size=12)), ""
    return "", ""


@st.composite
def sides(draw: st.DrawFn) -> dict[str, object]:
    """Both sides of a payment, each account's country found as the readers must find it."""
    fields: dict[str, object] = {}
    for role in ("debtor", "creditor"):
        party = draw(parties())
        account, iban_country = draw(accounts())
        bic = draw(st.just("") | bics)
        fields[role] = party
        fields[f"ultimate_{role}"] = draw(parties())
        fields[f"{role}_account"] = account
        fields[f"{role}_account_country"] = iban_country or bic[4:6] or party.country
        fields[f"{role}_agent_bic"] = bic
    fields["debtor_agent_name"] = draw(texts)
    return fields


@st.composite
def statements(draw: st.DrawFn) -> list[Statement]:
    refs = iter(
        draw(
            st.lists(
                st.text(string.ascii_uppercase + string.digits + "-_.", min_size=1, max_size=12),
                min_size=12,
                max_size=12,
                unique=True,
            )
        )
    )
    result = []
    for number in range(draw(st.integers(1, 2))):
        currency = draw(currencies)
        account = draw(st.text(string.digits, min_size=16, max_size=16))
        first = draw(sx.days)
        last = first + timedelta(days=draw(st.integers(0, 31)))
        transactions: list[Transaction] = []
        entries = draw(st.integers(0, 5))
        for _ in range(entries):
            ref = next(refs)
            size = draw(st.sampled_from([1, 1, 2, 3]))
            common = {
                "account": account,
                "currency": currency,
                "status": draw(st.sampled_from(["BOOK", "BOOK", "PDNG", "INFO"])),
                "credit": draw(st.booleans()),
                "reversal": draw(st.booleans()),
                "booking_date": draw(st.none() | st.dates(first, last)),
                "value_date": draw(st.none() | st.dates(first, last)),
                "bank_tx_code": draw(st.sampled_from(["", "PMNT/RCDT/ESCT", "544"])),
                "batch": size > 1,
            }
            for detail in range(1, size + 1):
                instructed = draw(st.none() | st.sampled_from(["USD", "EUR", "JPY"]))
                transactions.append(
                    Transaction(
                        entry_ref=ref if size == 1 else f"{ref}/{detail}",
                        amount=draw(amounts(currency, low=1 if size > 1 else 0)),
                        instructed_amount=draw(amounts(instructed)) if instructed else None,
                        instructed_currency=instructed or "",
                        remittance=draw(texts),
                        info=draw(texts),
                        end_to_end_id=draw(texts),
                        **common,
                        **draw(sides()),
                    )
                )
        opening = draw(amounts(currency)) * draw(st.sampled_from([1, -1]))
        moved = sum((t.signed_amount for t in transactions if t.booked), Decimal(0))
        result.append(
            Statement(
                statement_id=f"ST{number}-" + draw(words),
                account=account,
                account_currency=currency,
                owner_name=draw(texts),
                servicer_bic=draw(st.just("") | bics),
                from_date=first,
                to_date=last,
                opening_balance=opening,
                closing_balance=opening + moved,
                transactions=tuple(transactions),
                entries_count=entries,
            )
        )
    return result


def csv_bytes(items: list[Statement]) -> bytes:
    out = io.StringIO(newline="")
    write_statement_csv(items, out)
    return out.getvalue().encode()


@settings(max_examples=60, deadline=None)
@given(statements(), st.sampled_from(VERSIONS))
def test_any_statement_reads_back_equal_from_camt_and_from_csv(
    items: list[Statement], version: str
) -> None:
    from_camt = read_camt053(camt_document(items, version))
    from_csv = read_statement_csv(csv_bytes(items))
    assert from_camt == items
    assert from_csv == items
    assert read_statement_csv(csv_bytes(from_camt)) == items


_DOCUMENT = camt_document([EXAMPLE], "08")
_END = _DOCUMENT.rindex(b">")  # the last byte of </Document>


@settings(max_examples=80, deadline=None)
@given(st.integers(0, _END))
def test_any_cut_of_a_camt_document_is_refused(cut: int) -> None:
    try:
        read_camt053(_DOCUMENT[:cut])
    except StatementError as error:
        assert error.problems and all(p.line is not None for p in error.problems)
    else:
        raise AssertionError(f"a document cut at byte {cut} was read")


_CSV = csv_bytes([EXAMPLE])


@settings(max_examples=80, deadline=None)
@given(st.integers(0, len(_CSV) - 3))
def test_any_cut_of_a_statement_csv_is_refused(cut: int) -> None:
    try:
        read_statement_csv(_CSV[:cut])
    except StatementError as error:
        assert error.problems
    else:
        raise AssertionError(f"a file cut at byte {cut} was read")


@settings(max_examples=150, deadline=None)
@given(sx.mutated_bytes(_DOCUMENT))
def test_a_damaged_camt_document_is_read_whole_or_refused_with_located_problems(
    data: bytes,
) -> None:
    try:
        statements = read_camt053(data, "fund.xml")
    except StatementError as error:
        assert error.problems and all(p.source == "fund.xml" for p in error.problems)
    else:  # a damage that kept it valid (a line end changed, a blank line): it still adds up
        assert all(s.account_currency == "KGS" for s in statements)


@settings(max_examples=150, deadline=None)
@given(sx.mutated_bytes(_CSV))
def test_a_damaged_statement_csv_is_read_whole_or_refused_with_located_problems(
    data: bytes,
) -> None:
    try:
        statements = read_statement_csv(data, "fund.csv")
    except StatementError as error:
        assert error.problems and all(p.source == "fund.csv" for p in error.problems)
    else:
        assert all(s.account_currency == "KGS" for s in statements)
