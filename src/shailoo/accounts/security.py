"""Security headers Django does not set: Content-Security-Policy, Permissions-Policy, and
``Cache-Control: no-store`` on everything but the public, cacheable answers.

Pages load scripts and styles only from ``/static`` (htmx included), never inline, so the
policy can be strict. A view that needs an exception (the Swagger UI, which styles its
elements inline) is wrapped with :func:`relaxed_styles`.

Caching is denied by default: staff pages, the staff API, the self-check answer and every
download with personal data (protocol PDF, lists) must not stay in a browser's or a proxy's
cache, so every response gets ``Cache-Control: no-store`` and ``Pragma: no-cache`` unless it
is a GET or HEAD of a public, cacheable address (:data:`CACHEABLE_PREFIXES`: static files,
the public results pages and API, the public ledger, the public pages' JSON twins
(:data:`CACHEABLE_JSON`)), which keeps its own caching.

No PIN goes back out in a redirect: a ``Location`` that would carry one (the login
redirect's ``next=`` of an address someone typed with a PIN in it) is sent masked, so the
PIN reaches neither the next request line, the logs, nor the browser's history.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shailoo.common.csvsource import mask_pins

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
CSP_RELAXED_STYLES = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
#: A PIN in an address: exactly 14 digits. A longer number (a fund's 16-digit bank account in
#: ``/finance/<account>/``) is no PIN, and masking part of it would redirect to a wrong page.
_PIN_IN_URL = re.compile(r"(?<!\d)\d{14}(?!\d)")

#: Public answers that hold no personal data and may be cached (read with GET or HEAD).
#: Everything else is sent with ``Cache-Control: no-store``.
CACHEABLE_PREFIXES = ("/results/", "/api/results/", "/api/integrity/")
#: The public pages' JSON twins (``shailoo.common.conditional``): public data with validators,
#: the same body for readers of every language. Their HTML pages carry a CSRF token and stay
#: uncached.
CACHEABLE_JSON = re.compile(
    r"^/(?:calendar|ledger/index|open-data/index|candidates/index|cases/index|finance/index"
    r"|finance/[^/]+/index|stations/index|turnout/turnout)\.json$"
)
#: Under those, the signed submissions of devices and commissions: never cached.
SIGNED_PREFIXES = ("/api/results/protocols/", "/api/integrity/signed/")
NO_STORE = "no-store"


def cacheable(request: HttpRequest) -> bool:
    """Whether the answer to ``request`` may be cached: a public read (see the module)."""
    if request.method not in ("GET", "HEAD"):
        return False
    path = request.path_info
    if path.startswith(SIGNED_PREFIXES):
        return False
    if CACHEABLE_JSON.match(path):
        return True
    return path.startswith((settings.STATIC_URL or "/static/", *CACHEABLE_PREFIXES))


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = CSP_RELAXED_STYLES if getattr(response, "csp_relaxed_styles", False) else CSP
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        location = response.headers.get("Location")
        if location and _PIN_IN_URL.search(location):
            response.headers["Location"] = _PIN_IN_URL.sub(lambda m: mask_pins(m[0]), location)
        if not cacheable(request):
            # Deny by default: a view's own weaker caching never wins over no-store.
            if NO_STORE not in response.headers.get("Cache-Control", ""):
                response.headers["Cache-Control"] = NO_STORE
            response.headers["Pragma"] = "no-cache"
        return response


def relaxed_styles(view: Callable[..., Any]) -> Callable[..., Any]:
    """Allow inline styles (never inline scripts) on one view's responses."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = view(request, *args, **kwargs)
        response.csp_relaxed_styles = True
        return response

    return wrapper
