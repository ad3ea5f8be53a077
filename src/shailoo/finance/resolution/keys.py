"""Donor keys: one spelling-free key for a name or an address in any script (pure).

A donor's name reaches us in the register's Cyrillic, in a bank's Latin transliteration and
in the English spelling of a foreign passport ("John SMITH", "Джон Смит", "Dzhon Smit").
The register's :func:`shailoo.register.names.normalise` already folds Kyrgyz, Russian and
romanised spellings together; :func:`donor_key` adds the folds that English spellings and
the register's own readable transliteration need (``th``, ``ph``, ``ck``, a silent ``h``,
doubled consonants, ``x`` as ``ks``, and ``io`` for ё: ``normalise`` reads ё as ``e`` but
``transliterate`` writes it ``yo``, so ``normalise(transliterate("Алёна")) != "alena"``).

:func:`read_name` splits a key into words and sets aside what must not decide a match:
legal-form words (ОсОО, LLC, GmbH, "общество с ограниченной ответственностью"), the sole
proprietor's ИП, and the patronymic markers уулу/кызы of Kyrgyz names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from shailoo.register.names import combine, normalise, skeleton

_CYRILLIC = re.compile(r"[\u0400-\u052f]")
#: ``x`` after a Latin letter is ``ks`` in English and in Russian passports (Alexander,
#: Aleksandr); at the start of a word it is Uzbek Latin for х (Xasanov), which ``normalise``
#: reads as ``h``.
_INNER_X = re.compile(r"(?<=[A-Za-z])[xX]")
_C = re.compile(r"c(?!h)")
#: A silent or aspirating ``h`` inside a word (Smith, John, Thomas), kept after ``c`` and
#: ``s`` where it makes ч and ш, and at the start of a word (Хасан is not Асан).
_INNER_H = re.compile(r"(?<=[a-z0-9])(?<![cs])h")
_DOUBLE = re.compile(r"([b-df-hj-np-tv-z])\1+")
#: Dotted abbreviations (L.L.C., S.A., И.П.) read as one word when that word is a legal form.
_DOTTED = re.compile(r"(?<!\w)(?:[^\W\d_]\.\s?){1,4}[^\W\d_]\.?(?!\w)")


def _fold(key: str) -> str:
    """One round of the extra folds (``str.replace`` where no context is needed: cheaper)."""
    if "ph" in key:
        key = key.replace("ph", "f")
    if "c" in key:
        key = _C.sub("k", key.replace("ck", "k"))
    if "h" in key:
        key = _INNER_H.sub("", key)
    if "io" in key:
        key = key.replace("io", "e")
    return _DOUBLE.sub(r"\1", key)


def donor_key(text: str) -> str:
    """The matching key of a name or an address: Latin, lower case, words separated by spaces.

    ``normalise`` first, then the extra folds and ``normalise`` again to a fixed point (each
    round shortens the key or leaves it, so this ends). About 3-5 µs; callers that meet
    the same names again and again cache it (:func:`read_name` does).
    """
    if ("x" in text or "X" in text) and not _CYRILLIC.search(text):
        text = _INNER_X.sub("ks", text)
    if "ё" in text or "Ё" in text:  # as transliterate writes it (yo), so both fold alike
        text = text.replace("ё", "йо").replace("Ё", "Йо")
    key = normalise(text)
    folded = _fold(key)
    while folded != key:
        key = normalise(folded)
        folded = _fold(key)
    return key


#: Text of one script whose characters :func:`donor_key` reads each alone (no look-alike
#: to resolve, nothing that NFKC turns into a letter of the other script, no dotted
#: abbreviation): its key is its words' keys, and words repeat across millions of names.
_ONE_SCRIPT = re.compile(r"[A-Za-z0-9' -]+|[\u0400-\u0481\u048a-\u04ff0-9' «»-]+")


@lru_cache(maxsize=1 << 18)
def _word_key(word: str) -> str:
    return donor_key(word)


def key_words(text: str) -> list[str]:
    """``donor_key(text).split()``, a word at a time (each distinct word keyed once) where
    that gives the same words: no rule of :func:`donor_key` looks past a space, and the
    rules that look at the whole text (look-alike letters, ``x``) read one script alike."""
    if _ONE_SCRIPT.fullmatch(text):
        return [key for word in text.split() for key in _word_key(word).split()]
    return donor_key(text).split()


def _keys(*phrases: str) -> frozenset[str]:
    return frozenset(donor_key(p) for p in phrases)


def _phrases(*phrases: str) -> tuple[tuple[str, ...], ...]:
    keyed = {tuple(donor_key(p).split()) for p in phrases}
    return tuple(sorted(keyed, key=lambda words: (-len(words), words)))


#: Legal forms of organisations, as one word (Kyrgyz, Russian, Kazakh, Uzbek and Western
#: abbreviations). Left out: the Kyrgyz АК/ААК and Kazakh АҚ ("ак", white, begins many
#: Kyrgyz names), the Kazakh ТОО ("тоо", mountain: Ала-Тоо) and the Finnish Oy ("ой").
ENTITY_FORMS: frozenset[str] = _keys(
    "ОсОО", "ООО", "ОДО", "ОАО", "ЗАО", "АО", "ПАО", "НАО", "ЖЧК", "ЖАК", "ЖШС",
    "МЧЖ", "ОФ", "МФ", "ОО", "ОЮЛ", "НКО", "ГП", "ГУП", "МП", "МУП", "КФХ", "СП",
    "ПК", "LLC", "LLP", "Ltd", "Limited", "Inc", "Incorporated", "Corp", "Corporation",
    "Co", "GmbH", "AG", "SA", "SAS", "SARL", "SRL", "SpA", "BV", "NV", "PLC", "JSC",
    "OJSC", "CJSC", "PJSC", "OOO", "ZAO", "OAO", "KFT", "AB", "ApS", "Pte",
    "Pty", "Bhd", "Ltda", "MChJ", "sro", "LLC.", "Ltd.",
)  # fmt: skip
#: Words that name the kind of body, not the body: stripped unless nothing else is left, so
#: "Фонд Сорос" meets "Soros Foundation".
GENERIC_WORDS: frozenset[str] = _keys(
    "фонд", "foundation", "fund", "компания", "company", "фирма", "firm",
)  # fmt: skip
#: Sole proprietors (a person trading under their own name and PIN).
PROPRIETOR_FORMS: frozenset[str] = _keys("ИП", "ЧП", "ЖИ", "IP", "PE")
#: Multi-word legal forms, longest first; each marks an organisation unless it is in
#: :data:`PROPRIETOR_PHRASES`.
ENTITY_PHRASES: tuple[tuple[str, ...], ...] = _phrases(
    "общество с ограниченной ответственностью", "общество с дополнительной ответственностью",
    "товарищество с ограниченной ответственностью", "акционерное общество",
    "открытое акционерное общество", "закрытое акционерное общество",
    "публичное акционерное общество", "непубличное акционерное общество",
    "общественный фонд", "общественное объединение", "международный фонд",
    "объединение юридических лиц", "некоммерческая организация", "государственное предприятие",
    "муниципальное предприятие", "жоопкерчилиги чектелген коом",
    "жоопкерчилиги чектелген коому", "ачык акционердик коом", "жабык акционердик коом",
    "акционердик коом", "коомдук фонд", "коомдук бирикме", "limited liability company",
    "limited liability partnership", "joint stock company", "open joint stock company",
    "closed joint stock company", "public joint stock company", "public limited company",
    "private limited company", "sp z o o", "sdn bhd", "pte ltd", "pty ltd",
)  # fmt: skip
PROPRIETOR_PHRASES: tuple[tuple[str, ...], ...] = _phrases(
    "индивидуальный предприниматель", "частный предприниматель", "жеке ишкер",
    "individual entrepreneur", "private entrepreneur", "sole proprietor", "sole proprietorship",
)  # fmt: skip
_PHRASE_STARTS = frozenset(p[0] for p in (*ENTITY_PHRASES, *PROPRIETOR_PHRASES))
#: Patronymic markers of Kyrgyz, Kazakh, Uzbek and Azerbaijani names (Мелис кызы, Бакыт
#: уулу, Алишер ўғли): they say "son/daughter of", not who.
PATRONYMIC_MARKERS: frozenset[str] = _keys(
    "уулу", "кызы", "улы", "қызы", "ўғли", "қизи", "oglu", "ogli", "o'g'li", "qizi", "kyzy",
    "uulu", "uly", "оглы", "кызы",
)  # fmt: skip
_SET_ASIDE = PROPRIETOR_FORMS | PATRONYMIC_MARKERS
#: Patronymic endings, longest first: "Мелисовна" and "Мелис кызы" share the father's name.
_PATRONYMIC_ENDING = re.compile(r"(?<=..)(?:ovna|evna|ichna|ovich|evich|ich|ovi|ovn)$")
_DIGIT = re.compile(r"\d")
#: A word is a word when it holds a letter or digit (not a run of control characters).
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def patronymic_stem(token: str) -> str:
    """The father's name inside a patronymic key (``melisovna`` -> ``melis``)."""
    return _PATRONYMIC_ENDING.sub("", token, count=1)


@dataclass(frozen=True, slots=True)
class NameReading:
    """One name read for matching.

    ``person`` are the words compared with a person's name (proprietor forms, patronymic
    markers and words with digits set aside), ``entity`` those compared with an
    organisation's (legal forms and generic words set aside). ``entity_form`` says a legal
    form of an organisation was written, ``proprietor_form`` that ИП or its like was.
    ``fathers`` marks the words of ``person`` that read as a patronymic: one with a
    patronymic ending (Иванович, Мелисовна) or followed by уулу/кызы (Мелис кызы).
    """

    person: tuple[str, ...]
    entity: tuple[str, ...]
    entity_form: bool
    proprietor_form: bool
    fathers: tuple[bool, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.person and not self.entity


def _undot(text: str) -> str:
    def word(match: re.Match[str]) -> str:
        joined = re.sub(r"[.\s]", "", match.group(0))
        key = donor_key(joined)
        if key in ENTITY_FORMS or key in PROPRIETOR_FORMS:
            return f" {joined} "
        return match.group(0)

    return _DOTTED.sub(word, text) if "." in text else text


def _strip_phrases(
    words: list[str], phrases: tuple[tuple[str, ...], ...]
) -> tuple[list[str], bool]:
    found = False
    if _PHRASE_STARTS.isdisjoint(words):
        return words, found
    for phrase in phrases:
        size = len(phrase)
        i = 0
        while i + size <= len(words):
            if tuple(words[i : i + size]) == phrase:
                del words[i : i + size]
                found = True
            else:
                i += 1
    return words, found


@lru_cache(maxsize=1 << 16)
def read_name(text: str) -> NameReading:
    """Read a name as written anywhere (register, statement, registry) for matching.

    Cached for the statements' names, which repeat; an index reads each distinct name of
    the register once through :func:`read_name_once`, which keeps no cache.
    """
    return read_name_once(text)


def read_name_once(text: str) -> NameReading:
    """:func:`read_name` without the cache."""
    words, entity_form, proprietor = _words(text)
    person, fathers = _person_view(words)
    return NameReading(
        person=person,
        entity=_entity_view(words),
        entity_form=entity_form,
        proprietor_form=proprietor,
        fathers=fathers,
    )


def person_words(text: str) -> tuple[str, ...]:
    """The words of a register's name part as :attr:`NameReading.person` reads them."""
    return _person_view(_words(text)[0])[0]


def entity_words(text: str) -> tuple[str, ...]:
    """The words of a registry's organisation name as :attr:`NameReading.entity` reads them."""
    return _entity_view(_words(text)[0])


def _words(text: str) -> tuple[list[str], bool, bool]:
    """The key's words without multi-word legal forms; whether an organisation's legal form
    or a sole proprietor's was written."""
    words = [w for w in key_words(_undot(text)) if _LETTER_OR_DIGIT.search(w)]
    words, proprietor = _strip_phrases(words, PROPRIETOR_PHRASES)
    words, entity_phrase = _strip_phrases(words, ENTITY_PHRASES)
    entity_form = entity_phrase or not ENTITY_FORMS.isdisjoint(words)
    return words, entity_form, proprietor or not PROPRIETOR_FORMS.isdisjoint(words)


def _person_view(words: list[str]) -> tuple[tuple[str, ...], tuple[bool, ...]]:
    person = [w for w in words if not _DIGIT.search(w)]
    fathers = [
        patronymic_stem(w) != w or (i + 1 < len(person) and person[i + 1] in PATRONYMIC_MARKERS)
        for i, w in enumerate(person)
    ]
    kept = [i for i, w in enumerate(person) if w not in _SET_ASIDE]
    if len(kept) >= 2 or len(kept) == len(person):  # else a name part is such a word ("Жи")
        person, fathers = [person[i] for i in kept], [fathers[i] for i in kept]
    return tuple(person), tuple(fathers)


def _entity_view(words: list[str]) -> tuple[str, ...]:
    entity = [w for w in words if w not in ENTITY_FORMS and w not in PROPRIETOR_FORMS]
    specific = [w for w in entity if w not in GENERIC_WORDS]
    return tuple(specific or entity or words)


@lru_cache(maxsize=1 << 17)
def token_similarity(a: str, b: str) -> float:
    """How alike two words of donor keys are, 0..100.

    The register's view (plain edit ratio raised towards the consonant skeleton's, so a
    vowel costs little and a consonant in full); a lone letter is an initial, which agrees
    with a word it begins but is weak evidence, so it never scores a full match.
    """
    if a == b:
        return 100.0 if a else 0.0
    if not a or not b:
        return 0.0
    if len(a) == 1 or len(b) == 1:
        return INITIAL_SCORE if a[0] == b[0] else 0.0
    return combine(fuzz.ratio(a, b), fuzz.ratio(skeleton(a), skeleton(b)))


#: What an initial ("I." for Ivan) scores against the word it begins: below a match.
INITIAL_SCORE = 75.0

# --- Addresses ----------------------------------------------------------------------------

#: Words that say what kind of place a part of an address is, in the languages a statement
#: or the register writes them: no evidence that two addresses are the same.
ADDRESS_WORDS: frozenset[str] = _keys(
    "г", "город", "шаар", "ул", "улица", "көчөсү", "көч", "пр", "просп", "проспект", "пер",
    "переулок", "бул", "бульвар", "мкр", "микрорайон", "кичи району", "ж/м", "жилмассив",
    "д", "дом", "үй", "кв", "квартира", "корп", "корпус", "стр", "строение", "обл",
    "область", "облусу", "р-н", "район", "району", "с", "село", "айыл", "пгт", "пос",
    "поселок", "кыргызстан", "кыргызская республика", "кыргыз республикасы", "kyrgyzstan",
    "kyrgyz republic", "street", "st", "str", "avenue", "ave", "apt", "apartment", "flat",
    "house", "city", "region", "district", "village", "building", "bldg", "road", "rd",
)  # fmt: skip
_ADDRESS_WORDS = frozenset(w for key in ADDRESS_WORDS for w in key.split())


@dataclass(frozen=True, slots=True)
class AddressReading:
    """An address read for matching: its numbers (house, flat, plot) and its place words."""

    numbers: tuple[str, ...]
    words: tuple[str, ...]


def read_address(key: str) -> AddressReading:
    """Read an address's :func:`donor_key` (``12a`` and ``12 a`` are the same house)."""
    numbers: list[str] = []
    words: list[str] = []
    for word in re.sub(r"(\d)\s+([a-z])(?![a-z])", r"\1\2", key).split():
        if any(c.isdigit() for c in word):
            numbers.append(word)
        elif len(word) > 1 and word not in _ADDRESS_WORDS:
            words.append(word)
    return AddressReading(tuple(numbers), tuple(words))


def addresses_agree(a: AddressReading, b: AddressReading) -> bool:
    """Whether two addresses name the same dwelling, as far as a statement lets us tell.

    The numbers of the shorter address (house, flat) all appear in the longer one — a bank
    may leave out the flat — and at least one number is shared; every place word of the
    shorter address (street, town) matches a word of the other closely. An address with no
    number or no place word corroborates nothing.
    """
    if not (a.numbers and b.numbers and a.words and b.words):
        return False
    short, long = (a, b) if len(a.numbers) <= len(b.numbers) else (b, a)
    pool = list(long.numbers)
    for number in short.numbers:
        if number not in pool:
            return False
        pool.remove(number)
    short_words, long_words = (
        (a.words, b.words) if len(a.words) <= len(b.words) else (b.words, a.words)
    )
    return all(
        max(token_similarity(w, other) for other in long_words) >= ADDRESS_WORD_SCORE
        for w in short_words
    )


ADDRESS_WORD_SCORE = 85.0
