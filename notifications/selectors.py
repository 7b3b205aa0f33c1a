"""Reads of a reader's notifications."""
from __future__ import annotations

from django.db.models import QuerySet

from .models import Notification, NotificationSettings


def notifications_unread_count(*, user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_for(*, user, limit: int = 50) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")[:limit]


def notification_email_enabled(*, user) -> bool:
    return NotificationSettings.objects.filter(user=user, email=True).exists()


def notification_of(*, user, pk: int) -> Notification:
    """The reader's own notification ``pk``; Notification.DoesNotExist for anyone else's."""
    return Notification.objects.get(user=user, pk=pk)
