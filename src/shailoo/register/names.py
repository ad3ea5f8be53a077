"""Name matching keys, readable Latin transliteration and name similarity (pure, fast).

The population registry spells one name in many ways: Kyrgyz letters ө ү ң or their Russian
stand-ins о у н, the old fita ѳ for ө, Latin letters typed inside Cyrillic words (a Latin
``o`` or ``p`` looks exactly like ``о`` or ``р``), ё for е, Дж for Ж, doubled Kyrgyz vowels
(Жээнбеков/Женбеков) and Latin spellings (Omurov, Zhumabaev, Jumabaev). Matching needs one
key for all of them, so :func:`normalise` folds every variant to a coarse *Latin* key in
which Cyrillic and Latin inputs meet::

    normalise("Өмүров") == normalise("Ѳмүров") == normalise("Омуров")
                        == normalise("Omurov") == normalise("Oмypoв") == "omurov"

The key is a matching device, not a spelling: it loses information on purpose (ө and о,
ы and и, ч and ch all meet). It is computed on every imported row, so it is built from
tables precompiled at import (``str.translate`` tables and an equivalent one-byte charmap
codec for the common case) and plain ``str.replace`` calls: about 2 µs per full name.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from typing import Any

from rapidfuzz import fuzz

# --- Latin homoglyphs typed inside Cyrillic words -------------------------------------------
#: Latin letters that look like a Cyrillic letter, case by case. Applied before case
#: folding, because the look-alike depends on case (Latin ``B`` is ``В``, ``b`` is ``ь``).
#: Greek look-alikes need no context and are read directly by the key table.
HOMOGLYPHS: dict[str, str] = {
    "A": "А", "B": "В", "C": "С", "E": "Е", "H": "Н", "I": "І", "K": "К", "M": "М",
    "O": "О", "P": "Р", "T": "Т", "X": "Х", "Y": "У",
    "a": "а", "b": "ь", "c": "с", "e": "е", "i": "і", "k": "к", "m": "м", "o": "о",
    "p": "р", "t": "т", "x": "х", "y": "у",
}  # fmt: skip
_HOMOGLYPH_TABLE = str.maketrans(HOMOGLYPHS)
_HOMOGLYPH_LETTERS = frozenset(HOMOGLYPHS)
_CYRILLIC = re.compile(r"[\u0400-\u04ff\u0500-\u052f]")
_LATIN = re.compile(r"[A-Za-z]")
_WORD = re.compile(r"[^\W\d_]+")

# --- The matching key -----------------------------------------------------------------------
_KEY_MAP: dict[str, str] = {
    # Russian and Kyrgyz Cyrillic, with the look-alikes and neighbours that stand in for them.
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "ґ": "g", "д": "d",
    "е": "e", "ё": "e", "є": "e", "э": "e", "ж": "j", "җ": "j", "з": "z", "и": "i",
    "й": "i", "і": "i", "ї": "i", "ы": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "ҥ": "n", "о": "o", "ө": "o", "ѳ": "o", "ӧ": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ү": "u", "ұ": "u", "ў": "u", "ӱ": "u",
    "ф": "f", "х": "h", "һ": "h", "ҳ": "h", "ц": "ts", "ч": "ch", "ҷ": "ch", "ш": "sh",
    "щ": "sh", "ъ": "", "ь": "", "ю": "iu", "я": "ia",
    # Latin letters whose reading differs in Central Asian spellings.
    "y": "i", "q": "k", "w": "v", "x": "h",
    # Latin letters with diacritics (Turkish, Uzbek, Kazakh Latin, passports).
    "à": "a", "á": "a", "â": "a", "ä": "a", "ã": "a", "å": "a", "ā": "a",
    "ç": "ch", "č": "ch", "è": "e", "é": "e", "ê": "e", "ë": "e", "ē": "e", "ė": "e",
    "ì": "i", "í": "i", "î": "i", "ï": "i", "ı": "i", "ī": "i", "ñ": "n", "ń": "n",
    "ň": "n", "ŋ": "n", "ò": "o", "ó": "o", "ô": "o", "ö": "o", "õ": "o", "ø": "o",
    "ō": "o", "ő": "o", "ù": "u", "ú": "u", "û": "u", "ü": "u", "ū": "u", "ű": "u",
    "ů": "u", "ý": "i", "ÿ": "i", "ş": "sh", "ș": "sh", "š": "sh", "ğ": "g", "ž": "j",
    "ţ": "t", "ț": "t", "ß": "ss",
    # Greek capitals and small letters only ever appear here as look-alikes.
    "α": "a", "β": "v", "ε": "e", "η": "n", "ι": "i", "κ": "k", "μ": "m", "ο": "o",
    "ρ": "r", "τ": "t", "υ": "u", "χ": "h",
    # Apostrophes vanish (O'zbek, Gʻulom); hyphens and punctuation separate words.
    "'": "", "’": "", "‘": "", "ʼ": "", "ʻ": "", "`": "", "´": "", "ʹ": "",
    "-": " ", "‐": " ", "‑": " ", "‒": " ", "–": " ", "—": " ", "―": " ", ".": " ",
    ",": " ", ";": " ", ":": " ", "/": " ", "(": " ", ")": " ", '"': " ", "«": " ",
    "»": " ", "_": " ",
}  # fmt: skip


def _key_table() -> dict[int, str | None]:
    """The translation table of the key, complete over Cyrillic and Latin-with-diacritics.

    Letters not listed above are read as their base letter (NFKD) when that is listed, and
    dropped otherwise (archaic Cyrillic), so that a key holds no Cyrillic and a second
    :func:`normalise` changes nothing.
    """
    table: dict[int, str | None] = {ord(k): v for k, v in _KEY_MAP.items()}
    # Combining marks left after case folding (e.g. the dot of Turkish İ) are dropped.
    table.update({code: None for code in range(0x300, 0x370)})
    for code in [*range(0xC0, 0x250), *range(0x400, 0x530)]:
        char = chr(code)
        if code in table or not char.isalpha():
            continue
        base = unicodedata.normalize("NFKD", char.casefold())[:1]
        if base in _KEY_MAP:
            table[code] = _KEY_MAP[base]
        elif base.isascii() and base.isalpha():
            table[code] = base
        elif 0x400 <= code < 0x530:
            table[code] = None
    return table


_KEY_TABLE = _key_table()

#: Digraphs that different romanisations write differently, folded on the Latin key in this
#: order (``dzh`` becomes ``dj`` then ``j``; doubled Kyrgyz vowels become single).
_KEY_FOLDS: tuple[tuple[str, str], ...] = (
    ("shch", "sh"),
    ("zh", "j"),
    ("dj", "j"),
    ("kh", "h"),
    ("ng", "n"),
    ("ie", "e"),
    ("aa", "a"),
    ("ee", "e"),
    ("ii", "i"),
    ("oo", "o"),
    ("uu", "u"),
)


def _fix_homoglyphs(text: str) -> str:
    """Read Latin look-alike letters as Cyrillic where the text around them is Cyrillic.

    A word containing Cyrillic letters is Cyrillic; so is a word made only of look-alike
    letters (``COCOB``) when the text has Cyrillic elsewhere. Other Latin words stay Latin.
    """

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        if _CYRILLIC.search(token) or _HOMOGLYPH_LETTERS.issuperset(token):
            return token.translate(_HOMOGLYPH_TABLE)
        return token

    return _WORD.sub(word, text)


def _prepare(text: str) -> str:
    """NFC, then look-alike letters resolved: the text ready for transliteration."""
    text = unicodedata.normalize("NFC", text)
    if not text.isascii() and _LATIN.search(text) and _CYRILLIC.search(text):
        text = _fix_homoglyphs(text)
    return text


def normalise(text: str) -> str:
    """The matching key of a name: Latin, lower case, spelling variants folded.

    Steps: NFKC; Latin look-alikes inside Cyrillic words read as Cyrillic; case folding;
    one translation table (Kyrgyz ө ү ң and their stand-ins ѳ о у н fold together, ё to е,
    ъ and ь and apostrophes vanish, hyphens and punctuation separate words, Cyrillic to a
    coarse Latin); romanisation digraphs folded (zh/dj/j, kh/h, ng/n, ye/e, doubled vowels);
    whitespace collapsed. Idempotent: ``normalise(normalise(x)) == normalise(x)``.

    Names made of ASCII, Cyrillic and the usual Kyrgyz letters (nearly all rows) take a fast
    path through a one-byte charmap codec and ``bytes.translate``; anything else, and text
    mixing Latin and non-ASCII letters, takes the general path. Both give the same key.
    """
    text = unicodedata.normalize("NFKC", text)
    try:
        raw = codecs.charmap_encode(text.lower(), "strict", _FAST_ENCODING)[0]
    except UnicodeEncodeError:
        return _normalise_general(text)
    if not raw.isascii() and len(raw.translate(None, _ASCII_LETTERS)) != len(raw):
        return _normalise_general(text)  # Latin next to Cyrillic: look-alikes to resolve
    key = raw.translate(_FAST_TABLE, _FAST_DELETE).decode("latin-1")
    if not key.isascii():
        for placeholder, expansion in _FAST_EXPANSIONS:
            if placeholder in key:
                key = key.replace(placeholder, expansion)
    return " ".join(_fold(key).split())


def _normalise_general(text: str) -> str:
    """:func:`normalise` for any text (already NFKC): look-alikes, case folding, the table."""
    if not text.isascii() and _LATIN.search(text) and _CYRILLIC.search(text):
        text = _fix_homoglyphs(text)
    return " ".join(_fold(text.casefold().translate(_KEY_TABLE)).split())


def _fold(key: str) -> str:
    """Fold romanisation digraphs to a fixed point: one fold can make another (``dzh``).

    Unrolled ``str.replace`` calls: the cheapest way in CPython (no match, no copy).
    """
    while True:
        folded = (
            key.replace("shch", "sh")
            .replace("zh", "j")
            .replace("dj", "j")
            .replace("kh", "h")
            .replace("ng", "n")
            .replace("ie", "e")
            .replace("aa", "a")
            .replace("ee", "e")
            .replace("ii", "i")
            .replace("oo", "o")
            .replace("uu", "u")
        )
        if folded == key:
            return key
        key = folded


def _fast_codec() -> tuple[Any, bytes, bytes, tuple[tuple[str, str], ...]]:
    """Build the fast path: a charmap codec and a byte table equivalent to ``_KEY_TABLE``.

    ASCII encodes as itself; each non-ASCII character of ``_KEY_MAP`` that lower-cased names
    use gets one byte from 0x80 up. The byte table maps every byte to its one-letter key, or
    deletes it, or to a placeholder byte (one per longer key, e.g. ``ch``) that is replaced
    after decoding.
    """
    fast = [c for c in _KEY_MAP if not c.isascii() and c.lower() == c and c.casefold() == c]
    fast = [c for c in fast if "\u0400" <= c < "\u0530" or c in _FAST_EXTRA]
    fast.append("\u0307")  # the dot that lower-casing Turkish İ leaves
    if len(fast) > 128:
        raise RuntimeError("too many characters for a one-byte fast path")
    decoding = "".join(chr(i) for i in range(128)) + "".join(fast)
    decoding += "".join(chr(0xE000 + i) for i in range(256 - len(decoding)))  # never encoded
    table, delete, placeholders = bytearray(range(256)), bytearray(), dict[str, int]()
    for byte, char in enumerate(decoding[: 128 + len(fast)]):
        value = _KEY_TABLE.get(ord(char), char)
        if value is None or value == "":
            delete.append(byte)
        elif len(value) == 1:
            table[byte] = ord(value)
        else:
            table[byte] = placeholders.setdefault(value, 0x80 + len(placeholders))
    expansions = tuple((chr(code), value) for value, code in placeholders.items())
    return codecs.charmap_build(decoding), bytes(table), bytes(delete), expansions


#: Latin letters with diacritics common enough in registry names to stay on the fast path.
_FAST_EXTRA = frozenset("äçéëıöüşğñžščáíóú’‘ʼʻ´–—«»")
_FAST_ENCODING, _FAST_TABLE, _FAST_DELETE, _FAST_EXPANSIONS = _fast_codec()
_ASCII_LETTERS = bytes(range(ord("a"), ord("z") + 1)) + bytes(range(ord("A"), ord("Z") + 1))


def name_key(surname: str, given_name: str, patronymic: str = "") -> str:
    """The person's matching key: the normalised surname, given name and patronymic."""
    return normalise(f"{surname} {given_name} {patronymic}")


# --- Readable transliteration ---------------------------------------------------------------
_LATIN_MAP: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "ң": "ng",
    "ҥ": "ng", "о": "o", "ө": "ö", "ѳ": "ö", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ү": "ü", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "ә": "ä", "ғ": "gh", "қ": "q", "ұ": "u", "һ": "h", "і": "i", "җ": "j", "ў": "w",
}  # fmt: skip
_TRANSLIT_TABLE: dict[int, str] = {}
for _cyr, _lat in _LATIN_MAP.items():
    _TRANSLIT_TABLE[ord(_cyr)] = _lat
    _TRANSLIT_TABLE[ord(_cyr.upper())] = _lat[:1].upper() + _lat[1:]
_CAPS_RUN = re.compile(r"[A-ZА-ЯЁӨҮҢѲҤӘҒҚҰҺІЎҖ]{2}")


def transliterate(text: str) -> str:
    """Readable Latin spelling of a Kyrgyz or Russian name, for lists and search.

    Scheme (close to BGN/PCGN for Russian, with the Kyrgyz letters ө ү ң as in BGN/PCGN for
    Kyrgyz; simplified: ж is zh as in Russian romanisation where the Kyrgyz table writes j,
    е is always e, ъ and ь are dropped): а a, б b, в v, г g, д d, е e, ё yo, ж zh, з z, и i, й y,
    к k, л l, м m, н n, ң ng, о o, ө ö, п p, р r, с s, т t, у u, ү ü, ф f, х kh, ц ts,
    ч ch, ш sh, щ shch, ъ and ь omitted, ы y, э e, ю yu, я ya (ѳ is read as ө). Capitals
    are kept (Ж becomes Zh, or ZH inside an all-capital word); Latin text passes unchanged,
    except look-alike Latin letters inside Cyrillic words, which are read as Cyrillic.
    """
    text = _prepare(text)
    if _CAPS_RUN.search(text):
        return _tidy(_WORD.sub(_transliterate_word, text))
    return _tidy(text.translate(_TRANSLIT_TABLE))


def _tidy(latin: str) -> str:
    """ң before г reads ``ng``, not ``ngg`` (Чыңгыз is Chyngyz)."""
    if "gg" in latin or "GG" in latin:
        latin = latin.replace("ngg", "ng").replace("NGG", "NG").replace("Ngg", "Ng")
    return latin


def _transliterate_word(match: re.Match[str]) -> str:
    word = match.group(0)
    latin = word.translate(_TRANSLIT_TABLE)
    return latin.upper() if len(word) > 1 and word.isupper() else latin


# --- Which characters a name may hold -------------------------------------------------------
#: Letters a name part may hold: Cyrillic (Russian, Kyrgyz ө ү ң and the letters of the
#: neighbouring Cyrillic alphabets, the old fita ѳ), Latin with its diacritics (Latin
#: spellings and look-alike letters typed inside Cyrillic words), and the Greek letters that
#: registries carry only as look-alikes (see ``_KEY_MAP``).
_NAME_LETTERS = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"
    "\u0400-\u0481\u048a-\u052f"
    "\u0391\u0392\u0395\u0397\u0399\u039a\u039c\u039f\u03a1\u03a4\u03a5\u03a7"
    "\u03b1\u03b2\u03b5\u03b7\u03b9\u03ba\u03bc\u03bf\u03c1\u03c4\u03c5\u03c7"
)
#: Besides letters, after the first one: combining accents (a name typed decomposed), spaces
#: (with the no-break and thin spaces copied from documents), hyphens and dashes
#: (Салтыков-Щедрин), apostrophes and their look-alikes (Gʻulom, O'zbek, Д'Артаньян) and a
#: full stop (an abbreviated part). Nothing else: no digits, no markup (``< > & " =``), no
#: formula or control characters.
_NAME_MARKS = (
    "\u0300-\u036f \u00a0\u2000-\u200a\u202f\\-\u2010-\u2015'\u2018\u2019\u02bb\u02bc\u02b9`\u00b4."
)
_NAME_PART = re.compile(f"[{_NAME_LETTERS}][{_NAME_LETTERS}{_NAME_MARKS}]*")
_NAME_LETTER = re.compile(f"[{_NAME_LETTERS}]")
_NAME_CHAR = re.compile(f"[{_NAME_LETTERS}{_NAME_MARKS}]")


def name_problem(part: str) -> str | None:
    """Why ``part`` (a surname, given name or patronymic, trimmed) is not a name, or None.

    Lenient with real names — any Cyrillic or Latin letter, the look-alikes the matching key
    reads, spaces, hyphens, apostrophes — and strict with anything else: a name must begin
    with a letter and hold no digit, markup, formula or control character (docs/formats.md).
    An empty part is no problem here (whether a part may be empty is the row's rule).
    """
    if not part or _NAME_PART.fullmatch(part) is not None:
        return None
    if _NAME_LETTER.match(part) is None:
        return f"must begin with a Cyrillic or Latin letter, not {part[0]!r}"
    bad = next(char for char in part if _NAME_CHAR.match(char) is None)
    return f"character {bad!r} (U+{ord(bad):04X}) is not allowed in a name"


# --- Both at once, for a national import ---------------------------------------------------
#: Characters of a name part whose key and spelling do not depend on the other parts: plain
#: Cyrillic (with the Kyrgyz letters), spaces, hyphens and apostrophes. A part with Latin
#: letters, combining marks or anything else makes the whole name take the general path,
#: because look-alike resolution and normalisation look at the name as a whole.
_PLAIN_PART = re.compile(r"[А-Яа-яЁёӨөҮүҢңѲѳҤҥ '\-]*")
_PART_CACHE: dict[str, tuple[str, str] | None] = {}
_PART_CACHE_LIMIT = 500_000


def plain_part(part: str) -> tuple[str, str] | None:
    """A plain Cyrillic name part's key and Latin spelling (cached), or None for any other."""
    cached = _PART_CACHE.get(part, _MISSING)
    if cached is not _MISSING:
        return cached  # type: ignore[return-value]
    value = (normalise(part), transliterate(part)) if _PLAIN_PART.fullmatch(part) else None
    if len(_PART_CACHE) >= _PART_CACHE_LIMIT:
        _PART_CACHE.clear()
    _PART_CACHE[part] = value
    return value


_MISSING = object()


def key_and_latin(surname: str, given_name: str, patronymic: str = "") -> tuple[str, str]:
    """``name_key`` and the transliterated full name, computed once per distinct name part.

    A national extract has millions of rows but only thousands of distinct surnames, given
    names and patronymics; for plain Cyrillic parts both results are the parts' results
    joined (a property test holds this against the whole-name functions), so each part is
    normalised once. Anything else is computed on the whole name, exactly as before.
    """
    full = f"{surname} {given_name} {patronymic}"
    a, b, c = plain_part(surname), plain_part(given_name), plain_part(patronymic)
    trimmed = all(part == part.strip() for part in (surname, given_name, patronymic))
    if a is None or b is None or c is None or not (trimmed and surname and given_name):
        return normalise(full), transliterate(full.strip())
    key = " ".join(k for k in (a[0], b[0], c[0]) if k)
    # Transliteration maps letter by letter, so the whole is the parts with their spaces,
    # the patronymic's space only when there is a patronymic (the whole name is stripped).
    latin = f"{a[1]} {b[1]} {c[1]}" if patronymic else f"{a[1]} {b[1]}"
    return key, latin


# --- Similarity ---------------------------------------------------------------------------
_VOWELS = str.maketrans("", "", "aeiou")


def skeleton(key: str) -> str:
    """The consonant skeleton of a key: vowels after each word's first letter dropped.

    Маматов and Мамытов meet (``mmtv``); Асанов and Усенов do not (``asnv``, ``usnv``):
    an initial vowel is part of the name's identity, an inner one is often misspelt.
    """
    return " ".join(word[:1] + word[1:].translate(_VOWELS) for word in key.split())


def similarity(a_key: str, b_key: str) -> float:
    """How alike two name keys are, 0..100 (100: the same key).

    Two views are combined (:func:`combine`): the plain edit ratio, raised towards the ratio
    of the consonant skeletons when those agree better, so that a vowel written differently
    (Маматов/Мамытов, Абдыкадыр/Абдукадыр) costs little and a consonant costs in full. The
    result is then capped by how alike the *words that differ* are: siblings share surname
    and patronymic, and only their given names tell them apart, so "Асанов Үсөн Бакытович"
    and "Асанов Улан Бакытович" score low although most letters agree.
    """
    if a_key == b_key:
        return 100.0 if a_key else 0.0
    if not a_key or not b_key:
        return 0.0
    return _score(a_key, b_key, fuzz.ratio(a_key, b_key))


def _score(a_key: str, b_key: str, plain: float) -> float:
    whole = combine(plain, fuzz.ratio(skeleton(a_key), skeleton(b_key)))
    a_rest, b_rest = _differing_words(a_key, b_key)
    if not a_rest and not b_rest:
        return whole  # the same words in another order
    part = combine(fuzz.ratio(a_rest, b_rest), fuzz.ratio(skeleton(a_rest), skeleton(b_rest)))
    return min(whole, 50.0 + part / 2.0)


def _differing_words(a_key: str, b_key: str) -> tuple[str, str]:
    """The words of each key that the other key does not have (counting repeats)."""
    a_words, b_words = a_key.split(), b_key.split()
    common = Counter(a_words) & Counter(b_words)
    return _without(a_words, common), _without(b_words, common)


def _without(words: list[str], common: Counter[str]) -> str:
    left = common.copy()
    kept = []
    for word in words:
        if left[word] > 0:
            left[word] -= 1
        else:
            kept.append(word)
    return " ".join(kept)


def combine(plain: float, skel: float) -> float:
    """Score from the plain and the skeleton ratios: the better of plain and their mean."""
    return max(plain, (plain + skel) / 2.0)
