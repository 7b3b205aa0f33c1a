"""The versioned threshold policy every automatic decision is made under (moderation/policy/)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Policy(models.Model):
    """One saved version of the moderation thresholds. Saving a change creates a new row;
    exactly one row is active. Decisions record the version they were made under.

    ``thresholds`` maps each toxicity label to ``{"hold": x, "reject": y}`` with 0 <= hold <= reject <= 1:
    a score at or above ``reject`` rejects, at or above ``hold`` holds for review, and a comment
    below ``hold`` on every label is published.
    """

    class OnFailure(models.TextChoices):
        HOLD = "hold", "hold for a moderator (Classification failed tab)"
        PUBLISH = "publish", "publish unscored"

    version = models.PositiveIntegerField(unique=True)
    thresholds = models.JSONField()
    premoderate_all = models.BooleanField(default=False, help_text="Hold every new comment site-wide.")
    on_failure = models.CharField(max_length=10, choices=OnFailure.choices, default=OnFailure.HOLD)
    is_active = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Worker rules (moderation.rules.WORKER_RULES) hold comments whatever their scores; an admin may
    # switch one off, and publish languages the toxicity model does not read anyway.
    rules_off = models.JSONField(default=list, blank=True, help_text="names of worker rules switched off")
    publish_languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 codes published even where the toxicity model cannot read them")

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "policies"
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_policy")]
        # `moderation.change_policy` (Django's default change permission) is the admins' right.

    def __str__(self) -> str:
        return f"Policy v{self.version}"
