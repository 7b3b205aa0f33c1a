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
    require_moderator(moderator)
    if banned is None and premoderated is None and suspended_until is UNCHANGED:
        raise ValidationError({"non_field_errors": "Nothing to change: give banned, suspended_until or premoderated."})
    if not isinstance(note, str) or len(note) > STANDING_NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Must be a string of at most {STANDING_NOTE_MAX_LENGTH} characters."})
    now = timezone.now()
    if suspended_until is not UNCHANGED and suspended_until is not None and suspended_until <= now:
        raise ValidationError({"suspended_until": "Must be in the future (leave empty to lift a suspension)."})
    if author.pk == moderator.pk:
        raise ValidationError({"author": "Moderators cannot change their own standing."})

    with transaction.atomic():
        standing, created = AuthorStanding.objects.select_for_update().get_or_create(user=author)
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
        if not changes:
            return standing
        summary = "; ".join(changes)
        line = f"{now:%Y-%m-%d %H:%M} UTC, {moderator.get_username()}: {summary}" + (f" ({note.strip()})" if note.strip() else "")
        standing.note = f"{standing.note}\n{line}".strip()
        standing.updated_by = moderator
        standing.save()
        statement_record_for_standing(author=author, banned="banned" in changes, suspended_until=standing.suspended_until if any(c.startswith("suspended until") for c in changes) else None)  # issue 23
        LogEntry.objects.log_actions(
            user_id=moderator.pk,
            queryset=[standing],
            action_flag=ADDITION if created else CHANGE,
            change_message=summary + (f" ({note.strip()})" if note.strip() else ""),
            single_object=True,
        )
    logger.info("Standing of %s changed by %s: %s", author.get_username(), moderator.get_username(), summary)
    return standing
