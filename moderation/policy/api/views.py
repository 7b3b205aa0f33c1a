"""/api/moderation/ endpoints for the threshold policy (admins: moderation.change_policy), the
discussions ranking (moderators: moderation.can_moderate) and the viewpoint audit (admins).

One class per operation, each with its own nested InputSerializer (only what a client may set;
unknown fields are refused by name) and OutputSerializer. Services raise Django's
ValidationError, which core.api.errors.exception_handler turns into a 400 naming field and reason.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta

from django.http import Http404
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import RejectUnknownFieldsMixin, StrictBooleanField, StrictCharField, StrictIntegerField
from core.api.responses import BAD_INPUT, forbidden
from core.validators import validate_day
from ml.classifiers.base import TOXICITY_LABELS
from moderation import rules
from moderation.insights import agreement as insights_agreement
from moderation.insights import discussions as insights_discussions
from moderation.insights import viewpoint_audit as insights_audit
from moderation.models import Policy
from moderation.permissions import CanChangePolicy, CanModerate
from moderation.policy import reapply, selectors, services

from .serializers import (
    NameListField,
    PolicyOutputSerializer,
    PolicyPreviewOutputSerializer,
    PolicySummaryOutputSerializer,
    ThresholdsField,
    ViewpointAuditOutputSerializer,
)

TAG = ["moderation: policy"]

# Documented on every operation, so the schema lists what a client really gets (tests/test_api_fuzz.py).
FORBIDDEN = forbidden("allowed to change the policy (moderation.change_policy)")
NO_SUCH_VERSION = OpenApiResponse(description="No such policy version.")


def _preview_data(preview: selectors.PolicyPreview) -> dict:
    data = asdict(preview)
    # precision/recall are properties, which asdict leaves out
    for side in ("quality_active", "quality_draft"):
        data[side] = [
            {**asdict(q), "precision": q.precision, "recall": q.recall} for q in getattr(preview, side)
        ]
    return data


# --- policy ------------------------------------------------------------------------------------


class PolicyApi(APIView):
    """GET: the active policy and every version. POST: save a new version and make it active
    (comments already decided keep their decision)."""

    permission_classes = [CanChangePolicy]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        thresholds = ThresholdsField(help_text="Every toxicity label with its hold and reject cut-offs.")
        premoderate_all = StrictBooleanField(required=False, help_text="Defaults to the active policy's.")
        on_failure = serializers.ChoiceField(
            choices=Policy.OnFailure.choices, required=False, help_text="Defaults to the active policy's."
        )
        note = StrictCharField(required=False, default="", allow_blank=True, max_length=services.NOTE_MAX_CHARS)
        rules_off = NameListField(required=False, help_text=f"Worker rules to switch off: {', '.join(rules.WORKER_RULES)}. Defaults to the active policy's.")
        publish_languages = NameListField(required=False, help_text="ISO 639-1 codes to publish anyway. Defaults to the active policy's.")
        acknowledge_warnings = StrictBooleanField(
            required=False, default=False,
            help_text="Required (true) when the preview of this version warns that it would publish comments a "
                      "moderator rejected or that carry a grave label: without it such a save is a 400 naming the count.")

        class Meta:
            ref_name = "PolicySaveInput"

    class OutputSerializer(serializers.Serializer):
        active = PolicyOutputSerializer()
        versions = PolicySummaryOutputSerializer(many=True)

        class Meta:
            ref_name = "PolicyOverview"

    @extend_schema(tags=TAG, responses={200: OutputSerializer, 403: FORBIDDEN}, operation_id="moderation_policy_get")
    def get(self, request: Request) -> Response:
        data = {"active": selectors.policy_active(), "versions": list(selectors.policy_list())}
        return Response(self.OutputSerializer(data).data)

    @extend_schema(
        tags=TAG,
        request=InputSerializer,
        responses={201: PolicyOutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
        operation_id="moderation_policy_save",
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        active = selectors.policy_active()
        saved = services.policy_save(
            thresholds=data["thresholds"],
            premoderate_all=data.get("premoderate_all", active.premoderate_all),
            on_failure=data.get("on_failure", active.on_failure),
            note=data["note"],
            rules_off=data.get("rules_off"),
            publish_languages=data.get("publish_languages"),
            admin=request.user,
            acknowledge_warnings=data["acknowledge_warnings"],
        )
        return Response(PolicyOutputSerializer(saved).data, status=status.HTTP_201_CREATED)


class PolicyPreviewApi(APIView):
    """What a draft would do to the last n scored comments, next to the active policy. Saves
    nothing. Labels left out of the draft keep the active cut-offs."""

    permission_classes = [CanChangePolicy]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        thresholds = ThresholdsField()
        premoderate_all = StrictBooleanField(required=False, help_text="Defaults to the active policy's.")
        n = StrictIntegerField(
            required=False,
            default=selectors.PREVIEW_DEFAULT_N,
            min_value=1,
            max_value=selectors.PREVIEW_MAX_N,
            help_text="How many of the most recently scored comments to decide.",
        )
        rules_off = NameListField(required=False, help_text="Defaults to the active policy's.")
        publish_languages = NameListField(required=False, help_text="Defaults to the active policy's.")

        class Meta:
            ref_name = "PolicyPreviewInput"

    OutputSerializer = PolicyPreviewOutputSerializer

    @extend_schema(tags=TAG, request=InputSerializer, responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        premoderate_all = data.get("premoderate_all")
        if premoderate_all is None:
            premoderate_all = selectors.policy_active().premoderate_all
        draft_rules = {}
        if "rules_off" in data:
            draft_rules["rules_off"] = tuple(rules.validate_rules_off(data["rules_off"]))
        if "publish_languages" in data:
            draft_rules["publish_languages"] = tuple(rules.validate_publish_languages(data["publish_languages"]))
        preview = selectors.policy_preview(
            draft=selectors.Draft(thresholds=data["thresholds"], premoderate_all=premoderate_all, **draft_rules),
            n=data["n"],
        )
        return Response(self.OutputSerializer(_preview_data(preview)).data)


class PolicyRestoreApi(APIView):
    """Make an old version current again, as a new version copying its values
    (note "restored from vN"). 404 for a version that does not exist."""

    permission_classes = [CanChangePolicy]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        acknowledge_warnings = StrictBooleanField(required=False, default=False,
                                                  help_text="As when saving: needed when the preview warns.")

        class Meta:
            ref_name = "PolicyRestoreInput"

    OutputSerializer = PolicyOutputSerializer

    @extend_schema(
        tags=TAG, request=InputSerializer,
        responses={201: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: NO_SUCH_VERSION},
    )
    def post(self, request: Request, version: int) -> Response:
        try:
            selectors.policy_get(version=version)
        except Policy.DoesNotExist:
            raise Http404("No such version.") from None
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        restored = services.policy_restore(version=version, admin=request.user,
                                           acknowledge_warnings=serializer.validated_data["acknowledge_warnings"])
        return Response(self.OutputSerializer(restored).data, status=status.HTTP_201_CREATED)


class ReapplyItemOutputSerializer(serializers.Serializer):
    comment_id = serializers.IntegerField()
    article_id = serializers.IntegerField()
    excerpt = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)

    class Meta:
        ref_name = "PolicyReapplyItem"


class PolicyReapplyApi(APIView):
    """Re-decide automatic holds (held by the worker, never touched by a human) under the active
    policy. Without `"confirm": true` it is a dry run: the counts and the comments it would
    publish, nothing written."""

    permission_classes = [CanChangePolicy]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        confirm = StrictBooleanField(required=False, default=False)

        class Meta:
            ref_name = "PolicyReapplyInput"

    class OutputSerializer(serializers.Serializer):
        applied = serializers.BooleanField(help_text="False for a dry run.")
        policy_version = serializers.IntegerField()
        candidates = serializers.IntegerField(help_text="Automatic holds re-decided.")
        published = serializers.IntegerField()
        rejected = serializers.IntegerField()
        stay_held = serializers.IntegerField()
        publishes = ReapplyItemOutputSerializer(many=True, help_text="The comments it publishes (or published).")

        class Meta:
            ref_name = "PolicyReapplyResult"

    @extend_schema(tags=TAG, request=InputSerializer, responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN})
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        if serializer.validated_data["confirm"]:
            plan = services.held_reapply(admin=request.user)
        else:
            plan = reapply.held_reapply_plan()
        return Response(self.OutputSerializer(asdict(plan)).data)


# --- insights ----------------------------------------------------------------------------------


class DiscussionsApi(APIView):
    """Articles ranked by how much they need a moderator now (see moderation.insights.discussions.need_score)."""

    permission_classes = [CanModerate]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        limit = serializers.IntegerField(required=False, default=50, min_value=1, max_value=200)

        class Meta:
            ref_name = "DiscussionsFilter"

    class OutputSerializer(serializers.Serializer):
        article_id = serializers.IntegerField()
        title = serializers.CharField()
        slug = serializers.SlugField()
        premoderated = serializers.BooleanField()
        held = serializers.IntegerField(help_text="Held or classification-failed comments.")
        open_reports = serializers.IntegerField(help_text="Reports nobody has ruled on.")
        max_toxicity = serializers.FloatField(help_text="Highest label score among the last 24 h's comments.")
        comments_1h = serializers.IntegerField()
        comments_24h = serializers.IntegerField()
        favor = serializers.IntegerField(help_text="Last 7 days' comments for the article's claim (confident labels only).")
        against = serializers.IntegerField()
        stance_shown = serializers.IntegerField(
            help_text="Last 7 days' scored comments with a confident stance; the others are \"stance unclear\".")
        stance_scored = serializers.IntegerField(help_text="Last 7 days' scored comments.")
        polarization = serializers.FloatField(help_text="1 - |favor - against| / (favor + against)")
        need = serializers.FloatField()
        queue_url = serializers.SerializerMethodField()

        class Meta:
            ref_name = "Discussion"

        def get_queue_url(self, row) -> str:
            return f"/moderation/?article={row.article_id}"

    @extend_schema(
        tags=["moderation: insights"], parameters=[InputSerializer],
        responses={200: OutputSerializer(many=True), 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        rows = insights_discussions.discussions_ranked(limit=params.validated_data["limit"])
        return Response(self.OutputSerializer(rows, many=True).data)


class ViewpointAuditApi(APIView):
    """Hold and reject rates by stance toward the article within toxicity bins, for automatic
    decisions and for moderators' decisions (see moderation.insights.viewpoint_audit)."""

    permission_classes = [CanChangePolicy]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        label = serializers.ChoiceField(
            choices=[*TOXICITY_LABELS, insights_audit.AUDIT_MAX_LABEL], required=False, default="toxicity",
            help_text='The label whose score is binned, or "max" for the highest label score.',
        )
        days = serializers.IntegerField(required=False, default=90, min_value=1, max_value=3650)

        class Meta:
            ref_name = "ViewpointAuditFilter"

    OutputSerializer = ViewpointAuditOutputSerializer

    @extend_schema(
        tags=["moderation: insights"], parameters=[InputSerializer],
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        audit = insights_audit.viewpoint_audit(
            label=params.validated_data["label"], since=timezone.now() - timedelta(days=params.validated_data["days"])
        )
        return Response(self.OutputSerializer(audit).data)



class AgreementFigureSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The label, the week's Monday (YYYY-MM-DD), the model version, or \"all\".")
    n = serializers.IntegerField(help_text="Comments with a moderator's standing verdict.")
    agreed = serializers.IntegerField()
    agreement = serializers.FloatField(allow_null=True, help_text="agreed / n.")
    moderator_rejected = serializers.IntegerField()
    model_flagged = serializers.IntegerField(help_text="Held or rejected automatically (per label: at or above its hold cut-off).")
    precision = serializers.FloatField(allow_null=True, help_text="Of those the model held, the share moderators rejected.")
    recall = serializers.FloatField(allow_null=True, help_text="Of those moderators rejected, the share the model held.")

    class Meta:
        ref_name = "AgreementFigures"


class DisagreementSerializer(serializers.Serializer):
    comment_id = serializers.IntegerField()
    excerpt = serializers.CharField(help_text="Plain text: escape it when showing it.")
    decided_at = serializers.DateTimeField()
    auto_status = serializers.CharField(help_text="What the model's policy did: published, held or rejected.")
    moderator_rejected = serializers.BooleanField()
    top_score = serializers.FloatField()
    disagreement = serializers.FloatField(help_text="How confidently the model was wrong (0..1).")
    model = serializers.CharField()

    class Meta:
        ref_name = "AgreementDisagreement"


class AgreementApi(APIView):
    """Model–moderator agreement over moderators' standing verdicts: overall, per label, per week
    and per model version (precision and recall of "held" against "a moderator rejected it"),
    and the comments where they disagreed most (see moderation.insights.agreement)."""

    permission_classes = [CanModerate]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        since = serializers.DateField(required=False, validators=[validate_day], help_text="Decisions from this day (UTC).")
        until = serializers.DateField(required=False, validators=[validate_day], help_text="... to this day, inclusive.")
        model = serializers.CharField(required=False, default="", max_length=200, help_text='"name version", as listed in `models`.')

        class Meta:
            ref_name = "AgreementFilter"

        def validate(self, data):
            if data.get("since") and data.get("until") and data["since"] > data["until"]:
                raise serializers.ValidationError({"until": ["Must be on or after since."]})
            return data

    class OutputSerializer(serializers.Serializer):
        since = serializers.DateField(allow_null=True)
        until = serializers.DateField(allow_null=True)
        model = serializers.CharField(allow_blank=True)
        overall = AgreementFigureSerializer()
        per_label = AgreementFigureSerializer(many=True)
        per_week = AgreementFigureSerializer(many=True)
        per_model = AgreementFigureSerializer(many=True)
        worst = DisagreementSerializer(many=True)
        models = serializers.ListField(child=serializers.CharField())

        class Meta:
            ref_name = "Agreement"

    @extend_schema(
        tags=["moderation: insights"], parameters=[InputSerializer],
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        report = insights_agreement.agreement_report(since=d.get("since"), until=d.get("until"), model=d["model"])
        return Response(self.OutputSerializer(report).data)
