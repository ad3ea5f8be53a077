"""What a bank statement says, whatever format it came in: statements, transactions, parties.

Both readers (camt.053 of any version, Shailoo's CSV) give the same frozen values, so the
import, the screen and the tests compare them field by field. Everything that can reveal
where money came from is kept: the debtor *and* the ultimate debtor, their identifiers, the
debtor's account and its country, the debtor's bank, the instructed amount in the payer's
currency. ``line`` (where a transaction starts in its file) and ``source`` (the file) locate
problems but are not part of a value's identity: the same transaction read from camt and
from CSV compares equal.

Also here: the checks both readers share — ISO 4217 currencies and their minor units, amounts,
IBAN (mod-97) and BIC shapes, the account country rule — and :func:`reconcile`, which refuses
a statement whose balances do not add up. Pure: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from shailoo.common.problems import Problem
from shailoo.common.refusals import InvalidInput

#: Most problems a reader collects before it refuses (the rest are counted, not kept).
MAX_PROBLEMS = 100

#: Entry statuses of ISO 20022 (ExternalEntryStatus1Code): booked, pending, information,
#: future. Only ``BOOK`` moves the balance.
STATUSES = frozenset({"BOOK", "PDNG", "INFO", "FUTR"})

# ISO 4217 currency codes (active, and a few withdrawn recently enough to appear on old
# statements) with the number of digits after the decimal point: 2 unless listed below.
_CURRENCIES_2 = (
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP "
    "BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR "
    "FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR "
    "KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR "
    "MZN NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK "
    "SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN "
    "UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL"
)
_CURRENCIES_0 = "BIF BYR CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
_CURRENCIES_3 = "BHD IQD JOD KWD LYD OMR TND"
_CURRENCIES_4 = "CLF UYW"
#: Digits after the decimal point of each accepted ISO 4217 currency.
MINOR_UNITS: dict[str, int] = {
    **{code: 2 for code in _CURRENCIES_2.split()},
    **{code: 0 for code in _CURRENCIES_0.split()},
    **{code: 3 for code in _CURRENCIES_3.split()},
    **{code: 4 for code in _CURRENCIES_4.split()},
}

# ISO 20022 DecimalNumber as amounts use it: at most 18 digits, at most 5 after the point.
_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_BIC = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}(?:[A-Z0-9]{3})?")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_SPACES = re.compile(r"\s+")


class StatementError(InvalidInput):
    """A statement file refused: every located problem found, and nothing of it returned.

    ``code`` is ``statement_invalid`` (the file or a value in it is wrong),
    ``statement_unreconciled`` (the balances do not add up) or ``statement_too_large``.
    """

    def __init__(self, problems: Sequence[Problem], *, code: str = "statement_invalid") -> None:
        first = problems[0] if problems else Problem("", "refused")
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(code, f"bank statement refused: {first}{more}", problems=problems)


@dataclass(frozen=True, slots=True)
class Party:
    """A debtor, creditor or ultimate party as the bank wrote it ("" where absent).

    ``person_id``: a private person's identifier (PrvtId/Othr/Id); ``org_id``: an
    organisation's (OrgId/Othr/Id, else LEI, else AnyBIC); ``id_scheme``: the identifier's
    scheme code (``NIDN``, ``TXID``...), else its proprietary scheme name, else its issuer,
    ``LEI`` or ``BIC``. ``country``: of the postal address, else of residence.
    """

    name: str = ""
    person_id: str = ""
    org_id: str = ""
    id_scheme: str = ""
    country: str = ""
    address: str = ""
    birth_date: date | None = None

    @property
    def id(self) -> str:
        """The person's identifier, else the organisation's: "" for an unidentified party."""
        return self.person_id or self.org_id


NO_PARTY = Party()


@dataclass(frozen=True, slots=True)
class Transaction:
    """One movement of money on the fund's account: one entry, or one detail of a batch entry.

    ``amount``/``currency`` is what was booked on the account for this transaction (always in
    the account's currency); ``instructed_amount``/``instructed_currency`` is what the payer
    sent (a transfer in dollars to a som account keeps its dollars here). ``credit`` is the
    direction on the account (money in); ``reversal`` marks a reversal of an earlier entry
    (a returned credit is a *debit* with ``reversal``). ``entry_ref`` is unique per account:
    the key that makes import idempotent (see docs/finance-formats.md for the rule).
    ``*_account_country`` is the account's country: from the IBAN when the account is a valid
    IBAN, else from its bank's BIC, else from the party's address.
    """

    entry_ref: str
    account: str
    amount: Decimal
    currency: str
    credit: bool
    status: str
    instructed_amount: Decimal | None = None
    instructed_currency: str = ""
    reversal: bool = False
    booking_date: date | None = None
    value_date: date | None = None
    debtor: Party = NO_PARTY
    ultimate_debtor: Party = NO_PARTY
    debtor_account: str = ""
    debtor_account_country: str = ""
    debtor_agent_bic: str = ""
    debtor_agent_name: str = ""
    creditor: Party = NO_PARTY
    ultimate_creditor: Party = NO_PARTY
    creditor_account: str = ""
    creditor_account_country: str = ""
    creditor_agent_bic: str = ""
    remittance: str = ""
    info: str = ""
    bank_tx_code: str = ""
    end_to_end_id: str = ""
    batch: bool = False
    line: int = field(default=0, compare=False)

    @property
    def booked(self) -> bool:
        """Whether the transaction moved the booked balance (status ``BOOK``)."""
        return self.status == "BOOK"

    @property
    def incoming(self) -> bool:
        """Whether the underlying payment was money in: a credit, or the reversal of a debit.

        A reversal carries the parties of the payment it undoes, so a returned donation
        (a debit with ``reversal``) still names the donor as debtor.
        """
        return self.credit != self.reversal

    @property
    def counterparty(self) -> Party:
        """The other side: the debtor of money in, the creditor of money out.

        The ultimate party is not substituted: it is kept in ``ultimate_debtor`` /
        ``ultimate_creditor`` for the screen to weigh.
        """
        return self.debtor if self.incoming else self.creditor

    @property
    def counterparty_account(self) -> str:
        return self.debtor_account if self.incoming else self.creditor_account

    @property
    def counterparty_country(self) -> str:
        """The country of the counterparty's account (see the class docstring)."""
        return self.debtor_account_country if self.incoming else self.creditor_account_country

    @property
    def counterparty_id(self) -> str:
        """The counterparty's person id, else its organisation id ("" when it has none)."""
        return self.counterparty.id

    @property
    def ultimate_counterparty(self) -> Party:
        return self.ultimate_debtor if self.incoming else self.ultimate_creditor

    @property
    def signed_amount(self) -> Decimal:
        """The amount as it moves the balance: positive for a credit, negative for a debit."""
        return self.amount if self.credit else -self.amount


@dataclass(frozen=True, slots=True)
class Statement:
    """One account statement: the fund's account, its balances and its transactions.

    Balances are signed (a debit balance is negative). ``entries_count`` is the number of
    the bank's entries (a batch entry counts once, however many transactions it holds).
    """

    statement_id: str
    account: str
    account_currency: str
    owner_name: str
    servicer_bic: str
    from_date: date
    to_date: date
    opening_balance: Decimal
    closing_balance: Decimal
    transactions: tuple[Transaction, ...]
    entries_count: int
    source: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)


# --- shared checks ---------------------------------------------------------------------------


def clean_text(text: str | None) -> str:
    """Text as kept: runs of white space (line ends included) made one space, ends trimmed."""
    if not text:
        return ""
    return _SPACES.sub(" ", text).strip()


def check_currency(code: str) -> str | None:
    """Why ``code`` is not an accepted ISO 4217 currency code, or None."""
    if code in MINOR_UNITS:
        return None
    if re.fullmatch(r"[A-Z]{3}", code):
        return f"{code!r} is not an ISO 4217 currency code"
    return f"{code!r} is not an ISO 4217 currency code (three capital letters)"


def parse_amount(text: str, currency: str) -> Decimal | str:
    """The amount ``text`` in ``currency``, or why it is refused.

    Accepted: digits, optionally a point and more digits (no sign, exponent or grouping);
    at most 18 digits in all and 5 after the point, as ISO 20022 allows; and no more digits
    after the point than the currency has minor units, trailing zeros aside (``100.50`` and
    ``100.500`` KGS, ``2700`` JPY — not ``100.505`` KGS or ``2700.5`` JPY). The Decimal keeps
    the digits as written, so ``str()`` gives the text back.
    """
    match = _AMOUNT.fullmatch(text)
    if match is None:
        return f"{text!r} is not an amount (digits, optionally a point and digits)"
    whole, fraction = match.group(1), match.group(2) or ""
    if len(whole) + len(fraction) > 18 or len(fraction) > 5:
        return f"{text!r} has more than 18 digits, or more than 5 after the point"
    digits = MINOR_UNITS.get(currency)
    if digits is not None and len(fraction.rstrip("0")) > digits:
        return f"{text!r} has more decimal places than {currency} allows ({digits})"
    return Decimal(text)


def check_bic(bic: str) -> str | None:
    """Why ``bic`` is not a BIC (ISO 9362: 8 or 11 characters, letters 5-6 a country), or None."""
    if _BIC.fullmatch(bic) is None:
        return f"{bic!r} is not a BIC (8 or 11 capital letters and digits)"
    return None


def check_country(code: str) -> str | None:
    """Why ``code`` is not an ISO 3166-1 alpha-2 shape (two capital letters), or None."""
    if _COUNTRY.fullmatch(code) is None:
        return f"{code!r} is not a country code (two capital letters)"
    return None


def iban_country(account: str) -> str:
    """The country of ``account`` when it is a valid IBAN (shape and mod-97 check), else "".

    Kyrgyz accounts are not IBANs (Kyrgyzstan has none), so a 16-digit Kyrgyz account gives
    "": its country then comes from the bank's BIC.
    """
    compact = account.replace(" ", "").upper()
    if _IBAN.fullmatch(compact) is None:
        return ""
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return compact[:2] if int(number) % 97 == 1 else ""


def account_country(account: str, agent_bic: str, party_country: str) -> str:
    """The country of an account: its IBAN's, else its bank's BIC's, else its owner's address."""
    return iban_country(account) or (agent_bic[4:6] if agent_bic else "") or party_country


def reconcile(statements: Iterable[Statement]) -> None:
    """Refuse (``statement_unreconciled``) unless, for every statement, the opening balance
    plus booked credits minus booked debits is the closing balance.

    Only booked transactions count: pending and information entries do not move the booked
    balance. A batch's transactions add up to its entry (the camt reader checks), so summing
    transactions is summing entries.
    """
    problems: list[Problem] = []
    for statement in statements:
        credits = sum(
            (t.amount for t in statement.transactions if t.booked and t.credit), Decimal(0)
        )
        debits = sum(
            (t.amount for t in statement.transactions if t.booked and not t.credit), Decimal(0)
        )
        computed = statement.opening_balance + credits - debits
        if computed != statement.closing_balance:
            difference = statement.closing_balance - computed
            currency = statement.account_currency
            why = (
                f"opening balance {statement.opening_balance} + booked credits {credits} "
                f"- booked debits {debits} = {computed} {currency}, but the closing balance "
                f"is {statement.closing_balance}: a difference of {difference} {currency}"
            )
            where = f"statement {statement.statement_id}"
            problems.append(Problem(where, why, statement.line or None, statement.source))
    if problems:
        raise StatementError(problems, code="statement_unreconciled")


def check_unique_refs(statements: Iterable[Statement]) -> list[Problem]:
    """A problem for each transaction whose ``(account, entry_ref)`` an earlier one has:
    import is idempotent by that key, so a repeated key would drop money silently."""
    seen: dict[tuple[str, str], Transaction] = {}
    problems: list[Problem] = []
    for statement in statements:
        for tx in statement.transactions:
            key = (tx.account, tx.entry_ref)
            first = seen.setdefault(key, tx)
            if first is not tx:
                why = f"entry reference {tx.entry_ref!r} already used on line {first.line}"
                problems.append(Problem("entry_ref", why, tx.line or None, statement.source))
    return problems
