"""How a refusal reaches a web client: pages through Django's error views, the API as JSON.

Services raise :class:`~shailoo.common.refusals.Refusal`; a view that wants to show a
refusal on its own page (a form error, a message) catches it. One it lets through is
answered here by its kind, the same way everywhere: a permission refusal is Django's 403
page, a missing object its 404 page, anything else a 400 page with the message. DRF views
answer the refusal's JSON body with its kind's status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.html import escape
from django.views import defaults
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shailoo.common.refusals import NotFound, PermissionRefused, Refusal


class RefusalMiddleware:
    """Answer a refusal no view caught by its kind (403, 404, 409 or 400)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Refusal):
            return None
        if isinstance(exception, PermissionRefused):
            return defaults.permission_denied(request, PermissionDenied(exception.message))
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, Http404(exception.message))
        response = HttpResponseBadRequest(escape(str(exception)), content_type="text/plain")
        response.status_code = exception.http_status
        return response


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus refusals: their JSON body with their kind's status."""
    if isinstance(exc, Refusal):
        return Response(exc.to_json(), status=exc.http_status)
    return drf_exception_handler(exc, context)
