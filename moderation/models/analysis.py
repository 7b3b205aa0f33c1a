"""The models' scores for each comment, and what the worker's rules read (moderation/pipeline/)."""
from __future__ import annotations

from django.db import models
from django.utils import timezone

from blog.models import Comment


class Analysis(models.Model):
    """The models' scores for one comment. One row per comment: a task delivered twice, or a
    comment swept and re-enqueued, finds this row and scores nothing again."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="analysis")
    scores = models.JSONField(help_text="toxicity label -> probability, Detoxify's label names")
    toxicity_model = models.CharField(max_length=80)
    toxicity_model_version = models.CharField(max_length=120)
    stance_article = models.JSONField(help_text="favor/against/neutral -> probability, toward the article's claim")
    stance_article_label = models.CharField(max_length=10)
    stance_parent = models.JSONField(null=True, blank=True, help_text="toward the parent comment, for replies")
    stance_parent_label = models.CharField(max_length=10, blank=True)
    stance_model = models.CharField(max_length=80)
    stance_model_version = models.CharField(max_length=120)
    toxicity_ms = models.FloatField(help_text="this comment's share of its batch's toxicity scoring time")
    stance_ms = models.FloatField()
    batch_size = models.PositiveIntegerField(default=1)
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1 code, 'und' when too short to tell")
    explanation = models.JSONField(
        default=dict, blank=True,
        help_text="held/rejected comments: {label, score, phrase, start, end}, the words that drive the label")
    # What the worker's spam rules read (moderation.rules.worker_rule_reasons), stored so that the
    # threshold preview and re-apply decide as the worker did: chars, top_char_share, link_share,
    # repeats (copies of the text in the window), account_age_hours.
    findings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"Analysis of comment {self.comment_id}"
