"""Texts that explain a candidate's eligibility decision, in Kyrgyz, Russian and English.

Kept apart from the engine (:mod:`shailoo.candidates.rules`) so that a translator edits words,
not logic. Each finding is a ``str.format`` template keyed ``CODE.finding`` over the
``values`` the engine records for that finding; a template uses only keys its finding always
provides (a test holds every template to every finding the engine can give). Russian
templates put counts after a colon or use the official abbreviations (``г.``, ``дн.``) so that
no noun has to agree with a number.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal, cast

from shailoo.candidates.rules import Check, Decision, Evidence

Lang = Literal["ky", "ru", "en"]
LANGS: Final[tuple[Lang, ...]] = ("ky", "ru", "en")

RULE_NAMES: Final[Mapping[str, Mapping[Lang, str]]] = {
    "AGE": {"ky": "Жаш курагы", "ru": "Возраст", "en": "Age"},
    "CITIZENSHIP": {"ky": "Жарандык", "ru": "Гражданство", "en": "Citizenship"},
    "OTHER_CITIZENSHIP": {
        "ky": "Башка мамлекеттин жарандыгы",
        "ru": "Гражданство другого государства",
        "en": "Citizenship of another state",
    },
    "RESIDENCE": {"ky": "Жашоо цензи", "ru": "Ценз оседлости", "en": "Residence"},
    "LANGUAGE": {
        "ky": "Мамлекеттик тилди билүү",
        "ru": "Владение государственным языком",
        "en": "State language",
    },
    "EDUCATION": {"ky": "Билими", "ru": "Образование", "en": "Education"},
    "CRIMINAL_RECORD": {"ky": "Соттуулук", "ru": "Судимость", "en": "Criminal record"},
    "TERMS": {
        "ky": "Ыйгарым укуктардын мөөнөттөрү",
        "ru": "Сроки полномочий",
        "en": "Terms of office",
    },
}

OUTCOMES: Final[Mapping[str, Mapping[Lang, str]]] = {
    "met": {"ky": "аткарылды", "ru": "выполнено", "en": "met"},
    "not_met": {"ky": "аткарылган жок", "ru": "не выполнено", "en": "not met"},
    "undecided": {"ky": "аныкталган жок", "ru": "не установлено", "en": "undecided"},
}
MARKS: Final[Mapping[str, str]] = {"met": "✓", "not_met": "✗", "undecided": "?"}

VERDICTS: Final[Mapping[str, Mapping[Lang, str]]] = {
    "eligible": {
        "ky": "талаптарга жооп берет",
        "ru": "соответствует требованиям",
        "en": "eligible",
    },
    "ineligible": {
        "ky": "талаптарга жооп бербейт",
        "ru": "не соответствует требованиям",
        "en": "ineligible",
    },
    "undecided": {
        "ky": "чечим кабыл алуу үчүн маалымат жетишсиз",
        "ru": "для решения недостаточно сведений",
        "en": "undecided: facts are missing",
    },
}

#: Names of the documents an undecided rule asks for (``Check.needs_document``).
DOCUMENTS: Final[Mapping[str, Mapping[Lang, str]]] = {
    "passport": {
        "ky": "паспорт (туулган күнү)",
        "ru": "паспорт (дата рождения)",
        "en": "passport (date of birth)",
    },
    "citizenship_certificate": {
        "ky": "жарандыгы тууралуу маалымкат",
        "ru": "справка о гражданстве",
        "en": "certificate of citizenship",
    },
    "residence_record": {
        "ky": "өлкөдө жашаган мезгилдери тууралуу маалымкат",
        "ru": "справка о периодах проживания в стране",
        "en": "record of residence in the country",
    },
    "language_certificate": {
        "ky": "мамлекеттик тилди билүү боюнча сынактын сертификаты",
        "ru": "сертификат экзамена на знание государственного языка",
        "en": "state-language test certificate",
    },
    "diploma": {
        "ky": "билими тууралуу документ (диплом, аттестат)",
        "ru": "документ об образовании (диплом, аттестат)",
        "en": "diploma or school-leaving certificate",
    },
    "criminal_record_certificate": {
        "ky": "соттуулугу бар же жок экени тууралуу маалымкат",
        "ru": "справка о наличии или отсутствии судимости",
        "en": "criminal record certificate",
    },
    "term_record": {
        "ky": "мурда ээлеген ыйгарым укук мөөнөттөрү тууралуу маалымкат",
        "ru": "справка о ранее исполненных сроках полномочий",
        "en": "record of terms of office served",
    },
}

#: Names of the sources evidence may cite (the registries' adapter names, ``stated``).
SOURCES: Final[Mapping[str, Mapping[Lang, str]]] = {
    "citizenship_registry": {
        "ky": "жарандык реестри",
        "ru": "реестр гражданства",
        "en": "citizenship registry",
    },
    "residence_registry": {
        "ky": "жашаган жери боюнча каттоо реестри",
        "ru": "реестр регистрации по месту жительства",
        "en": "residence registry",
    },
    "language_testing_centre": {
        "ky": "мамлекеттик тил боюнча тестирлөө борбору",
        "ru": "центр тестирования по государственному языку",
        "en": "state-language testing centre",
    },
    "education_registry": {
        "ky": "билими тууралуу документтердин реестри",
        "ru": "реестр документов об образовании",
        "en": "education registry",
    },
    "criminal_records": {
        "ky": "соттуулук боюнча маалымат базасы",
        "ru": "база данных о судимостях",
        "en": "criminal records",
    },
    "terms_archive": {
        "ky": "ыйгарым укук мөөнөттөрүнүн архиви",
        "ru": "архив сроков полномочий",
        "en": "archive of terms of office",
    },
    "stated": {"ky": "көрсөтүлгөн маалымат", "ru": "заявленные сведения", "en": "stated facts"},
}

EDUCATION_NAMES: Final[Mapping[str, Mapping[Lang, str]]] = {
    "none": {"ky": "жок", "ru": "нет", "en": "none"},
    "secondary": {"ky": "орто", "ru": "среднее", "en": "secondary"},
    "higher": {"ky": "жогорку", "ru": "высшее", "en": "higher"},
}

LABELS: Final[Mapping[str, Mapping[Lang, str]]] = {
    "decision": {"ky": "Чечим", "ru": "Решение", "en": "Decision"},
    "failing": {"ky": "аткарылбаган талаптар", "ru": "не выполнены", "en": "not met"},
    "needed": {"ky": "керектүү документтер", "ru": "нужны документы", "en": "documents needed"},
    "basis": {"ky": "Негиз", "ru": "Основание", "en": "Basis"},
    "needs": {"ky": "Керектүү документ", "ru": "Нужен документ", "en": "Needs"},
    "source": {"ky": "Булак", "ru": "Источник", "en": "Source"},
    "unconfirmed": {
        "ky": "(шилтеме тастыкталган эмес)",
        "ru": "(ссылка не подтверждена)",
        "en": "(citation unconfirmed)",
    },
    "no_basis": {"ky": "мыйзамда талап жок", "ru": "закон не устанавливает", "en": "none set"},
}

FINDINGS: Final[Mapping[str, Mapping[Lang, str]]] = {
    # -- age
    "AGE.met": {
        "ky": "туулган күнү {birth_date}; добуш берүү күнү ({polling_day}) {age} жашта; "
        "кеминде {min_age} жаш талап кылынат",
        "ru": "дата рождения {birth_date}; полных лет в день голосования ({polling_day}): "
        "{age}; требуемый возраст — не менее {min_age}",
        "en": "born {birth_date}; {age} years old on polling day ({polling_day}); "
        "at least {min_age} required",
    },
    "AGE.met_window": {
        "ky": "туулган күнү {birth_date}; добуш берүү күнү ({polling_day}) {age} жашта; "
        "{min_age} жаштан {max_age} жашка чейин талап кылынат",
        "ru": "дата рождения {birth_date}; полных лет в день голосования ({polling_day}): "
        "{age}; требуемый возраст — от {min_age} до {max_age}",
        "en": "born {birth_date}; {age} years old on polling day ({polling_day}); "
        "between {min_age} and {max_age} required",
    },
    "AGE.too_young": {
        "ky": "туулган күнү {birth_date}; {min_age} жашка {comes_of_age} гана толот, "
        "бул добуш берүү күнүнөн ({polling_day}) кийин",
        "ru": "дата рождения {birth_date}; требуемый возраст ({min_age}) наступит лишь "
        "{comes_of_age}, после дня голосования ({polling_day})",
        "en": "born {birth_date}; reaches the age of {min_age} only on {comes_of_age}, "
        "after polling day ({polling_day})",
    },
    "AGE.too_old": {
        "ky": "туулган күнү {birth_date}; добуш берүү күнү ({polling_day}) {age} жашта, "
        "бул жогорку чектен ({max_age} жаш) улуу",
        "ru": "дата рождения {birth_date}; полных лет в день голосования ({polling_day}): "
        "{age}, больше предельного возраста ({max_age})",
        "en": "born {birth_date}; {age} years old on polling day ({polling_day}), older "
        "than the maximum age of {max_age}",
    },
    "AGE.unknown": {
        "ky": "туулган күнү белгисиз",
        "ru": "дата рождения неизвестна",
        "en": "date of birth unknown",
    },
    # -- citizenship
    "CITIZENSHIP.met": {
        "ky": "жарандыгы: {citizenships}; талап кылынган {required} жарандыгы бар",
        "ru": "гражданство: {citizenships}; требуемое гражданство ({required}) есть",
        "en": "citizenship: {citizenships}, including the required {required}",
    },
    "CITIZENSHIP.foreign": {
        "ky": "жарандыгы: {citizenships}; талап кылынган {required} жарандыгы жок",
        "ru": "гражданство: {citizenships}; требуемого гражданства ({required}) нет",
        "en": "citizenship: {citizenships}, without the required {required}",
    },
    "CITIZENSHIP.stateless": {
        "ky": "жарандыгы жок адам; {required} жарандыгы талап кылынат",
        "ru": "лицо без гражданства; требуется гражданство {required}",
        "en": "stateless; {required} citizenship is required",
    },
    "CITIZENSHIP.unknown": {
        "ky": "жарандыгы тууралуу маалымат жок",
        "ru": "сведений о гражданстве нет",
        "en": "citizenship unknown",
    },
    # -- other citizenship
    "OTHER_CITIZENSHIP.met": {
        "ky": "башка мамлекеттин жарандыгы жок",
        "ru": "гражданства другого государства нет",
        "en": "no citizenship of another state",
    },
    "OTHER_CITIZENSHIP.held": {
        "ky": "башка мамлекеттин жарандыгы бар ({others})",
        "ru": "имеется гражданство другого государства ({others})",
        "en": "also a citizen of another state ({others})",
    },
    "OTHER_CITIZENSHIP.not_applied": {
        "ky": "бул мыйзам боюнча башка мамлекеттин жарандыгы талапкер болууга тоскоол болбойт",
        "ru": "по этому закону гражданство другого государства не препятствует выдвижению",
        "en": "citizenship of another state is no bar under this law",
    },
    "OTHER_CITIZENSHIP.unknown": {
        "ky": "башка мамлекеттин жарандыгы бар-жогу белгисиз",
        "ru": "неизвестно, есть ли гражданство другого государства",
        "en": "unknown whether a citizen of another state",
    },
    # -- residence
    "RESIDENCE.not_applied": {
        "ky": "бул кызмат үчүн өлкөдө жашоо мөөнөтү талап кылынбайт",
        "ru": "ценз оседлости для этой должности не установлен",
        "en": "no period of residence is required for this office",
    },
    "RESIDENCE.stated": {
        "ky": "көрсөтүлгөн жашоо мөөнөтү: {years} жыл; кеминде {required_years} жыл талап кылынат",
        "ru": "заявленный срок проживания: {years} г.; требуется не менее {required_years} г.",
        "en": "stated residence: {years} years; at least {required_years} required",
    },
    "RESIDENCE.stated_short": {
        "ky": "көрсөтүлгөн жашоо мөөнөтү: {years} жыл, бул талап кылынган {required_years} "
        "жылдан аз",
        "ru": "заявленный срок проживания: {years} г., меньше требуемых {required_years} г.",
        "en": "stated residence: {years} years, fewer than the {required_years} required",
    },
    "RESIDENCE.total": {
        "ky": "өлкөдө жалпысынан {years} жыл {days} күн жашаган; {required_years} жыл "
        "талап кылынат",
        "ru": "всего проживал(а) в стране {years} лет {days} дн.; требуется {required_years} лет",
        "en": "{years} years and {days} days of residence in the country in total; "
        "{required_years} years required",
    },
    "RESIDENCE.total_short": {
        "ky": "өлкөдө жалпысынан {years} жыл {days} күн гана жашаган, бул талап кылынган "
        "{required_years} жылдан аз",
        "ru": "всего проживал(а) в стране {years} лет {days} дн., меньше требуемых "
        "{required_years} лет",
        "en": "only {years} years and {days} days of residence in the country in total, fewer "
        "than the {required_years} years required",
    },
    "RESIDENCE.last_years": {
        "ky": "акыркы {required_years} жылдын ар биринде өлкөдөн тышкары {max_absence} "
        "күндөн ашык болгон эмес (эң көбү {absent} күн); добуш берүү күнү ({polling_day}) "
        "өлкөдө жашайт",
        "ru": "в каждом из последних {required_years} г. отсутствие в стране не превышало "
        "{max_absence} дн. (наибольшее — {absent} дн.); на день голосования ({polling_day}) "
        "проживает в стране",
        "en": "absent at most {absent} days in each of the last {required_years} years "
        "(limit {max_absence}); resident on polling day ({polling_day})",
    },
    "RESIDENCE.absent": {
        "ky": "{window_start} – {window_end} аралыгында өлкөдөн тышкары {absent} күн болгон, "
        "бул бир жылга уруксат берилген {max_absence} күндөн ашык",
        "ru": "отсутствие в стране с {window_start} по {window_end}: {absent} дн., больше "
        "допустимых за год {max_absence} дн.",
        "en": "absent from the country {absent} days from {window_start} to {window_end}, "
        "more than the {max_absence} allowed in a year",
    },
    "RESIDENCE.not_resident": {
        "ky": "добуш берүү күнү ({polling_day}) өлкөдө жашабайт",
        "ru": "на день голосования ({polling_day}) в стране не проживает",
        "en": "not resident in the country on polling day ({polling_day})",
    },
    "RESIDENCE.unknown": {
        "ky": "өлкөдө жашаганы тууралуу маалымат жок",
        "ru": "сведений о проживании в стране нет",
        "en": "residence unknown",
    },
    # -- state language
    "LANGUAGE.passed": {
        "ky": "мамлекеттик тил боюнча сынакты ийгиликтүү тапшырган",
        "ru": "экзамен на знание государственного языка сдан",
        "en": "passed the state-language test",
    },
    "LANGUAGE.failed": {
        "ky": "мамлекеттик тил боюнча сынакты тапшыра алган эмес",
        "ru": "экзамен на знание государственного языка не сдан",
        "en": "failed the state-language test",
    },
    "LANGUAGE.not_taken": {
        "ky": "мамлекеттик тил боюнча сынакты али тапшыра элек",
        "ru": "экзамен на знание государственного языка ещё не сдавался",
        "en": "has not yet taken the state-language test",
    },
    "LANGUAGE.not_applied": {
        "ky": "бул кызмат үчүн мамлекеттик тилди билүү талап кылынбайт",
        "ru": "владение государственным языком для этой должности не требуется",
        "en": "knowledge of the state language is not required for this office",
    },
    "LANGUAGE.unknown": {
        "ky": "мамлекеттик тил боюнча сынактын жыйынтыгы белгисиз",
        "ru": "сведений об экзамене на знание государственного языка нет",
        "en": "state-language test result unknown",
    },
    # -- education
    "EDUCATION.met": {
        "ky": "билими: {education}; {required} билимден төмөн эмес талап кылынат",
        "ru": "образование: {education}; требуемый уровень — не ниже: {required}",
        "en": "education: {education}; at least {required} required",
    },
    "EDUCATION.below": {
        "ky": "билими: {education}, бул талап кылынган деңгээлден ({required}) төмөн",
        "ru": "образование: {education}, ниже требуемого уровня ({required})",
        "en": "education: {education}, below the required level ({required})",
    },
    "EDUCATION.not_applied": {
        "ky": "билим деңгээлине талап коюлбайт",
        "ru": "требований к уровню образования нет",
        "en": "no level of education is required",
    },
    "EDUCATION.unknown": {
        "ky": "билими тууралуу маалымат жок",
        "ru": "сведений об образовании нет",
        "en": "education unknown",
    },
    # -- criminal record
    "CRIMINAL_RECORD.clean": {
        "ky": "соттуулугу жок",
        "ru": "судимости нет",
        "en": "no criminal record",
    },
    "CRIMINAL_RECORD.expunged_allowed": {
        "ky": "соттуулугу жоюлган же алынып салынган; бул мыйзам боюнча ал тоскоол болбойт",
        "ru": "судимость погашена или снята; по этому закону она не препятствует выдвижению",
        "en": "an expunged criminal record, which this law does not bar",
    },
    "CRIMINAL_RECORD.expunged_barred": {
        "ky": "соттуулугу жоюлган же алынып салынган, бирок бул мыйзам боюнча жоюлган "
        "соттуулук да талапкер болууга тоскоол болот",
        "ru": "судимость погашена или снята, но по этому закону выдвижению препятствует "
        "и погашенная судимость",
        "en": "an expunged criminal record, which this law bars too",
    },
    "CRIMINAL_RECORD.unexpunged": {
        "ky": "жоюла элек же алынып салына элек соттуулугу бар",
        "ru": "имеется непогашенная или неснятая судимость",
        "en": "an unexpunged criminal record",
    },
    "CRIMINAL_RECORD.not_applied": {
        "ky": "бул мыйзам боюнча соттуулук талапкер болууга тоскоол болбойт",
        "ru": "по этому закону судимость не препятствует выдвижению",
        "en": "a criminal record is no bar under this law",
    },
    "CRIMINAL_RECORD.unknown": {
        "ky": "соттуулугу тууралуу маалымат жок",
        "ru": "сведений о судимости нет",
        "en": "criminal record unknown",
    },
    # -- terms
    "TERMS.within": {
        "ky": "мурда ээлеген мөөнөттөрү: {terms_served}; эң көп {max_terms} мөөнөткө "
        "уруксат берилет",
        "ru": "сроков полномочий ранее: {terms_served}; допускается не более {max_terms}",
        "en": "{terms_served} terms served before; at most {max_terms} allowed",
    },
    "TERMS.exceeded": {
        "ky": "мурда ээлеген мөөнөттөрү: {terms_served}; дагы бир мөөнөт {max_terms} "
        "мөөнөттүк чектен ашып кетет",
        "ru": "сроков полномочий ранее: {terms_served}; ещё один срок превысит предел "
        "({max_terms})",
        "en": "{terms_served} terms served before; another would exceed the limit of {max_terms}",
    },
    "TERMS.not_applied": {
        "ky": "ыйгарым укук мөөнөттөрүнүн саны чектелген эмес",
        "ru": "число сроков полномочий не ограничено",
        "en": "the number of terms is not limited",
    },
    "TERMS.unknown": {
        "ky": "мурда ээлеген мөөнөттөрү тууралуу маалымат жок",
        "ru": "сведений о прежних сроках полномочий нет",
        "en": "terms served unknown",
    },
}

_DATE_KEYS = frozenset(("birth_date", "comes_of_age", "polling_day", "window_start", "window_end"))


def language(lang: str) -> Lang:
    """``lang`` checked: ky, ru or en (ValueError otherwise)."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, not {lang!r}")
    return cast(Lang, lang)


def show_date(iso: str, lang: Lang) -> str:
    """An ISO date as a reader of ``lang`` writes it: ``14.03.2025`` in ky and ru."""
    if not iso or lang == "en":
        return iso
    year, month, day = iso.split("-")
    return f"{day}.{month}.{year}"


def _show(code: str, key: str, value: str, lang: Lang) -> str:
    if key in _DATE_KEYS:
        return show_date(value, lang)
    if code == "EDUCATION" and key in ("education", "required"):
        return EDUCATION_NAMES[value][lang]
    if key == "years" and lang != "en":
        return value.replace(".", ",")
    return value


def finding_text(check: Check, lang: str) -> str:
    """What was found and what the law requires, in ``lang``."""
    reader = language(lang)
    values = {key: _show(check.code, key, value, reader) for key, value in check.values.items()}
    return FINDINGS[f"{check.code}.{check.finding}"][reader].format(**values)


def document_name(code: str, lang: str) -> str:
    """The name of a needed document (its code when the texts do not know it)."""
    names = DOCUMENTS.get(code)
    return names[language(lang)] if names is not None else code


def citation_text(check: Check, lang: str) -> str:
    """The legal basis of ``check`` in ``lang``, marked when the law file leaves it
    unconfirmed."""
    reader = language(lang)
    basis = check.citation_in(reader) or LABELS["no_basis"][reader]
    if check.unconfirmed:
        basis = f"{basis} {LABELS['unconfirmed'][reader]}"
    return basis


def evidence_text(evidence: Evidence, lang: str) -> str:
    """Which source said what, when, and under which reference."""
    reader = language(lang)
    names = SOURCES.get(evidence.source)
    parts = [names[reader] if names is not None else evidence.source]
    if evidence.said:
        parts.append(f"«{evidence.said}»" if reader != "en" else f'"{evidence.said}"')
    if evidence.at is not None:
        parts.append(show_date(evidence.at.date().isoformat(), reader))
    if evidence.reference:
        parts.append(evidence.reference)
    return ", ".join(parts)


def check_line(check: Check, lang: str) -> str:
    """One rule on one line: mark, name, outcome, finding, basis, then the evidence and the
    document needed when there are."""
    reader = language(lang)
    line = (
        f"{MARKS[check.outcome]} {RULE_NAMES[check.code][reader]}: "
        f"{OUTCOMES[check.outcome][reader]} — {finding_text(check, reader)}. "
        f"{LABELS['basis'][reader]}: {citation_text(check, reader)}."
    )
    if check.evidence is not None:
        line += f" {LABELS['source'][reader]}: {evidence_text(check.evidence, reader)}."
    if check.outcome == "undecided" and check.needs_document:
        line += f" {LABELS['needs'][reader]}: {document_name(check.needs_document, reader)}."
    return line


def verdict_line(decision: Decision, lang: str) -> str:
    """The verdict, with the rules not met or the documents needed."""
    reader = language(lang)
    line = f"{LABELS['decision'][reader]}: {VERDICTS[decision.verdict][reader]}"
    if decision.failing:
        names = ", ".join(RULE_NAMES[code][reader] for code in decision.failing)
        line += f" ({LABELS['failing'][reader]}: {names})"
    elif decision.needs_documents:
        documents = ", ".join(document_name(code, reader) for code in decision.needs_documents)
        line += f" ({LABELS['needed'][reader]}: {documents})"
    return line


def render(decision: Decision, lang: str) -> list[str]:
    """The decision in ``lang`` (ky, ru or en): the verdict line, then one line per rule."""
    reader = language(lang)
    return [
        verdict_line(decision, reader),
        *(check_line(check, reader) for check in decision.checks),
    ]
