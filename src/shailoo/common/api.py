"""The API's one refusal body, as the OpenAPI description shows it.

Every refused API request — a :class:`~shailoo.common.refusals.Refusal` a view lets through,
and DRF's own refusals (field errors, no login, throttled; see
``common.web.api_exception_handler``) — answers ``{"code", "detail", "problems", ...}``:
a stable ``code`` for programs, a ``detail`` for people, the legal ``citation`` when the law
is the reason, and every located problem. API views document each refusal status they can
answer with :func:`refusal`, so the schema at ``/api/schema/`` says what a client gets.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ProblemSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="The field, column or key path at fault")
    reason = serializers.CharField()
    line = serializers.IntegerField(required=False, help_text="Line of a text file")
    source = serializers.CharField(required=False, help_text="The file or input named")


class RefusalSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="Stable reason code, for programs")
    detail = serializers.CharField(help_text="The reason, in the reader's language")
    citation = serializers.CharField(required=False, help_text="The legal basis, when the law")
    problems = ProblemSerializer(many=True, help_text="Every located problem (may be empty)")


def refusal(description: str) -> OpenApiResponse:
    """A documented refusal status: the shared body, and when it is answered."""
    return OpenApiResponse(RefusalSerializer, description=description)
