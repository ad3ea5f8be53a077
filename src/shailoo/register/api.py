"""Staff HTTP API of the register: a person's eligibility verdict, explained.

The PIN travels in the JSON body of a POST, never in the URL: paths and query strings end
up in server and proxy logs, browser history and ``Referer`` headers.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import has_permission, permission_class
from shailoo.accounts.roles import Permission
from shailoo.common.api import refusal
from shailoo.common.parsers import SafeJSONParser
from shailoo.common.refusals import NotFound
from shailoo.register import services
from shailoo.register.messages import LANGS
from shailoo.register.models import Person
from shailoo.register.pin import check_pin, mask_pin


class EligibilityRequestSerializer(serializers.Serializer[Any]):
    """Whom to explain, and in which language: the PIN never goes into the URL."""

    pin = serializers.CharField(
        max_length=32, trim_whitespace=True, help_text="The person's 14-digit PIN"
    )
    lang = serializers.CharField(
        required=False,
        help_text=f"Language of the explanation: one of {', '.join(LANGS)} "
        "(default: the interface language)",
    )

    def validate_pin(self, value: str) -> str:
        problem = check_pin(value)
        if problem is not None:
            raise serializers.ValidationError(problem.why)
        return value

    def validate_lang(self, value: str) -> str:
        if value not in LANGS:
            raise serializers.ValidationError(f"must be one of {', '.join(LANGS)}")
        return value


class RuleCheckSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    passed = serializers.BooleanField()
    citation = serializers.CharField(help_text="The legal basis, in the requested language")
    unconfirmed = serializers.BooleanField(help_text="The law file flags the citation")
    evidence = serializers.DictField(child=serializers.CharField())


class EligibilitySerializer(serializers.Serializer[Any]):
    pin = serializers.CharField(help_text="Masked")
    eligible = serializers.BooleanField()
    failing = serializers.ListField(child=serializers.CharField())
    election = serializers.CharField()
    polling_day = serializers.DateField()
    law_edition = serializers.CharField()
    lang = serializers.CharField()
    checks = RuleCheckSerializer(many=True)
    explanation = serializers.ListField(child=serializers.CharField())


class PersonEligibilityView(APIView):
    """Why a person is, or is not, on the list: every rule with evidence and citation.

    Needs ``register.person_view`` over the person's territory; each answer is logged in
    the personal-data access log. A POST with the PIN in the JSON body: a PIN in a path or
    query string would be written to every access and error log on its way.
    """

    permission_classes = [permission_class(Permission.PERSON_VIEW)]
    parser_classes = [SafeJSONParser]

    @extend_schema(
        operation_id="person_eligibility",
        request=EligibilityRequestSerializer,
        examples=[
            OpenApiExample(
                "A person, explained in Kyrgyz",
                value={"pin": "21705199000001", "lang": "ky"},
                request_only=True,
            )
        ],
        responses={
            200: EligibilitySerializer,
            400: refusal("Malformed PIN, unknown language or malformed JSON: a problem each"),
            403: refusal(
                "Not logged in with both factors, the roles do not grant person_view, "
                "or a session request without its CSRF token"
            ),
            404: refusal("No person with this PIN in the user's territory"),
            409: refusal("No current election to judge against (no_current_election)"),
            415: refusal("The body is not JSON"),
        },
        tags=["register"],
    )
    def post(self, request: Request) -> Response:
        asked = EligibilityRequestSerializer(data=request.data)
        asked.is_valid(raise_exception=True)  # 400, a problem for each field
        pin: str = asked.validated_data["pin"]
        lang: str = asked.validated_data.get("lang") or services.ui_lang()
        person = Person.objects.select_related("station", "remote_station").filter(pin=pin).first()
        # Outside the user's territory reads like an unknown PIN: no probing for who exists.
        if person is None or not has_permission(request.user, Permission.PERSON_VIEW, person):
            raise NotFound("person_not_found", f"No person with PIN {mask_pin(pin)}.")
        record_view(request, person, mask_pin(person.pin))
        election = services.current_election()  # Conflict (409) when none is current
        verdict, lines = services.explain(person, election, lang)
        body = {
            "pin": mask_pin(person.pin),
            "eligible": verdict.eligible,
            "failing": list(verdict.failing),
            "election": election.code,
            "polling_day": election.polling_day,
            "law_edition": election.law_edition,
            "lang": lang,
            "checks": [
                {
                    "code": check.code,
                    "passed": check.passed,
                    "citation": check.citations.get(lang, check.citation),
                    "unconfirmed": check.unconfirmed,
                    "evidence": dict(check.evidence),
                }
                for check in verdict.checks
            ],
            "explanation": lines,
        }
        return Response(EligibilitySerializer(body).data)
