"""A reader's notifications and their choice of email."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Notification(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", "reply to your comment"
        DECISION = "decision", "moderator's decision on your comment"
        APPEAL = "appeal", "decision on your appeal"
        REPORT = "report", "outcome of your report"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.CharField(max_length=600)
    url = models.CharField(max_length=400, blank=True)  # where the reader reads more (site-relative)
    # What it is about, so a reply notifies once, a reversed decision's notice can be withdrawn,
    # and a deleted comment's text leaves other readers' inboxes. An audit entry's id, not a key:
    # notifications sit below moderation and never import it.
    comment = models.ForeignKey("blog.Comment", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"),
            models.Index(fields=["comment", "kind"], name="notification_about"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"


class NotificationSettings(models.Model):
    """Email is off until the reader turns it on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    email = models.BooleanField(default=False, help_text="Also send each notification by email.")

    class Meta:
        verbose_name = "notification settings"
        verbose_name_plural = "notification settings"  # not "settingss"

    def __str__(self) -> str:
        return f"Notification settings of {self.user.get_username()}"
