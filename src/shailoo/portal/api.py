"""Public HTTP API: voter self-check and the polling-stations directory."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from shailoo.geo.models import PollingStation, Region
from shailoo.register import services
from shailoo.register.pin import check_pin

NOT_FOUND = "No voter with this PIN and date of birth."


class SelfCheckRequest(serializers.Serializer[Any]):
    pin = serializers.CharField(
        min_length=14, max_length=14, help_text="Personal identification number, 14 digits"
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
            400: OpenApiResponse(description="Malformed PIN or date (field errors)"),
            404: OpenApiResponse(
                description="No voter with this PIN and birth date (also for a wrong date)"
            ),
            429: OpenApiResponse(description="Too many checks from this client"),
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
            return Response({"detail": NOT_FOUND}, status=status.HTTP_404_NOT_FOUND)
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
    district = serializers.SlugRelatedField(slug_field="code", read_only=True)
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


_STATION_FILTERS = [
    OpenApiParameter("region", str, description="Region code, e.g. KG-C"),
    OpenApiParameter("remote", bool, description="Only remote-voting stations (true/false)"),
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
            if not Region.objects.filter(code=region).exists():
                raise ValidationError({"region": [f"unknown region code {region!r}"]})
            stations = stations.filter(region__code=region)
        remote = self.request.query_params.get("remote")
        if remote is not None:
            if remote not in ("true", "false"):
                raise ValidationError({"remote": ["must be true or false"]})
            stations = stations.filter(is_remote_voting=remote == "true")
        return stations

    @extend_schema(parameters=_STATION_FILTERS, tags=["stations"])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class StationDetailView(generics.RetrieveAPIView[PollingStation]):
    """One polling station by its official number."""

    permission_classes = [AllowAny]
    serializer_class = StationSerializer
    lookup_field = "number"
    queryset = PollingStation.objects.select_related("region", "district", "tec")

    @extend_schema(tags=["stations"], responses={200: StationSerializer, 404: OpenApiResponse()})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)
