"""/api/moderation/models/: the site's model versions (admins: moderation.change_policy).

GET models/ lists them; GET models/<id>/ is one version's report (agreement with moderators on
later decisions beside the current model, guard rails, comments whose outcome would change);
POST models/<id>/activate/ serves a candidate that passed its gates; POST models/<id>/rollback/
goes back to the shipped model or a version that served before. Refused versions: 409, never served.
"""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import RejectUnknownFieldsMixin
from core.api.responses import BAD_INPUT, forbidden
from moderation.adaptation import selectors, services
from moderation.models import ModelVersion
from moderation.permissions import CanChangePolicy

TAG = ["moderation: site model"]
FORBIDDEN = forbidden("an admin (moderation.change_policy)")
NO_SUCH_VERSION = OpenApiResponse(description="No such model version.")
NOT_ACTIVATABLE = OpenApiResponse(description='This version may not serve: {"detail": "why"} (refused by a gate, '
                                              "or a rollback to a version that never served).")


class ModelVersionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="__str__")
    kind = serializers.CharField()
    base_model = serializers.CharField()
    base_version = serializers.CharField()
    status = serializers.CharField()
    refused_reasons = serializers.ListField(child=serializers.CharField())
    cutoff = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()
    activated_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "ModelVersion"


class _Comparison(serializers.Serializer):
    current = serializers.FloatField(allow_null=True)
    candidate = serializers.FloatField(allow_null=True)
    n = serializers.IntegerField()


class _LabelRow(serializers.Serializer):
    label = serializers.CharField()
    n = serializers.IntegerField()
    current = serializers.FloatField(allow_null=True)
    candidate = serializers.FloatField(allow_null=True)


class _GuardRow(serializers.Serializer):
    name = serializers.CharField()
    current = serializers.FloatField(allow_null=True)
    candidate = serializers.FloatField(allow_null=True)
    better = serializers.CharField(required=False)
    tolerance = serializers.FloatField(required=False)


class _Changed(serializers.Serializer):
    comment_id = serializers.IntegerField()
    excerpt = serializers.CharField()
    moderator = serializers.CharField(help_text="approved or rejected")
    current = serializers.CharField(help_text="held or published by the current model")
    candidate = serializers.CharField(help_text="held or published by this version")
    candidate_right = serializers.BooleanField()


class ModelVersionReportSerializer(ModelVersionOutputSerializer):
    name = serializers.CharField()  # the report is a dict: ModelVersionOutputSerializer's data plus tables
    agreement = _Comparison(help_text="share of later decisions where 'held' matches 'a moderator rejected it'")
    per_label = _LabelRow(many=True)
    guard_rails = _GuardRow(many=True)
    changed = _Changed(many=True)
    decisions = serializers.DictField(help_text="train / later counts, and what was left out and why")
    moderators = serializers.ListField(child=serializers.DictField(), help_text="each moderator's disagreement "
                                                                               "with the others; excluded ones left out")
    fit = serializers.DictField()

    class Meta:
        ref_name = "ModelVersionReport"


def _get(version_id: int) -> ModelVersion:
    try:
        return selectors.model_version_get(version_id=version_id)
    except ModelVersion.DoesNotExist:
        raise Http404("No such model version.") from None


def _report(version: ModelVersion) -> dict:
    rows = selectors.model_version_rows(version)
    data = ModelVersionOutputSerializer(version).data
    return {**data, "agreement": rows["overall"], "per_label": rows["labels"], "guard_rails": rows["guard_rails"],
            "changed": rows["changed"], "decisions": rows["decisions"], "moderators": rows["moderators"],
            "fit": rows["fit"]}


class ModelVersionListApi(APIView):
    """Every model version, newest first, the shipped model last; ``is_active`` marks the one serving."""

    permission_classes = [CanChangePolicy]

    @extend_schema(tags=TAG, responses={200: ModelVersionOutputSerializer(many=True), 403: FORBIDDEN},
                   operation_id="moderation_models_list")
    def get(self, request: Request) -> Response:
        return Response(ModelVersionOutputSerializer(selectors.model_versions_list(), many=True).data)


class ModelVersionDetailApi(APIView):
    """One version's report, beside the model that served when it was fitted."""

    permission_classes = [CanChangePolicy]

    @extend_schema(tags=TAG, responses={200: ModelVersionReportSerializer, 403: FORBIDDEN, 404: NO_SUCH_VERSION},
                   operation_id="moderation_models_report")
    def get(self, request: Request, version_id: int) -> Response:
        return Response(ModelVersionReportSerializer(_report(_get(version_id))).data)


class _ActivateBase(APIView):
    permission_classes = [CanChangePolicy]
    rollback = False

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        class Meta:
            ref_name = "ModelVersionActivateInput"

    def post(self, request: Request, version_id: int) -> Response:
        _get(version_id)
        self.InputSerializer(data=request.data).is_valid(raise_exception=True)
        try:
            version = services.model_version_activate(version_id=version_id, admin=request.user, rollback=self.rollback)
        except services.NotActivatable as exc:
            return Response({"detail": exc.message}, status=409)
        return Response(ModelVersionOutputSerializer(version).data)


class ModelVersionActivateApi(_ActivateBase):
    """Serve this version (it passed every gate). The worker picks it up within seconds; the change
    is in the audit log. 409 for a version its gates refused."""

    @extend_schema(tags=TAG, request=_ActivateBase.InputSerializer,
                   responses={200: ModelVersionOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NO_SUCH_VERSION,
                              409: NOT_ACTIVATABLE}, operation_id="moderation_models_activate")
    def post(self, request: Request, version_id: int) -> Response:
        return super().post(request, version_id)


class ModelVersionRollbackApi(_ActivateBase):
    """Go back to this version: the shipped model, or a site version that served before."""

    rollback = True

    @extend_schema(tags=TAG, request=_ActivateBase.InputSerializer,
                   responses={200: ModelVersionOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NO_SUCH_VERSION,
                              409: NOT_ACTIVATABLE}, operation_id="moderation_models_rollback")
    def post(self, request: Request, version_id: int) -> Response:
        return super().post(request, version_id)
