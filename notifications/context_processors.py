"""The bell's unread count on every page a signed-in reader sees (one indexed COUNT)."""
from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from .selectors import notifications_unread_count


def bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: pages that never show the bell (JSON, the queue's poll) do not pay for the count.
    return {"unread_notifications": SimpleLazyObject(lambda: notifications_unread_count(user=user))}
