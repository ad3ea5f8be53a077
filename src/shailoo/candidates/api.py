"""Public HTTP API of the candidates domain: nominations and parties of an election.

Read-only and open to anyone, as the public page is: every nomination with its status, the
decision on it, and for a refusal each rule not met with its legal basis in Kyrgyz, Russian
and English. Never a PIN, a birth date, what a registry said, or an evidence reference.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Q, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.candidates.documents import decision_rows
from shailoo.candidates.models import OFFICE_CHOICES, Candidate, Party, RegistrationDecision
from shailoo.common.api import refusal
from shailoo.elections.models import Election
from shailoo.elections.services import election_named

TAGS = ["candidates"]
#: ``Election.code``: a slug of at most 50 characters.
ELECTION_CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")
#: ``Party.code``: a slug of at most 32 characters.
PARTY_CODE = re.compile(r"[-a-zA-Z0-9_]{1,32}")
OFFICES = [code for code, _ in OFFICE_CHOICES]
STATUSES = list(Candidate.Status.values)

ELECTION_PARAMETER = OpenApiParameter(
    "election",
    {"type": "string", "pattern": f"^{ELECTION_CODE.pattern}$"},
    description="The election's code (default: the current election)",
)


class LocalizedSerializer(serializers.Serializer[Any]):
    ky = serializers.CharField()
    ru = serializers.CharField()
    en = serializers.CharField()


class ReasonSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="The rule's code (OTHER_CITIZENSHIP, AGE, ..., SIGNATURES)"
    )
    rule = LocalizedSerializer(help_text="The rule's name")
    citation = LocalizedSerializer(help_text="The legal basis")


class DecisionSerializer(serializers.Serializer[Any]):
    number = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["registered", "refused"])
    decided_at = serializers.DateTimeField()


class CandidateSerializer(serializers.Serializer[Any]):
    ref = serializers.CharField()
    surname = serializers.CharField()
    given_name = serializers.CharField()
    patronymic = serializers.CharField(allow_blank=True)
    office = serializers.ChoiceField(choices=OFFICES)
    party = serializers.CharField(allow_null=True, help_text="Nominating party; null: self")
    district = serializers.CharField(allow_blank=True)
    list_position = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=STATUSES)
    nominated_on = serializers.DateField()
    decision = DecisionSerializer(allow_null=True, help_text="The latest decision, if any")
    refusal_reasons = ReasonSerializer(
        many=True, help_text="For a refused candidate: each rule not met and its basis"
    )


class PartySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name_ky = serializers.CharField()
    name_ru = serializers.CharField()
    registration_number = serializers.CharField(allow_blank=True)
    registered_on = serializers.DateField()
    leader = serializers.CharField(allow_blank=True)
    dissolved_on = serializers.DateField(allow_null=True)
    nominated = serializers.IntegerField(help_text="Candidates it nominated in the election")
    registered = serializers.IntegerField(help_text="Of them, registered")


class PartiesSerializer(serializers.Serializer[Any]):
    election = serializers.CharField()
    parties = PartySerializer(many=True)


def chosen_election(request: Request) -> Election:
    """The election named by ``?election=`` (404 when unknown), else the current one (409
    when none is set). A code no election can have never reaches the database."""
    code = request.query_params.get("election")
    if code is not None and not ELECTION_CODE.fullmatch(code):
        raise ValidationError({"election": ["not an election code"]})
    return election_named(code)


def reasons_json(candidate: Candidate) -> list[dict[str, Any]]:
    """The grounds of a standing refusal, in every language; nothing for anyone else."""
    if candidate.status != Candidate.Status.REFUSED:
        return []
    decision = next(
        (d for d in candidate.decisions.all() if d.outcome == RegistrationDecision.Outcome.REFUSED),
        None,
    )
    if decision is None:
        return []
    rows = {lang: decision_rows(decision, lang) for lang in ("ky", "ru", "en")}
    return [
        {
            "code": en.code,
            "rule": {"ky": ky.rule, "ru": ru.rule, "en": en.rule},
            "citation": {"ky": ky.citation, "ru": ru.citation, "en": en.citation},
        }
        for ky, ru, en in zip(rows["ky"], rows["ru"], rows["en"], strict=True)
        if en.outcome == "not_met"
    ]


def candidate_json(candidate: Candidate) -> dict[str, Any]:
    latest = next(iter(candidate.decisions.all()), None)
    return {
        "ref": candidate.ref,
        "surname": candidate.surname,
        "given_name": candidate.given_name,
        "patronymic": candidate.patronymic,
        "office": candidate.office,
        "party": candidate.party.code if candidate.party else None,
        "district": candidate.district,
        "list_position": candidate.list_position,
        "status": candidate.status,
        "nominated_on": candidate.nominated_on,
        "decision": None
        if latest is None
        else {"number": latest.number, "outcome": latest.outcome, "decided_at": latest.decided_at},
        "refusal_reasons": reasons_json(candidate),
    }


class CandidatePagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        bounds = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": 500}}
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


class CandidateListView(generics.ListAPIView[Candidate]):
    """The nominations of an election with status, decision and refusal reasons."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []
    pagination_class = CandidatePagination

    def get_queryset(self) -> QuerySet[Candidate]:
        election = chosen_election(self.request)
        rows = (
            Candidate.objects.filter(election=election)
            .select_related("party")
            .prefetch_related("decisions__check_used", "decisions__signatures")
            .order_by("office", "party__code", "list_position", "ref")
        )
        params = self.request.query_params
        office, status, party = params.get("office"), params.get("status"), params.get("party")
        if office is not None:
            if office not in OFFICES:
                raise ValidationError({"office": [f"must be one of {', '.join(OFFICES)}"]})
            rows = rows.filter(office=office)
        if status is not None:
            if status not in STATUSES:
                raise ValidationError({"status": [f"must be one of {', '.join(STATUSES)}"]})
            rows = rows.filter(status=status)
        if party is not None:
            if party == "-":
                rows = rows.filter(party__isnull=True)
            elif not PARTY_CODE.fullmatch(party):
                raise ValidationError({"party": ["not a party code (or - for self-nominated)"]})
            else:
                rows = rows.filter(party__code=party)
        return rows

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        body = [CandidateSerializer(candidate_json(c)).data for c in page or []]
        return self.get_paginated_response(body)

    @extend_schema(
        operation_id="candidates_list",
        parameters=[
            ELECTION_PARAMETER,
            OpenApiParameter("office", str, enum=OFFICES, description="Only this office"),
            OpenApiParameter("status", str, enum=STATUSES, description="Only this status"),
            OpenApiParameter(
                "party",
                {"type": "string", "pattern": f"^(-|{PARTY_CODE.pattern})$"},
                description="Only this nominating party's code; - for self-nominated",
            ),
        ],
        responses={
            200: CandidateSerializer(many=True),
            400: refusal("A malformed election or party code, or an unknown office or status"),
            404: refusal("No election with this code, or no such page"),
            409: refusal("No election named and no current election set"),
        },
        tags=TAGS,
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class PartyListView(APIView):
    """The parties that nominated candidates in an election, with how many stand."""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(
        operation_id="candidates_parties",
        parameters=[ELECTION_PARAMETER],
        responses={
            200: PartiesSerializer,
            400: refusal("A malformed election code"),
            404: refusal("No election with this code"),
            409: refusal("No election named and no current election set"),
        },
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        election = chosen_election(request)
        in_election = Q(candidates__election=election)
        registered = in_election & Q(candidates__status=Candidate.Status.REGISTERED)
        parties = (
            Party.objects.annotate(
                nominated=Count("candidates", filter=in_election),
                registered=Count("candidates", filter=registered),
            )
            .filter(nominated__gt=0)
            .order_by("code")
        )
        body = {
            "election": election.code,
            "parties": [
                {
                    "code": p.code,
                    "name_ky": p.name_ky,
                    "name_ru": p.name_ru,
                    "registration_number": p.registration_number,
                    "registered_on": p.registered_on,
                    "leader": p.leader,
                    "dissolved_on": p.dissolved_on,
                    "nominated": p.nominated,
                    "registered": p.registered,
                }
                for p in parties
            ],
        }
        return Response(PartiesSerializer(body).data)
