"""ISO 20022 camt.053 bank statements of any version, read into :mod:`.model` values.

Banks send camt.053.001.02 to .001.13; each version renamed a little (``BIC`` → ``BICFI``,
``BICOrBEI`` → ``AnyBIC``, ``<Sts>BOOK</Sts>`` → ``<Sts><Cd>BOOK</Cd></Sts>``, the debtor's
``Dbtr/Nm`` → ``Dbtr/Pty/Nm`` from .001.08). Elements are matched by local name, so any
namespace (any version) reads, and each renamed element is looked up under all its names.

Open readers often drop exactly what shows foreign money — the debtor's account and its
country, the debtor's bank, the ultimate debtor, the instructed amount in another currency,
the details of a batch entry. This one keeps them all (docs/finance-formats.md lists every
element read), and refuses rather than guesses: a file that is not well-formed (a truncated
one included), a missing required element, an amount that is not a decimal with at most the
currency's digits, a currency that is not ISO 4217, a batch whose details do not add up to
its entry, a reference used twice, balances that do not reconcile — each a
:class:`~.model.Problem` with its line, collected (up to :data:`~.model.MAX_PROBLEMS`) before
one :class:`~.model.StatementError`. Nothing is half-returned.

Hostile XML: parsed with defusedxml's parser and document type declarations forbidden, as
:func:`shailoo.common.safe_xml.parse_xml` does (no entity expansion, no external entity, no
DTD at all), with its depth bound, plus :data:`MAX_BYTES`. ``parse_xml`` keeps no element
lines, which a statement's problems need, so :func:`~.xmltree.parse_lined` builds the tree
with the same parser and protections and notes each element's line as expat reads its start
tag. Pure.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element

from shailoo.common.problems import Problem
from shailoo.common.safe_xml import local_name
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
from shailoo.finance.statements.xmltree import (
    account_id,
    bank_tx_code,
    find,
    first_text,
    kid,
    kids,
    parse_lined,
    text_at,
)

#: Largest statement file read, in bytes: a year of a busy fund's account is a few MB; the
#: parsed tree takes about ten times the file in memory.
MAX_BYTES = 200 * 1024 * 1024

__all__ = ["MAX_BYTES", "read_camt053"]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:Z|[+-][0-9]{2}:[0-9]{2})?")
_TRUE = {"true": True, "1": True, "false": False, "0": False}


class _Reader:
    """Reads one document's statements, collecting located problems as it goes."""

    def __init__(self, source: str, lines: dict[Element, int]) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def fail(self, element: Element | None, where: str, why: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            line = self.lines.get(element) if element is not None else None
            self.problems.append(Problem(where, why, line, self.source))

    # -- values --------------------------------------------------------------------------------

    def required(self, element: Element, path: str, where: str) -> str:
        text = text_at(element, path)
        if not text:
            self.fail(element, f"{where}/{path}", f"missing {path}")
        return text

    def amount(
        self, element: Element | None, where: str, currency: str = ""
    ) -> tuple[Decimal, str] | None:
        """An ``Amt``-like element's value and ``Ccy``; None (after a problem) if refused."""
        if element is None:
            return None
        code = clean_text(element.get("Ccy")) or currency
        text = clean_text(element.text)
        why = check_currency(code) if code else "missing currency (the Ccy attribute)"
        if why is not None:
            self.fail(element, where, why)
            return None
        value = parse_amount(text, code)
        if isinstance(value, str):
            self.fail(element, where, value)
            return None
        return value, code

    def day(self, element: Element | None, where: str) -> date | None:
        """The date of a ``Dt``/``DtTm`` choice (the day as written, in its own offset)."""
        if element is None:
            return None
        for name in ("Dt", "DtTm"):
            child = kid(element, name)
            if child is None:
                continue
            text = clean_text(child.text)
            try:
                if name == "Dt":
                    if _DATE.fullmatch(text) is None:
                        raise ValueError(text)
                    return date.fromisoformat(text[:10])
                if "T" not in text:
                    raise ValueError(text)
                return datetime.fromisoformat(text).date()
            except ValueError:
                self.fail(child, f"{where}/{name}", f"{text!r} is not a date (YYYY-MM-DD)")
                return None
        self.fail(element, where, "missing Dt or DtTm")
        return None

    def flag(self, element: Element | None, path: str, where: str) -> bool:
        text = text_at(element, path)
        if text and text not in _TRUE:
            self.fail(find(element, path), f"{where}/{path}", f"{text!r} is not true or false")
        return _TRUE.get(text, False)

    def direction(self, element: Element | None, where: str) -> bool | None:
        """``CdtDbtInd``: True for ``CRDT``, False for ``DBIT``, None when absent."""
        text = text_at(element, "CdtDbtInd")
        if not text:
            return None
        if text not in ("CRDT", "DBIT"):
            self.fail(kid(element, "CdtDbtInd"), f"{where}/CdtDbtInd", f"{text!r}: not CRDT/DBIT")
            return None
        return text == "CRDT"

    def bic(self, element: Element | None, where: str) -> str:
        """An agent's BIC: ``FinInstnId/BIC`` up to .001.02, ``FinInstnId/BICFI`` after."""
        for name in ("BICFI", "BIC"):
            found = find(element, f"FinInstnId/{name}")
            bic = clean_text(found.text) if found is not None else ""
            if bic:
                why = check_bic(bic)
                if why is not None:
                    self.fail(found, f"{where}/FinInstnId/{name}", why)
                    return ""
                return bic
        return ""

    def country(self, element: Element | None, path: str, where: str) -> str:
        code = text_at(element, path)
        why = check_country(code) if code else None
        if why is not None:
            self.fail(find(element, path), f"{where}/{path}", why)
            return ""
        return code

    def party(self, element: Element | None, where: str) -> Party:
        """A ``Dbtr``/``Cdtr``/``Ultmt*`` party: direct (.001.02-.07) or in ``Pty`` (.001.08+),
        or a financial institution in ``Agt``."""
        if element is None:
            return NO_PARTY
        agent = kid(element, "Agt")
        if agent is not None:
            bic = self.bic(agent, f"{where}/Agt")
            return Party(
                name=text_at(agent, "FinInstnId/Nm"),
                org_id=bic,
                id_scheme="BIC" if bic else "",
                country=self.country(agent, "FinInstnId/PstlAdr/Ctry", f"{where}/Agt"),
            )
        party = kid(element, "Pty")
        if party is not None:
            element, where = party, f"{where}/Pty"
        address = kid(element, "PstlAdr")
        parts = [
            text_at(address, name) for name in ("StrtNm", "BldgNb", "PstCd", "TwnNm", "CtrySubDvsn")
        ] + [clean_text(line.text) for line in kids(address, "AdrLine")]
        country = self.country(address, "Ctry", f"{where}/PstlAdr") or self.country(
            element, "CtryOfRes", where
        )
        ident = kid(element, "Id")
        person, org = kid(ident, "PrvtId"), kid(ident, "OrgId")
        person_id = org_id = scheme = ""
        born = None
        if person is not None:
            other = kid(person, "Othr")
            person_id, scheme = text_at(other, "Id"), self.scheme(other)
            birth = kid(kid(person, "DtAndPlcOfBirth"), "BirthDt")
            if birth is not None:
                born = self.daytext(birth, f"{where}/Id/PrvtId/DtAndPlcOfBirth/BirthDt")
        elif org is not None:
            other = kid(org, "Othr")
            org_id = text_at(other, "Id")
            scheme = self.scheme(other) if org_id else ""
            for name, label in (("LEI", "LEI"), ("AnyBIC", "BIC"), ("BICOrBEI", "BIC")):
                if not org_id:
                    org_id = text_at(org, name)
                    scheme = label if org_id else ""
        return Party(
            name=text_at(element, "Nm"),
            person_id=person_id,
            org_id=org_id,
            id_scheme=scheme,
            country=country,
            address=", ".join(part for part in parts if part),
            birth_date=born,
        )

    def daytext(self, element: Element, where: str) -> date | None:
        text = clean_text(element.text)
        try:
            if _DATE.fullmatch(text) is None:
                raise ValueError(text)
            return date.fromisoformat(text[:10])
        except ValueError:
            self.fail(element, where, f"{text!r} is not a date (YYYY-MM-DD)")
            return None

    @staticmethod
    def scheme(other: Element | None) -> str:
        return first_text(other, "SchmeNm/Cd", "SchmeNm/Prtry", "Issr")

    # -- the document --------------------------------------------------------------------------

    def document(self, root: Element) -> list[Statement]:
        body = next((e for e in root.iter() if local_name(e.tag) == "BkToCstmrStmt"), None)
        if body is None:
            found = local_name(root.tag)
            for other in ("BkToCstmrAcctRpt", "BkToCstmrDbtCdtNtfctn"):
                if any(local_name(e.tag) == other for e in root.iter()):
                    found = other
            why = f"not a camt.053 statement: no BkToCstmrStmt (found {found})"
            self.fail(root, "Document", why)
            return []
        statements = []
        for number, element in enumerate(kids(body, "Stmt"), start=1):
            before = len(self.problems)
            statement = self.statement(element, f"Stmt[{number}]")
            if statement is not None:
                statements.append(statement)
            elif len(self.problems) == before:  # never skip a statement without a word
                self.fail(element, f"Stmt[{number}]", "the statement cannot be read")
        if not kids(body, "Stmt"):
            self.fail(body, "BkToCstmrStmt", "no statement (Stmt) in the document")
        return statements

    def statement(self, stmt: Element, where: str) -> Statement | None:
        statement_id = self.required(stmt, "Id", where)
        account_el = kid(stmt, "Acct")
        account = account_id(account_el)
        if not account:
            self.fail(
                account_el if account_el is not None else stmt, f"{where}/Acct", "missing Acct/Id"
            )
        currency = text_at(account_el, "Ccy")
        balances = self.balances(stmt, where, currency)
        if balances is None:
            return None
        opening, opening_day, closing, closing_day, currency = balances
        span = kid(stmt, "FrToDt")
        from_day = self.moment_day(span, "FrDtTm", where) or opening_day
        to_day = self.moment_day(span, "ToDtTm", where) or closing_day
        transactions: list[Transaction] = []
        entries = kids(stmt, "Ntry")
        for number, entry in enumerate(entries, start=1):
            before = len(self.problems)
            read = self.entry(
                entry, f"{where}/Ntry[{number}]", account, currency, statement_id, number
            )
            if not read and len(self.problems) == before:  # never skip an entry without a word
                self.fail(entry, f"{where}/Ntry[{number}]", "the entry cannot be read")
            transactions.extend(read)
        self.check_summary(stmt, where, len(entries))
        return Statement(
            statement_id=statement_id,
            account=account,
            account_currency=currency,
            owner_name=first_text(account_el, "Ownr/Nm", "Ownr/Pty/Nm"),
            servicer_bic=self.bic(kid(account_el, "Svcr"), f"{where}/Acct/Svcr"),
            from_date=from_day,
            to_date=to_day,
            opening_balance=opening,
            closing_balance=closing,
            transactions=tuple(transactions),
            entries_count=len(entries),
            source=self.source,
            line=self.lines.get(stmt, 0),
        )

    def moment_day(self, span: Element | None, name: str, where: str) -> date | None:
        element = kid(span, name)
        if element is None:
            return None
        text = clean_text(element.text)
        try:
            return datetime.fromisoformat(text).date()
        except ValueError:
            self.fail(element, f"{where}/FrToDt/{name}", f"{text!r} is not a date and time")
            return None

    def balances(
        self, stmt: Element, where: str, currency: str
    ) -> tuple[Decimal, date, Decimal, date, str] | None:
        """Opening (``OPBD``, else ``PRCD``) and closing (``CLBD``) booked balances, signed,
        with their days, and the account's currency (``Acct/Ccy``, else the opening's)."""
        found: dict[str, Element] = {}
        for balance in kids(stmt, "Bal"):
            code = first_text(balance, "Tp/CdOrPrtry/Cd", "Tp/Cd")
            found.setdefault(code, balance)
        opening_el = found.get("OPBD", found.get("PRCD"))
        closing_el = found.get("CLBD")
        if opening_el is None:
            self.fail(stmt, f"{where}/Bal", "no opening booked balance (OPBD or PRCD)")
        if closing_el is None:
            self.fail(stmt, f"{where}/Bal", "no closing booked balance (CLBD)")
        if opening_el is None or closing_el is None:
            return None
        values = []
        for balance, label in ((opening_el, "opening"), (closing_el, "closing")):
            place = f"{where}/Bal({label})"
            amount = self.amount(kid(balance, "Amt"), f"{place}/Amt")
            credit = self.direction(balance, place)
            day = self.day(kid(balance, "Dt"), f"{place}/Dt")
            if kid(balance, "Amt") is None:
                self.fail(balance, f"{place}/Amt", "missing Amt")
            if credit is None and kid(balance, "CdtDbtInd") is None:
                self.fail(balance, f"{place}/CdtDbtInd", "missing CdtDbtInd")
            if kid(balance, "Dt") is None:
                self.fail(balance, f"{place}/Dt", "missing Dt")
            if amount is None or credit is None or day is None:
                return None
            value, code = amount
            currency = currency or code
            if code != currency:
                why = f"the {label} balance is in {code}, the account in {currency}"
                self.fail(kid(balance, "Amt"), f"{place}/Amt", why)
            values.append((value if credit else -value, day))
        refused = check_currency(currency)
        if refused is not None:
            self.fail(stmt, f"{where}/Acct/Ccy", refused)
            return None
        (opening, opening_day), (closing, closing_day) = values
        return opening, opening_day, closing, closing_day, currency

    def check_summary(self, stmt: Element, where: str, entries: int) -> None:
        """The statement's own count of entries (``TxsSummry/TtlNtries/NbOfNtries``), when it
        gives one, must be the number of entries read: a list cut or doubled is refused."""
        element = find(stmt, "TxsSummry/TtlNtries/NbOfNtries")
        if element is None:
            return
        text = clean_text(element.text)
        if text != str(entries):
            why = f"the statement counts {text} entries, but holds {entries}"
            self.fail(element, f"{where}/TxsSummry/TtlNtries/NbOfNtries", why)

    # -- entries -------------------------------------------------------------------------------

    def entry(
        self,
        ntry: Element,
        where: str,
        account: str,
        currency: str,
        statement_id: str,
        number: int,
    ) -> list[Transaction]:
        amount_el = kid(ntry, "Amt")
        if amount_el is None:
            self.fail(ntry, f"{where}/Amt", "missing Amt")
        amount = self.amount(amount_el, f"{where}/Amt")
        credit = self.direction(ntry, where)
        if credit is None and kid(ntry, "CdtDbtInd") is None:
            self.fail(ntry, f"{where}/CdtDbtInd", "missing CdtDbtInd")
        status = first_text(ntry, "Sts/Cd", "Sts")
        if status not in STATUSES:
            proprietary = text_at(ntry, "Sts/Prtry")
            why = (
                f"proprietary status {proprietary!r}: whether it is booked cannot be told"
                if proprietary
                else f"status {status!r} is not one of {', '.join(sorted(STATUSES))}"
                if status
                else "missing Sts"
            )
            sts = kid(ntry, "Sts")
            self.fail(ntry if sts is None else sts, f"{where}/Sts", why)
        if amount is not None and amount[1] != currency:
            self.fail(amount_el, f"{where}/Amt", f"in {amount[1]}, the account in {currency}")
        if amount is None or credit is None or status not in STATUSES:
            return []
        value = amount[0]
        entry_ref = first_text(ntry, "AcctSvcrRef", "NtryRef") or f"{statement_id}/{number}"
        base = Transaction(
            entry_ref=entry_ref,
            account=account,
            amount=value,
            currency=currency,
            credit=credit,
            status=status,
            reversal=self.flag(ntry, "RvslInd", where),
            booking_date=self.day(kid(ntry, "BookgDt"), f"{where}/BookgDt"),
            value_date=self.day(kid(ntry, "ValDt"), f"{where}/ValDt"),
            info=text_at(ntry, "AddtlNtryInf"),
            bank_tx_code=bank_tx_code(kid(ntry, "BkTxCd")),
            line=self.lines.get(ntry, 0),
        )
        details = [d for group in kids(ntry, "NtryDtls") for d in kids(group, "TxDtls")]
        if not details:
            instructed = self.instructed(kid(ntry, "AmtDtls"), where)
            return [self.with_instructed(base, instructed)]
        if len(details) == 1:
            return [self.single(base, ntry, details[0], f"{where}/NtryDtls/TxDtls")]
        return self.batch(base, amount_el, details, where)

    def instructed(self, details: Element | None, where: str) -> tuple[Decimal, str] | None:
        element = find(details, "InstdAmt/Amt")
        return self.amount(element, f"{where}/AmtDtls/InstdAmt/Amt")

    @staticmethod
    def with_instructed(tx: Transaction, instructed: tuple[Decimal, str] | None) -> Transaction:
        if instructed is None:
            return tx
        return _replace(tx, instructed_amount=instructed[0], instructed_currency=instructed[1])

    def detail_amount(self, detail: Element, where: str) -> tuple[Element, Decimal, str] | None:
        """A detail's own booked amount: ``TxDtls/Amt`` (.001.04+), else
        ``AmtDtls/TxAmt/Amt`` (.001.02)."""
        for path in ("Amt", "AmtDtls/TxAmt/Amt"):
            element = find(detail, path)
            if element is not None:
                amount = self.amount(element, f"{where}/{path}")
                return None if amount is None else (element, amount[0], amount[1])
        return None

    def single(self, base: Transaction, ntry: Element, detail: Element, where: str) -> Transaction:
        """An entry with one detail: the entry's amount and direction, the detail's parties.

        A detail amount in the entry's currency must be the entry's amount, and a detail's
        direction the entry's; one in another currency is not the booked amount and is left.
        """
        own = self.detail_amount(detail, where)
        if own is not None and own[2] == base.currency and own[1] != base.amount:
            why = f"the detail says {own[1]} {own[2]}, its entry {base.amount} {base.currency}"
            self.fail(own[0], where, why)
        credit = self.direction(detail, where)
        if credit is not None and credit != base.credit:
            why = "the detail's CdtDbtInd contradicts its entry's"
            self.fail(kid(detail, "CdtDbtInd"), f"{where}/CdtDbtInd", why)
        tx = self.detailed(base, detail, where, base.entry_ref)
        if tx.instructed_amount is None:
            tx = self.with_instructed(tx, self.instructed(kid(ntry, "AmtDtls"), where))
        return tx

    def batch(
        self, base: Transaction, amount_el: Element | None, details: list[Element], where: str
    ) -> list[Transaction]:
        """A batch entry: one transaction per detail, each with its own amount in the
        entry's currency, the signed amounts adding up to the entry's."""
        transactions: list[Transaction] = []
        refs: set[str] = {base.entry_ref}
        total = Decimal(0)
        complete = True
        for number, detail in enumerate(details, start=1):
            place = f"{where}/NtryDtls/TxDtls[{number}]"
            own = self.detail_amount(detail, place)
            if own is None:
                if find(detail, "Amt") is None and find(detail, "AmtDtls/TxAmt/Amt") is None:
                    self.fail(detail, place, "a detail of a batch entry without its amount")
                complete = False
                continue
            element, value, code = own
            if code != base.currency:
                why = f"a batch detail in {code}: the entry is in {base.currency}"
                self.fail(element, place, why)
                complete = False
                continue
            credit = self.direction(detail, place)
            credit = base.credit if credit is None else credit
            total += value if credit else -value
            ref = text_at(detail, "Refs/AcctSvcrRef")
            if not ref or ref in refs:
                ref = f"{base.entry_ref}/{number}"
            refs.add(ref)
            tx = _replace(base, amount=value, credit=credit, batch=True)
            transactions.append(self.detailed(tx, detail, place, ref))
        if complete and total != base.signed_amount:
            why = (
                f"its details add up to {total} {base.currency}, the entry is {base.signed_amount}"
            )
            self.fail(amount_el, f"{where}/Amt", why)
        return transactions

    def detailed(self, tx: Transaction, detail: Element, where: str, ref: str) -> Transaction:
        """``tx`` with what a ``TxDtls`` says: parties, accounts, banks, remittance, codes."""
        parties = kid(detail, "RltdPties")
        agents = kid(detail, "RltdAgts")
        debtor = self.party(kid(parties, "Dbtr"), f"{where}/RltdPties/Dbtr")
        creditor = self.party(kid(parties, "Cdtr"), f"{where}/RltdPties/Cdtr")
        debtor_account = account_id(kid(parties, "DbtrAcct"))
        creditor_account = account_id(kid(parties, "CdtrAcct"))
        debtor_bic = self.bic(kid(agents, "DbtrAgt"), f"{where}/RltdAgts/DbtrAgt")
        creditor_bic = self.bic(kid(agents, "CdtrAgt"), f"{where}/RltdAgts/CdtrAgt")
        instructed = self.instructed(kid(detail, "AmtDtls"), where)
        remittance = kid(detail, "RmtInf")
        texts = [clean_text(u.text) for u in kids(remittance, "Ustrd")]
        for structured in kids(remittance, "Strd"):
            texts.append(text_at(structured, "CdtrRefInf/Ref"))
            texts.extend(clean_text(a.text) for a in kids(structured, "AddtlRmtInf"))
        return _replace(
            tx,
            entry_ref=ref,
            instructed_amount=instructed[0] if instructed else tx.instructed_amount,
            instructed_currency=instructed[1] if instructed else tx.instructed_currency,
            debtor=debtor,
            ultimate_debtor=self.party(kid(parties, "UltmtDbtr"), f"{where}/RltdPties/UltmtDbtr"),
            debtor_account=debtor_account,
            debtor_account_country=account_country(debtor_account, debtor_bic, debtor.country),
            debtor_agent_bic=debtor_bic,
            debtor_agent_name=text_at(agents, "DbtrAgt/FinInstnId/Nm"),
            creditor=creditor,
            ultimate_creditor=self.party(kid(parties, "UltmtCdtr"), f"{where}/RltdPties/UltmtCdtr"),
            creditor_account=creditor_account,
            creditor_account_country=account_country(
                creditor_account, creditor_bic, creditor.country
            ),
            creditor_agent_bic=creditor_bic,
            remittance=" ".join(text for text in texts if text),
            info=text_at(detail, "AddtlTxInf") or tx.info,
            bank_tx_code=bank_tx_code(kid(detail, "BkTxCd")) or tx.bank_tx_code,
            end_to_end_id=text_at(detail, "Refs/EndToEndId"),
            line=self.lines.get(detail, tx.line),
        )


def _replace(tx: Transaction, **changes: Any) -> Transaction:
    return replace(tx, **changes)


def read_camt053(data: bytes, source: str = "", *, max_bytes: int = MAX_BYTES) -> list[Statement]:
    """Every statement of the camt.053 document ``data`` (any version), reconciled.

    Refused with :class:`~.model.StatementError` (every problem located by line, nothing
    returned): more than ``max_bytes`` (``statement_too_large``); hostile or malformed XML,
    truncation included; a missing required element or a value the format does not allow;
    a batch whose details do not add up; an ``(account, entry_ref)`` met twice
    (``statement_invalid``); balances that do not reconcile (``statement_unreconciled``).
    """
    if len(data) > max_bytes:
        why = f"{len(data)} bytes is more than the {max_bytes} allowed"
        raise StatementError([Problem("", why, None, source)], code="statement_too_large")
    root, lines = parse_lined(data, source)
    reader = _Reader(source, lines)
    statements = reader.document(root)
    problems = reader.problems + check_unique_refs(statements)
    if problems:
        raise StatementError(problems[:MAX_PROBLEMS])
    reconcile(statements)
    return statements
