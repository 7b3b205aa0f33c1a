"""Shapes shared by the policy, discussions and viewpoint-audit endpoints (policy/api/views.py).

Each view nests its own InputSerializer and OutputSerializer; what lives here is what several of
them share: strict input fields, the thresholds object (validated by the service, so the page and
the API give the same reasons), a policy version, and the read-only figures of a preview.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from moderation.models import Policy

THRESHOLDS_SCHEMA = {
    "type": "object",
    "description": "Toxicity label -> cut-offs, each in 0..1 with hold <= reject.",
    "additionalProperties": {
        "type": "object",
        "properties": {
            "hold": {"type": "number", "minimum": 0, "maximum": 1},
            "reject": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["hold", "reject"],
        "additionalProperties": False,
    },
    "example": {"toxicity": {"hold": 0.6, "reject": 0.97}},
}


@extend_schema_field(THRESHOLDS_SCHEMA)
class ThresholdsField(serializers.JSONField):
    """Any JSON here; moderation.rules.validate_thresholds names the label and the problem (400)."""


class PolicyOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    is_active = serializers.BooleanField()
    thresholds = ThresholdsField()
    premoderate_all = serializers.BooleanField()
    on_failure = serializers.ChoiceField(choices=Policy.OnFailure.choices)
    rules_off = serializers.ListField(child=serializers.CharField(), help_text="Worker rules switched off.")
    publish_languages = serializers.ListField(
        child=serializers.CharField(), help_text="ISO 639-1 codes published though the toxicity model does not read them.")
    note = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PolicyVersion"


@extend_schema_field({"type": "array", "items": {"type": "string"}})
class NameListField(serializers.JSONField):
    """Any JSON here; the service names the field and the unknown entry (400)."""


class PolicySummaryOutputSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    is_active = serializers.BooleanField()
    note = serializers.CharField()
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "PolicyVersionSummary"


class BucketCountsSerializer(serializers.Serializer):
    published = serializers.IntegerField()
    held = serializers.IntegerField()
    rejected = serializers.IntegerField()

    class Meta:
        ref_name = "PolicyPreviewCounts"


class ChangedCommentSerializer(serializers.Serializer):
    comment_id = serializers.IntegerField()
    article_id = serializers.IntegerField()
    excerpt = serializers.CharField(help_text="Plain text, not HTML: escape it when displaying.")
    from_status = serializers.CharField(help_text="Bucket under the active policy.")
    to_status = serializers.CharField(help_text="Bucket under the draft.")
    rule = serializers.CharField(help_text="The draft's reason for its bucket.")

    class Meta:
        ref_name = "PolicyPreviewChangedComment"


class QualitySerializer(serializers.Serializer):
    label = serializers.CharField(help_text='A toxicity label, or "overall".')
    true_positives = serializers.IntegerField()
    false_positives = serializers.IntegerField()
    false_negatives = serializers.IntegerField()
    true_negatives = serializers.IntegerField()
    precision = serializers.FloatField(allow_null=True)
    recall = serializers.FloatField(allow_null=True)

    class Meta:
        ref_name = "PolicyPreviewQuality"


class HistogramSerializer(serializers.Serializer):
    label = serializers.CharField()
    counts = serializers.ListField(child=serializers.IntegerField(), help_text="Comments per 0.05 of score, 0..1.")
    active_hold = serializers.FloatField()
    active_reject = serializers.FloatField()
    draft_hold = serializers.FloatField()
    draft_reject = serializers.FloatField()

    class Meta:
        ref_name = "PolicyPreviewHistogram"


class PreviewWarningSerializer(serializers.Serializer):
    comment_id = serializers.IntegerField()
    article_id = serializers.IntegerField()
    excerpt = serializers.CharField(help_text="Plain text, not HTML: escape it when displaying.")
    reasons = serializers.ListField(child=serializers.CharField())

    class Meta:
        ref_name = "PolicyPreviewWarning"


class PolicyPreviewOutputSerializer(serializers.Serializer):
    n_requested = serializers.IntegerField()
    n = serializers.IntegerField(help_text="Scored comments found (at most n_requested).")
    active_version = serializers.IntegerField()
    counts_active = BucketCountsSerializer()
    counts_draft = BucketCountsSerializer()
    changed_total = serializers.IntegerField()
    changed = ChangedCommentSerializer(many=True, help_text="The newest 200 that change bucket.")
    transitions = serializers.DictField(child=serializers.IntegerField(), help_text='"held → published" -> count')
    human_decisions = serializers.IntegerField()
    quality_active = QualitySerializer(many=True)
    quality_draft = QualitySerializer(many=True)
    histograms = HistogramSerializer(many=True)
    warnings_total = serializers.IntegerField(
        help_text="Comments the draft would publish though a moderator rejected them, or though their threat or "
        "identity_attack is at or above the current hold cut-off.")
    warnings = PreviewWarningSerializer(many=True, help_text="The first 50 of them.")

    class Meta:
        ref_name = "PolicyPreview"


class AuditCellSerializer(serializers.Serializer):
    stance = serializers.CharField()
    total = serializers.IntegerField()
    published = serializers.IntegerField(help_text="Published automatically, or approved by a moderator.")
    held = serializers.IntegerField(help_text="Always 0 for moderators' decisions.")
    rejected = serializers.IntegerField()
    hold_rate = serializers.FloatField(allow_null=True)
    reject_rate = serializers.FloatField(allow_null=True)
    flag_rate = serializers.FloatField(allow_null=True, help_text="Held or rejected, over total.")

    class Meta:
        ref_name = "ViewpointAuditCell"


class AuditBinSerializer(serializers.Serializer):
    low = serializers.FloatField()
    high = serializers.FloatField()
    cells = AuditCellSerializer(many=True, help_text="One per stance: favor, against, neutral.")
    gap = serializers.FloatField(
        allow_null=True, help_text="flag_rate(against) - flag_rate(favor): positive = disagreement flagged more."
    )

    class Meta:
        ref_name = "ViewpointAuditBin"


class StanceCoverageSerializer(serializers.Serializer):
    shown = serializers.IntegerField(help_text="Comments counted: the stance model labelled them confidently.")
    total = serializers.IntegerField(help_text='Comments with scores; the others are "stance unclear", not counted.')
    share = serializers.FloatField(allow_null=True, help_text="shown / total")

    class Meta:
        ref_name = "ViewpointAuditStanceCoverage"


class ViewpointAuditOutputSerializer(serializers.Serializer):
    label = serializers.CharField(help_text='The label binned on, or "max".')
    since = serializers.DateTimeField()
    automatic = AuditBinSerializer(many=True)
    human = AuditBinSerializer(many=True)
    automatic_coverage = StanceCoverageSerializer()
    human_coverage = StanceCoverageSerializer()

    class Meta:
        ref_name = "ViewpointAudit"
