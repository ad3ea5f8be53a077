"""The JSON twin of a public page, sent with validators: one way for every page to do it.

A program that follows an election polls the same few addresses all day (the candidates'
statuses, the funds, the register of complaints, turnout). Each answer here carries:

- a **strong ``ETag``**: a hash of the exact bytes of the body. The body is written the same
  way every time (compact, keys sorted, UTF-8 rather than ``\\u`` escapes), so the same data
  always gives the same bytes and the same tag, and any change of what the page shows —
  however it came about — gives another;
- **``Last-Modified``** from the time the *caller* names: the newest change of what the page
  shows (a decision, a ledger entry, a publication). Never the time of the request: a
  poller would then never be told "not modified", and a cache would take every copy for new.
  Where nothing records when the data changed (the geography keeps no time of change) there
  is no ``Last-Modified`` and the ``ETag`` alone answers;
- **``Cache-Control: public, max-age=0, must-revalidate``**: nothing here is personal, so a
  shared cache may keep it, but it must ask again, with the validators, before each use —
  a figure of the night is worth a round trip more than a few seconds of staleness
  (``accounts.security`` still sends ``no-store`` for an address outside its list of
  cacheable prefixes: deny by default, the list decides what a cache may keep);
- **``304 Not Modified``** through Django's own evaluation of the preconditions
  (:func:`django.utils.cache.get_conditional_response`, RFC 9110 §13.2.2: ``If-None-Match``
  first, ``If-Modified-Since`` only without it), with the validators repeated.

Refusals (an unknown election or account, a bad filter) are JSON too, in the refusal shape
every API of the project answers with, never the HTML error page.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from django.utils.translation import gettext

from shailoo.common.refusals import NotFound, Refusal

#: The languages a public name is given in (the site's three).
LANGS = ("ky", "ru", "en")
CONTENT_TYPE = "application/json"
#: Public data: any cache may keep it, and must revalidate it before every use.
PUBLIC_CACHE = "public, max-age=0, must-revalidate"


def dumps(payload: Any) -> bytes:
    """``payload`` as the bytes every JSON twin sends: compact, keys sorted, UTF-8.

    Dates, times and decimals are written as Django writes them (ISO 8601; a decimal as its
    string, so ``651000.00`` keeps its kopecks); NaN and infinity are refused (no JSON reader
    must accept them).
    """
    text = json.dumps(
        payload,
        cls=DjangoJSONEncoder,
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
    return text.encode("utf-8")


def strong_etag(body: bytes) -> str:
    """A strong entity tag for ``body``: 128 bits of its SHA-256, quoted."""
    return quote_etag(hashlib.sha256(body).hexdigest()[:32])


def newest(*moments: datetime | None) -> datetime | None:
    """The latest of ``moments`` that are known (``None`` when none is)."""
    known = [moment for moment in moments if moment is not None]
    return max(known) if known else None


def newest_of(moments: Iterable[datetime | None]) -> datetime | None:
    """:func:`newest` of an iterable."""
    return newest(*moments)


def _validators(response: HttpResponse, etag: str, last_modified: datetime | None) -> None:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = PUBLIC_CACHE


def json_response(
    request: HttpRequest, payload: Any, *, last_modified: datetime | None = None
) -> HttpResponse:
    """``payload`` as a ``200`` JSON answer with its validators, or ``304`` when the client's
    copy is current (``412`` when an ``If-Match`` precondition fails, as Django decides).

    ``last_modified`` is the newest change of what the answer shows (aware); ``None`` where
    nothing records it.
    """
    body = dumps(payload)
    etag = strong_etag(body)
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    _validators(response, etag, last_modified)
    seconds = int(last_modified.timestamp()) if last_modified is not None else None
    found = get_conditional_response(request, etag=etag, last_modified=seconds, response=response)
    return found if found is not None else response


def json_refusal(error: Refusal) -> HttpResponse:
    """A refusal as JSON (``code``, ``detail``, ``problems``…) with its kind's status."""
    response = HttpResponse(dumps(error.to_json()), content_type=CONTENT_TYPE)
    response.status_code = error.http_status
    response["Cache-Control"] = "no-cache"
    return response


def in_every_language(say: Callable[[], object]) -> dict[str, str]:
    """What ``say()`` gives in each of the site's languages (a label, a sentence), for a JSON
    answer that serves readers of every language with one body."""
    found = {}
    for lang in LANGS:
        with translation.override(lang):
            found[lang] = str(say())
    return found


def names_of(obj: object, field: str = "name") -> dict[str, str]:
    """``<field>_ky``, ``_ru`` and ``_en`` of a row, those that are set (parties have no
    English name, for instance: it is left out rather than invented)."""
    found = {lang: str(getattr(obj, f"{field}_{lang}", "") or "") for lang in LANGS}
    return {lang: text for lang, text in found.items() if text}


def twin_address(request: HttpRequest, name: str, *args: object) -> str:
    """The address of the JSON twin ``name`` of the page ``request`` shows, with the page's
    own query (its filters, its page number), for the page's ``rel="alternate"`` link."""
    address = reverse(name, args=args)
    query = request.GET.urlencode()
    return f"{address}?{query}" if query else address


# -- lists in pages ----------------------------------------------------------------------------


def page_asked(request: HttpRequest, paginator: Paginator[Any]) -> Page[Any]:
    """The page ``?page=N`` names (the first without one). Unlike the HTML page, which shows
    the nearest page to a person, a program that asks for a page that is not there is told
    so (``NotFound``): it would otherwise read the last page twice and stop too late."""
    wanted = request.GET.get("page", "") or "1"
    try:
        return paginator.page(wanted[:12])
    except InvalidPage:
        raise NotFound(
            "page_not_found", gettext("This list has no page %(page)s.") % {"page": wanted[:12]}
        ) from None


def page_facts(request: HttpRequest, page: Page[Any]) -> dict[str, Any]:
    """Where ``page`` stands in its list, with the addresses of its neighbours (the request's
    own query, ``page`` changed), for a JSON list a program walks page by page."""

    def address(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return f"{request.path}?{query.urlencode()}"

    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "page_size": page.paginator.per_page,
        "next": address(page.next_page_number()) if page.has_next() else None,
        "previous": address(page.previous_page_number()) if page.has_previous() else None,
    }
