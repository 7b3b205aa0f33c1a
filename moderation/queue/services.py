"""Writes on the review queue: ranking comments (the rank itself is queue/ranking.py),
moderators' decisions one by one and in bulk and their reversal (each checked here, then made
through moderation.lifecycle, the one writer of a comment's status), and authors' standing."""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from blog.models import Comment, CommentReport
from moderation import commenter, lifecycle, rules
from moderation.accountability.statements import statement_record_for_standing
from moderation.models import Analysis, AuthorStanding, DecisionReason, ModerationEvent
from moderation.permissions import CAN_MODERATE, CHANGE_POLICY
from moderation.queue import ranking
from moderation.rules import policy_active

logger = logging.getLogger(__name__)

DECISION_ACTIONS = (ModerationEvent.Action.APPROVE, ModerationEvent.Action.REJECT, ModerationEvent.Action.ESCALATE)

BULK_ACTIONS = rules.HUMAN_DECISIONS

BULK_MAX_IDS = 100

REASON_MAX_LENGTH = 500

STANDING_NOTE_MAX_LENGTH = 500

SQLITE_LOCK_RETRIES = 5


def _open_report_rows(comment_ids) -> list[tuple[int, int, object]]:
    return list(
        CommentReport.objects.filter(comment_id__in=comment_ids, upheld__isnull=True)
        .values_list("comment_id", "reporter_id", "created_at")
    )


def _queued_at(comments: list[Comment], open_reports) -> dict[int, object]:
    """When each comment entered the queue: its latest hold or classification failure (an audit
    entry; escalating does not restart the wait), or, for a published one, its first open report."""
    held_ids = [c.pk for c in comments if c.status in rules.HELD_FOR_MODERATOR]
    entered = dict(
        ModerationEvent.objects.filter(comment_id__in=held_ids, new_status__in=rules.HELD_FOR_MODERATOR)
        .exclude(action=ModerationEvent.Action.ESCALATE)
        .values("comment_id").annotate(at=Max("created_at")).values_list("comment_id", "at")
    ) if held_ids else {}
    for comment_id, _, reported_at in open_reports:
        if comment_id not in entered or reported_at < entered[comment_id]:
            entered[comment_id] = reported_at
    return entered


def queue_rerank(*, comment_ids, now=None, thresholds=None) -> int:
    """Recompute and store ``queue_rank`` (moderation.queue.ranking.queue_rank) for these comments.

    Six queries whatever their number: the comments, their scores, their open reports, when they
    entered the queue, the reporters' ruled-on records, and the threads' activity (a seventh for
    the active policy's thresholds unless given). Returns how many were ranked."""
    ids = {int(i) for i in comment_ids}
    if not ids:
        return 0
    now = now or timezone.now()
    comments = list(Comment.objects.filter(pk__in=ids).only("id", "article_id", "status", "escalated"))
    if not comments:
        return 0
    scores = dict(Analysis.objects.filter(comment_id__in=ids).values_list("comment_id", "scores"))
    open_reports = _open_report_rows(ids)
    queued_at = _queued_at(comments, open_reports)
    reporter_ids = {r for _, r, _ in open_reports}
    records = {
        row["reporter_id"]: ranking.reporter_weight(upheld=row["upheld"], resolved=row["resolved"])
        for row in CommentReport.objects.filter(reporter_id__in=reporter_ids, upheld__isnull=False)
        .values("reporter_id")
        .annotate(resolved=Count("id"), upheld=Count("id", filter=Q(upheld=True)))
    }
    heat = dict(
        Comment.objects.filter(
            article_id__in={c.article_id for c in comments},
            created_at__gte=now - timezone.timedelta(hours=ranking.HEAT_WINDOW_HOURS),
        )
        .values("article_id")
        .annotate(n=Count("id"))
        .values_list("article_id", "n")
    )
    weights: dict[int, list[float]] = {}
    for comment_id, reporter_id, _ in open_reports:
        weights.setdefault(comment_id, []).append(records.get(reporter_id, ranking.reporter_weight(upheld=0, resolved=0)))
    if thresholds is None:
        thresholds = policy_active().thresholds
    for c in comments:
        c.queue_rank = ranking.queue_rank(
            scores=scores.get(c.pk),
            thresholds=thresholds,
            open_report_weights=weights.get(c.pk, []),
            thread_comments_24h=heat.get(c.article_id, 0),
            queued_at=queued_at.get(c.pk),
            now=now,
            escalated=c.escalated,
        )
    _store_queue_ranks(comments)
    return len(comments)


def _store_queue_ranks(comments: list[Comment]) -> None:
    """Write each comment's ``queue_rank``. On PostgreSQL one UPDATE joined to two arrays:
    bulk_update's CASE WHEN per row cost the worker ~60 % of its time draining a backlog on one
    busy thread (hundreds of waiting comments re-ranked after every batch)."""
    if connection.vendor != "postgresql":
        Comment.objects.bulk_update(comments, ["queue_rank"], batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Comment._meta.db_table} AS c SET queue_rank = v.rank "
            "FROM unnest(%s::bigint[], %s::double precision[]) AS v(id, rank) WHERE c.id = v.id",
            [[c.pk for c in comments], [c.queue_rank for c in comments]],
        )


def queue_rerank_waiting() -> int:
    """Re-rank every comment waiting for a moderator (held, classification failed, or published
    with reports): their need depends on the active thresholds, so a policy change moves them."""
    waiting = Comment.objects.filter(rules.waiting_for_moderator_q()).values_list("pk", flat=True)
    return queue_rerank(comment_ids=list(waiting))


def queue_rerank_threads(*, article_ids, comment_ids=(), thresholds=None) -> int:
    """Re-rank every comment waiting for a moderator on these articles (their thread heat
    changed), plus ``comment_ids`` whatever their status (e.g. the comments just scored).

    Not the pending ones: no tab shows them, and each is ranked when it is scored. Re-ranking
    them made every batch cost as much as the thread's whole unscored backlog."""
    waiting = Comment.objects.filter(rules.waiting_for_moderator_q(), article_id__in=set(article_ids))
    return queue_rerank(comment_ids={*comment_ids, *waiting.values_list("pk", flat=True)}, thresholds=thresholds)


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


def _require_moderator(user) -> None:
    if user is None or not user.is_authenticated or not user.has_perm(CAN_MODERATE):
        raise PermissionDenied("Only moderators may do this.")


def _clean_reason(action: str, reason: str) -> str:
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
    _require_moderator(moderator)
    reason = _clean_reason(action, reason)
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


# --- undo and reverse ----------------------------------------------------------------------------

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
    _require_moderator(moderator)
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
    _require_moderator(moderator)
    reason = _clean_reason(ModerationEvent.Action.ESCALATE, reason)  # optional free text, length-checked
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
    _require_moderator(moderator)
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": f"Bulk actions are {' and '.join(BULK_ACTIONS)}, not '{action}'."})
    reason = _clean_reason(action, reason)
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
    _require_moderator(moderator)
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


# --- the site's own reasons -----------------------------------------------------------------------

# The site's admins (those who set the policy) keep the list; the Django admin also edits it.
MANAGE_REASONS = CHANGE_POLICY


def decision_reason_create(*, text: str, use_for: str, admin, position: int | None = None) -> DecisionReason:
    """Add one of the site's ready-made reasons (an admin's job: ``moderation.change_policy``).
    Raises ValidationError naming the field for an empty, too long or duplicate text."""
    if admin is None or not admin.is_authenticated or not admin.has_perm(MANAGE_REASONS):
        raise PermissionDenied("Only admins may change the site's reasons.")
    if use_for not in DecisionReason.UseFor.values:
        raise ValidationError({"use_for": f"Use one of: {', '.join(DecisionReason.UseFor.values)}."})
    text = (text or "").replace("\x00", "").strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({"text": "A reason needs its words."})
    if len(text) > 200:
        raise ValidationError({"text": f"Must be at most 200 characters (got {len(text)})."})
    if DecisionReason.objects.filter(use_for=use_for, text__iexact=text).exists():
        raise ValidationError({"text": f"'{text}' is already a reason for {use_for}."})
    if position is None:
        position = (DecisionReason.objects.filter(use_for=use_for).order_by("-position")
                    .values_list("position", flat=True).first() or 0) + 1
    return DecisionReason.objects.create(text=text, use_for=use_for, position=position)
