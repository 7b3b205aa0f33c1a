"""An author's standing (ban, suspension, pre-moderation), set by a moderator, with its record
in Django's admin log and, for a ban or suspension, a statement of reasons."""
from __future__ import annotations

import logging

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from moderation.accountability.statements import statement_record_for_standing
from moderation.models import AuthorStanding
from moderation.queue.decisions import require_moderator

logger = logging.getLogger(__name__)

STANDING_NOTE_MAX_LENGTH = 500


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def author_standing_set(
    *,
    author,
    moderator,
    banned: bool | None = None,
    suspended_until=UNCHANGED,
    premoderated: bool | None = None,
    note: str = "",
) -> AuthorStanding:
    """Ban or unban an author, suspend them until a date (None lifts it), put them on or off
    pre-moderation. Arguments left out stay as they are.

    Audit: every change is written to Django's admin log (django.contrib.admin LogEntry: who,
    when, what changed, the note), which nobody can edit from the site and which the admin
    shows as the standing's history and /moderation/audit-log/ lists; a dated line is also
    appended to ``AuthorStanding.note`` so the record is readable where the standing is.
    ModerationEvent is not used: it is one row per comment, and a standing is about a person.

    Takes effect at once: blog.services.comment_create refuses a banned or suspended author,
    and the scoring pipeline holds a pre-moderated author's next comments.
    """
    now = timezone.now()
    _standing_change_check(author=author, moderator=moderator, banned=banned, suspended_until=suspended_until, premoderated=premoderated, note=note, now=now)

    with transaction.atomic():
        standing, created = AuthorStanding.objects.select_for_update().get_or_create(user=author)
        changes = _standing_changes_apply(standing=standing, banned=banned, suspended_until=suspended_until, premoderated=premoderated)
        if not changes:
            return standing
        summary = "; ".join(changes)
        note_suffix = f" ({note.strip()})" if note.strip() else ""
        line = f"{now:%Y-%m-%d %H:%M} UTC, {moderator.get_username()}: {summary}{note_suffix}"
        standing.note = f"{standing.note}\n{line}".strip()
        standing.updated_by = moderator
        standing.save()
        statement_record_for_standing(author=author, banned="banned" in changes, suspended_until=standing.suspended_until if any(c.startswith("suspended until") for c in changes) else None)
        LogEntry.objects.log_actions(
            user_id=moderator.pk,
            queryset=[standing],
            action_flag=ADDITION if created else CHANGE,
            change_message=summary + note_suffix,
            single_object=True,
        )
    logger.info("Standing of %s changed by %s: %s", author.get_username(), moderator.get_username(), summary)
    return standing


def _standing_change_check(*, author, moderator, banned, suspended_until, premoderated, note: str, now) -> None:
    """Refuse a change that is empty, malformed, in the past, or a moderator's own."""
    require_moderator(moderator)
    if banned is None and premoderated is None and suspended_until is UNCHANGED:
        raise ValidationError({"non_field_errors": "Nothing to change: give banned, suspended_until or premoderated."})
    if not isinstance(note, str) or len(note) > STANDING_NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Must be a string of at most {STANDING_NOTE_MAX_LENGTH} characters."})
    if suspended_until is not UNCHANGED and suspended_until is not None and suspended_until <= now:
        raise ValidationError({"suspended_until": "Must be in the future (leave empty to lift a suspension)."})
    if author.pk == moderator.pk:
        raise ValidationError({"author": "Moderators cannot change their own standing."})


def _standing_changes_apply(*, standing: AuthorStanding, banned, suspended_until, premoderated) -> list[str]:
    """Set on ``standing`` what differs from it, and say in words what changed."""
    changes = []
    if banned is not None and banned != standing.banned:
        standing.banned = banned
        changes.append("banned" if banned else "ban lifted")
    if suspended_until is not UNCHANGED and suspended_until != standing.suspended_until:
        standing.suspended_until = suspended_until
        changes.append(f"suspended until {suspended_until:%Y-%m-%d %H:%M} UTC" if suspended_until else "suspension lifted")
    if premoderated is not None and premoderated != standing.premoderated:
        standing.premoderated = premoderated
        changes.append("on pre-moderation" if premoderated else "pre-moderation lifted")
    return changes
