"""An author's appeal of a rejected comment, decided in the queue's Appeals tab."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from blog.models import Comment


class Appeal(models.Model):
    """An author's one request that a human look again at their rejected comment. Open until a
    moderator approves (reinstates) or rejects (upholds) the comment in the queue's Appeals tab."""

    class Outcome(models.TextChoices):
        REINSTATED = "reinstated", "reinstated"
        UPHELD = "upheld", "rejection upheld"

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="appeal")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True)  # the moderator's, shown to the author

    class Meta:
        indexes = [models.Index(fields=["comment"], condition=Q(decided_at__isnull=True), name="appeal_open")]

    def __str__(self) -> str:
        return f"Appeal of comment {self.comment_id}"

    @property
    def is_open(self) -> bool:
        return self.decided_at is None
