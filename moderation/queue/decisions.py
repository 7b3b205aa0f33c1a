"""A moderator's decisions, one by one and in bulk: access, staleness (a decision is for the text
the moderator read), then the change through moderation.lifecycle, the one writer of a comment's status."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction

from blog.models import Comment, CommentReport
from moderation import commenter, lifecycle, rules
from moderation.models import Analysis, ModerationEvent
from moderation.permissions import CAN_MODERATE
from moderation.queue.services import queue_rerank
from moderation.rules import policy_active

logger = logging.getLogger(__name__)

DECISION_ACTIONS = (ModerationEvent.Action.APPROVE, ModerationEvent.Action.REJECT, ModerationEvent.Action.ESCALATE)
BULK_ACTIONS = rules.HUMAN_DECISIONS
BULK_MAX_IDS = 100
REASON_MAX_LENGTH = 500
SQLITE_LOCK_RETRIES = 5


class AlreadyDecided(Exception):
    """Someone decided this comment since the moderator loaded it (or the action would change
    nothing). ``by`` is that moderator's username, or None for an automatic decision."""

    def __init__(self, *, comment: Comment, last: ModerationEvent | None, action: str):
        self.comment_id = comment.pk
        self.status = comment.status
        self.by = last.actor.get_username() if last is not None and last.actor_id else None
        if last is not None and last.actor_id and last.action == ModerationEvent.Action.ESCALATE and action == "escalate":
            message = f"Comment {comment.pk} was already escalated by {self.by}."
        elif last is not None and last.actor_id:
            message = (
                f"Comment {comment.pk} was already decided by {self.by} ({last.get_action_display()} "
                f"at {last.created_at:%Y-%m-%d %H:%M} UTC); it is now {comment.get_status_display()}."
            )
        else:
            message = f"Comment {comment.pk} is no longer waiting for a decision; it is now {comment.get_status_display()}."
        self.message = message
        super().__init__(message)


class CommentChanged(AlreadyDecided):
    """The author edited the comment since the moderator was shown it: deciding now would decide
    text nobody has read. Carries the new text and revision so the card can show them."""

    def __init__(self, *, comment: Comment, edited_at):
        self.comment_id = comment.pk
        self.status = comment.status
        self.by = None
        self.text = comment.text
        self.revision = lifecycle.text_revision(comment.text)
        when = f" at {edited_at:%Y-%m-%d %H:%M} UTC" if edited_at else ""
        self.message = (f"The author edited comment {comment.pk}{when}, after you were shown it; "
                        "nothing was decided. Read the new text, then decide again.")
        Exception.__init__(self, self.message)


def require_moderator(user) -> None:
    if user is None or not user.is_authenticated or not user.has_perm(CAN_MODERATE):
        raise PermissionDenied("Only moderators may do this.")


def clean_reason(action: str, reason: str) -> str:
    if action not in DECISION_ACTIONS:
        raise ValidationError({"action": f"Unknown action '{action}'; use one of: {', '.join(DECISION_ACTIONS)}."})
    if not isinstance(reason, str):
        raise ValidationError({"reason": "Must be a string."})
    reason = reason.replace("\x00", "").strip()
    if action == ModerationEvent.Action.REJECT and not reason:
        raise ValidationError({"reason": "A rejection needs a reason: the author will see it."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Must be at most {REASON_MAX_LENGTH} characters (got {len(reason)})."})
    return reason


def comment_decide(
    *,
    comment_id: int,
    moderator,
    action: str,
    reason: str = "",
    expected_status: str | None = None,
    seen_event_id: int | None = None,
    revision: str | None = None,
) -> ModerationEvent:
    """A moderator approves, rejects (``reason`` is shown to the author) or escalates a comment.

    The comment's row is locked for the decision, so of two moderators acting at once the
    second waits and then gets AlreadyDecided; nothing is decided twice. AlreadyDecided when:
    ``expected_status`` (the status the moderator saw) no longer matches; a human approved or
    rejected it after ``seen_event_id`` (the last audit entry the moderator saw); without an
    expected status, the comment no longer waits in the queue (held, failed, pending, or
    published with open reports); or the action would change nothing (approving a published
    comment with no open reports, rejecting a rejected one, escalating twice). CommentChanged
    (an AlreadyDecided) when the author edited the text since: ``revision`` (the card's
    lifecycle.text_revision) differs, or an edit is logged after ``seen_event_id``.

    Approving a published comment dismisses its reports. Reports are marked upheld on reject
    and not upheld on approve, which is what weighs their reporters' future reports. Returns
    the audit entry. Raises ValidationError for an unknown action, a reject without a reason
    or a comment that does not exist, PermissionDenied for a non-moderator.
    """
    require_moderator(moderator)
    reason = clean_reason(action, reason)
    if expected_status is not None and expected_status not in Comment.Status.values:
        raise ValidationError({"expected_status": f"Unknown status '{expected_status}'."})
    if revision is not None and not (isinstance(revision, str) and len(revision) <= 64):
        raise ValidationError({"revision": "Must be the card's revision string."})
    kwargs = dict(
        comment_id=comment_id, moderator=moderator, action=action, reason=reason,
        expected_status=expected_status, seen_event_id=seen_event_id, revision=revision,
    )
    for attempt in range(SQLITE_LOCK_RETRIES + 1):
        try:
            return _comment_decide_locked(**kwargs)
        except OperationalError as exc:
            # SQLite has no row locks: two deciders both read, then the second's write finds the
            # first's lock and fails at once ("database is locked") instead of waiting. Once
            # the first commits, a retry sees its decision and answers AlreadyDecided.
            conn = transaction.get_connection()
            if conn.vendor != "sqlite" or conn.in_atomic_block or "locked" not in str(exc) or attempt == SQLITE_LOCK_RETRIES:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _edited_since(comment: Comment, *, revision: str | None, seen_event_id: int | None):
    """(True, when) if the author changed the text after the moderator was shown it: the card's
    revision when sent (exact), else any edit logged after the entry the card showed."""
    if revision is not None:
        return revision != lifecycle.text_revision(comment.text), comment.edited_at
    if seen_event_id is not None:
        later = (ModerationEvent.objects.filter(comment=comment, action__in=commenter.EDIT_ACTIONS, pk__gt=seen_event_id)
                 .order_by("-id").values_list("created_at", flat=True).first())
        if later is not None:
            return True, later
    return False, None


def _comment_decide_locked(
    *, comment_id: int, moderator, action: str, reason: str, expected_status: str | None, seen_event_id: int | None,
    revision: str | None,
) -> ModerationEvent:
    with transaction.atomic():
        comment = Comment.objects.select_for_update(of=("self",)).filter(pk=comment_id).first()
        if comment is None:
            raise ValidationError({"comment": f"Comment {comment_id} does not exist."})
        if comment.status == Comment.Status.DELETED:
            raise AlreadyDecided(comment=comment, last=None, action=action)
        edited, edited_at = _edited_since(comment, revision=revision, seen_event_id=seen_event_id)
        if edited:
            raise CommentChanged(comment=comment, edited_at=edited_at)
        reports = CommentReport.objects.filter(comment=comment, upheld__isnull=True)
        open_reporters = list(reports.values_list("reporter_id", flat=True))
        appealed = commenter.appeal_open_for(comment=comment) is not None
        in_queue = appealed or rules.comment_waiting(status=comment.status, open_reports=len(open_reporters))
        humans = ModerationEvent.objects.filter(comment=comment, actor__isnull=False).select_related("actor").order_by("-id")
        # An undo puts the comment back as the moderator saw it: a card shown before the undone
        # decision may decide it again.
        last_decision = humans.filter(action__in=(*rules.HUMAN_DECISIONS, ModerationEvent.Action.UNDO)).first()
        stale = (
            (expected_status is not None and expected_status != comment.status)
            or (seen_event_id is not None and last_decision is not None and last_decision.pk > seen_event_id
                and last_decision.action != ModerationEvent.Action.UNDO)
            or (expected_status is None and not in_queue)
            or (action == "approve" and comment.status == Comment.Status.PUBLISHED and not open_reporters)
            or (action == "reject" and comment.status == Comment.Status.REJECTED and not appealed)
            or (action == "escalate" and (comment.escalated or not in_queue))
        )
        if stale:
            raise AlreadyDecided(comment=comment, last=humans.first(), action=action)

        scores = Analysis.objects.filter(comment=comment).values_list("scores", flat=True).first()
        policy = policy_active()
        if action == "escalate":
            event = lifecycle.comment_moderator_escalated(comment=comment, moderator=moderator, reason=reason,
                                                          scores=scores, policy=policy)
        else:
            event = lifecycle.comment_moderator_decided(comment=comment, moderator=moderator, action=action,
                                                        reason=reason, scores=scores, policy=policy)
            lifecycle.open_reports_settle(comment=comment, upheld=action == "reject")
        # The reporters' records changed: their other open reports weigh differently now.
        others = CommentReport.objects.filter(reporter_id__in=open_reporters, upheld__isnull=True)
        queue_rerank(comment_ids={comment.pk, *others.values_list("comment_id", flat=True)})
    return event


@dataclass(frozen=True)
class BulkResult:
    id: int
    ok: bool
    status: str | None  # the comment's status after this call; None if it does not exist
    error: str = ""
    decided_by: str | None = None


def comments_bulk_decide(*, comment_ids: list[int], moderator, action: str, reason: str = "",
                         revisions: dict[int, str] | None = None) -> list[BulkResult]:
    """Approve or reject several comments with one reason; each is decided on its own (its own
    lock and transaction), so one already decided by someone else does not undo the others.
    ``revisions`` (comment id -> the card's revision) pins each decision to the text shown: a
    comment edited since is skipped and says so. Returns one result per distinct id, in order."""
    require_moderator(moderator)
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": f"Bulk actions are {' and '.join(BULK_ACTIONS)}, not '{action}'."})
    reason = clean_reason(action, reason)
    ids = list(dict.fromkeys(comment_ids))
    if not ids:
        raise ValidationError({"ids": "Select at least one comment."})
    if len(ids) > BULK_MAX_IDS:
        raise ValidationError({"ids": f"At most {BULK_MAX_IDS} comments at once (got {len(ids)})."})
    results = []
    for comment_id in ids:
        try:
            event = comment_decide(comment_id=comment_id, moderator=moderator, action=action, reason=reason,
                                   revision=(revisions or {}).get(comment_id))
        except AlreadyDecided as exc:
            results.append(BulkResult(comment_id, False, exc.status, exc.message, exc.by))
        except ValidationError as exc:
            results.append(BulkResult(comment_id, False, None, " ".join(exc.messages)))
        else:
            results.append(BulkResult(comment_id, True, event.new_status))
    return results
