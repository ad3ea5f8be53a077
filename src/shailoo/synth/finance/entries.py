"""How money in and out of a fund reads on a bank statement: the remittance texts banks
carry, and the entries of a person's gift, an entity's and a payment to a supplier.

Shared by the planted cases and the background stream, so that a planted entry reads like any
other and nothing but its substance gives it away.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from .accounts import entry_ref, key_digits, kg_account, kg_bank
from .names import full_name
from .rows import EntityRow, FundRow, PersonLike, TxRow

REMIT_PERSON = (
    "Добровольное пожертвование в избирательный фонд",
    "Добровольное пожертвование в избирательный фонд кандидата",
    "Пожертвование в избирательный фонд",
    "Шайлоо фондуна ыктыярдуу салым",
    "Талапкердин шайлоо фондуна ыктыярдуу салым",
    "Взнос в избирательный фонд",
)
BATCH_TEXT = "Пожертвование через интернет-банкинг"
VIA_AGENT = "Пожертвование в избирательный фонд через платежный сервис"
PARTY_OWN = "Собственные средства политической партии"
CANDIDATE_OWN = "Собственные средства кандидата на формирование избирательного фонда"
FROM_PARTY = "Перечисление средств партии в избирательный фонд кандидата"
REMIT_COMPANY = (
    "Добровольное пожертвование юридического лица в избирательный фонд",
    "Юридикалык жактын шайлоо фондуна ыктыярдуу салымы",
    "Пожертвование в избирательный фонд согласно решению учредителей",
)
_REMIT_SPEND: dict[str, tuple[str, ...]] = {
    "printing": (
        "Оплата за печать агитационных листовок по договору № {n} от {d}",
        "Оплата за изготовление баннеров и плакатов по счету № {n}",
        "Үгүт баракчаларын басып чыгаруу үчүн төлөм, келишим № {n}",
    ),
    "media": (
        "Оплата эфирного времени на телеканале по договору № {n} от {d}",
        "Оплата за публикацию агитационных материалов в газете, счет № {n}",
        "Радио эфир убактысы үчүн төлөм, келишим № {n}",
    ),
    "advertising": (
        "Оплата за размещение наружной рекламы (билборды), договор № {n}",
        "Оплата таргетированной рекламы в социальных сетях, счет № {n}",
    ),
    "campaign_services": (
        "Оплата услуг агитатора по договору № {n} от {d}",
        "Оплата услуг по организации встреч с избирателями, договор № {n}",
        "Үгүтчүнүн кызматы үчүн төлөм, келишим № {n}",
    ),
    "rent": (
        "Арендная плата за помещение штаба по договору № {n}",
        "Штаб үчүн ижара акысы, келишим № {n}",
    ),
    "transport": (
        "Оплата транспортных услуг по договору № {n}",
        "Аренда автотранспорта для агитационной поездки, счет № {n}",
    ),
    "other": ("Оплата услуг связи, счет № {n}", "Оплата канцелярских товаров, счет № {n}"),
}


def person_credit(
    ref: str, fund: FundRow, day: date, amount: Decimal, p: PersonLike, remittance: str
) -> TxRow:
    """Money from a person of the register: name, PIN, address, a Kyrgyz account."""
    bank = kg_bank(p.pin)
    return TxRow(
        ref, fund.account, day, amount, True, value_date=day, name=full_name(p),
        person_id=p.pin, id_scheme="NIDN", address=p.address, counterparty_country="KG",
        account=kg_account(bank, p.pin), account_country="KG", agent_bic=bank.bic,
        agent_name=bank.name, remittance=remittance, end_to_end_id=key_digits(f"e2e:{ref}", 10),
    )  # fmt: skip


def entity_credit(
    seed: int, k: int, serial: int, fund: FundRow, day: date, amount: Decimal, e: EntityRow
) -> TxRow:
    bank = kg_bank(e.inn)
    return TxRow(
        entry_ref(seed, k, serial),
        fund.account,
        day,
        amount,
        True,
        value_date=day,
        name=e.name,
        org_id=e.inn,
        id_scheme="TXID",
        address=e.address,
        counterparty_country=e.country if e.country else "KG",
        account=kg_account(bank, e.inn),
        account_country="KG",
        agent_bic=bank.bic,
        agent_name=bank.name,
        remittance=REMIT_COMPANY[0],
        end_to_end_id=key_digits(f"e2e:{e.inn}:{day}:{amount}:{serial}", 10),
    )


def payment(
    seed: int,
    k: int,
    serial: int,
    fund: FundRow,
    day: date,
    amount: Decimal,
    e: EntityRow | PersonLike,
    purpose: str,
    rng: random.Random,
) -> TxRow:
    """Money out of a fund to a supplier (an entity) or a person paid for a service."""
    key = e.inn if isinstance(e, EntityRow) else e.pin
    bank = kg_bank(key)
    text = rng.choice(_REMIT_SPEND[purpose]).format(
        n=f"{rng.randint(1, 400)}/{day:%y}",
        d=f"{day - timedelta(days=rng.randint(1, 20)):%d.%m.%Y}",
    )
    if isinstance(e, EntityRow):
        name, person_id, org_id, scheme = e.name, "", e.inn, "TXID"
        address, country = e.address, e.country
    else:
        name, person_id, org_id, scheme = full_name(e), e.pin, "", "NIDN"
        address, country = "", "KG"
    return TxRow(
        entry_ref(seed, k, serial), fund.account, day, amount, False, value_date=day,
        name=name, person_id=person_id, org_id=org_id, id_scheme=scheme, address=address,
        counterparty_country=country, account=kg_account(bank, key), account_country="KG",
        agent_bic=bank.bic, agent_name=bank.name, remittance=text,
        bank_tx_code="PMNT/ICDT/DMCT", purpose=purpose,
        end_to_end_id=key_digits(f"pay:{key}:{day}:{serial}", 10),
    )  # fmt: skip
