"""Taking a decision back: the moderator's own Undo within minutes, or any moderator's reversal from
the audit log; the comment, its reports, its appeal and the author's notices go back as they were."""
from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from blog.models import Comment, CommentReport
from moderation import lifecycle, rules
from moderation.models import ModerationEvent
from moderation.queue.decisions import DECISION_ACTIONS, clean_reason, require_moderator
from moderation.queue.services import queue_rerank

logger = logging.getLogger(__name__)


# How long the moderator who decided may take it back from the card or the status line. After
# that (or for someone else's decision) any moderator may still reverse it from the audit log.
UNDO_SECONDS = 10 * 60
REVERSIBLE = DECISION_ACTIONS


class NotReversible(Exception):
    """The decision cannot be taken back (here, or any more): ``message`` says why and what to do."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def comment_undo(*, comment_id: int, moderator, now=None) -> ModerationEvent:
    """Take back this comment's last decision: the moderator's own, within UNDO_SECONDS. Returns
    the "undo" audit entry. NotReversible otherwise (with where to go instead)."""
    require_moderator(moderator)
    last = (ModerationEvent.objects.filter(comment_id=comment_id, actor__isnull=False)
            .select_related("actor").order_by("-id").first())
    if last is None or last.action not in REVERSIBLE:
        raise NotReversible(f"Comment {comment_id} has no decision to undo.")
    if last.actor_id != moderator.pk:
        raise NotReversible(f"The last decision on comment {comment_id} is {last.actor.get_username()}'s; "
                            "reverse it from the audit log.")
    if ((now or timezone.now()) - last.created_at).total_seconds() > UNDO_SECONDS:
        raise NotReversible(f"Undo is possible for {UNDO_SECONDS // 60} minutes; reverse it from the audit log.")
    return decision_reverse(event_id=last.pk, moderator=moderator, reason="undone from the queue")


def decision_reverse(*, event_id: int, moderator, reason: str = "") -> ModerationEvent:
    """Reverse a moderator's decision (approve, reject, escalate): the comment goes back to the
    status it had, an escalation is withdrawn, the reports it ruled on are open again, and an
    "undo" entry records who reversed it and why. Only the comment's latest human decision can be
    reversed, and only while the comment is still as that decision left it (NotReversible
    otherwise: reverse the later one first). Any moderator may reverse any decision; the audit
    log shows both."""
    require_moderator(moderator)
    reason = clean_reason(ModerationEvent.Action.ESCALATE, reason)  # optional free text, length-checked
    with transaction.atomic():
        event = ModerationEvent.objects.select_related("actor").filter(pk=event_id).first()
        if event is None:
            raise ValidationError({"event": f"Audit entry {event_id} does not exist."})
        comment = Comment.objects.select_for_update(of=("self",)).get(pk=event.comment_id)
        if event.actor_id is None or event.action not in REVERSIBLE:
            raise NotReversible(f"Entry {event.pk} ({event.get_action_display()}) is not a moderator's decision.")
        humans = ModerationEvent.objects.filter(comment=comment, actor__isnull=False).order_by("-id")
        latest = humans.first()
        if latest.action == ModerationEvent.Action.UNDO and latest.reverses_id == event.pk:
            raise NotReversible(f"Entry {event.pk} was already reversed ({latest.actor.get_username()}, entry {latest.pk}).")
        if latest.pk != event.pk or comment.status != event.new_status:
            raise NotReversible(f"Comment {comment.pk} changed after entry {event.pk}; reverse the later decision first.")
        earlier = humans.filter(id__lt=event.pk).exclude(action=ModerationEvent.Action.ESCALATE).first()
        since = earlier.created_at if earlier else None
        undo_reason = (f"reversed {event.get_action_display()} by {event.actor.get_username()} (entry {event.pk})"
                       + (f": {reason}" if reason else ""))
        reporters = []
        if event.action == ModerationEvent.Action.ESCALATE:
            to, escalated = comment.status, False
        else:
            to = event.previous_status
            # An approve or reject cleared an escalation made since the decision before it: restore it.
            escalations = humans.filter(id__lt=event.pk, action=ModerationEvent.Action.ESCALATE)
            escalated = escalations.filter(created_at__gte=since).exists() if since else escalations.exists()
            ruled = CommentReport.objects.filter(comment=comment, upheld__isnull=False, created_at__lte=event.created_at)
            if since:
                ruled = ruled.filter(created_at__gt=since)
            reporters = list(ruled.values_list("reporter_id", flat=True))
            ruled.update(upheld=None)
        undo = lifecycle.comment_moderator_reversed(comment=comment, moderator=moderator, event=event, to=to,
                                                    reason=undo_reason, escalated=escalated)
        if to == rules.REJECT:
            # Reinstating a rejected comment is being undone: the row keeps the rejection's reason again.
            Comment.objects.filter(pk=comment.pk).update(status_reason=_reject_reason_before(comment, event))
        others = CommentReport.objects.filter(reporter_id__in=reporters, upheld__isnull=True)
        queue_rerank(comment_ids={comment.pk, *others.values_list("comment_id", flat=True)})
    logger.info("Decision %s on comment %s reversed by %s", event.pk, comment.pk, moderator.get_username())
    return undo


def _reject_reason_before(comment: Comment, event: ModerationEvent) -> str:
    # Reinstating a rejected comment is being undone: the author sees the rejection's reason again.
    rejection = (ModerationEvent.objects.filter(comment=comment, id__lt=event.pk, new_status=rules.REJECT)
                 .order_by("-id").values_list("reason", flat=True).first())
    return rejection or ""
