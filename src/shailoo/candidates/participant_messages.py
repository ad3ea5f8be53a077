"""Texts that explain a party-list check and a participant's admission, in ky, ru and en.

Kept apart from the engines (:mod:`~shailoo.candidates.party_lists`,
:mod:`~shailoo.candidates.participants`) so that a translator edits words, not logic. A list
finding's text is a ``str.format`` template over the evidence its rule always records; a
participant check's text is a template over the role, the citizenships, the office and the
missing fact. :func:`render` turns either decision into lines, each with its legal basis
(``Cited.citation_in``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal, cast

from shailoo.candidates.participants import ParticipantCheck, ParticipantDecision
from shailoo.candidates.party_lists import ListDecision, ListFinding, compact_positions
from shailoo.law.schema import Cited

Lang = Literal["ky", "ru", "en"]
LANGS: Final[tuple[Lang, ...]] = ("ky", "ru", "en")
Texts = Mapping[str, Mapping[Lang, str]]

# -- names ------------------------------------------------------------------------------------

#: The title of each rule, by code, for both engines.
RULE_NAMES: Final[Texts] = {
    "LENGTH": {"ky": "Тизменин узундугу", "ru": "Длина списка", "en": "List length"},
    "POSITIONS": {
        "ky": "Орундардын номерленүүсү",
        "ru": "Нумерация позиций",
        "en": "Numbering of positions",
    },
    "SEX_SHARE": {
        "ky": "Бир жыныстагы талапкерлердин үлүшү",
        "ru": "Доля кандидатов одного пола",
        "en": "Share of one sex",
    },
    "SEX_GAP": {
        "ky": "Аялдар менен эркектердин кезектешүүсү",
        "ru": "Чередование женщин и мужчин",
        "en": "Alternation of women and men",
    },
    "MINORITY_SHARE": {
        "ky": "Улуттук азчылыктардын өкүлдөрүнүн үлүшү",
        "ru": "Доля представителей национальных меньшинств",
        "en": "Share of ethnic minorities",
    },
    "YOUNG_SHARE": {
        "ky": "Жаштардын үлүшү",
        "ru": "Доля молодёжи",
        "en": "Share of young candidates",
    },
    "DISABILITIES": {
        "ky": "Ден соолугунун мүмкүнчүлүгү чектелген талапкерлер",
        "ru": "Кандидаты с инвалидностью",
        "en": "Candidates with disabilities",
    },
    "OTHER_PARTY_MEMBER": {
        "ky": "Башка партиялардын мүчөлөрү",
        "ru": "Члены других политических партий",
        "en": "Members of other parties",
    },
    "FOREIGN_CITIZEN": {"ky": "Жарандык", "ru": "Гражданство", "en": "Citizenship"},
    "STATELESS": {
        "ky": "Жарандыгы жок адамдар",
        "ru": "Лица без гражданства",
        "en": "Statelessness",
    },
    "NOT_A_VOTER": {
        "ky": "Шайлоо укугу",
        "ru": "Активное избирательное право",
        "en": "Right to vote",
    },
    "BARRED_OFFICE": {
        "ky": "Ээлеген кызматы",
        "ru": "Занимаемая должность",
        "en": "Office held",
    },
    "NOT_ACCREDITED": {"ky": "Аккредитация", "ru": "Аккредитация", "en": "Accreditation"},
}

#: Each participant role, as a title.
ROLE_NAMES: Final[Texts] = {
    "candidate_representative": {
        "ky": "Талапкердин өкүлү",
        "ru": "Представитель кандидата",
        "en": "Candidate's representative",
    },
    "authorised_representative": {
        "ky": "Ыйгарым укуктуу өкүл",
        "ru": "Уполномоченный представитель",
        "en": "Authorised representative",
    },
    "trusted_person": {
        "ky": "Ишенимдүү адам",
        "ru": "Доверенное лицо",
        "en": "Trusted person (proxy)",
    },
    "party_representative": {
        "ky": "Саясий партиянын өкүлү",
        "ru": "Представитель политической партии",
        "en": "Party representative",
    },
    "domestic_observer": {
        "ky": "Ата мекендик байкоочу",
        "ru": "Наблюдатель",
        "en": "Domestic observer",
    },
    "international_observer": {
        "ky": "Эл аралык байкоочу",
        "ru": "Международный наблюдатель",
        "en": "International observer",
    },
    "media": {
        "ky": "Массалык маалымат каражаттарынын өкүлү",
        "ru": "Представитель средств массовой информации",
        "en": "Media representative",
    },
}

#: Each role as the complement of "may not be …" (Russian takes the instrumental case).
ROLE_AS: Final[Texts] = {
    "candidate_representative": {
        "ky": "талапкердин өкүлү",
        "ru": "представителем кандидата",
        "en": "a candidate's representative",
    },
    "authorised_representative": {
        "ky": "ыйгарым укуктуу өкүл",
        "ru": "уполномоченным представителем",
        "en": "an authorised representative",
    },
    "trusted_person": {
        "ky": "ишенимдүү адам",
        "ru": "доверенным лицом",
        "en": "a trusted person",
    },
    "party_representative": {
        "ky": "саясий партиянын өкүлү",
        "ru": "представителем политической партии",
        "en": "a party representative",
    },
    "domestic_observer": {
        "ky": "байкоочу",
        "ru": "наблюдателем",
        "en": "a domestic observer",
    },
    "international_observer": {
        "ky": "эл аралык байкоочу",
        "ru": "международным наблюдателем",
        "en": "an international observer",
    },
    "media": {
        "ky": "массалык маалымат каражаттарынын өкүлү",
        "ru": "представителем средств массовой информации",
        "en": "a media representative",
    },
}

#: The offices that bar a domestic observer.
OFFICE_NAMES: Final[Texts] = {
    "deputy": {"ky": "депутат", "ru": "депутат", "en": "deputy"},
    "official": {
        "ky": "мамлекеттик органдын же жергиликтүү өз алдынча башкаруу органынын кызмат адамы",
        "ru": "должностное лицо государственного органа или органа местного самоуправления",
        "en": "official of a state or local government body",
    },
    "commission_member": {
        "ky": "шайлоо комиссиясынын мүчөсү",
        "ru": "член избирательной комиссии",
        "en": "member of an election commission",
    },
    "judge": {"ky": "судья", "ru": "судья", "en": "judge"},
    "prosecutor": {"ky": "прокурор", "ru": "прокурор", "en": "prosecutor"},
    "law_enforcement": {
        "ky": "укук коргоо органынын кызматкери",
        "ru": "сотрудник правоохранительного органа",
        "en": "law-enforcement officer",
    },
    "fiscal_officer": {
        "ky": "фискалдык органдын кызматкери",
        "ru": "сотрудник фискального органа",
        "en": "fiscal officer",
    },
    "military": {"ky": "аскер кызматчысы", "ru": "военнослужащий", "en": "serviceman"},
}

#: What would settle an undecided participant check, by the missing fact.
MISSING: Final[Texts] = {
    "citizenships": {
        "ky": "жарандык тууралуу маалымат (паспорт же жарандык реестринин жообу)",
        "ru": "сведения о гражданстве (паспорт или ответ реестра гражданства)",
        "en": "a citizenship record (a passport or the citizenship registry's answer)",
    },
    "is_voter": {
        "ky": "шайлоочулардын тизмеси боюнча текшерүү",
        "ru": "проверка по списку избирателей",
        "en": "a check against the voter register",
    },
    "offices": {
        "ky": "ээлеген кызматтары тууралуу маалымат",
        "ru": "сведения о занимаемых должностях",
        "en": "a statement of the offices held",
    },
    "accredited": {
        "ky": "БШКнын аккредитация тууралуу маалыматы",
        "ru": "сведения ЦИК об аккредитации",
        "en": "the Central Election Commission's accreditation record",
    },
}

#: A sex counted ("10 of 13 …"): Kyrgyz singular after a numeral, Russian genitive plural.
SEX_COUNTED: Final[Texts] = {
    "F": {"ky": "аял", "ru": "женщин", "en": "women"},
    "M": {"ky": "эркек", "ru": "мужчин", "en": "men"},
}
#: A sex named as a group ("positions 1–5: women").
SEX_PLURAL: Final[Texts] = {
    "F": {"ky": "аялдар", "ru": "женщины", "en": "women"},
    "M": {"ky": "эркектер", "ru": "мужчины", "en": "men"},
}

STATELESS: Final[Mapping[Lang, str]] = {
    "ky": "жарандыгы жок",
    "ru": "без гражданства",
    "en": "stateless",
}

# -- outcomes and frame -----------------------------------------------------------------------

FINDING_OUTCOME: Final[Texts] = {
    "pass": {"ky": "аткарылды", "ru": "выполнено", "en": "met"},
    "fail": {"ky": "аткарылган жок", "ru": "не выполнено", "en": "not met"},
    "undecided": {"ky": "аныкталган жок", "ru": "не определено", "en": "undecided"},
}
CHECK_OUTCOME: Final[Texts] = {
    "met": {"ky": "талапка жооп берет", "ru": "соответствует", "en": "met"},
    "refused": {"ky": "талапка жооп бербейт", "ru": "не соответствует", "en": "not met"},
    "undecided": {"ky": "аныкталган жок", "ru": "не определено", "en": "undecided"},
}
LIST_VERDICT: Final[Texts] = {
    "valid": {
        "ky": "тизме талаптарга жооп берет",
        "ru": "список соответствует требованиям",
        "en": "the list meets the requirements",
    },
    "invalid": {
        "ky": "тизме талаптарга жооп бербейт",
        "ru": "список не соответствует требованиям",
        "en": "the list does not meet the requirements",
    },
    "undecided": {
        "ky": "чечим кабыл алынган жок — маалымат жетишсиз",
        "ru": "решение не принято — недостаточно сведений",
        "en": "undecided — facts are missing",
    },
}
ADMISSION: Final[Texts] = {
    "admitted": {"ky": "катталууга жол берилет", "ru": "допускается", "en": "admitted"},
    "refused": {"ky": "катталуудан баш тартылат", "ru": "отказано", "en": "refused"},
    "undecided": {
        "ky": "чечим кабыл алынган жок — маалымат жетишсиз",
        "ru": "решение не принято — недостаточно сведений",
        "en": "undecided — facts are missing",
    },
}
LIST_HEADER: Final[Mapping[Lang, str]] = {
    "ky": "Талапкерлердин тизмеси ({size} талапкер): {verdict}",
    "ru": "Список кандидатов (кандидатов: {size}): {verdict}",
    "en": "List of {size} candidates: {verdict}",
}
REPLACED: Final[Mapping[Lang, str]] = {
    "ky": "{position}-орундагы талапкер алмаштырылгандан кийинки тизме текшерилди",
    "ru": "Проверен список после замены кандидата на позиции {position}",
    "en": "Checked with the candidate at position {position} replaced",
}
POSITIONS_WORD: Final[Mapping[Lang, str]] = {"ky": "Орундар", "ru": "Позиции", "en": "Positions"}
BASIS: Final[Mapping[Lang, str]] = {"ky": "Негиз", "ru": "Основание", "en": "Basis"}
OWN_NUMBERING: Final[Mapping[Lang, str]] = {
    "ky": "тизменин өзүнүн номерленүүсү",
    "ru": "нумерация самого списка",
    "en": "the list's own numbering",
}
UNCONFIRMED: Final[Mapping[Lang, str]] = {
    "ky": "(шилтеме тастыкталган эмес)",
    "ru": "(ссылка не подтверждена)",
    "en": "(citation unconfirmed)",
}

# -- party-list findings ----------------------------------------------------------------------

_SHARE_MAX: Final[Mapping[Lang, str]] = {
    "ky": "эң көп {total} × {share_pct} % = {exact}, төмөн карай тегеректегенде {cap}",
    "ru": "не более {share_pct} % от {total} = {exact}, с округлением в меньшую сторону — {cap}",
    "en": "at most {share_pct} % of {total} = {exact}, rounded down to {cap}",
}
_SHARE_MIN: Final[Mapping[Lang, str]] = {
    "ky": "жок дегенде {total} × {share_pct} % = {exact}, жогору карай тегеректегенде {needed}",
    "ru": "не менее {share_pct} % от {total} = {exact}, с округлением в большую сторону — {needed}",
    "en": "at least {share_pct} % of {total} = {exact}, rounded up to {needed}",
}
_GAP_RULE: Final[Mapping[Lang, str]] = {
    "ky": "бир жыныстагы талапкерлер катары менен эң көп {max} болушу мүмкүн",
    "ru": "допускается не более {max} кандидатов одного пола подряд",
    "en": "at most {max} candidates of one sex may follow each other",
}
_MINORITY: Final[Mapping[Lang, str]] = {
    "ky": "{total} талапкердин ичинен {count} улуттук азчылыктардын өкүлү",
    "ru": "представителей национальных меньшинств: {count} из {total}",
    "en": "{count} of {total} candidates belong to ethnic minorities",
}
_YOUNG: Final[Mapping[Lang, str]] = {
    "ky": "{total} талапкердин ичинен {count} добуш берүү күнү ({polling_day}) {age} жашка "
    "толо элек",
    "ru": "кандидатов моложе {age} лет на день голосования ({polling_day}): {count} из {total}",
    "en": "{count} of {total} candidates are under {age} on polling day ({polling_day})",
}
_DISABLED: Final[Mapping[Lang, str]] = {
    "ky": "ден соолугунун мүмкүнчүлүгү чектелген талапкерлер: {count}",
    "ru": "кандидатов с инвалидностью: {count}",
    "en": "candidates with disabilities: {count}",
}
_SHORT: Final[Mapping[Lang, str]] = {
    "ky": "{short} жетишпейт",
    "ru": "не хватает {short}",
    "en": "{short} too few",
}
_UNKNOWN: Final[Mapping[Lang, str]] = {
    "ky": "{unknown} орундар боюнча маалымат жок",
    "ru": "нет сведений по позициям {unknown}",
    "en": "not known for positions {unknown}",
}
_KNOWN: Final[Mapping[Lang, str]] = {
    "ky": "белгилүү маалымат боюнча ",
    "ru": "по известным сведениям ",
    "en": "as far as known, ",
}


def _each(*parts: Mapping[Lang, str], sep: str = "; ") -> dict[Lang, str]:
    return {lang: sep.join(part[lang] for part in parts) for lang in LANGS}


def _known(part: Mapping[Lang, str]) -> dict[Lang, str]:
    return {lang: _KNOWN[lang] + part[lang] for lang in LANGS}


#: Each list finding's text, by ``CODE.case``; the case is the outcome, refined where one
#: outcome has several stories (too short or too long).
LIST_FINDINGS: Final[Texts] = {
    "LENGTH.pass": {
        "ky": "тизмедеги талапкерлердин саны: {count}; талап: {required}",
        "ru": "кандидатов в списке: {count}; требуется: {required}",
        "en": "{count} candidates; required: {required}",
    },
    "LENGTH.fail_short": {
        "ky": "тизмедеги талапкерлердин саны: {count}, {short} жетишпейт; талап: {required}",
        "ru": "кандидатов в списке: {count}, не хватает {short}; требуется: {required}",
        "en": "{count} candidates, {short} too few; required: {required}",
    },
    "LENGTH.fail_long": {
        "ky": "тизмедеги талапкерлердин саны: {count}, уруксат берилгенден {over} ашык; "
        "уруксат: {required}",
        "ru": "кандидатов в списке: {count}, на {over} больше допустимого; допускается: {required}",
        "en": "{count} candidates, {over} too many; allowed: {required}",
    },
    "POSITIONS.pass": {
        "ky": "орундар 1 – {count} аралыгында боштуксуз жана кайталанбай номерленген",
        "ru": "позиции пронумерованы от 1 до {count} без пропусков и повторов",
        "en": "positions run from 1 to {count} without gaps or repeats",
    },
    "POSITIONS.fail": {
        "ky": "орундар 1 – {count} аралыгында боштуксуз жана кайталанбай номерлениши керек",
        "ru": "позиции должны быть пронумерованы от 1 до {count} без пропусков и повторов",
        "en": "positions must run from 1 to {count} without gaps or repeats",
    },
    "POSITIONS.missing": {
        "ky": "жок орундар: {missing}",
        "ru": "пропущены: {missing}",
        "en": "missing: {missing}",
    },
    "POSITIONS.repeated": {
        "ky": "кайталанган орундар: {repeated}",
        "ru": "повторяются: {repeated}",
        "en": "repeated: {repeated}",
    },
    "POSITIONS.outside": {
        "ky": "1 – {count} аралыгынан тышкары: {outside}",
        "ru": "вне диапазона 1–{count}: {outside}",
        "en": "outside 1–{count}: {outside}",
    },
    "SEX_SHARE.pass": _each(
        {
            "ky": "{total} талапкердин ичинен {count} {sex_counted} ({found_pct} %)",
            "ru": "{sex_counted}: {count} из {total} ({found_pct} %)",
            "en": "{count} of {total} candidates are {sex_counted} ({found_pct} %)",
        },
        _SHARE_MAX,
    ),
    "SEX_SHARE.fail": _each(
        {
            "ky": "{total} талапкердин ичинен {count} {sex_counted} ({found_pct} %), "
            "уруксат берилгенден {over} ашык",
            "ru": "{sex_counted}: {count} из {total} ({found_pct} %), на {over} больше допустимого",
            "en": "{count} of {total} candidates are {sex_counted} ({found_pct} %), "
            "{over} more than allowed",
        },
        _SHARE_MAX,
        sep=": ",
    ),
    "SEX_GAP.pass": _each(
        {
            "ky": "бир жыныстагы талапкерлер катары менен эң көп {longest}",
            "ru": "подряд не более {longest} кандидатов одного пола",
            "en": "at most {longest} candidates of one sex in a row",
        },
        _GAP_RULE,
    ),
    "SEX_GAP.fail": _each(
        {
            "ky": "{run} орундар: катары менен {length} {sex_counted}",
            "ru": "позиции {run}: {sex_plural}, {length} подряд",
            "en": "positions {run}: {length} {sex_plural} in a row",
        },
        _GAP_RULE,
    ),
    "SEX_GAP.undecided": _each(
        {
            "ky": "тартиби аныкталбайт: {repeated} орундар бир нече жолу көрсөтүлгөн",
            "ru": "порядок не определён: позиции {repeated} указаны более одного раза",
            "en": "the order is unclear: positions {repeated} are given more than once",
        },
        _GAP_RULE,
    ),
    "MINORITY_SHARE.pass": _each(_MINORITY, _SHARE_MIN),
    "MINORITY_SHARE.fail": _each(_each(_MINORITY, _SHORT, sep=", "), _SHARE_MIN, sep=": "),
    "MINORITY_SHARE.undecided": _each(_known(_MINORITY), _SHARE_MIN, _UNKNOWN),
    "YOUNG_SHARE.pass": _each(_YOUNG, _SHARE_MIN),
    "YOUNG_SHARE.fail": _each(_each(_YOUNG, _SHORT, sep=", "), _SHARE_MIN, sep=": "),
    "YOUNG_SHARE.undecided": _each(_known(_YOUNG), _SHARE_MIN, _UNKNOWN),
    "DISABILITIES.pass": _each(
        _DISABLED,
        {
            "ky": "жок дегенде {needed} талап кылынат",
            "ru": "требуется не менее {needed}",
            "en": "at least {needed} required",
        },
    ),
    "DISABILITIES.fail": _each(
        _each(_DISABLED, _SHORT, sep=", "),
        {
            "ky": "жок дегенде {needed} талап кылынат",
            "ru": "требуется не менее {needed}",
            "en": "at least {needed} required",
        },
    ),
    "DISABILITIES.undecided": _each(
        _known(_DISABLED),
        {
            "ky": "жок дегенде {needed} талап кылынат",
            "ru": "требуется не менее {needed}",
            "en": "at least {needed} required",
        },
        _UNKNOWN,
    ),
    "OTHER_PARTY_MEMBER.pass": {
        "ky": "тизмеде «{party}» партиясынан башка партиянын мүчөсү жок",
        "ru": "в списке нет членов политических партий, кроме «{party}»",
        "en": "no candidate is a member of a party other than {party}",
    },
    "OTHER_PARTY_MEMBER.fail": {
        "ky": "«{party}» партиясы башка партиялардын мүчөлөрүн көрсөтө албайт; башка "
        "партиялардын мүчөлөрү (орун: партия): {members}",
        "ru": "партия «{party}» не может выдвигать членов других партий; члены других "
        "партий (позиция: партия): {members}",
        "en": "{party} may not nominate members of other parties; members of other parties "
        "(position: party): {members}",
    },
}

# -- participant checks -----------------------------------------------------------------------

_CITIZENSHIP_UNKNOWN: Final[Mapping[Lang, str]] = {
    "ky": "жарандыгы белгисиз — {missing} керек",
    "ru": "гражданство неизвестно — требуются {missing}",
    "en": "citizenship unknown — needs {missing}",
}

#: Each participant check's text, by ``CODE.outcome`` (``met_dual`` for a dual citizen).
PARTICIPANT_FINDINGS: Final[Texts] = {
    "FOREIGN_CITIZEN.met": {
        "ky": "{country} жарандыгы бар",
        "ru": "имеет гражданство {country}",
        "en": "a citizen of {country}",
    },
    "FOREIGN_CITIZEN.met_dual": {
        "ky": "{country} жарандыгы бар, ошондой эле {others} жарандыгы бар: {country} "
        "жарандыгы бар кош жарандыктагы адам чет мамлекеттин жараны болуп эсептелбейт",
        "ru": "имеет гражданство {country}, а также {others}: лицо с двойным гражданством, "
        "имеющее гражданство {country}, не является иностранным гражданином",
        "en": "a citizen of {country}, and also of {others}: a dual citizen who holds "
        "{country} citizenship is not a foreign citizen",
    },
    "FOREIGN_CITIZEN.refused": {
        "ky": "жарандыгы: {citizenships}, {country} жарандыгы жок: чет мамлекеттин жараны "
        "{role_as} боло албайт",
        "ru": "гражданство: {citizenships}, гражданства {country} нет: иностранный гражданин "
        "не может быть {role_as}",
        "en": "a citizen of {citizenships}, not of {country}: a foreign citizen may not be "
        "{role_as}",
    },
    "FOREIGN_CITIZEN.undecided": _CITIZENSHIP_UNKNOWN,
    "STATELESS.met": {
        "ky": "жарандыгы бар ({citizenships})",
        "ru": "имеет гражданство ({citizenships})",
        "en": "holds a citizenship ({citizenships})",
    },
    "STATELESS.refused": {
        "ky": "жарандыгы жок: жарандыгы жок адам {role_as} боло албайт",
        "ru": "не имеет гражданства: лицо без гражданства не может быть {role_as}",
        "en": "holds no citizenship: a stateless person may not be {role_as}",
    },
    "STATELESS.undecided": _CITIZENSHIP_UNKNOWN,
    "NOT_A_VOTER.met": {
        "ky": "шайлоо укугу бар",
        "ru": "является избирателем",
        "en": "a voter",
    },
    "NOT_A_VOTER.refused": {
        "ky": "шайлоо укугу жок: байкоочунун шайлоо укугу болушу керек",
        "ru": "не является избирателем: наблюдатель должен обладать активным избирательным правом",
        "en": "not a voter: a domestic observer must have the right to vote",
    },
    "NOT_A_VOTER.undecided": {
        "ky": "шайлоочу экендиги белгисиз — {missing} керек",
        "ru": "неизвестно, является ли избирателем — требуется {missing}",
        "en": "whether a voter is unknown — needs {missing}",
    },
    "BARRED_OFFICE.met": {
        "ky": "байкоочу болууга тоскоол болгон кызматтарды ээлебейт",
        "ru": "не занимает должностей, при которых нельзя быть наблюдателем",
        "en": "holds none of the offices that bar an observer",
    },
    "BARRED_OFFICE.refused": {
        "ky": "ээлеген кызматы — {office} — байкоочу болууга тоскоол",
        "ru": "занимаемая должность ({office}) не позволяет быть наблюдателем",
        "en": "holds the office of {office}, which bars a domestic observer",
    },
    "BARRED_OFFICE.undecided": {
        "ky": "ээлеген кызматтары белгисиз — {missing} керек",
        "ru": "занимаемые должности неизвестны — требуются {missing}",
        "en": "offices held unknown — needs {missing}",
    },
    "NOT_ACCREDITED.met": {
        "ky": "Борбордук шайлоо комиссиясы тарабынан аккредитацияланган",
        "ru": "аккредитован Центральной избирательной комиссией",
        "en": "accredited by the Central Election Commission",
    },
    "NOT_ACCREDITED.refused": {
        "ky": "Борбордук шайлоо комиссиясы тарабынан аккредитацияланган эмес: эл аралык "
        "байкоочуга жарандык эмес, аккредитация керек",
        "ru": "не аккредитован Центральной избирательной комиссией: международному "
        "наблюдателю нужна аккредитация, а не гражданство",
        "en": "not accredited by the Central Election Commission: an international observer "
        "needs accreditation, not a citizenship",
    },
    "NOT_ACCREDITED.undecided": {
        "ky": "аккредитациясы белгисиз — {missing} керек",
        "ru": "сведений об аккредитации нет — требуются {missing}",
        "en": "accreditation unknown — needs {missing}",
    },
}

# -- rendering --------------------------------------------------------------------------------

_MARKS: Final[Mapping[str, str]] = {
    "pass": "✓",
    "met": "✓",
    "fail": "✗",
    "refused": "✗",
    "undecided": "?",
}
#: Evidence keys holding a decimal number, written with a comma in Kyrgyz and Russian.
_DECIMAL_KEYS: Final[frozenset[str]] = frozenset({"found_pct", "share_pct", "exact"})


def render(decision: ListDecision | ParticipantDecision, lang: str) -> list[str]:
    """The decision in ``lang`` (ky, ru or en): a heading line, then one line per check with
    its outcome, its explanation, the positions it concerns and its legal basis."""
    language = _language(lang)
    if isinstance(decision, ListDecision):
        return render_list(decision, language)
    return render_participant(decision, language)


def render_list(decision: ListDecision, lang: str) -> list[str]:
    """A party list's decision in ``lang``; see :func:`render`."""
    language = _language(lang)
    verdict = LIST_VERDICT[decision.verdict][language]
    lines = [LIST_HEADER[language].format(size=decision.size, verdict=verdict)]
    if decision.replaced is not None:
        lines.append(REPLACED[language].format(position=decision.replaced))
    for finding in decision.findings:
        text = list_finding_text(finding, language)
        where = ""
        if finding.positions:
            where = f" {POSITIONS_WORD[language]}: {compact_positions(finding.positions)}."
        name = RULE_NAMES[finding.code][language]
        lines.append(
            f"{_MARKS[finding.outcome]} {name}: {FINDING_OUTCOME[finding.outcome][language]} — "
            f"{text}.{where} {BASIS[language]}: {_basis(finding.cite, language)}"
        )
    return lines


def render_participant(decision: ParticipantDecision, lang: str) -> list[str]:
    """A participant's decision in ``lang``; see :func:`render`."""
    language = _language(lang)
    role = ROLE_NAMES[decision.role][language]
    lines = [f"{role}: {ADMISSION[decision.outcome][language]}"]
    for check in decision.checks:
        text = participant_check_text(check, decision, language)
        name = RULE_NAMES[check.code][language]
        lines.append(
            f"{_MARKS[check.outcome]} {name}: {CHECK_OUTCOME[check.outcome][language]} — "
            f"{text}. {BASIS[language]}: {_basis(check.cite, language)}"
        )
    return lines


def list_finding_text(finding: ListFinding, lang: Lang) -> str:
    """The explanation of one list finding, without its mark, title or basis."""
    values = {key: _show(key, value, lang) for key, value in finding.evidence.items()}
    sex = finding.evidence.get("sex")
    if sex is not None:
        values["sex_counted"] = SEX_COUNTED[sex][lang]
        values["sex_plural"] = SEX_PLURAL[sex][lang]
    if finding.code == "POSITIONS" and finding.outcome == "fail":
        parts = [LIST_FINDINGS["POSITIONS.fail"][lang]]
        parts += [
            LIST_FINDINGS[f"POSITIONS.{key}"][lang]
            for key in ("missing", "repeated", "outside")
            if finding.evidence.get(key)
        ]
        return "; ".join(parts).format(**values)
    case: str = finding.outcome
    if finding.code == "LENGTH" and case == "fail":
        case = "fail_short" if "short" in finding.evidence else "fail_long"
    return LIST_FINDINGS[f"{finding.code}.{case}"][lang].format(**values)


def participant_check_text(
    check: ParticipantCheck, decision: ParticipantDecision, lang: Lang
) -> str:
    """The explanation of one participant check, without its mark, title or basis."""
    country = decision.citizenship
    held = [code for code in check.citizenships.split(";") if code]
    others = [code for code in held if code != country]
    values = {
        "country": country,
        "citizenships": ", ".join(held) if held else STATELESS[lang],
        "others": ", ".join(others),
        "role_as": ROLE_AS[decision.role][lang],
        "office": OFFICE_NAMES[check.office][lang] if check.office is not None else "",
        "missing": MISSING[check.missing][lang] if check.missing is not None else "",
    }
    case: str = check.outcome
    if check.code == "FOREIGN_CITIZEN" and case == "met" and others:
        case = "met_dual"
    return PARTICIPANT_FINDINGS[f"{check.code}.{case}"][lang].format(**values)


def _basis(cite: Cited[Any] | None, lang: Lang) -> str:
    if cite is None:
        return OWN_NUMBERING[lang]
    citation = cite.citation_in(lang)
    return f"{citation} {UNCONFIRMED[lang]}" if cite.unconfirmed else citation


def _show(key: str, value: str, lang: Lang) -> str:
    if lang == "en":
        return value
    if key in _DECIMAL_KEYS:
        return value.replace(".", ",")
    if key == "polling_day" and value:
        year, month, day = value.split("-")
        return f"{day}.{month}.{year}"
    return value


def _language(lang: str) -> Lang:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    return cast(Lang, lang)
