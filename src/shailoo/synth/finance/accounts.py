"""Banks, accounts and identifiers as banks write them: ISO 13616 IBANs, Kyrgyz 16-digit
accounts, BICs, and the scrambled 12-digit entry references.

Each is a pure function of its key (never of a generator's state), so that the same person or
entity has the same account wherever the planted cases or the stream draw it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

CENT = Decimal("0.01")
RATES = {"USD": Decimal("87.45"), "EUR": Decimal("95.30")}


@dataclass(frozen=True, slots=True)
class Bank:
    """A bank: BIC (letters 5-6 its country), name and, for a Kyrgyz bank, the 3-digit
    prefix of its 16-digit accounts."""

    bic: str
    name: str
    code: str = ""


#: The banks the CEC designates for election funds (invented names and BICs).
DESIGNATED_BANKS: tuple[Bank, ...] = (
    Bank("MKBAKG22", "ОАО «Мамлекеттик Кредит Банкы»", "135"),
    Bank("ELBKKG22", "ОАО «Эл Банкы»", "129"),
)
KG_BANKS: tuple[Bank, ...] = (
    *DESIGNATED_BANKS,
    Bank("ALTOKG22", "ЗАО «Ала-Тоо Банк»", "118"),
    Bank("TNRBKG22", "ОАО «Теңир Банк»", "109"),
    Bank("BKTBKG22", "ЗАО «Бакыт Банк»", "124"),
    Bank("SOZNKG22", "ОАО «Сары-Өзөн Банк»", "128"),
    Bank("NRNBKG22", "ЗАО «Нарын Банк»", "103"),
)
FOREIGN_BANKS: dict[str, Bank] = {
    "RU": Bank("VLGKRUMM", "АО «Волга Кредит Банк»"),
    "KZ": Bank("STPBKZKA", "АО «Степной Банк»"),
    "DE": Bank("HNSBDEFF", "Hansa Privatbank AG"),
    "US": Bank("BYLKUS33", "Bay Lake Bank N.A."),
    "TR": Bank("ANDLTRIS", "Anadolu Ticaret Bankası A.Ş."),
    "CN": Bank("SLKRCNBJ", "Silk Road Commercial Bank Co., Ltd."),
    "AE": Bank("GLFDAEAD", "Gulf Desert Bank PJSC"),
    "GB": Bank("THMSGB2L", "Thames Merchant Bank plc"),
    "CY": Bank("TRDSCY2N", "Troodos Cooperative Bank Ltd"),
    "UZ": Bank("SMRKUZ22", "Samarkand Savdo Bank"),
}
#: Lengths of the BBAN of the IBAN countries used here (ISO 13616 registry).
_BBAN = {"DE": 18, "KZ": 16, "TR": 22, "AE": 19, "GB": 18, "CY": 24}


def key_digits(key: str, n: int) -> str:
    """``n`` decimal digits fixed by ``key`` (n at most 38)."""
    value = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=16).digest(), "big")
    return f"{value % 10**n:0{n}d}"


def iban(country: str, bban: str) -> str:
    """The IBAN of ``bban`` in ``country``, with its ISO 13616 check digits (mod 97)."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def foreign_account(country: str, key: str, *, company: bool = False) -> str:
    """An account in ``country``: an IBAN where the country has one, else its own format
    (Russia: 20 digits, 40817 a person's, 40702 a company's; the US: 12 digits)."""
    if country in _BBAN:
        bban = key_digits(f"bban:{country}:{key}", _BBAN[country])
        if country == "GB":
            bban = FOREIGN_BANKS["GB"].bic[:4] + bban[4:]
        return iban(country, bban)
    if country == "RU":
        return ("40702810" if company else "40817810") + key_digits(f"ru:{key}", 12)
    if country == "US":
        return key_digits(f"us:{key}", 12)
    return key_digits(f"acct:{country}:{key}", 20)


def kg_account(bank: Bank, key: str) -> str:
    """A Kyrgyz bank's 16-digit account: the bank's 3-digit prefix and 13 digits."""
    return bank.code + key_digits(f"kg:{key}", 13)


def kg_bank(key: str) -> Bank:
    return KG_BANKS[int(key_digits(f"bank:{key}", 6)) % len(KG_BANKS)]


def account_country(account: str, bic: str) -> str:
    """The country of an account: an IBAN's first two letters, else the bank's (BIC)."""
    if len(account) > 4 and account[:2].isalpha() and account[2:4].isdigit():
        return account[:2]
    return bic[4:6] if len(bic) >= 6 else ""


_REF_MOD = 10**12
_REF_MUL = 847_288_609_443  # 3**25: coprime to 10**12, so the map below is a bijection


def entry_ref(seed: int, fund_index: int, serial: int) -> str:
    """The bank's 12-digit reference of a fund's ``serial``-th entry: unique across funds,
    and scrambled so that nothing in it says which entries were planted."""
    if not 0 <= serial < 10_000_000 or not 0 <= fund_index < 100_000:
        raise ValueError("too many entries or funds for 12-digit references")
    key = fund_index * 10_000_000 + serial
    return f"{(key * _REF_MUL + seed * 7919 + 12_345) % _REF_MOD:012d}"


def som(value: int | Decimal) -> Decimal:
    return Decimal(value).quantize(CENT)
