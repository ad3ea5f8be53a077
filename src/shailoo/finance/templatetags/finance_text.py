"""``{{ citation|law_citation:edition }}``: a citation stored in English, shown in the reader's
language from the law edition's own titles (``finance.explain_text.citation_text``)."""

from __future__ import annotations

from django import template

from shailoo.finance.explain_text import citation_text

register = template.Library()


@register.filter
def law_citation(citation: str, edition: str) -> str:
    """``citation`` in the reader's language (as stored where the edition lacks the act)."""
    return citation_text(str(citation or ""), str(edition or ""))
