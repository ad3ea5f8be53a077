"""Names kept in one column per language (``name_ky``, ``name_ru``, ``name_en``), read in the
reader's language.

Regions, contests, options and parties carry their names as the law and the ballot give them:
in Kyrgyz and Russian, some also in English. A page shows the reader's language where the
name exists, else Kyrgyz, Russian, English (``settings.MODELTRANSLATION_FALLBACK_LANGUAGES``,
the order election names follow too), so an English reader of a Kyrgyz ballot sees its
Russian text rather than nothing, and never a bare code where a name is known.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import get_language

LANGS = ("ky", "ru", "en")


def reader_language() -> str:
    """The active language among Kyrgyz, Russian and English (the site default otherwise)."""
    code = (get_language() or settings.LANGUAGE_CODE)[:2]
    return code if code in LANGS else settings.LANGUAGE_CODE[:2]


def fallback_order(lang: str | None = None) -> tuple[str, ...]:
    """``lang`` (the reader's by default) first, then the site's fallback languages."""
    wanted = lang or reader_language()
    fallbacks = tuple(getattr(settings, "MODELTRANSLATION_FALLBACK_LANGUAGES", LANGS))
    return (wanted, *(code for code in fallbacks if code != wanted))


def localized(obj: Any, field: str, lang: str | None = None) -> str:
    """``obj.<field>_<lang>`` in the reader's language, else the first one set ("" if none)."""
    for code in fallback_order(lang):
        text = getattr(obj, f"{field}_{code}", None)
        if text:
            return str(text)
    return ""


def names(obj: Any, field: str) -> dict[str, str]:
    """The text in each language ("" where the object has no such column or it is empty)."""
    return {code: str(getattr(obj, f"{field}_{code}", "") or "") for code in LANGS}
