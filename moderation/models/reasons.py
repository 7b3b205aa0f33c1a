"""The site's ready-made reasons a moderator picks when rejecting or escalating (moderation/queue/reasons.py)."""
from __future__ import annotations

from django.db import models
from django.utils import timezone


class DecisionReason(models.Model):
    """One of the site's own ready-made reasons a moderator picks when rejecting or escalating
    (free text is always allowed too). Managed by admins (Django admin or POST
    /api/moderation/reasons/); a short, ordered list."""

    class UseFor(models.TextChoices):
        REJECT = "reject", "rejecting (the author sees it)"
        ESCALATE = "escalate", "escalating (moderators see it)"

    text = models.CharField(max_length=200)
    use_for = models.CharField(max_length=10, choices=UseFor.choices, default=UseFor.REJECT)
    position = models.PositiveSmallIntegerField(default=0, help_text="lower first")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["use_for", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["use_for", "text"], name="one_reason_text_per_use")]

    def __str__(self) -> str:
        return self.text
