"""How a refusal reaches a web client: pages through Django's error views, the API as JSON.

Services raise :class:`~shailoo.common.refusals.Refusal`; a view that wants to show a
refusal on its own page (a form error, a message) catches it. One it lets through is
answered here by its kind, the same way everywhere: a permission refusal is Django's 403
page, a missing object its 404 page, anything else a 400 page with the message. DRF views
answer the refusal's JSON body with its kind's status, and DRF's own refusals (field errors,
no login, not found, throttled, ...) the same body: ``{"code", "detail", "problems"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils.html import escape
from django.views import defaults
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from shailoo.common.problems import Problem
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


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 404 page, except under ``/api/``: the refusal body there, as JSON."""
    if request.path.startswith("/api/"):
        return JsonResponse(_refusal_body(exceptions.NotFound()), status=404)
    return defaults.page_not_found(request, exception)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Django's 400 page (a body over the upload limit, a bad Host), JSON under ``/api/``."""
    if request.path.startswith("/api/"):
        body = _refusal_body(exceptions.ParseError())
        if isinstance(exception, RequestDataTooBig):
            body["code"] = "request_too_large"
        return JsonResponse(body, status=400)
    return defaults.bad_request(request, exception)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Refusals answer their JSON body with their kind's status; DRF's own refusals keep
    DRF's status and headers (``Retry-After``, ``WWW-Authenticate``) with the same body."""
    if isinstance(exc, Refusal):
        return Response(exc.to_json(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(*exc.args)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        response.data = _refusal_body(exc)
    return response


def _refusal_body(exc: exceptions.APIException) -> dict[str, Any]:
    """The refusal body for one of DRF's exceptions: field errors become located problems."""
    detail = exc.detail
    signed = isinstance(detail, dict) and {"code", "detail"} <= set(detail)
    if signed and not isinstance(exc, exceptions.ValidationError):
        # A refusal with its own reason code (signed requests: ``integrity.submissions``).
        problems, text, code = [], str(detail["detail"]), str(detail["code"])
    elif isinstance(detail, dict | list):
        problems = list(_problems(detail))
        text, code = "; ".join(str(problem) for problem in problems), exc.default_code
    else:
        problems, text = [], str(detail)
        code = getattr(detail, "code", None) or exc.default_code
    return {
        "code": str(code),
        "detail": text,
        "problems": [problem.to_json() for problem in problems],
    }


def _problems(detail: Any, where: str = "") -> Iterator[Problem]:
    """DRF's nested field errors as located problems (``lines.3.votes``)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            yield from _problems(value, f"{where}.{key}" if where else str(key))
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                yield from _problems(item, f"{where}.{index}" if where else str(index))
            else:
                yield Problem(where or "body", str(item))
    else:
        yield Problem(where or "body", str(detail))
