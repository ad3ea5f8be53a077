"""Test kit for the statement readers: a camt.053 writer for any version, an example fund
statement, and IBANs built here (independently of the product's check).

:func:`camt_document` writes :class:`Statement` values as a bank of a given camt.053 version
would: ``BIC`` (.02) or ``BICFI``, ``BICOrBEI`` or ``AnyBIC``, ``<Sts>BOOK</Sts>`` (up to
.07) or ``<Sts><Cd>BOOK</Cd></Sts>``, the debtor's name in ``Dbtr/Nm`` (up to .07) or
``Dbtr/Pty/Nm``, a batch detail's amount in ``AmtDtls/TxAmt`` (.02) or ``TxDtls/Amt``.
Consecutive batch transactions whose references are ``<entry ref>/<n>`` become one entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from xml.etree import ElementTree as ET

from shailoo.finance.statements import Party, Statement, Transaction

VERSIONS = ("02", "04", "06", "08", "10")

FUND_ACCOUNT = "1280016012345678"  # a Kyrgyz account: 16 digits, no IBAN in Kyrgyzstan
FUND_BANK = "SHAIKG22"  # a fictitious Kyrgyz bank's BIC (letters 5-6: KG)


def make_iban(country: str, bban: str) -> str:
    """An IBAN with its check digits computed here (ISO 13616: 98 - n mod 97)."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


GERMAN_IBAN = make_iban("DE", "370400440532013000")
assert GERMAN_IBAN == "DE89370400440532013000"  # the IBAN registry's own example


def version_number(version: str) -> int:
    return int(version)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _path(parent: ET.Element, path: str, text: str) -> ET.Element:
    for tag in path.split("/"):
        parent = _sub(parent, tag)
    parent.text = text
    return parent


def _amount(parent: ET.Element, tag: str, value: Decimal, currency: str) -> None:
    _sub(parent, tag, str(value), Ccy=currency)


def _scheme(parent: ET.Element, scheme: str) -> None:
    if not scheme:
        return
    names = _sub(parent, "SchmeNm")
    is_code = scheme.isascii() and scheme.isalpha() and scheme.isupper() and len(scheme) == 4
    _sub(names, "Cd" if is_code else "Prtry", scheme)


def _party(parent: ET.Element, tag: str, party: Party, v: int) -> None:
    if party == Party():
        return
    element = _sub(parent, tag)
    if v >= 8:
        element = _sub(element, "Pty")
    if party.name:
        _sub(element, "Nm", party.name)
    if party.country or party.address:
        address = _sub(element, "PstlAdr")
        if party.country:
            _sub(address, "Ctry", party.country)
        if party.address:
            _sub(address, "AdrLine", party.address)
    if party.person_id or party.birth_date:
        private = _sub(_sub(element, "Id"), "PrvtId")
        if party.birth_date:
            born = _sub(private, "DtAndPlcOfBirth")
            _sub(born, "BirthDt", party.birth_date.isoformat())
            _sub(born, "CityOfBirth", "Bishkek")
            _sub(born, "CtryOfBirth", "KG")
        if party.person_id:
            other = _sub(private, "Othr")
            _sub(other, "Id", party.person_id)
            _scheme(other, party.id_scheme)
    elif party.org_id:
        org = _sub(_sub(element, "Id"), "OrgId")
        if party.id_scheme == "BIC":
            _sub(org, "AnyBIC" if v > 2 else "BICOrBEI", party.org_id)
        elif party.id_scheme == "LEI" and v >= 8:
            _sub(org, "LEI", party.org_id)
        else:
            other = _sub(org, "Othr")
            _sub(other, "Id", party.org_id)
            _scheme(other, party.id_scheme)


def _account(parent: ET.Element, tag: str, account: str) -> None:
    if not account:
        return
    ident = _sub(_sub(parent, tag), "Id")
    if account[:2].isalpha() and account[2:4].isdigit() and account.isalnum():
        _sub(ident, "IBAN", account)
    else:
        _sub(_sub(ident, "Othr"), "Id", account)


def _agent(parent: ET.Element, tag: str, bic: str, name: str, v: int) -> None:
    if not bic and not name:
        return
    institution = _sub(_sub(parent, tag), "FinInstnId")
    if bic:
        _sub(institution, "BICFI" if v > 2 else "BIC", bic)
    if name:
        _sub(institution, "Nm", name)


def _date(parent: ET.Element, tag: str, day: date | None) -> None:
    if day is not None:
        _sub(_sub(parent, tag), "Dt", day.isoformat())


def _detail(details: ET.Element, tx: Transaction, v: int, *, own_ref: bool) -> None:
    element = _sub(details, "TxDtls")
    if own_ref or tx.end_to_end_id:
        refs = _sub(element, "Refs")
        if own_ref:
            _sub(refs, "AcctSvcrRef", tx.entry_ref)
        if tx.end_to_end_id:
            _sub(refs, "EndToEndId", tx.end_to_end_id)
    if v > 2:
        _amount(element, "Amt", tx.amount, tx.currency)
        _sub(element, "CdtDbtInd", "CRDT" if tx.credit else "DBIT")
    if v == 2 or tx.instructed_amount is not None:
        amounts = _sub(element, "AmtDtls")
        if tx.instructed_amount is not None:
            _amount(_sub(amounts, "InstdAmt"), "Amt", tx.instructed_amount, tx.instructed_currency)
        if v == 2:
            _amount(_sub(amounts, "TxAmt"), "Amt", tx.amount, tx.currency)
    parties = _sub(element, "RltdPties")
    _party(parties, "Dbtr", tx.debtor, v)
    _account(parties, "DbtrAcct", tx.debtor_account)
    _party(parties, "UltmtDbtr", tx.ultimate_debtor, v)
    _party(parties, "Cdtr", tx.creditor, v)
    _account(parties, "CdtrAcct", tx.creditor_account)
    _party(parties, "UltmtCdtr", tx.ultimate_creditor, v)
    agents = _sub(element, "RltdAgts")
    _agent(agents, "DbtrAgt", tx.debtor_agent_bic, tx.debtor_agent_name, v)
    _agent(agents, "CdtrAgt", tx.creditor_agent_bic, "", v)
    if tx.remittance:
        _sub(_sub(element, "RmtInf"), "Ustrd", tx.remittance)
    if tx.info:
        _sub(element, "AddtlTxInf", tx.info)


def entries_of(transactions: Sequence[Transaction]) -> list[tuple[str, list[Transaction]]]:
    """Transactions grouped as entries: consecutive batch ones sharing ``<ref>/`` are one."""
    entries: list[tuple[str, list[Transaction]]] = []
    for tx in transactions:
        if tx.batch:
            ref = tx.entry_ref.rpartition("/")[0]
            if entries and entries[-1][0] == ref and entries[-1][1][0].batch:
                entries[-1][1].append(tx)
                continue
            entries.append((ref, [tx]))
        else:
            entries.append((tx.entry_ref, [tx]))
    return entries


def _balance(statement_el: ET.Element, code: str, value: Decimal, currency: str, day: date) -> None:
    balance = _sub(statement_el, "Bal")
    _path(_sub(balance, "Tp"), "CdOrPrtry/Cd", code)
    _amount(balance, "Amt", abs(value), currency)
    _sub(balance, "CdtDbtInd", "DBIT" if value < 0 else "CRDT")
    _date(balance, "Dt", day)


def camt_document(statements: Sequence[Statement], version: str = "08") -> bytes:
    """``statements`` as one camt.053.001.<version> document (UTF-8, one element a line)."""
    v = version_number(version)
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version}"
    ET.register_namespace("", namespace)
    root = ET.Element("Document", {"xmlns": namespace})
    body = _sub(root, "BkToCstmrStmt")
    header = _sub(body, "GrpHdr")
    _sub(header, "MsgId", "MSG-1")
    _sub(header, "CreDtTm", "2025-11-02T08:00:00+06:00")
    for s in statements:
        element = _sub(body, "Stmt")
        _sub(element, "Id", s.statement_id)
        _sub(element, "CreDtTm", f"{s.to_date.isoformat()}T23:59:59+06:00")
        span = _sub(element, "FrToDt")
        _sub(span, "FrDtTm", f"{s.from_date.isoformat()}T00:00:00+06:00")
        _sub(span, "ToDtTm", f"{s.to_date.isoformat()}T23:59:59+06:00")
        account = _sub(element, "Acct")
        ident = _sub(account, "Id")
        if s.account[:2].isalpha() and s.account[2:4].isdigit():
            _sub(ident, "IBAN", s.account)
        else:
            _sub(_sub(ident, "Othr"), "Id", s.account)
        _sub(account, "Ccy", s.account_currency)
        if s.owner_name:
            _sub(_sub(account, "Ownr"), "Nm", s.owner_name)
        if s.servicer_bic:
            institution = _sub(_sub(account, "Svcr"), "FinInstnId")
            _sub(institution, "BICFI" if v > 2 else "BIC", s.servicer_bic)
        _balance(element, "OPBD", s.opening_balance, s.account_currency, s.from_date)
        _balance(element, "CLBD", s.closing_balance, s.account_currency, s.to_date)
        entries = entries_of(s.transactions)
        summary = _sub(_sub(element, "TxsSummry"), "TtlNtries")
        _sub(summary, "NbOfNtries", str(len(entries)))
        for number, (ref, group) in enumerate(entries, start=1):
            first = group[0]
            signed = sum((t.signed_amount for t in group), Decimal(0))
            entry = _sub(element, "Ntry")
            _sub(entry, "NtryRef", f"N{number}")
            if first.batch:
                _amount(entry, "Amt", abs(signed), s.account_currency)
                _sub(entry, "CdtDbtInd", "DBIT" if signed < 0 else "CRDT")
            else:
                _amount(entry, "Amt", first.amount, s.account_currency)
                _sub(entry, "CdtDbtInd", "CRDT" if first.credit else "DBIT")
            _sub(entry, "RvslInd", "true" if first.reversal else "false")
            if v >= 8:
                _sub(_sub(entry, "Sts"), "Cd", first.status)
            else:
                _sub(entry, "Sts", first.status)
            _date(entry, "BookgDt", first.booking_date)
            _date(entry, "ValDt", first.value_date)
            _sub(entry, "AcctSvcrRef", ref)
            if first.bank_tx_code:
                codes = first.bank_tx_code.split("/")
                code = _sub(entry, "BkTxCd")
                if len(codes) == 3:
                    domain = _sub(code, "Domn")
                    _sub(domain, "Cd", codes[0])
                    family = _sub(domain, "Fmly")
                    _sub(family, "Cd", codes[1])
                    _sub(family, "SubFmlyCd", codes[2])
                else:
                    _path(code, "Prtry/Cd", first.bank_tx_code)
            details = _sub(entry, "NtryDtls")
            if first.batch:
                batch = _sub(details, "Btch")
                _sub(batch, "NbOfTxs", str(len(group)))
            for tx in group:
                _detail(details, tx, v, own_ref=False)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


# --- the example: a candidate's fund in som, a month of the campaign --------------------------

KG_DONOR = Party(
    name="Асанова Айгүл Бакытовна",
    person_id="11505199012345",
    id_scheme="NIDN",
    country="KG",
    address="Бишкек, Чүй проспекти 100",
    birth_date=date(1990, 5, 15),
)
FOREIGN_PAYER = Party(name="Hans Müller", country="DE", address="Berlin, Unter den Linden 5")
FOREIGN_PARENT = Party(name="Global Holding GmbH", org_id="HRB 123456", id_scheme="Amtsgericht")
KZ_DONOR = Party(name="Нурлан Абенов", person_id="850101300123", id_scheme="NIDN")
PRINTER = Party(name="ОсОО Басмакана", org_id="01234567891011", id_scheme="TXID", country="KG")
FUND_OWNER = Party(name="Фонд кандидата Токтогулов")
DAY = date(2025, 10, 6)


def _tx(**fields: object) -> Transaction:
    base: dict[str, object] = {
        "account": FUND_ACCOUNT,
        "currency": "KGS",
        "status": "BOOK",
        "booking_date": DAY,
        "value_date": DAY,
        "creditor": FUND_OWNER,
        "creditor_account": FUND_ACCOUNT,
        "creditor_account_country": "KG",
        "creditor_agent_bic": FUND_BANK,
    }
    base.update(fields)
    return Transaction(**base)


EXAMPLE_TRANSACTIONS = (
    # A Kyrgyz citizen's donation from her account at a Kyrgyz bank.
    _tx(
        entry_ref="KG-0001",
        amount=Decimal("15000.00"),
        credit=True,
        debtor=KG_DONOR,
        debtor_account="1030120000456789",
        debtor_account_country="KG",
        debtor_agent_bic="DEMOKG22",
        debtor_agent_name="Demo Bank Bishkek",
        remittance="Взнос в избирательный фонд",
        bank_tx_code="PMNT/RCDT/DMCT",
        end_to_end_id="E2E-0001",
    ),
    # Dollars from a German IBAN, booked in som, on behalf of a foreign company.
    _tx(
        entry_ref="KG-0002",
        amount=Decimal("43500.00"),
        instructed_amount=Decimal("500.00"),
        instructed_currency="USD",
        credit=True,
        debtor=FOREIGN_PAYER,
        ultimate_debtor=FOREIGN_PARENT,
        debtor_account=GERMAN_IBAN,
        debtor_account_country="DE",
        debtor_agent_bic="COBADEFFXXX",
        remittance="Donation campaign 2025",
        bank_tx_code="PMNT/RCDT/XBCT",
        info="FX 87.00 KGS/USD",
    ),
    # A batch of three donations: the last from an account known only by a Kazakh bank's BIC.
    _tx(
        entry_ref="KG-0003/1",
        batch=True,
        amount=Decimal("1000.00"),
        credit=True,
        debtor=Party(name="Бекова Нуржан", person_id="21203198500011", id_scheme="NIDN"),
        debtor_account="1030120000111111",
        debtor_account_country="KG",
        debtor_agent_bic="DEMOKG22",
        bank_tx_code="PMNT/RCDT/BOOK",
    ),
    _tx(
        entry_ref="KG-0003/2",
        batch=True,
        amount=Decimal("2500.50"),
        credit=True,
        debtor=Party(name="Осмонов Темир", country="KG"),
        debtor_account="1030120000222222",
        debtor_account_country="KG",
        bank_tx_code="PMNT/RCDT/BOOK",
    ),
    _tx(
        entry_ref="KG-0003/3",
        batch=True,
        amount=Decimal("999.99"),
        credit=True,
        debtor=KZ_DONOR,
        debtor_account="KZ-ACC-77001",
        debtor_account_country="KZ",
        debtor_agent_bic="HSBKKZKX",
        bank_tx_code="PMNT/RCDT/BOOK",
    ),
    # Paying the printing house.
    _tx(
        entry_ref="KG-0004",
        amount=Decimal("12000.00"),
        credit=False,
        debtor=FUND_OWNER,
        debtor_account=FUND_ACCOUNT,
        debtor_account_country="KG",
        debtor_agent_bic=FUND_BANK,
        creditor=PRINTER,
        creditor_account="1090000000333333",
        creditor_account_country="KG",
        creditor_agent_bic="DEMOKG22",
        remittance="Листовки, счёт 17",
        bank_tx_code="PMNT/ICDT/DMCT",
    ),
    # A donation returned: a debit that reverses a credit, naming the donor as debtor.
    _tx(
        entry_ref="KG-0005",
        amount=Decimal("999.99"),
        credit=False,
        reversal=True,
        debtor=KZ_DONOR,
        debtor_account="KZ-ACC-77001",
        debtor_account_country="KZ",
        debtor_agent_bic="HSBKKZKX",
        bank_tx_code="PMNT/RCDT/RRTN",
    ),
    # Pending: not yet on the booked balance.
    _tx(
        entry_ref="KG-0006",
        amount=Decimal("700.00"),
        credit=True,
        status="PDNG",
        booking_date=None,
        debtor=Party(name="Жолдошев Эрлан"),
    ),
)

OPENING = Decimal("10000.00")
CLOSING = OPENING + sum(
    (t.signed_amount for t in EXAMPLE_TRANSACTIONS if t.status == "BOOK"), Decimal(0)
)

EXAMPLE = Statement(
    statement_id="ST-2025-10-06",
    account=FUND_ACCOUNT,
    account_currency="KGS",
    owner_name="Фонд кандидата Токтогулов",
    servicer_bic=FUND_BANK,
    from_date=DAY,
    to_date=DAY,
    opening_balance=OPENING,
    closing_balance=CLOSING,
    transactions=EXAMPLE_TRANSACTIONS,
    entries_count=6,
)


def test_the_kit_writes_each_version_as_its_schema_names_things() -> None:
    """The builder's version switches are what the tests rely on: check them once."""
    old = camt_document([EXAMPLE], "02").decode()
    new = camt_document([EXAMPLE], "08").decode()
    assert "camt.053.001.02" in old and "<Sts>BOOK</Sts>" in old and "<BIC>" in old
    assert "<Pty>" not in old and "<TxAmt>" in old
    assert "camt.053.001.08" in new and "<Cd>BOOK</Cd>" in new and "<BICFI>" in new
    assert "<Pty>" in new and "<TxAmt>" not in new
    booked: list[Decimal | int] = [
        15000,
        43500,
        1000,
        Decimal("2500.50"),
        Decimal("999.99"),
        -12000,
        Decimal("-999.99"),
    ]
    assert sum(booked, Decimal("10000.00")) == CLOSING == Decimal("60000.50")
