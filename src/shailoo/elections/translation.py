"""Election names in Kyrgyz, Russian and English (django-modeltranslation).

``Election.name`` reads as the reader's language, else Kyrgyz, Russian, English (settings'
``MODELTRANSLATION_FALLBACK_LANGUAGES``), so every page that shows ``{{ election.name }}``
speaks the page's language where a translation was entered. The ``name`` column itself stays
the stable name programs see (the results API's ``name``, exports, the ledger); the
per-language columns are ``name_ky``, ``name_ru`` and ``name_en``.
"""

from __future__ import annotations

from modeltranslation.translator import TranslationOptions, register

from shailoo.elections.models import Election


@register(Election)
class ElectionTranslation(TranslationOptions):
    fields = ("name",)
