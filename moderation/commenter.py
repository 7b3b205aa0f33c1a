"""The commenter's side of moderation: what an author is told about their own comment (in plain
words, with the marked phrase), the nudge to rephrase and how they answered it, their edits and
deletions in the audit log, and their one appeal of a rejection.

Reached from blog only through moderation.facade. The author's own acts are audit entries with no
actor (the comment's author did it; the record outlives their account) and never count as a
moderator's decision.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from blog.models import Comment
from moderation import rules
from moderation.models import Analysis, Appeal, ModerationEvent
from ops import metrics

Action = ModerationEvent.Action
AUTHOR_ACTIONS = (
    Action.AUTHOR_EDIT, Action.AUTHOR_DELETE, Action.NUDGE_EDITED, Action.NUDGE_WITHDRAWN, Action.NUDGE_LEFT,
    Action.APPEAL,
)
EDIT_ACTIONS = (Action.AUTHOR_EDIT, Action.NUDGE_EDITED)
NUDGE_ANSWERS = {"edited": Action.NUDGE_EDITED, "withdrawn": Action.NUDGE_WITHDRAWN, "left": Action.NUDGE_LEFT}
# The entries that set a comment's status: what "why it is where it is" is read from.
STATUS_ACTIONS = tuple(a for a in Action.values if a not in AUTHOR_ACTIONS and a != Action.ESCALATE)

STATUS_IN_WORDS = {
    Comment.Status.PENDING: "Being checked",
    Comment.Status.HELD: "Held for review",
    Comment.Status.FAILED: "Waiting for a moderator",
    Comment.Status.REJECTED: "Rejected",
    Comment.Status.PUBLISHED: "Published",
    Comment.Status.DELETED: "Deleted",
}


@dataclass(frozen=True)
class Outcome:
    """What the author of a comment is told about it."""

    status: str
    reason: str  # plain words: "Held for review: it may contain a threat."
    why: str = ""  # the reason alone: "it may contain a threat", or the moderator's own words
    phrase: str = ""  # the marked words, when the scoring found them
    start: int | None = None  # the phrase's character offsets in the comment's text
    end: int | None = None
    by_moderator: bool = False
    moderator_reason: str = ""
    nudge: bool = False  # offer: edit and resubmit, withdraw, or leave it for a moderator
    can_appeal: bool = False
    appeal: str = ""  # "", "open", "reinstated" or "upheld"
    appeal_reason: str = ""

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _label_words(analysis: Analysis | None, thresholds) -> tuple[str, str, int | None, int | None]:
    """(what the top label means, marked phrase, start, end) from the stored scoring."""
    if analysis is None:
        return "", "", None, None
    explanation = analysis.explanation or {}
    if explanation.get("label"):
        phrase = explanation.get("phrase") or ""
        return (rules.LABEL_IN_WORDS.get(explanation["label"], "may break the discussion guidelines"), phrase,
                explanation.get("start") if phrase else None, explanation.get("end") if phrase else None)
    crossing = [(float(v), k) for k, v in (analysis.scores or {}).items()
                if k in thresholds and float(v) >= thresholds[k]["hold"]]
    if crossing:
        return rules.LABEL_IN_WORDS.get(max(crossing)[1], ""), "", None, None
    return "", "", None, None


def outcomes_for_author(*, comments: list[Comment]) -> dict[int, Outcome]:
    """Outcome of each of these comments, as their author is told it. One query whatever their
    number (their audit entries, each with its comment's scores and appeal joined), a second for
    the active policy only when a held comment's scores lack a marked phrase; none when every
    comment is published unedited or pending."""
    ids = [c.pk for c in comments if c.status not in (Comment.Status.PENDING, Comment.Status.PUBLISHED) or c.edited_at]
    events: dict[int, list[ModerationEvent]] = {}
    if ids:
        rows = (ModerationEvent.objects.filter(comment_id__in=ids).exclude(action=Action.ESCALATE)
                .select_related("comment__analysis", "comment__appeal").order_by("comment_id", "-id"))
        for e in rows:
            events.setdefault(e.comment_id, []).append(e)
    thresholds = _LazyThresholds()
    return {c.pk: _outcome(c, events.get(c.pk, []), thresholds) for c in comments}


class _LazyThresholds(dict):
    """The active policy's thresholds, read on first use."""

    def __init__(self):
        super().__init__()
        self.loaded = False

    def _load(self):
        if not self.loaded:
            self.update(rules.policy_active().thresholds)
            self.loaded = True

    def __contains__(self, key):
        self._load()
        return super().__contains__(key)

    def __getitem__(self, key):
        self._load()
        return super().__getitem__(key)


DELETE_ACTIONS = (Action.AUTHOR_DELETE, Action.NUDGE_WITHDRAWN)


def _standing_event(events: list[ModerationEvent]) -> ModerationEvent | None:
    """The entry that put the comment where it is, as its author may be told: reversals and the
    decisions they reversed are left out (a reversal's reason names a moderator and may hold an
    internal note, neither of which an author sees)."""
    undone = {e.reverses_id for e in events if e.action == Action.UNDO}
    return next((e for e in events if e.action != Action.UNDO and e.pk not in undone
                 and (e.action in STATUS_ACTIONS or e.action in EDIT_ACTIONS or e.action in DELETE_ACTIONS)), None)


def _outcome(c: Comment, events: list[ModerationEvent], thresholds) -> Outcome:
    status = c.status
    if status == Comment.Status.PENDING:
        return Outcome(status=status, reason="Being checked: only you can see it until it is published.")
    event = _standing_event(events)
    joined = events[0].comment if events else None
    analysis = getattr(joined, "analysis", None) if joined is not None else None
    appeal = getattr(joined, "appeal", None) if joined is not None else None
    if status == Comment.Status.DELETED:
        by_you = event is not None and event.action in DELETE_ACTIONS
        return Outcome(status=status, reason="Deleted by you." if by_you else "Deleted.",
                       appeal=("open" if appeal.is_open else appeal.outcome) if appeal else "")
    # Answered since the latest decision (an edit that is held again is nudged again).
    answered = any(e.action in NUDGE_ANSWERS.values() and (event is None or e.pk > event.pk) for e in events)
    words, phrase, start, end = _label_words(analysis, thresholds) if status in (Comment.Status.HELD, Comment.Status.REJECTED) else ("", "", None, None)
    by_moderator = bool(event and event.action in rules.HUMAN_DECISIONS)
    headline = STATUS_IN_WORDS.get(status, status)
    if status == Comment.Status.PUBLISHED:
        why, reason = "", "Published" + (" by a moderator." if by_moderator else ".")
    elif by_moderator:
        why = event.reason
        reason = f"{headline} by a moderator" + (f": {event.reason}" if event.reason else ".")
    elif event is not None and event.action in EDIT_ACTIONS and event.reason:
        why = event.reason  # an edit that went to a human (moderation.lifecycle.edit_needs_human)
        reason = f"{headline}: {why}. A moderator will decide it."
    elif words:
        why = f"it {words}"
        reason = f"{headline}: {why}."
    elif event is not None and event.reason and status == Comment.Status.HELD:
        why = event.reason  # a rule, already in words (pre-moderation, language)
        reason = f"{headline}: {why}."
    elif event is None and c.status_reason:
        why = c.status_reason  # set without an audit entry (imported, or by hand)
        reason = f"{headline}: {why}"
    elif status in (Comment.Status.HELD, Comment.Status.FAILED):
        why, reason = "", f"{headline}: a moderator will look at it."
    else:
        why = "it may break the discussion guidelines"
        reason = f"{headline}: {why}."
    automatic = event is not None and event.action in (Action.AUTO_HOLD, Action.AUTO_REJECT)
    return Outcome(
        status=status, reason=reason, why=why, phrase=phrase, start=start, end=end, by_moderator=by_moderator,
        moderator_reason=event.reason if by_moderator else "",
        # Once appealed, a moderator has it: no nudge to answer any more.
        nudge=automatic and not answered and appeal is None and status in (Comment.Status.HELD, Comment.Status.REJECTED),
        can_appeal=status == Comment.Status.REJECTED and appeal is None,
        appeal=("open" if appeal.is_open else appeal.outcome) if appeal else "",
        appeal_reason=appeal.reason if appeal else "",
    )


def comment_outcome_for_author(*, comment: Comment) -> Outcome:
    return outcomes_for_author(comments=[comment])[comment.pk]


def _was_nudged(comment: Comment) -> bool:
    """Held or rejected by the worker, and the author has not answered the nudge yet."""
    return comment_outcome_for_author(comment=comment).nudge


def _author_event(comment: Comment, *, action: str, previous_status: str, new_status: str, reason: str = "") -> ModerationEvent:
    return ModerationEvent.objects.create(
        comment=comment, actor=None, action=action, reason=reason, previous_status=previous_status, new_status=new_status,
    )


def nudge_answer_leave(*, comment: Comment, author) -> ModerationEvent:
    """The author chose to leave their held or rejected comment for a moderator. A held one is in
    the queue already; a rejected one is not, so leaving it opens a real appeal (the Appeals tab):
    "a moderator will decide" must be true."""
    if comment.author_id != getattr(author, "pk", None):
        raise PermissionDenied("Only the comment's author can answer its nudge.")
    if not _was_nudged(comment):
        raise ValidationError({"comment": "This comment has no open nudge: it is not held or rejected by the automatic check, or you already answered."})
    if comment.status == Comment.Status.REJECTED:
        appeal_create(comment=comment, author=author, note="")
    return _author_event(comment, action=Action.NUDGE_LEFT, previous_status=comment.status, new_status=comment.status)


def comment_was_nudged(*, comment: Comment) -> bool:
    return _was_nudged(comment)


def appeal_create(*, comment: Comment, author, note: str) -> Appeal:
    """Ask once for a human to review a rejected comment. Raises PermissionDenied for anyone but
    its author, ValidationError for a comment that is not rejected, a second appeal, a bad note."""
    if comment.author_id != getattr(author, "pk", None):
        raise PermissionDenied("Only the comment's author can appeal it.")
    if not isinstance(note, str) or "\x00" in note:
        raise ValidationError({"note": "Must be plain text."})
    note = note.strip()
    if len(note) > settings.PARLEY_APPEAL_NOTE_MAX_LENGTH:
        raise ValidationError({"note": f"Must be at most {settings.PARLEY_APPEAL_NOTE_MAX_LENGTH} characters (got {len(note)})."})
    with transaction.atomic():
        locked = Comment.objects.select_for_update(of=("self",)).get(pk=comment.pk)
        if Appeal.objects.filter(comment=locked).exists():
            raise ValidationError({"comment": "You have already appealed this comment; a comment can be appealed once."})
        if locked.status != Comment.Status.REJECTED:
            raise ValidationError({"comment": f"Only a rejected comment can be appealed; this one is {locked.get_status_display()}."})
        appeal = Appeal.objects.create(comment=locked, note=note)
        # The note stays on the Appeal (which account deletion can empty), not in the append-only log.
        _author_event(locked, action=Action.APPEAL, previous_status=locked.status, new_status=locked.status,
                      reason="the author asked for a review")
    metrics.appeal_event(event="opened")
    return appeal


def appeal_open_for(*, comment: Comment) -> Appeal | None:
    return Appeal.objects.filter(comment=comment, decided_at__isnull=True).first()
