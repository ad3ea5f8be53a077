"""camt.053 of any version read into one model: what reveals foreign money is kept, and a
file that is hostile, broken, inconsistent or unreconciled is refused with its location."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from shailoo.finance.statements import Party, StatementError, read_camt053
from shailoo.finance.statements.model import iban_country

from .test_statements_kit import (
    EXAMPLE,
    FOREIGN_PARENT,
    FOREIGN_PAYER,
    GERMAN_IBAN,
    KZ_DONOR,
    VERSIONS,
    camt_document,
)

DATA = Path(__file__).parent / "data" / "statements"


def refusal(data: bytes, **kwargs: object) -> StatementError:
    with pytest.raises(StatementError) as caught:
        read_camt053(data, "fund.xml", **kwargs)
    return caught.value


def line_of(data: bytes, needle: str, nth: int = 1) -> int:
    """The 1-based line of the ``nth`` occurrence of ``needle`` in ``data``."""
    at = -1
    for _ in range(nth):
        at = data.index(needle.encode(), at + 1)
    return data[:at].count(b"\n") + 1


# --- every version, the same transactions ------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_each_version_reads_the_same_statement(version: str) -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], version), "fund.xml")
    assert statement == EXAMPLE
    assert statement.source == "fund.xml"
    assert [t.line for t in statement.transactions] == sorted(
        t.line for t in statement.transactions
    )


def test_02_and_08_give_equal_transactions() -> None:
    [old] = read_camt053(camt_document([EXAMPLE], "02"))
    [new] = read_camt053(camt_document([EXAMPLE], "08"))
    assert old.transactions == new.transactions
    # ... though found on different lines, since .08 nests parties one level deeper.
    assert [t.line for t in old.transactions] != [t.line for t in new.transactions]


def test_the_debtors_name_is_read_from_dbtr_nm_in_02_and_dbtr_pty_nm_in_08() -> None:
    old = camt_document([EXAMPLE], "02").decode()
    new = camt_document([EXAMPLE], "08").decode()
    assert re.search(r"<Dbtr>\s*<Nm>Hans Müller</Nm>", old)
    assert re.search(r"<Dbtr>\s*<Pty>\s*<Nm>Hans Müller</Nm>", new)
    for document in (old, new):
        [statement] = read_camt053(document.encode())
        assert statement.transactions[1].debtor.name == "Hans Müller"


def test_a_namespace_prefix_or_none_reads_the_same() -> None:
    plain = camt_document([EXAMPLE], "08").decode()
    prefixed = re.sub(r"<(/?)([A-Za-z]+)", r"<\1c:\2", plain).replace('xmlns="urn', 'xmlns:c="urn')
    bare = plain.replace(' xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"', "")
    assert "<c:Ntry>" in prefixed and "xmlns" not in bare
    for document in (prefixed, bare):
        assert read_camt053(document.encode()) == [EXAMPLE]


def test_a_windows_1251_statement_keeps_its_cyrillic_names() -> None:
    # Windows-1251 has no Kyrgyz ү, ө, ң: a bank using it spells the names in Russian letters.
    text = camt_document([EXAMPLE], "04").decode()
    text = text.replace("Айгүл", "Айгуль").replace("Чүй проспекти", "проспект Чуй")
    text = text.replace("Müller", "Mueller")
    text = text.replace("encoding='utf-8'", "encoding='windows-1251'")
    [statement] = read_camt053(text.encode("cp1251"))
    assert statement.transactions[0].debtor.name == "Асанова Айгуль Бакытовна"
    assert statement.transactions[0].debtor.address == "Бишкек, проспект Чуй 100"
    assert statement.transactions[5].remittance == "Листовки, счёт 17"


# --- what reveals foreign money --------------------------------------------------------------


def test_a_batch_entry_gives_one_transaction_per_detail() -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], "08"))
    batch = [t for t in statement.transactions if t.batch]
    assert [t.entry_ref for t in batch] == ["KG-0003/1", "KG-0003/2", "KG-0003/3"]
    assert [t.amount for t in batch] == [Decimal("1000.00"), Decimal("2500.50"), Decimal("999.99")]
    assert [t.debtor.name for t in batch] == ["Бекова Нуржан", "Осмонов Темир", "Нурлан Абенов"]
    assert statement.entries_count == 6 and len(statement.transactions) == 8


def test_batch_details_keep_their_own_bank_reference() -> None:
    document = camt_document([EXAMPLE], "08").decode()
    first_detail = document.index("<TxDtls>", document.index("KG-0003")) + len("<TxDtls>")
    refs = "<Refs><AcctSvcrRef>BANK-77</AcctSvcrRef></Refs>"
    document = document[:first_detail] + refs + document[first_detail:]
    [statement] = read_camt053(document.encode())
    refs_read = [t.entry_ref for t in statement.transactions if t.batch]
    assert refs_read == ["BANK-77", "KG-0003/2", "KG-0003/3"]


def test_an_instructed_amount_in_dollars_on_a_som_account_is_kept() -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], "02"))
    dollars = statement.transactions[1]
    assert (dollars.amount, dollars.currency) == (Decimal("43500.00"), "KGS")
    assert (dollars.instructed_amount, dollars.instructed_currency) == (Decimal("500.00"), "USD")


def test_the_ultimate_debtor_is_kept_beside_the_debtor() -> None:
    for version in ("02", "08"):
        [statement] = read_camt053(camt_document([EXAMPLE], version))
        tx = statement.transactions[1]
        assert tx.debtor == FOREIGN_PAYER
        assert tx.ultimate_debtor == FOREIGN_PARENT
        assert tx.counterparty == FOREIGN_PAYER  # the ultimate party is not substituted
        assert tx.ultimate_counterparty == FOREIGN_PARENT


def test_the_account_country_comes_from_the_iban_else_the_bic_else_the_address() -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], "08"))
    by_ref = {t.entry_ref: t for t in statement.transactions}
    assert by_ref["KG-0002"].debtor_account == GERMAN_IBAN
    assert by_ref["KG-0002"].counterparty_country == "DE"  # from the IBAN
    assert by_ref["KG-0003/3"].counterparty_country == "KZ"  # no IBAN: the bank's BIC
    assert by_ref["KG-0003/2"].counterparty_country == "KG"  # no bank: the address
    assert by_ref["KG-0001"].counterparty_country == "KG"  # a Kyrgyz account has no IBAN


def test_an_iban_with_a_wrong_check_digit_is_not_trusted_for_the_country() -> None:
    assert iban_country(GERMAN_IBAN) == "DE"
    assert iban_country("DE88370400440532013000") == ""
    assert iban_country("de89 3704 0044 0532 0130 00") == "DE"
    assert iban_country("1030120000456789") == ""
    document = camt_document([EXAMPLE], "08").replace(
        GERMAN_IBAN.encode(), b"DE88370400440532013000"
    )
    [statement] = read_camt053(document)
    assert statement.transactions[1].debtor_account_country == "DE"  # now from COBADEFF's BIC
    document = document.replace(b"COBADEFFXXX", b"DEMOKG22XXX")
    [statement] = read_camt053(document)
    assert statement.transactions[1].debtor_account_country == "KG"


def test_a_reversal_names_the_original_donor_as_counterparty() -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], "08"))
    returned = statement.transactions[6]
    assert returned.reversal and not returned.credit
    assert returned.counterparty == KZ_DONOR
    assert returned.counterparty_country == "KZ"


def test_status_and_dates_are_kept_and_only_booked_entries_reconcile() -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], "10"))
    pending = statement.transactions[-1]
    assert pending.status == "PDNG" and pending.booking_date is None
    assert statement.transactions[0].booking_date == date(2025, 10, 6)


def test_identifiers_with_their_schemes() -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], "08"))
    donor = statement.transactions[0].debtor
    assert (donor.person_id, donor.id_scheme, donor.birth_date) == (
        "11505199012345",
        "NIDN",
        date(1990, 5, 15),
    )
    printer = statement.transactions[5].counterparty
    assert (printer.org_id, printer.id_scheme) == ("01234567891011", "TXID")
    assert statement.transactions[5].counterparty_id == "01234567891011"
    assert FOREIGN_PARENT.id_scheme == "Amtsgericht"  # a proprietary scheme name (SchmeNm/Prtry)


def test_an_organisation_known_by_lei_or_bic() -> None:
    lei = Party(name="Foreign Fund", org_id="529900T8BM49AURSDO55", id_scheme="LEI")
    bic = Party(name="Some Bank", org_id="DEUTDEFF", id_scheme="BIC")
    txs = list(EXAMPLE.transactions)
    txs[1] = replace(txs[1], ultimate_debtor=lei, debtor=replace(txs[1].debtor))
    txs[0] = replace(txs[0], ultimate_debtor=bic)
    statement = replace(EXAMPLE, transactions=tuple(txs))
    for version in ("04", "08"):
        [read] = read_camt053(camt_document([statement], version))
        assert read.transactions[0].ultimate_debtor == bic
        if version == "08":
            assert read.transactions[1].ultimate_debtor == lei


# --- the vendored public samples (genkgo/camt, MIT) ------------------------------------------

GENKGO_FIX = (
    b'<Amt Ccy="SEK">27.00</Amt>\n                <CdtDbtInd>DBIT</CdtDbtInd>',
    b'<Amt Ccy="EUR">27.00</Amt>\n                <CdtDbtInd>CRDT</CdtDbtInd>',
)


@pytest.mark.parametrize("name", ["genkgo-camt053.v2.with-party-ids.xml", "genkgo-camt053.v8.xml"])
def test_the_public_samples_are_refused_as_published(name: str) -> None:
    data = (DATA / name).read_bytes()
    error = refusal(data)
    assert error.code == "statement_invalid"
    [problem] = error.problems
    assert problem.line == line_of(data, 'Amt Ccy="SEK"')
    assert "closing balance is in SEK, the account in EUR" in problem.why


def test_the_public_02_sample_reads_whole_once_its_balance_reconciles() -> None:
    data = (DATA / "genkgo-camt053.v2.with-party-ids.xml").read_bytes()
    assert data.count(GENKGO_FIX[0]) == 1
    [statement] = read_camt053(data.replace(*GENKGO_FIX), "genkgo.xml")
    assert (statement.account, statement.account_currency) == ("NL26VAYB8060476890", "EUR")
    assert (statement.opening_balance, statement.closing_balance) == (
        Decimal("18.15"),
        Decimal("27.00"),
    )
    assert statement.from_date == date(2007, 10, 18)
    [tx] = statement.transactions
    assert tx.entry_ref == "253EURNL26VAYB8060476890/1"  # no NtryRef, no AcctSvcrRef
    assert (tx.amount, tx.credit, tx.status, tx.reversal) == (Decimal("8.85"), True, "BOOK", False)
    assert tx.debtor == Party(
        name="NAME NAME",
        person_id="19121212-1212",
        id_scheme="NIDN",
        country="NL",
        address="ADDR ADDR 10, 2000 ANTWERPEN",
        birth_date=date(1912, 12, 12),
    )
    assert (tx.debtor_account, tx.debtor_account_country) == ("NL56AGDH9619008421", "NL")
    assert tx.creditor.org_id == "455454654" and tx.creditor.id_scheme == "KBO-BCE"
    assert tx.remittance == "4654654654654654"
    assert tx.bank_tx_code == "544"
    assert tx.line == line_of(data, "<TxDtls>")


def test_the_public_08_sample_reads_whole_once_its_balance_reconciles() -> None:
    data = (DATA / "genkgo-camt053.v8.xml").read_bytes()
    [statement] = read_camt053(data.replace(*GENKGO_FIX), "genkgo.xml")
    assert statement.owner_name == "FINPETROL"
    assert statement.account_currency == "EUR"  # no Acct/Ccy: the opening balance's
    [tx] = statement.transactions
    assert tx.entry_ref == "AAAASESS-FP-CN_98765/01"
    assert tx.amount == Decimal("8.85")  # the detail's "0 SEK" is not the booked amount
    assert tx.booking_date == date(2014, 12, 31)  # from BookgDt/DtTm
    assert tx.value_date == date(2015, 1, 2)
    assert tx.debtor.name == "NAME NAME"  # Dbtr/Pty/Nm
    assert tx.counterparty_country == "NL"
    assert tx.end_to_end_id == "MUELL/FINP/RA12345"
    assert tx.bank_tx_code == "PMNT/RCDT/BOOK"


# --- hostile XML -------------------------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document><BkToCstmrStmt><Stmt><Id>&lol4;</Id></Stmt></BkToCstmrStmt></Document>
"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<Document><BkToCstmrStmt><Stmt><Id>&secret;</Id></Stmt></BkToCstmrStmt></Document>
"""


@pytest.mark.parametrize("data", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["bomb", "external"])
def test_hostile_xml_is_refused_before_any_entity_is_read(data: bytes) -> None:
    error = refusal(data)
    [problem] = error.problems
    assert "document type declaration" in problem.why
    assert problem.line == 2
    assert "lol" not in str(error) and "root:" not in str(error)


def test_a_file_over_the_size_bound_is_refused_unread() -> None:
    data = camt_document([EXAMPLE], "08")
    error = refusal(data, max_bytes=len(data) - 1)
    assert error.code == "statement_too_large"
    assert read_camt053(data, max_bytes=len(data)) == [EXAMPLE]


def test_deep_nesting_is_refused() -> None:
    data = b"<Document>" + b"<a>" * 100 + b"</a>" * 100 + b"</Document>"
    assert "nested deeper" in refusal(data).problems[0].why


# --- broken and inconsistent statements --------------------------------------------------------


def test_a_truncated_statement_is_refused_with_its_line() -> None:
    data = camt_document([EXAMPLE], "08")
    cut = data[: data.index(b"<Ntry>", data.index(b"KG-0004"))]
    error = refusal(cut)
    [problem] = error.problems
    assert problem.line == cut.count(b"\n") + 1
    assert "not well-formed" in problem.why
    assert problem.source == "fund.xml"


def test_balances_that_do_not_reconcile_are_refused_naming_the_difference() -> None:
    data = camt_document([replace(EXAMPLE, closing_balance=Decimal("60100.50"))], "08")
    error = refusal(data)
    assert error.code == "statement_unreconciled"
    [problem] = error.problems
    assert problem.where == "statement ST-2025-10-06"
    assert "difference of 100.00 KGS" in problem.why
    assert "closing balance is 60100.50" in problem.why
    assert problem.line == line_of(data, "<Stmt>")


def test_a_debit_opening_balance_reconciles() -> None:
    statement = replace(
        EXAMPLE,
        opening_balance=Decimal("-500.00"),
        closing_balance=EXAMPLE.closing_balance - Decimal("10500.00"),
    )
    data = camt_document([statement], "08")
    assert b"<CdtDbtInd>DBIT</CdtDbtInd>" in data[: data.index(b"<Ntry>")]
    assert read_camt053(data) == [statement]


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        (b'KGS">15000.00', b'KGS">15000.005', "more decimal places than KGS allows (2)"),
        (b'KGS">15000.00', b'KGS">15,000.00', "is not an amount"),
        (b'KGS">15000.00', b'KGS">-15000.00', "is not an amount"),
        (b'KGS">15000.00', b'KGS">1.5E4', "is not an amount"),
        (b'Ccy="USD">500.00', b'Ccy="USS">500.00', "'USS' is not an ISO 4217 currency code"),
        (b'Ccy="USD">500.00', b'Ccy="usd">500.00', "three capital letters"),
        (b'Ccy="USD">500.00', b'Ccy="JPY">500.5', "more decimal places than JPY allows (0)"),
        (
            b"<BookgDt>\n          <Dt>2025-10-06",
            b"<BookgDt>\n          <Dt>2025-13-06",
            "not a date",
        ),
        (
            b"<CdtDbtInd>CRDT</CdtDbtInd>\n        <RvslInd>",
            b"<CdtDbtInd>CRED</CdtDbtInd>\n        <RvslInd>",
            "not CRDT/DBIT",
        ),
        (b"<RvslInd>false", b"<RvslInd>nope", "is not true or false"),
        (b"<Cd>BOOK</Cd>", b"<Cd>DONE</Cd>", "status 'DONE' is not one of"),
        (b"<Cd>BOOK</Cd>", b"<Prtry>BOOKED</Prtry>", "proprietary status 'BOOKED'"),
        (b"<BICFI>DEMOKG22</BICFI>", b"<BICFI>DEMO-KG</BICFI>", "is not a BIC"),
        (b"<Ctry>KG</Ctry>", b"<Ctry>Kyrgyzstan</Ctry>", "is not a country code"),
        (
            b"<NbOfNtries>6</NbOfNtries>",
            b"<NbOfNtries>7</NbOfNtries>",
            "counts 7 entries, but holds 6",
        ),
    ],
)
def test_a_bad_value_is_refused_at_its_line(old: bytes, new: bytes, why: str) -> None:
    data = camt_document([EXAMPLE], "08")
    assert old in data
    broken = data.replace(old, new, 1)
    error = refusal(broken)
    assert error.code == "statement_invalid"
    problem = error.problems[0]
    assert why in problem.why, problem
    changed = next(
        n
        for n, (a, b) in enumerate(zip(data.split(b"\n"), broken.split(b"\n"), strict=False), 1)
        if a != b
    )
    assert problem.line is not None and abs(problem.line - changed) <= 1


def test_a_missing_amount_is_located_at_its_entry() -> None:
    data = camt_document([EXAMPLE], "08")
    old = b'<Amt Ccy="KGS">15000.00</Amt>\n        <CdtDbtInd>'
    assert old in data
    [problem] = refusal(data.replace(old, b"<CdtDbtInd>", 1)).problems
    assert (problem.where, problem.why) == ("Stmt[1]/Ntry[1]/Amt", "missing Amt")
    assert problem.line == line_of(data, "<Ntry>")


def test_several_problems_are_collected_before_refusing() -> None:
    data = camt_document([EXAMPLE], "08")
    broken = data.replace(b'KGS">15000.00', b'KGS">15000.001').replace(
        b'KGS">12000.00', b'KGS">12 000'
    )
    error = refusal(broken)
    lines = [p.line for p in error.problems]
    assert len(error.problems) >= 2
    assert line_of(broken, "15000.001") in lines and line_of(broken, "12 000") in lines


def test_a_missing_required_element_is_named() -> None:
    data = camt_document([EXAMPLE], "08")
    no_closing = re.sub(rb"<Bal>(?:(?!</Bal>).)*CLBD.*?</Bal>", b"", data, flags=re.S)
    assert b"CLBD" not in no_closing
    assert "no closing booked balance (CLBD)" in refusal(no_closing).problems[0].why
    no_id = data.replace(b"<Id>ST-2025-10-06</Id>", b"")
    assert refusal(no_id).problems[0].where == "Stmt[1]/Id"


def test_a_batch_whose_details_do_not_add_up_is_refused() -> None:
    data = camt_document([EXAMPLE], "08")
    broken = data.replace(b'KGS">2500.50', b'KGS">2500.40')
    error = refusal(broken)
    [problem] = error.problems
    assert "details add up to 4500.39 KGS, the entry is 4500.49" in problem.why
    assert problem.line == line_of(broken, 'KGS">4500.49')


def test_a_single_detail_contradicting_its_entry_is_refused() -> None:
    data = camt_document([EXAMPLE], "08")
    second = data.index(b'KGS">15000.00', data.index(b'KGS">15000.00') + 1)
    broken = data[:second] + b'KGS">15500.00' + data[second + len(b'KGS">15000.00') :]
    assert "the detail says 15500.00 KGS, its entry 15000.00 KGS" in refusal(broken).problems[0].why


def test_an_entry_reference_used_twice_is_refused() -> None:
    data = camt_document([EXAMPLE], "08").replace(
        b"<AcctSvcrRef>KG-0002</AcctSvcrRef>", b"<AcctSvcrRef>KG-0001</AcctSvcrRef>"
    )
    [problem] = refusal(data).problems
    assert "entry reference 'KG-0001' already used" in problem.why


def test_an_account_servicer_reference_wins_over_a_statement_scoped_entry_reference() -> None:
    [statement] = read_camt053(camt_document([EXAMPLE], "08"))
    assert statement.transactions[0].entry_ref == "KG-0001"  # not its NtryRef "N1"
    without = re.sub(rb"<AcctSvcrRef>KG-0001</AcctSvcrRef>\s*", b"", camt_document([EXAMPLE]))
    [statement] = read_camt053(without)
    assert statement.transactions[0].entry_ref == "N1"


def test_other_camt_messages_are_not_statements() -> None:
    data = camt_document([EXAMPLE], "08").replace(b"BkToCstmrStmt", b"BkToCstmrAcctRpt")
    assert "no BkToCstmrStmt (found BkToCstmrAcctRpt)" in refusal(data).problems[0].why


def test_an_entry_in_another_currency_than_the_account_is_refused() -> None:
    data = camt_document([EXAMPLE], "08").replace(b'KGS">15000.00', b'USD">15000.00', 1)
    assert "in USD, the account in KGS" in refusal(data).problems[0].why


def test_several_statements_in_one_document() -> None:
    second = replace(
        EXAMPLE,
        statement_id="ST-2025-10-07",
        from_date=date(2025, 10, 7),
        to_date=date(2025, 10, 7),
        opening_balance=EXAMPLE.closing_balance,
        closing_balance=EXAMPLE.closing_balance,
        transactions=(),
        entries_count=0,
    )
    assert read_camt053(camt_document([EXAMPLE, second], "06")) == [EXAMPLE, second]


def test_a_balance_without_its_date_is_refused_not_skipped() -> None:
    data = camt_document([EXAMPLE], "08")
    broken = re.sub(
        rb"(CLBD.*?</CdtDbtInd>)\s*<Dt>\s*<Dt>[0-9-]+</Dt>\s*</Dt>",
        rb"\1",
        data,
        count=1,
        flags=re.S,
    )
    assert broken.count(b"<Dt>") == data.count(b"<Dt>") - 2
    [problem] = refusal(broken).problems
    assert (problem.where, problem.why) == ("Stmt[1]/Bal(closing)/Dt", "missing Dt")


def test_trailing_zeros_past_the_currencys_digits_are_read_as_written() -> None:
    statement = replace(
        EXAMPLE,
        opening_balance=Decimal("10000.000"),
        transactions=(replace(EXAMPLE.transactions[0], amount=Decimal("15000.000")),),
        closing_balance=Decimal("25000.00"),
        entries_count=1,
    )
    [read] = read_camt053(camt_document([statement], "08"))
    assert str(read.transactions[0].amount) == "15000.000"
    assert str(read.opening_balance) == "10000.000"
