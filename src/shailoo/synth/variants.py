"""Spelling variants under which one person is registered twice.

These are the variants seen in registries of Kyrgyzstan: the Kyrgyz letters ө ү ң written as
о у н; an inner vowel written differently (Маматов/Мамытов, Абдыкадыров/Абдукадыров);
Latin look-alike letters typed into a Cyrillic name; Ж and Дж (Жумабаев/Джумабаев); ё as е;
a doubled Kyrgyz vowel written single (Жээнбеков/Женбеков, уулу/улу). The table of
look-alikes is written here independently of the matcher (``register.names``), so that the
tests of the matcher against planted duplicates are not circular.
"""

from __future__ import annotations

import random
from collections.abc import Callable

#: Cyrillic letters and the Latin letters that look the same.
LOOK_ALIKES: dict[str, str] = {
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c",
    "у": "y", "х": "x",
}  # fmt: skip
_KYRGYZ_TO_RUSSIAN = str.maketrans({"ө": "о", "ү": "у", "ң": "н", "Ө": "О", "Ү": "У", "Ң": "Н"})
_VOWEL_SWAPS = {"а": "ы", "ы": "а", "у": "ы", "и": "ы", "е": "и", "о": "а"}
_DOUBLES = ("ээ", "уу", "оо", "үү", "өө", "аа")

Name = tuple[str, str, str]


def _kyrgyz_letters(rng: random.Random, name: Name) -> Name | None:
    changed = tuple(part.translate(_KYRGYZ_TO_RUSSIAN) for part in name)
    return (changed[0], changed[1], changed[2]) if changed != name else None


def _vowel(rng: random.Random, name: Name) -> Name | None:
    which = 0 if rng.random() < 0.75 else 1
    part = name[which]
    spots = [i for i in range(1, len(part) - 1) if part[i] in _VOWEL_SWAPS]
    if not spots:
        return None
    i = rng.choice(spots)
    changed = part[:i] + _VOWEL_SWAPS[part[i]] + part[i + 1 :]
    return (changed, name[1], name[2]) if which == 0 else (name[0], changed, name[2])


def _look_alike(rng: random.Random, name: Name) -> Name | None:
    which = 0 if rng.random() < 0.7 else 1
    part = name[which]
    spots = [i for i, c in enumerate(part) if c in LOOK_ALIKES]
    if not spots:
        return None
    chars = list(part)
    for i in rng.sample(spots, min(len(spots), rng.randint(1, 3))):
        chars[i] = LOOK_ALIKES[chars[i]]
    changed = "".join(chars)
    return (changed, name[1], name[2]) if which == 0 else (name[0], changed, name[2])


def _dzh(rng: random.Random, name: Name) -> Name | None:
    surname = name[0]
    if surname.startswith("Дж"):
        return ("Ж" + surname[2:], name[1], name[2])
    if surname.startswith("Ж"):
        return ("Дж" + surname[1:], name[1], name[2])
    return None


def _yo(rng: random.Random, name: Name) -> Name | None:
    changed = tuple(part.replace("ё", "е") for part in name)
    return (changed[0], changed[1], changed[2]) if changed != name else None


def _double_vowel(rng: random.Random, name: Name) -> Name | None:
    for k, part in enumerate(name):
        for double in _DOUBLES:
            if double in part:
                changed = list(name)
                changed[k] = part.replace(double, double[0], 1)
                return (changed[0], changed[1], changed[2])
    return None


VARIANTS: dict[str, Callable[[random.Random, Name], Name | None]] = {
    "kyrgyz_letters": _kyrgyz_letters,
    "vowel": _vowel,
    "look_alike": _look_alike,
    "dzh": _dzh,
    "yo": _yo,
    "double_vowel": _double_vowel,
}
_WEIGHTS = {
    "kyrgyz_letters": 4.0,
    "vowel": 3.0,
    "look_alike": 3.0,
    "dzh": 2.0,
    "yo": 1.0,
    "double_vowel": 2.0,
}


def spelling_variant(rng: random.Random, name: Name) -> tuple[Name, str]:
    """Another spelling of ``(surname, given name, patronymic)`` and the kind of variant.

    The kind is drawn among those that change this name (weighted by how common they are);
    a look-alike letter always applies to a Cyrillic name, a vowel or letter case otherwise.
    """
    kinds = list(VARIANTS)
    weights = [_WEIGHTS[k] for k in kinds]
    while kinds:
        kind = rng.choices(kinds, weights)[0]
        changed = VARIANTS[kind](rng, name)
        if changed is not None and changed != name:
            return changed, kind
        at = kinds.index(kind)
        del kinds[at], weights[at]
    surname = name[0]
    swapped = surname.swapcase() if surname.lower() != surname.upper() else surname + "-"
    return (swapped, name[1], name[2]), "case"
