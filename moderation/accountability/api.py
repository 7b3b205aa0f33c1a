"""/api/moderation/ endpoints of the accountability sub-domain (admins: moderation.change_policy):
the statements of reasons in the Transparency Database's shape, and the transparency report."""
from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.responses import BAD_INPUT, forbidden
from moderation.accountability import tdb, transparency
from moderation.permissions import CanChangePolicy

TAG = ["moderation: accountability"]
FORBIDDEN = forbidden("an admin")


class StatementsExportApi(APIView):
    """GET: every statement of reasons since ``since`` (until ``until``, exclusive) as JSON lines
    in the DSA Transparency Database's shape, each validated against the shipped JSON Schema."""

    permission_classes = [CanChangePolicy]

    @extend_schema(
        tags=TAG, operation_id="moderation_statements_export",
        parameters=[OpenApiParameter("since", OpenApiTypes.DATE, required=True, description="first day, YYYY-MM-DD (UTC)"),
                    OpenApiParameter("until", OpenApiTypes.DATE, required=False, description="first day excluded")],
        responses={(200, "application/x-ndjson"): OpenApiTypes.STR, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request: Request):
        since = tdb.parse_day(request.query_params.get("since"), field="since")
        until = tdb.parse_day(request.query_params["until"], field="until") if request.query_params.get("until") else None
        if until is not None and until <= since:
            raise ValidationError({"until": "Must be after 'since'."})
        body = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in tdb.statements_export(since=since, until=until))
        response = HttpResponse(body, content_type="application/x-ndjson; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="parley-statements-since-{since}.jsonl"'
        return response


class MonthOutputSerializer(serializers.Serializer):
    month = serializers.CharField()
    actions = serializers.DictField(child=serializers.IntegerField())
    automated = serializers.IntegerField()
    human = serializers.IntegerField()
    restrictions_by_rule = serializers.DictField(child=serializers.IntegerField())
    restrictions_by_kind = serializers.DictField(child=serializers.IntegerField())
    restrictions_automated_decision = serializers.IntegerField()
    decision_seconds_median = serializers.FloatField(allow_null=True)
    decision_seconds_p90 = serializers.FloatField(allow_null=True)
    human_decision_seconds_median = serializers.FloatField(allow_null=True)
    human_decision_seconds_p90 = serializers.FloatField(allow_null=True)
    appeals_opened = serializers.IntegerField()
    appeals_upheld = serializers.IntegerField()
    appeals_reinstated = serializers.IntegerField()
    appeal_seconds_median = serializers.FloatField(allow_null=True)
    reversals = serializers.IntegerField()
    reversal_rate = serializers.FloatField(allow_null=True)
    illegal_notices = serializers.IntegerField()
    illegal_notices_by_legality = serializers.DictField(child=serializers.IntegerField())
    policy_versions = serializers.ListField(child=serializers.IntegerField())
    models = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "TransparencyMonth"


class TransparencyApi(APIView):
    """GET: the transparency report per month, ``from`` to ``to`` (YYYY-MM, inclusive; default
    the last twelve months)."""

    permission_classes = [CanChangePolicy]

    class OutputSerializer(serializers.Serializer):
        months = MonthOutputSerializer(many=True)

        class Meta:
            ref_name = "TransparencyReport"

    @extend_schema(
        tags=TAG, operation_id="moderation_transparency",
        parameters=[OpenApiParameter("from", OpenApiTypes.STR, description="first month, YYYY-MM"),
                    OpenApiParameter("to", OpenApiTypes.STR, description="last month, YYYY-MM")],
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        first, last = transparency.default_span()
        if request.query_params.get("from") is not None:
            first = transparency.parse_month(request.query_params["from"], field_name="from")
        if request.query_params.get("to") is not None:
            last = transparency.parse_month(request.query_params["to"], field_name="to")
        months = transparency.transparency_report(first=first, last=last)
        return Response(self.OutputSerializer({"months": transparency.report_as_dicts(months)}).data)
