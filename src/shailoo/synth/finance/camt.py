"""The synthetic world's bank statements as ISO 20022 camt.053 files, as banks send them.

One statement per fund per week (Monday to Sunday) that has entries, numbered per fund
(``ElctrncSeqNb``), each opening with the last one's closing balance so that opening booked
balance + credits - debits = closing booked balance, every week. The versions alternate as
banks differ: a fund's odd statements are camt.053.001.02 (the debtor's name in
``Dbtr/Nm``, the bank in ``FinInstnId/BIC``, ``<Sts>BOOK</Sts>``), its even ones
camt.053.001.08 (``Dbtr/Pty/Nm``, ``FinInstnId/BICFI``, ``<Sts><Cd>BOOK</Cd></Sts>``, and
each transaction's own ``Amt``).

What every entry carries, when the world has it: ``NtryRef`` (the entry's reference, or a
batch's), credit or debit, the reversal indicator, status, booking and value dates, the
bank transaction code, and per transaction (``TxDtls``) its reference
(``Refs/AcctSvcrRef``, the world's ``entry_ref``), the booked amount (``AmtDtls/TxAmt``) and
the instructed one in another currency with its rate (``AmtDtls/InstdAmt``), the debtor's
name, postal address, personal id (``PrvtId/Othr`` with scheme ``NIDN``, and the birth date
in ``PrvtId/DtAndPlcOfBirth``) or organisation id (``OrgId/Othr`` with scheme ``TXID``), the
debtor's account (``IBAN`` or ``Othr/Id``), the ultimate debtor, the debtor's bank, the
creditor's (for money out) and the unstructured remittance. A batch is one entry whose
amount is the sum of its transactions (``NtryDtls/Btch``, several ``TxDtls``).

Built with :mod:`xml.etree.ElementTree` (writing is safe; reading these files back goes
through ``shailoo.common.safe_xml``). Pure and deterministic: the same world gives the same
bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from itertools import groupby, pairwise
from pathlib import Path
from xml.etree.ElementTree import Element, ElementTree, SubElement, indent

from .rows import FinanceWorld, FundRow, TxRow
from .stream import iter_transactions

CAMT_02 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
CAMT_08 = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"
VERSIONS: tuple[str, ...] = (CAMT_02, CAMT_08)
_ZONE = "+06:00"  # Bishkek
_USTRD = 140  # ISO 20022 Max140Text
_ADRLINE = 70  # Max70Text


def _sub(parent: Element, tag: str, text: str | None = None, **attrs: str) -> Element:
    child = SubElement(parent, tag, attrs)
    if text is not None:
        child.text = text
    return child


def _amount(parent: Element, tag: str, amount: Decimal, currency: str) -> Element:
    return _sub(parent, tag, f"{amount:.2f}", Ccy=currency)


def _pieces(text: str, width: int) -> list[str]:
    """``text`` cut into pieces of at most ``width`` characters, at spaces where it can."""
    out: list[str] = []
    rest = text.strip()
    while len(rest) > width:
        cut = rest.rfind(" ", 0, width + 1)
        cut = cut if cut > 0 else width
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(rest)
    return out


def _address_lines(address: str) -> list[str]:
    """An address as ``AdrLine``s of at most 70 characters, cut between its parts."""
    lines: list[str] = []
    for part in (p.strip() for p in address.split(",")):
        if lines and len(lines[-1]) + 2 + len(part) <= _ADRLINE:
            lines[-1] = f"{lines[-1]}, {part}"
        else:
            lines.extend(_pieces(part, _ADRLINE))
    return lines


def _is_iban(account: str) -> bool:
    return len(account) > 4 and account[:2].isalpha() and account[2:4].isdigit()


class _Writer:
    """The elements of one statement in one version."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.v8 = version == CAMT_08

    def bic(self, parent: Element, tag: str, bic: str, name: str) -> None:
        agent = _sub(parent, tag)
        institution = _sub(agent, "FinInstnId")
        _sub(institution, "BICFI" if self.v8 else "BIC", bic)
        if name:
            _sub(institution, "Nm", name)

    def account(self, parent: Element, tag: str, account: str) -> None:
        ident = _sub(_sub(parent, tag), "Id")
        if _is_iban(account):
            _sub(ident, "IBAN", account)
        else:
            _sub(_sub(ident, "Othr"), "Id", account)

    def party(
        self,
        parent: Element,
        tag: str,
        *,
        name: str = "",
        address: str = "",
        country: str = "",
        person_id: str = "",
        org_id: str = "",
        scheme: str = "",
        birth: date | None = None,
        birth_city: str = "",
        birth_country: str = "",
    ) -> None:
        """A party: in .02 its elements directly under ``tag``, in .08 under ``tag/Pty``."""
        outer = _sub(parent, tag)
        party = _sub(outer, "Pty") if self.v8 else outer
        if name:
            _sub(party, "Nm", name)
        if address or country:
            postal = _sub(party, "PstlAdr")
            if country:
                _sub(postal, "Ctry", country)
            for line in _address_lines(address)[:7]:
                _sub(postal, "AdrLine", line)
        if org_id:
            other = _sub(_sub(_sub(party, "Id"), "OrgId"), "Othr")
            _sub(other, "Id", org_id)
            _sub(_sub(other, "SchmeNm"), "Cd", scheme or "TXID")
        elif person_id or birth:
            private = _sub(_sub(party, "Id"), "PrvtId")
            if birth is not None:
                born = _sub(private, "DtAndPlcOfBirth")
                _sub(born, "BirthDt", birth.isoformat())
                _sub(born, "CityOfBirth", birth_city or "NOTPROVIDED")
                _sub(born, "CtryOfBirth", birth_country or "KG")
            if person_id:
                other = _sub(private, "Othr")
                _sub(other, "Id", person_id)
                _sub(_sub(other, "SchmeNm"), "Cd", scheme or "NIDN")

    def counterparty(self, parent: Element, tag: str, tx: TxRow) -> None:
        self.party(
            parent,
            tag,
            name=tx.name,
            address=tx.address,
            country=tx.counterparty_country if (tx.address or tx.name) else "",
            person_id=tx.person_id,
            org_id=tx.org_id,
            scheme=tx.id_scheme,
            birth=tx.birth_date,
            birth_city=tx.birth_city,
            birth_country=tx.birth_country,
        )

    def holder(self, parent: Element, tag: str, fund: FundRow) -> None:
        if fund.holder_inn:
            self.party(parent, tag, name=fund.holder_name, org_id=fund.holder_inn, scheme="TXID")
        else:
            self.party(parent, tag, name=fund.holder_name, person_id=fund.holder_pin, scheme="NIDN")

    def status(self, entry: Element, status: str) -> None:
        if self.v8:
            _sub(_sub(entry, "Sts"), "Cd", status)
        else:
            _sub(entry, "Sts", status)

    def tx_code(self, parent: Element, code: str) -> None:
        domain, family, sub = ([*code.split("/"), "", "", ""])[:3]
        dom = _sub(_sub(parent, "BkTxCd"), "Domn")
        _sub(dom, "Cd", domain)
        fam = _sub(dom, "Fmly")
        _sub(fam, "Cd", family)
        _sub(fam, "SubFmlyCd", sub)

    def details(self, parent: Element, tx: TxRow, fund: FundRow) -> None:
        """One ``TxDtls``: references, amounts, parties, banks, remittance."""
        details = _sub(parent, "TxDtls")
        refs = _sub(details, "Refs")
        _sub(refs, "AcctSvcrRef", tx.entry_ref)
        _sub(refs, "EndToEndId", tx.end_to_end_id or "NOTPROVIDED")
        if self.v8:
            _amount(details, "Amt", tx.amount, tx.currency)
            _sub(details, "CdtDbtInd", "CRDT" if tx.credit else "DBIT")
        amounts = _sub(details, "AmtDtls")
        if tx.instructed_amount is not None and tx.instructed_currency:
            instructed = _sub(amounts, "InstdAmt")
            _amount(instructed, "Amt", tx.instructed_amount, tx.instructed_currency)
        booked = _sub(amounts, "TxAmt")
        _amount(booked, "Amt", tx.amount, tx.currency)
        if tx.exchange_rate is not None and tx.instructed_currency:
            exchange = _sub(booked, "CcyXchg")
            _sub(exchange, "SrcCcy", tx.instructed_currency)
            _sub(exchange, "TrgtCcy", tx.currency)
            _sub(exchange, "XchgRate", f"{tx.exchange_rate}")
        incoming = tx.credit or tx.reversal  # a reversed gift keeps the gift's parties
        parties = _sub(details, "RltdPties")
        has_party = any((tx.name, tx.address, tx.person_id, tx.org_id, tx.birth_date))
        if incoming:
            if has_party:
                self.counterparty(parties, "Dbtr", tx)
            if tx.account:
                self.account(parties, "DbtrAcct", tx.account)
            if tx.ultimate_name or tx.ultimate_id:
                self.party(
                    parties,
                    "UltmtDbtr",
                    name=tx.ultimate_name,
                    person_id=tx.ultimate_id,
                    scheme=tx.ultimate_id_scheme,
                )
            self.holder(parties, "Cdtr", fund)
            self.account(parties, "CdtrAcct", fund.account)
        else:
            self.holder(parties, "Dbtr", fund)
            self.account(parties, "DbtrAcct", fund.account)
            if has_party:
                self.counterparty(parties, "Cdtr", tx)
            if tx.account:
                self.account(parties, "CdtrAcct", tx.account)
        if len(parties) == 0:
            details.remove(parties)
        agents = _sub(details, "RltdAgts")
        if incoming:
            if tx.agent_bic:
                self.bic(agents, "DbtrAgt", tx.agent_bic, tx.agent_name)
            self.bic(agents, "CdtrAgt", fund.bank_bic, fund.bank_name)
        else:
            self.bic(agents, "DbtrAgt", fund.bank_bic, fund.bank_name)
            if tx.agent_bic:
                self.bic(agents, "CdtrAgt", tx.agent_bic, tx.agent_name)
        if tx.remittance:
            remittance = _sub(details, "RmtInf")
            for piece in _pieces(tx.remittance, _USTRD):
                _sub(remittance, "Ustrd", piece)
        if tx.original_ref:
            _sub(details, "AddtlTxInf", f"Сторно операции {tx.original_ref}")

    def entry(self, stmt: Element, txs: Sequence[TxRow], fund: FundRow) -> None:
        """One ``Ntry``: a single transaction, or a batch whose amount is their sum."""
        first = txs[0]
        batch = len(txs) > 1 or bool(first.batch)
        ref = first.batch if batch else first.entry_ref
        total = sum((t.amount for t in txs), Decimal(0))
        entry = _sub(stmt, "Ntry")
        _sub(entry, "NtryRef", ref)
        _amount(entry, "Amt", total, first.currency)
        _sub(entry, "CdtDbtInd", "CRDT" if first.credit else "DBIT")
        if first.reversal:
            _sub(entry, "RvslInd", "true")
        self.status(entry, first.status)
        _sub(_sub(entry, "BookgDt"), "Dt", first.booking_date.isoformat())
        _sub(_sub(entry, "ValDt"), "Dt", (first.value_date or first.booking_date).isoformat())
        _sub(entry, "AcctSvcrRef", ref)
        self.tx_code(entry, first.bank_tx_code)
        details = _sub(entry, "NtryDtls")
        if batch:
            info = _sub(details, "Btch")
            _sub(info, "NbOfTxs", str(len(txs)))
            _amount(info, "TtlAmt", total, first.currency)
            _sub(info, "CdtDbtInd", "CRDT" if first.credit else "DBIT")
        for tx in txs:
            self.details(details, tx, fund)
        if first.reversal:
            _sub(entry, "AddtlNtryInf", "Сторно")
        elif batch:
            _sub(entry, "AddtlNtryInf", f"Реестр зачислений, {len(txs)} операций")


def _entries(txs: Sequence[TxRow]) -> list[list[TxRow]]:
    """Transactions grouped as entries: the members of one batch together."""
    out: list[list[TxRow]] = []
    for tx in txs:
        if tx.batch and out and out[-1][0].batch == tx.batch:
            out[-1].append(tx)
        else:
            out.append([tx])
    return out


def statement_xml(
    fund: FundRow,
    sequence: int,
    first: date,
    last: date,
    opening: Decimal,
    txs: Sequence[TxRow],
    version: str,
) -> tuple[bytes, Decimal]:
    """One statement of ``fund`` for the days ``first``..``last``: the document's bytes and
    its closing balance (``opening`` + credits - debits)."""
    if version not in VERSIONS:
        raise ValueError(f"unknown camt.053 version {version!r}")
    writer = _Writer(version)
    entries = _entries(txs)
    credits = [t.amount for t in txs if t.credit]
    debits = [t.amount for t in txs if not t.credit]
    closing = opening + sum(credits, Decimal(0)) - sum(debits, Decimal(0))
    created = f"{last + timedelta(days=1):%Y-%m-%d}T06:00:00{_ZONE}"
    root = Element("Document", {"xmlns": version})
    message = _sub(root, "BkToCstmrStmt")
    header = _sub(message, "GrpHdr")
    _sub(header, "MsgId", f"STMT-{fund.account}-{sequence:04d}")
    _sub(header, "CreDtTm", created)
    stmt = _sub(message, "Stmt")
    _sub(stmt, "Id", f"{fund.account}-{first:%Y%m%d}")
    _sub(stmt, "ElctrncSeqNb", str(sequence))
    _sub(stmt, "CreDtTm", created)
    period = _sub(stmt, "FrToDt")
    _sub(period, "FrDtTm", f"{first:%Y-%m-%d}T00:00:00{_ZONE}")
    _sub(period, "ToDtTm", f"{last:%Y-%m-%d}T23:59:59{_ZONE}")
    account = _sub(stmt, "Acct")
    _sub(_sub(_sub(account, "Id"), "Othr"), "Id", fund.account)
    _sub(account, "Ccy", fund.currency)
    _sub(_sub(account, "Ownr"), "Nm", fund.holder_name or fund.owner)
    writer.bic(account, "Svcr", fund.bank_bic, fund.bank_name)
    for code, amount, day in (("OPBD", opening, first), ("CLBD", closing, last)):
        balance = _sub(stmt, "Bal")
        _sub(_sub(_sub(balance, "Tp"), "CdOrPrtry"), "Cd", code)
        _amount(balance, "Amt", abs(amount), fund.currency)
        _sub(balance, "CdtDbtInd", "CRDT" if amount >= 0 else "DBIT")
        _sub(_sub(balance, "Dt"), "Dt", day.isoformat())
    entry_amounts = [sum((t.amount for t in e), Decimal(0)) for e in entries]
    net = closing - opening
    summary = _sub(stmt, "TxsSummry")
    totals = _sub(summary, "TtlNtries")
    _sub(totals, "NbOfNtries", str(len(entries)))
    _sub(totals, "Sum", f"{sum(entry_amounts, Decimal(0)):.2f}")
    if writer.v8:
        net_entry = _sub(totals, "TtlNetNtry")
        _sub(net_entry, "Amt", f"{abs(net):.2f}")
        _sub(net_entry, "CdtDbtInd", "CRDT" if net >= 0 else "DBIT")
    else:
        _sub(totals, "TtlNetNtryAmt", f"{abs(net):.2f}")
        _sub(totals, "CdtDbtInd", "CRDT" if net >= 0 else "DBIT")
    for tag, side in (("TtlCdtNtries", True), ("TtlDbtNtries", False)):
        chosen = [a for e, a in zip(entries, entry_amounts, strict=True) if e[0].credit == side]
        group = _sub(summary, tag)
        _sub(group, "NbOfNtries", str(len(chosen)))
        _sub(group, "Sum", f"{sum(chosen, Decimal(0)):.2f}")
    for entry in entries:
        writer.entry(stmt, entry, fund)
    indent(root)
    tree = ElementTree(root)
    buffer = BytesIO()
    tree.write(buffer, encoding="UTF-8", xml_declaration=True)
    return buffer.getvalue() + b"\n", closing


def _weeks(txs: Sequence[TxRow]) -> Iterator[tuple[date, date, list[TxRow]]]:
    def monday(tx: TxRow) -> date:
        return tx.booking_date - timedelta(days=tx.booking_date.weekday())

    for first, group in groupby(txs, key=monday):
        yield first, first + timedelta(days=6), list(group)


def write_statements(
    world: FinanceWorld, out_dir: Path | str, transactions: Iterable[TxRow] | None = None
) -> list[Path]:
    """Write every fund's weekly statements under ``out_dir``
    (``<account>-<sequence>.xml``); return their paths in order.

    ``transactions`` defaults to ``world.transactions`` (or the stream when the world was only
    planned); they must come fund by fund, each fund's in booking order, as
    :func:`~shailoo.synth.finance.iter_transactions` gives them.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    funds = {fund.account: fund for fund in world.funds}
    source = transactions
    if source is None:
        source = world.transactions or iter_transactions(world)
    written: list[Path] = []
    done: set[str] = set()
    for account, group in groupby(source, key=lambda t: t.fund):
        if account in done:
            raise ValueError(f"transactions of fund {account} are not together")
        if account not in funds:
            raise ValueError(f"transaction of an unknown fund {account}")
        done.add(account)
        fund = funds[account]
        txs = list(group)
        if any(b.booking_date < a.booking_date for a, b in pairwise(txs)):
            raise ValueError(f"transactions of fund {account} are not in booking order")
        balance = Decimal(0)
        for sequence, (monday, last, week) in enumerate(_weeks(txs), 1):
            first = max(monday, fund.opened_on)
            version = VERSIONS[(sequence - 1) % len(VERSIONS)]
            data, balance = statement_xml(fund, sequence, first, last, balance, week, version)
            path = out / f"{account}-{sequence:03d}.xml"
            path.write_bytes(data)
            written.append(path)
    return written
