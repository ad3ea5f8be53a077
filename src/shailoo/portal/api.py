"""Public HTTP API: voter self-check and the polling-stations directory."""

from __future__ import annotations

import re
from typing import Any

from django.core.validators import RegexValidator
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shailoo.common.api import refusal
from shailoo.common.refusals import NotFound
from shailoo.geo.models import PollingStation, Region
from shailoo.register import services
from shailoo.register.pin import check_pin

NOT_FOUND = "No voter with this PIN and date of birth."
#: What a region code looks like (``KG-C``, ``ABROAD``; ``Region.code`` holds 8 characters).
REGION_CODE = re.compile(r"[A-Za-z0-9-]{1,8}")
#: The largest station number a database integer column holds.
MAX_STATION_NUMBER = 2**31 - 1
STATION_NUMBER = OpenApiParameter(
    "number",
    {"type": "integer", "minimum": 0, "maximum": MAX_STATION_NUMBER},
    OpenApiParameter.PATH,
    description="The station's official number",
)


class SelfCheckRequest(serializers.Serializer[Any]):
    pin = serializers.CharField(
        min_length=14,
        max_length=14,
        validators=[RegexValidator(r"^[0-9]{14}$", "must be exactly 14 digits")],
        help_text="Personal identification number, 14 digits",
    )
    birth_date = serializers.DateField(help_text="Date of birth, YYYY-MM-DD")

    def validate_pin(self, value: str) -> str:
        problem = check_pin(value)
        if problem is not None:
            raise serializers.ValidationError(problem.why)
        return value


class StationInfoSerializer(serializers.Serializer[Any]):
    number = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()


class SelfCheckResponse(serializers.Serializer[Any]):
    on_list = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of the eligibility rules not met"
    )
    station = StationInfoSerializer(help_text="The station where the voter votes")
    home_station = StationInfoSerializer(help_text="The station of the registered address")
    remote_voting = serializers.BooleanField()


class SelfCheckView(APIView):
    """A voter checks their own record: both PIN and birth date must match."""

    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "selfcheck"

    @extend_schema(
        operation_id="selfcheck",
        request=SelfCheckRequest,
        responses={
            200: SelfCheckResponse,
            400: refusal("Malformed PIN, date or body: a problem for each field"),
            404: refusal("No voter with this PIN and birth date (also for a wrong date)"),
            415: refusal("A body in a media type the self-check does not read"),
            429: refusal("Too many checks from this client (see Retry-After)"),
        },
        tags=["self-check"],
    )
    def post(self, request: Request) -> Response:
        query = SelfCheckRequest(data=request.data)
        query.is_valid(raise_exception=True)
        result = services.self_check(
            query.validated_data["pin"], query.validated_data["birth_date"]
        )
        if result is None:
            raise NotFound("not_found", NOT_FOUND)
        body = {
            "on_list": result.on_list,
            "reasons": list(result.reasons),
            "station": _station(result.voting_station),
            "home_station": _station(result.station),
            "remote_voting": result.remote_station is not None,
        }
        return Response(SelfCheckResponse(body).data)


def _station(info: services.StationInfo) -> dict[str, Any]:
    return {"number": info.number, "name": info.name, "address": info.address}


class StationSerializer(serializers.ModelSerializer[PollingStation]):
    region = serializers.SlugRelatedField(slug_field="code", read_only=True)
    district = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="None abroad"
    )
    tec = serializers.SlugRelatedField(slug_field="code", read_only=True)
    tec_name = serializers.CharField(source="tec.name", read_only=True)

    class Meta:
        model = PollingStation
        fields = [
            "number",
            "name",
            "address",
            "region",
            "district",
            "tec",
            "tec_name",
            "is_abroad",
            "is_remote_voting",
            "capacity",
        ]


class StationPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        bounds = {"page": {"minimum": 1}, "page_size": {"minimum": 1, "maximum": 500}}
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


_STATION_FILTERS = [
    OpenApiParameter(
        "region",
        {"type": "string", "pattern": f"^{REGION_CODE.pattern}$"},
        description="Region code, e.g. KG-C (an unknown code is refused with 400)",
    ),
    OpenApiParameter(
        "remote", str, enum=["true", "false"], description="Only remote-voting stations, or none"
    ),
]


class StationListView(generics.ListAPIView[PollingStation]):
    """Polling stations in number order, optionally of one region."""

    permission_classes = [AllowAny]
    serializer_class = StationSerializer
    pagination_class = StationPagination

    def get_queryset(self) -> QuerySet[PollingStation]:
        stations = PollingStation.objects.select_related("region", "district", "tec").order_by(
            "number"
        )
        region = self.request.query_params.get("region")
        if region is not None:
            # Checked before the query: a NUL byte or an overlong code never reaches SQL.
            if not REGION_CODE.fullmatch(region) or not Region.objects.filter(code=region).exists():
                raise ValidationError({"region": [f"unknown region code {region!r}"]})
            stations = stations.filter(region__code=region)
        remote = self.request.query_params.get("remote")
        if remote is not None:
            if remote not in ("true", "false"):
                raise ValidationError({"remote": ["must be true or false"]})
            stations = stations.filter(is_remote_voting=remote == "true")
        return stations

    @extend_schema(
        parameters=_STATION_FILTERS,
        responses={
            200: StationSerializer(many=True),
            400: refusal("Unknown region code, or remote neither true nor false"),
            404: refusal("No such page"),
        },
        tags=["stations"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class StationDetailView(generics.RetrieveAPIView[PollingStation]):
    """One polling station by its official number."""

    permission_classes = [AllowAny]
    serializer_class = StationSerializer
    lookup_field = "number"
    queryset = PollingStation.objects.select_related("region", "district", "tec")

    @extend_schema(
        parameters=[STATION_NUMBER],
        responses={200: StationSerializer, 404: refusal("No station with this number")},
        tags=["stations"],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
