"""Output shapes of the moderators' queue API (queue/api/views.py): a queue card and an audit
entry. Read-only; each view nests its own InputSerializer for what a client may send."""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class LabelChipOutputSerializer(serializers.Serializer):
    label = serializers.CharField()
    score = serializers.FloatField()
    hold = serializers.FloatField(allow_null=True, help_text="The active policy's hold cut-off for this label.")
    reject = serializers.FloatField(allow_null=True)
    level = serializers.ChoiceField(
        choices=["low", "near", "hold", "reject", "none"], help_text="Where the score sits against the cut-offs."
    )

    class Meta:
        ref_name = "QueueLabelChip"


class AuthorRecordOutputSerializer(serializers.Serializer):
    username = serializers.CharField()
    published = serializers.IntegerField()
    rejected = serializers.IntegerField()
    waiting = serializers.IntegerField(help_text="Held or classification-failed comments.")
    banned = serializers.BooleanField()
    suspended_until = serializers.DateTimeField(allow_null=True)
    premoderated = serializers.BooleanField()

    class Meta:
        ref_name = "QueueAuthorRecord"


class ReportOutputSerializer(serializers.Serializer):
    reporter = serializers.CharField()
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    upheld = serializers.BooleanField(allow_null=True, help_text="null until a moderator rules on the comment.")
    reporter_weight = serializers.FloatField(help_text="(upheld + 1) / (ruled on + 2) over the reporter's past reports.")

    class Meta:
        ref_name = "QueueReport"


class RuleOutputSerializer(serializers.Serializer):
    event = serializers.IntegerField(help_text="Audit entry id; send it back as seen_event when deciding.")
    action = serializers.CharField()
    reason = serializers.CharField(help_text='In words, e.g. "insult 0.83 is at or above the hold threshold 0.60".')
    actor = serializers.CharField(allow_null=True, help_text="null for automatic decisions.")
    policy_version = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "QueueRule"


class ArticleRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField()

    class Meta:
        ref_name = "QueueArticleRef"


class ParentRefOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField()
    excerpt = serializers.CharField()

    class Meta:
        ref_name = "QueueParentRef"


class StanceOutputSerializer(serializers.Serializer):
    article = serializers.CharField(allow_null=True, help_text="favor / against / neutral toward the article's claim, or \"unclear\" where the stance model is "
                                    "not confident enough to be right 80 % of the time on topics it never saw.")
    parent = serializers.CharField(allow_null=True, help_text="Toward the parent comment, for replies (same labels).")

    class Meta:
        ref_name = "QueueStance"


class ModelsOutputSerializer(serializers.Serializer):
    toxicity = serializers.CharField()
    toxicity_version = serializers.CharField()
    stance = serializers.CharField()
    stance_version = serializers.CharField()

    class Meta:
        ref_name = "QueueModels"


class ExplanationOutputSerializer(serializers.Serializer):
    label = serializers.CharField(help_text="The label the phrase drives.")
    phrase = serializers.CharField()
    start = serializers.IntegerField(help_text="Character offset of the phrase in `text`.")
    end = serializers.IntegerField()
    in_words = serializers.CharField(help_text='e.g. \'may contain a threat: "break both your legs"\'.')

    class Meta:
        ref_name = "QueueExplanation"


# One field formats every card's times: a serializer or field built per card (deep-copying its
# declared fields) was most of the queue API's serialising time.
_DATETIME = serializers.DateTimeField()


def _event(e) -> dict | None:
    """An audit entry as RuleOutputSerializer describes it (tested against it)."""
    if e is None:
        return None
    return {
        "event": e.pk,
        "action": e.action,
        "reason": e.reason,
        "actor": e.actor.get_username() if e.actor_id else None,
        "policy_version": e.policy.version if e.policy_id else None,
        "created_at": _DATETIME.to_representation(e.created_at),
    }


class QueueCardOutputSerializer(serializers.Serializer):
    """A selectors.Card as JSON."""

    id = serializers.IntegerField(source="comment.pk")
    status = serializers.CharField(source="comment.status")
    escalated = serializers.BooleanField(source="comment.escalated")
    text = serializers.CharField(source="comment.text", help_text="Plain text as typed: escape it when showing it.")
    revision = serializers.CharField(help_text="Send it back as `revision` when deciding: the decision is for this text.")
    author_told = serializers.CharField(help_text="For a rejected comment, the sentence its author reads; else empty.")
    created_at = serializers.DateTimeField(source="comment.created_at")
    priority = serializers.FloatField(
        help_text="Higher first: 1000 × danger class (3 escalated, 2 threat/identity attack/severe toxicity, "
                  "1 insult/obscene/toxicity or reported, 0 other) + score and waiting time inside the class."
    )
    rank_reason = serializers.CharField(help_text='Why the card is where it is, in words: "threat 0.93".')
    cursor = serializers.CharField(help_text="This card's position, for ?cursor= (cards after it).")
    article = serializers.SerializerMethodField()
    parent = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()
    labels = LabelChipOutputSerializer(many=True)
    stance = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    escalation = serializers.SerializerMethodField()
    models = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()
    reports = ReportOutputSerializer(many=True)

    class Meta:
        ref_name = "QueueCard"

    @extend_schema_field(ExplanationOutputSerializer(allow_null=True))
    def get_explanation(self, card) -> dict | None:
        e = card.explanation
        if not e:
            return None
        return {"label": e["label"], "phrase": e["phrase"], "start": e["start"], "end": e["end"], "in_words": card.why_held}

    @extend_schema_field(ArticleRefOutputSerializer)
    def get_article(self, card) -> dict:
        c = card.comment
        return {"id": c.article_id, "title": c.article.title, "url": c.article.get_absolute_url()}

    @extend_schema_field(ParentRefOutputSerializer(allow_null=True))
    def get_parent(self, card) -> dict | None:
        p = card.comment.parent
        if p is None:
            return None
        return {"id": p.pk, "author": p.author.get_username(), "excerpt": p.text[:200]}

    @extend_schema_field(AuthorRecordOutputSerializer)
    def get_author(self, card) -> dict:
        r = card.author_record
        return {
            "username": card.comment.author.get_username(),
            "published": r.published,
            "rejected": r.rejected,
            "waiting": r.held,
            "banned": r.banned,
            "suspended_until": _DATETIME.to_representation(r.suspended_until) if r.suspended_until else None,
            "premoderated": r.premoderated,
        }

    @extend_schema_field(StanceOutputSerializer)
    def get_stance(self, card) -> dict:
        a = card.analysis
        return {
            "article": a.stance_article_label if a else None,
            "parent": (a.stance_parent_label or None) if a else None,
        }

    @extend_schema_field(RuleOutputSerializer(allow_null=True))
    def get_rule(self, card) -> dict | None:
        return _event(card.rule)

    @extend_schema_field(RuleOutputSerializer(allow_null=True))
    def get_escalation(self, card) -> dict | None:
        return _event(card.escalation)

    @extend_schema_field(ModelsOutputSerializer(allow_null=True))
    def get_models(self, card) -> dict | None:
        a = card.analysis
        if a is None:
            return None
        return {
            "toxicity": a.toxicity_model,
            "toxicity_version": a.toxicity_model_version,
            "stance": a.stance_model,
            "stance_version": a.stance_model_version,
        }


class AuditEventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    comment = serializers.IntegerField(source="comment_id")
    actor = serializers.SerializerMethodField(help_text="The moderator's username; null for automatic decisions.")
    action = serializers.CharField()
    reason = serializers.CharField()
    previous_status = serializers.CharField()
    new_status = serializers.CharField()
    scores = serializers.DictField(child=serializers.FloatField(), allow_null=True)
    policy_version = serializers.SerializerMethodField()
    reverses = serializers.IntegerField(source="reverses_id", allow_null=True,
                                        help_text="For an undo: the audit entry it reversed.")
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "AuditEvent"

    def get_actor(self, event) -> str | None:
        return event.actor.get_username() if event.actor_id else None

    def get_policy_version(self, event) -> int | None:
        return event.policy.version if event.policy_id else None
