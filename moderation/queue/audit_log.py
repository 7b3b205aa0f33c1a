"""Reads of the audit log (/moderation/audit-log/ and /api/moderation/audit/): every status
change and decision, newest first, and the authors' standing changes from Django's admin log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from moderation.commenter import AUTHOR_ACTIONS
from moderation.models import AuthorStanding, ModerationEvent
from moderation.queue.selectors import MAX_PAGE_SIZE

AUDIT_PAGE_SIZE = 50
SYSTEM = "system"  # ?moderator=system: automatic decisions


def audit_events(
    *, comment_id: int | None = None, moderator: str = "", before_id: int | None = None, limit: int = AUDIT_PAGE_SIZE
) -> tuple[list[ModerationEvent], int | None]:
    """Audit entries, newest first, optionally for one comment and/or one moderator (username,
    or "system" for automatic decisions). Keyset by id: returns (entries, next before_id)."""
    qs = ModerationEvent.objects.select_related("actor", "policy", "comment__article", "comment__author").order_by("-id")
    if comment_id is not None:
        qs = qs.filter(comment_id=comment_id)
    if moderator == SYSTEM:
        qs = qs.filter(actor__isnull=True).exclude(action__in=AUTHOR_ACTIONS)
    elif moderator:
        qs = qs.filter(actor__username=moderator)
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].pk if more else None)


@dataclass(frozen=True)
class StandingChange:
    at: datetime
    moderator: str
    author: str
    change: str


def standing_changes(*, moderator: str = "", author: str = "", limit: int = AUDIT_PAGE_SIZE) -> list[StandingChange]:
    """Authors' standing changes (ban, suspension, pre-moderation), newest first, from the admin
    log where moderation.queue.standing.author_standing_set records them. Two queries."""
    ct = ContentType.objects.get_for_model(AuthorStanding)
    qs = LogEntry.objects.filter(content_type=ct).select_related("user").order_by("-action_time", "-id")
    if moderator == SYSTEM:
        return []
    if moderator:
        qs = qs.filter(user__username=moderator)
    if author:
        qs = qs.filter(
            object_id__in=[str(pk) for pk in AuthorStanding.objects.filter(user__username=author).values_list("pk", flat=True)]
        )
    entries = list(qs[:limit])
    authors = dict(
        AuthorStanding.objects.filter(pk__in={int(e.object_id) for e in entries}).values_list("pk", "user__username")
    )
    return [
        StandingChange(e.action_time, e.user.get_username(), authors.get(int(e.object_id), "?"), e.change_message)
        for e in entries
    ]
