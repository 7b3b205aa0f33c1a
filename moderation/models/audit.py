"""The append-only audit log of every decision on a comment, automatic or human."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from blog.models import Comment


class ModerationEvent(models.Model):
    """The audit log: who (a moderator, or the system for automatic decisions) changed a
    comment's status, when, why, and with which scores and policy. Append-only."""

    class Action(models.TextChoices):
        AUTO_PUBLISH = "auto_publish", "published automatically"
        AUTO_HOLD = "auto_hold", "held automatically"
        AUTO_REJECT = "auto_reject", "rejected automatically"
        CLASSIFICATION_FAILED = "classification_failed", "classification failed"
        APPROVE = "approve", "approved"
        REJECT = "reject", "rejected"
        ESCALATE = "escalate", "escalated"
        UNDO = "undo", "decision undone"  # reverses the comment's previous human decision
        # The author's own acts (actor left empty: the comment's author did it, and the record
        # outlives their account). The nudge_* ones answer the nudge shown after a hold or reject.
        AUTHOR_EDIT = "author_edit", "edited by its author"
        AUTHOR_DELETE = "author_delete", "deleted by its author"
        NUDGE_EDITED = "nudge_edited", "nudged: the author rewrote it"
        NUDGE_WITHDRAWN = "nudge_withdrawn", "nudged: the author withdrew it"
        NUDGE_LEFT = "nudge_left", "nudged: the author left it for a moderator"
        APPEAL = "appeal", "appealed by its author"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moderation_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=24, choices=Action.choices)
    reason = models.TextField(blank=True)
    previous_status = models.CharField(max_length=12)
    new_status = models.CharField(max_length=12)
    scores = models.JSONField(null=True, blank=True)
    policy = models.ForeignKey("moderation.Policy", on_delete=models.PROTECT, null=True, blank=True)
    # For an "undo": the entry it reversed (moderation.queue.undo.decision_reverse).
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("can_moderate", "Can work the moderation queue")]

    def __str__(self) -> str:
        return f"{self.action} on comment {self.comment_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit log entries are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit log entries are never deleted.")
