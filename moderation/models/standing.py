"""An author's standing with the moderators: banned, suspended, pre-moderated (moderation/queue/standing.py)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuthorStanding(models.Model):
    """A commenter's standing with the moderators: banned, suspended until a date, or on
    pre-moderation (every new comment held for a human whatever its scores)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing")
    banned = models.BooleanField(default=False)
    suspended_until = models.DateTimeField(null=True, blank=True)
    premoderated = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Standing of {self.user_id}"

    def can_post(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.banned and not (self.suspended_until and self.suspended_until > now)
