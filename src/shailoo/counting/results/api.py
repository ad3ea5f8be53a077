"""Results API: public results of accepted protocols, and signed protocol submissions.

``GET /api/results/<election>/`` and ``.../stations/<number>/`` are public (accepted
protocols only, shares summing to 100 per contest). ``POST /api/results/protocols/`` takes a
``shailoo-protocol/1`` document signed with a registered device or commission key (scheme
``shailoo-request/1``, see ``integrity.submissions``): a bad signature, a replayed sequence or
a stale timestamp is refused with 401 and its reason code before the body is read; a body
that cannot be used is refused with 400 and every problem located by field. The public
answers carry ``ETag`` and ``Last-Modified`` and are cached until the results change
(``results.cache``).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shailoo.common.api import refusal
from shailoo.common.refusals import NotFound, PermissionRefused, Refusal
from shailoo.counting.results import aggregation, cache
from shailoo.counting.results.models import AutomaticCount, Protocol, ProtocolDecision
from shailoo.counting.results.submissions import submit_signed
from shailoo.elections.models import Election
from shailoo.geo.models import PollingStation
from shailoo.integrity.models import RegisteredKey
from shailoo.integrity.submissions import SIGNATURE, HasSignedKey, SignedRequestAuthentication

TAGS = ["results"]


class OptionSerializer(serializers.Serializer[Any]):
    option = serializers.CharField()
    label = serializers.CharField()
    votes = serializers.IntegerField()
    share_percent = serializers.CharField(help_text="of valid votes; a contest's shares sum to 100")


class TallySerializer(serializers.Serializer[Any]):
    level = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    contest = serializers.CharField()
    protocols = serializers.IntegerField(help_text="accepted protocols counted")
    lines = serializers.DictField(child=serializers.IntegerField())
    votes_valid = serializers.IntegerField()
    turnout_percent = serializers.CharField(help_text="ballots issued / voters on the list")
    options = OptionSerializer(many=True)


class ContestSerializer(serializers.Serializer[Any]):
    contest = serializers.CharField()
    country = TallySerializer()
    regions = TallySerializer(many=True)
    tecs = TallySerializer(many=True)


class StatusSerializer(serializers.Serializer[Any]):
    reported = serializers.IntegerField()
    accepted = serializers.IntegerField()
    disputed = serializers.IntegerField()
    missing = serializers.IntegerField()


class LocalizedNamesSerializer(serializers.Serializer[Any]):
    """A name in Kyrgyz, Russian and English ("" where none was entered)."""

    ky = serializers.CharField(allow_blank=True)
    ru = serializers.CharField(allow_blank=True)
    en = serializers.CharField(allow_blank=True)


class ElectionResultsSerializer(serializers.Serializer[Any]):
    election = serializers.CharField()
    name = serializers.CharField()
    names = LocalizedNamesSerializer()
    polling_day = serializers.DateField()
    status = StatusSerializer()
    contests = ContestSerializer(many=True)


class SignedProtocolSerializer(serializers.Serializer[Any]):
    contest = serializers.CharField()
    version = serializers.IntegerField()
    lines = serializers.DictField(child=serializers.IntegerField())
    votes = serializers.DictField(child=serializers.IntegerField())
    content_sha256 = serializers.CharField(
        help_text="SHA-256 of RFC 8785 JSON {election, station, contest, lines, votes}"
    )
    key_id = serializers.CharField(help_text="the commission key that signed the acceptance")
    signature = serializers.CharField(
        help_text="base64 Ed25519 over RFC 8785 JSON {scheme: shailoo-protocol-acceptance/1, "
        "election, station, contest, version, content_sha256}"
    )
    ledger_sequence = serializers.IntegerField(allow_null=True)


class StationResultsSerializer(serializers.Serializer[Any]):
    election = serializers.CharField()
    station = serializers.IntegerField()
    contests = TallySerializer(many=True)
    protocols = SignedProtocolSerializer(many=True)


class SubmissionResultSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    election = serializers.CharField()
    station = serializers.IntegerField()
    contest = serializers.CharField()
    version = serializers.IntegerField(allow_null=True)
    acceptable = serializers.BooleanField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


#: ``Election.code``: a slug of at most 50 characters.
CODE = re.compile(r"[-a-zA-Z0-9_]{1,50}")
ELECTION_CODE = OpenApiParameter(
    "code",
    {"type": "string", "pattern": f"^{CODE.pattern}$"},
    OpenApiParameter.PATH,
    description="The election's code",
)
STATION_NUMBER = OpenApiParameter(
    "number",
    {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    OpenApiParameter.PATH,
    description="The station's official number",
)


def _not_found(what: str) -> NotFound:
    return NotFound("not_found", f"no {what}")


def _election(code: str) -> Election | None:
    """The election of this code; a code no election can have never reaches the database."""
    return Election.objects.filter(code=code).first() if CODE.fullmatch(code) else None


class PublicView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []


class ElectionResultsView(PublicView):
    """An election's results from accepted protocols: country, regions and TECs per contest."""

    @extend_schema(
        operation_id="results_election",
        parameters=[ELECTION_CODE],
        responses={200: ElectionResultsSerializer, 404: refusal("No election with this code")},
        tags=TAGS,
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        election = _election(code)
        if election is None:
            raise _not_found("election")
        return cache.json_answer(
            request._request,
            election,
            lambda: JSONRenderer().render(ElectionResultsSerializer(self.body(election)).data),
        )

    @staticmethod
    def body(election: Election) -> dict[str, Any]:
        labels = aggregation.option_labels(election)
        total, _ = aggregation.status_counts(election, PollingStation.objects.all())
        contests = []
        for contest in aggregation.results(election).values():
            names = labels.get(contest.contest_id, {})
            contests.append(
                {
                    "contest": contest.contest_id,
                    "country": contest.country.to_json(names),
                    "regions": [t.to_json(names) for _, t in sorted(contest.regions.items())],
                    "tecs": [t.to_json(names) for _, t in sorted(contest.tecs.items())],
                }
            )
        body = {
            "election": election.code,
            # A stable name (the untranslated column) and the name in each language.
            "name": election.stable_name,
            "names": election.names,
            "polling_day": election.polling_day,
            "status": {
                "reported": total.reported,
                "accepted": total.accepted,
                "disputed": total.disputed,
                "missing": total.missing,
            },
            "contests": contests,
        }
        return body


class StationResultsView(PublicView):
    """One station's accepted protocols."""

    @extend_schema(
        operation_id="results_station",
        parameters=[ELECTION_CODE, STATION_NUMBER],
        responses={
            200: StationResultsSerializer,
            404: refusal("No election with this code, or no station with this number"),
        },
        tags=TAGS,
    )
    def get(self, request: Request, code: str, number: int) -> HttpResponse:
        election = _election(code)
        station = PollingStation.objects.filter(number=number).first()
        if election is None or station is None:
            raise _not_found("election" if election is None else "polling station")
        return cache.json_answer(
            request._request,
            election,
            lambda: JSONRenderer().render(
                StationResultsSerializer(self.body(election, station)).data
            ),
        )

    @staticmethod
    def body(election: Election, station: PollingStation) -> dict[str, Any]:
        labels = aggregation.option_labels(election)
        found = aggregation.results(election, PollingStation.objects.filter(pk=station.pk))
        return {
            "election": election.code,
            "station": station.number,
            "contests": [c.country.to_json(labels.get(c.contest_id, {})) for c in found.values()],
            "protocols": _signed_protocols(election, station),
        }


def _signed_protocols(election: Election, station: PollingStation) -> list[dict[str, Any]]:
    """Each accepted protocol with what anyone needs to check the commission's signature."""
    rows = []
    accepted = Protocol.objects.filter(
        election=election, station=station, status=Protocol.Status.ACCEPTED
    ).select_related("current")
    for protocol in accepted.order_by("contest_id"):
        version = protocol.current
        decision = (
            ProtocolDecision.objects.filter(
                protocol=protocol, version=version, kind=ProtocolDecision.Kind.ACCEPT
            )
            .order_by("-id")
            .first()
        )
        if version is None or decision is None:
            continue
        rows.append(
            {
                "contest": protocol.contest_id,
                "version": version.number,
                "lines": version.lines,
                "votes": version.votes,
                "content_sha256": version.content_sha256,
                "key_id": decision.key_id,
                "signature": decision.signature,
                "ledger_sequence": decision.ledger_sequence,
            }
        )
    return rows


class ProtocolSubmitView(APIView):
    """A signed protocol or automatic count from a station device or a commission."""

    authentication_classes = [SignedRequestAuthentication]
    permission_classes = [HasSignedKey]

    @extend_schema(
        operation_id="results_submit_protocol",
        request={"application/json": {"type": "object"}},
        responses={
            201: SubmissionResultSerializer,
            400: refusal("The document cannot be used: every problem located by field"),
            401: refusal("No signature, or a refused one: the reason is the code"),
            403: refusal("The key may not submit for this station or commission"),
        },
        tags=TAGS,
    )
    def post(self, request: Request) -> Response:
        key: RegisteredKey = request.auth
        try:
            stored = submit_signed(key, request.body, request.headers.get(SIGNATURE, ""))
        except Refusal as error:
            # Pinned by tests: a permission refusal is 403, every other refusal 400.
            code = status.HTTP_403_FORBIDDEN if isinstance(error, PermissionRefused) else 400
            return Response(error.to_json(), status=code)
        if isinstance(stored, AutomaticCount):
            body = {
                "kind": "automatic_count",
                "election": stored.election.code,
                "station": stored.station.number,
                "contest": stored.contest_id,
                "version": None,
                "acceptable": None,
                "reasons": [],
            }
        else:
            protocol = stored.protocol
            body = {
                "kind": "protocol",
                "election": protocol.election.code,
                "station": protocol.station.number,
                "contest": protocol.contest_id,
                "version": stored.number,
                "acceptable": stored.acceptable,
                "reasons": list(stored.verdict.get("reasons", [])),
            }
        return Response(SubmissionResultSerializer(body).data, status=status.HTTP_201_CREATED)
