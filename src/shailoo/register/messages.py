"""Texts that explain an eligibility verdict, in Kyrgyz, Russian and English.

Kept apart from the engine so that a translator edits words, not logic. Each finding is a
``str.format`` template over the evidence keys the engine records for that rule; a template
uses only keys its rule always provides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Lang = Literal["ky", "ru", "en"]
LANGS: Final[tuple[Lang, ...]] = ("ky", "ru", "en")

RULE_NAMES: Final[Mapping[str, Mapping[Lang, str]]] = {
    "AGE": {"ky": "Жаш курагы", "ru": "Возраст", "en": "Age"},
    "CITIZENSHIP": {"ky": "Жарандык", "ru": "Гражданство", "en": "Citizenship"},
    "CAPACITY": {
        "ky": "Аракетке жөндөмдүүлүк",
        "ru": "Дееспособность",
        "en": "Legal capacity",
    },
    "CONFINEMENT": {
        "ky": "Эркинен ажыратуу",
        "ru": "Лишение свободы",
        "en": "Confinement",
    },
    "BIOMETRICS": {
        "ky": "Биометрикалык каттоо",
        "ru": "Биометрическая регистрация",
        "en": "Biometric registration",
    },
    "ALIVE": {
        "ky": "Каза болгону тууралуу маалымат",
        "ru": "Сведения о смерти",
        "en": "Death record",
    },
}

OUTCOME: Final[Mapping[bool, Mapping[Lang, str]]] = {
    True: {"ky": "аткарылды", "ru": "выполнено", "en": "met"},
    False: {"ky": "аткарылган жок", "ru": "не выполнено", "en": "not met"},
}

BASIS: Final[Mapping[Lang, str]] = {"ky": "Негиз", "ru": "Основание", "en": "Basis"}

UNCONFIRMED: Final[Mapping[Lang, str]] = {
    "ky": "(шилтеме тастыкталган эмес)",
    "ru": "(ссылка не подтверждена)",
    "en": "(citation unconfirmed)",
}

STATELESS: Final[Mapping[Lang, str]] = {
    "ky": "жарандыгы жок",
    "ru": "без гражданства",
    "en": "stateless",
}

FINDINGS: Final[Mapping[str, Mapping[Lang, str]]] = {
    "AGE.pass": {
        "ky": "туулган күнү {birth_date}; {min_age} жашка {comes_of_age} толгон, "
        "добуш берүү күнүнөн ({polling_day}) кечиктирбей",
        "ru": "дата рождения {birth_date}; требуемый возраст ({min_age}) наступил "
        "{comes_of_age}, не позднее дня голосования ({polling_day})",
        "en": "born {birth_date}; reached the age of {min_age} on {comes_of_age}, "
        "not later than polling day ({polling_day})",
    },
    "AGE.fail": {
        "ky": "туулган күнү {birth_date}; {min_age} жашка {comes_of_age} гана толот, "
        "бул добуш берүү күнүнөн ({polling_day}) кийин",
        "ru": "дата рождения {birth_date}; требуемый возраст ({min_age}) наступит лишь "
        "{comes_of_age}, после дня голосования ({polling_day})",
        "en": "born {birth_date}; reaches the age of {min_age} only on {comes_of_age}, "
        "after polling day ({polling_day})",
    },
    "CITIZENSHIP.pass": {
        "ky": "жарандыгы: {citizenship}, талап кылынган жарандык ({required})",
        "ru": "гражданство: {citizenship}, соответствует требуемому ({required})",
        "en": "citizenship {citizenship}, as required ({required})",
    },
    "CITIZENSHIP.pass_dual": {
        "ky": "жарандыгы: {citizenship}; башка мамлекеттин жарандыгы ({others}) бул мыйзам "
        "боюнча добуш берүү укугунан ажыратпайт",
        "ru": "гражданство: {citizenship}; иное гражданство ({others}) по этому закону "
        "не лишает права голоса",
        "en": "citizenship {citizenship}; another citizenship ({others}) does not exclude "
        "from voting under this law",
    },
    "CITIZENSHIP.fail": {
        "ky": "жарандыгы: {citizenship}, ал эми {required} жарандыгы талап кылынат",
        "ru": "гражданство: {citizenship}, а требуется гражданство {required}",
        "en": "citizenship {citizenship}, but {required} citizenship is required",
    },
    "CITIZENSHIP.fail_dual": {
        "ky": "жарандыгы: {citizenship}, бирок башка мамлекеттин жарандыгы да бар ({others}), "
        "бул мыйзам боюнча ал добуш берүү укугунан ажыратат",
        "ru": "гражданство: {citizenship}, но есть и иное гражданство ({others}), которое "
        "по этому закону лишает права голоса",
        "en": "citizenship {citizenship}, but also {others}, which excludes from voting "
        "under this law",
    },
    "CAPACITY.pass": {
        "ky": "сот тарабынан аракетке жөндөмсүз деп табылган эмес",
        "ru": "решения суда о признании недееспособным нет",
        "en": "not declared legally incapable by a court",
    },
    "CAPACITY.fail": {
        "ky": "сот тарабынан аракетке жөндөмсүз деп табылган",
        "ru": "имеется решение суда о признании недееспособным",
        "en": "declared legally incapable by a court",
    },
    "CAPACITY.not_applied": {
        "ky": "бул мыйзам боюнча аракетке жөндөмсүздүк добуш берүү укугунан ажыратпайт",
        "ru": "по этому закону недееспособность не лишает права голоса",
        "en": "legal incapacity does not exclude from voting under this law",
    },
    "CONFINEMENT.pass": {
        "ky": "соттун өкүмү боюнча эркинен ажыратуу жайында кармалган эмес",
        "ru": "не содержится в местах лишения свободы по приговору суда",
        "en": "not held in a place of confinement by a court sentence",
    },
    "CONFINEMENT.fail": {
        "ky": "соттун өкүмү боюнча эркинен ажыратуу жайында кармалып турат",
        "ru": "содержится в местах лишения свободы по приговору суда",
        "en": "held in a place of confinement by a court sentence",
    },
    "CONFINEMENT.not_applied": {
        "ky": "бул мыйзам боюнча эркинен ажыратуу жайында болуу добуш берүү укугунан ажыратпайт",
        "ru": "по этому закону нахождение в местах лишения свободы не лишает права голоса",
        "en": "confinement does not exclude from voting under this law",
    },
    "BIOMETRICS.pass": {
        "ky": "биометрикалык каттоодон өткөн",
        "ru": "биометрическая регистрация пройдена",
        "en": "biometric registration done",
    },
    "BIOMETRICS.fail": {
        "ky": "биометрикалык каттоодон өткөн эмес",
        "ru": "биометрическая регистрация не пройдена",
        "en": "no biometric registration",
    },
    "BIOMETRICS.not_applied": {
        "ky": "бул мыйзам боюнча биометрикалык каттоо талап кылынбайт",
        "ru": "по этому закону биометрическая регистрация не требуется",
        "en": "biometric registration is not required under this law",
    },
    "ALIVE.pass": {
        "ky": "добуш берүү күнүнө ({polling_day}) чейин каза болгону тууралуу маалымат жок",
        "ru": "сведений о смерти до дня голосования ({polling_day}) нет",
        "en": "no death recorded before polling day ({polling_day})",
    },
    "ALIVE.pass_later": {
        "ky": "{death_date} каза болгону катталган, бул добуш берүү күнүнөн ({polling_day}) "
        "мурун эмес",
        "ru": "смерть зарегистрирована {death_date}, не ранее дня голосования ({polling_day})",
        "en": "death recorded on {death_date}, not before polling day ({polling_day})",
    },
    "ALIVE.fail": {
        "ky": "{death_date} каза болгону катталган, бул добуш берүү күнүнөн ({polling_day}) мурун",
        "ru": "смерть зарегистрирована {death_date}, до дня голосования ({polling_day})",
        "en": "death recorded on {death_date}, before polling day ({polling_day})",
    },
}
