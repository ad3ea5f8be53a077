"""Staff HTTP API of the register: a person's eligibility verdict, explained."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.accounts.access_log import record_view
from shailoo.accounts.permissions import has_permission, permission_class
from shailoo.accounts.roles import Permission
from shailoo.common.refusals import Refusal
from shailoo.register import services
from shailoo.register.messages import LANGS
from shailoo.register.models import Person
from shailoo.register.pin import check_pin, mask_pin


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
    the personal-data access log.
    """

    permission_classes = [permission_class(Permission.PERSON_VIEW)]

    @extend_schema(
        operation_id="person_eligibility",
        parameters=[
            OpenApiParameter(
                "lang", str, enum=list(LANGS), description="Language of the explanation"
            )
        ],
        responses={
            200: EligibilitySerializer,
            400: OpenApiResponse(description="Malformed PIN or unknown language"),
            403: OpenApiResponse(description="The user's roles do not grant person_view"),
            404: OpenApiResponse(description="No person with this PIN in the user's territory"),
            409: OpenApiResponse(description="No current election to judge against"),
        },
        tags=["register"],
    )
    def get(self, request: Request, pin: str) -> Response:
        problem = check_pin(pin)
        lang = request.query_params.get("lang", services.ui_lang())
        errors: dict[str, list[str]] = {}
        if problem is not None:
            errors["pin"] = [problem.why]
        if lang not in LANGS:
            errors["lang"] = [f"must be one of {', '.join(LANGS)}"]
        if errors:
            return Response(errors, status=status.HTTP_400_BAD_REQUEST)
        person = Person.objects.select_related("station", "remote_station").filter(pin=pin).first()
        # Outside the user's territory reads like an unknown PIN: no probing for who exists.
        if person is None or not has_permission(request.user, Permission.PERSON_VIEW, person):
            return Response(
                {"detail": f"No person with PIN {mask_pin(pin)}."},
                status=status.HTTP_404_NOT_FOUND,
            )
        record_view(request, person, mask_pin(person.pin))
        try:
            election = services.current_election()
        except Refusal as error:
            return Response(
                {"detail": error.message, "code": error.code}, status=status.HTTP_409_CONFLICT
            )
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
