"""A comment's life in one place: the only code that assigns ``Comment.status``.

Every change of a comment's status goes through ``comment_transition`` (and the named functions
below, one per thing that can happen to a comment): the author's edit and deletion, the worker's
verdict and its failure, a moderator's decision and its reversal, the policy re-applied by an
admin, and account deletion. Each transition in ``TRANSITIONS`` says who may make it and from
which statuses to which; the function checks that, then writes the status, its one audit entry,
its metric and its notifications (or withdraws the ones a reversal makes untrue), in that order,
exactly once. tests/moderation/test_lifecycle_contract.py fails on a status written anywhere else.

Why a table and one function rather than a state-machine library (django-fsm-2): who may act
depends on more than the status (an open appeal, a moderator's earlier rejection, the author's
standing), which a decorator on a model method cannot see without putting business rules in the
model; the table is data a test can read, and the function is where the side effects live.
"""
from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from blog.models import Comment, CommentReport
from moderation import rules
from moderation.accountability.statements import statement_record
from moderation.models import Analysis, Appeal, AuthorStanding, ModerationEvent
from notifications import services as notify
from ops import metrics

logger = logging.getLogger(__name__)

Status = Comment.Status
Action = ModerationEvent.Action

# Who makes a transition. The author, the worker and "system" (account deletion) act without a
# moderator: their audit entries have no actor.
AUTHOR, WORKER, MODERATOR, ADMIN, SYSTEM = "author", "worker", "moderator", "admin", "system"

LIVE = frozenset(s for s in Status.values if s != Status.DELETED)

# What the author is told when an edit goes to a human instead of the model.
EDITED_AFTER_REJECTION = "edited after a moderator's rejection"
EDITED_UNDER_APPEAL = "edited while under appeal"
EDITED_WHILE_ESCALATED = "edited while escalated to a senior moderator"


@dataclass(frozen=True)
class Transition:
    by: str
    sources: frozenset[str]
    targets: frozenset[str]
    actions: frozenset[str]


TRANSITIONS: dict[str, Transition] = {
    # The author replaces the text: scored again (pending), or straight to a human (held) when a
    # human had already ruled against it (moderation.lifecycle.edit_needs_human).
    "author_edit": Transition(AUTHOR, LIVE, frozenset({Status.PENDING, Status.HELD}),
                              frozenset({Action.AUTHOR_EDIT, Action.NUDGE_EDITED})),
    "author_delete": Transition(AUTHOR, LIVE, frozenset({Status.DELETED}),
                                frozenset({Action.AUTHOR_DELETE, Action.NUDGE_WITHDRAWN})),
    "account_erase": Transition(SYSTEM, LIVE, frozenset({Status.DELETED}), frozenset({Action.AUTHOR_DELETE})),
    "worker_decide": Transition(WORKER, frozenset({Status.PENDING}),
                                frozenset({Status.PUBLISHED, Status.HELD, Status.REJECTED}),
                                frozenset({Action.AUTO_PUBLISH, Action.AUTO_HOLD, Action.AUTO_REJECT})),
    "worker_fail": Transition(WORKER, frozenset({Status.PENDING}), frozenset({Status.FAILED, Status.PUBLISHED}),
                              frozenset({Action.CLASSIFICATION_FAILED})),
    "moderator_decide": Transition(MODERATOR, LIVE, frozenset({Status.PUBLISHED, Status.REJECTED}),
                                   frozenset({Action.APPROVE, Action.REJECT})),
    "moderator_reverse": Transition(MODERATOR, LIVE, LIVE, frozenset({Action.UNDO})),
    # Re-applying a policy moves only held comments the model held (never a human's decision).
    "policy_reapply": Transition(ADMIN, frozenset({Status.HELD}), frozenset({Status.PUBLISHED, Status.REJECTED}),
                                 frozenset({Action.AUTO_PUBLISH, Action.AUTO_REJECT})),
}


# The decisions that may restrict a comment and so owe its author a statement of reasons (DSA
# Art. 17; moderation.accountability.statements decides whether this one restricts anything).
DECISIONS = frozenset({"worker_decide", "worker_fail", "moderator_decide", "policy_reapply"})


class IllegalTransition(Exception):
    """A caller asked for a change this module does not allow: a bug, never user input."""


def text_revision(text: str) -> str:
    """What a moderator's decision is pinned to: the text they were shown (a short hash)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def comment_transition(
    comment: Comment,
    *,
    name: str,
    to: str,
    action: str,
    reason: str = "",
    actor=None,
    scores=None,
    policy=None,
    reverses: ModerationEvent | None = None,
    extra_fields: tuple[str, ...] = (),
) -> ModerationEvent:
    """Move ``comment`` (locked by the caller, inside its transaction) along transition ``name``.

    Writes, exactly once: the status (and the reason an author reads for a rejection), the audit
    entry, the decision metric, and the notifications this change means. ``extra_fields`` are
    other columns the caller changed on the instance and wants saved in the same UPDATE."""
    t = TRANSITIONS[name]
    if comment.status not in t.sources or to not in t.targets or action not in t.actions:
        raise IllegalTransition(f"{name}: {action} from {comment.status} to {to} is not allowed")
    # Only a moderator's own decisions carry an actor: the audit log counts those as human.
    if (t.by == MODERATOR) != (actor is not None):
        raise IllegalTransition(f"{name} is made by {t.by}; actor={actor!r}")
    previous = comment.status
    comment.status = to
    # What an author is told is read from the audit log (moderation.commenter); the row keeps a
    # rejection's reason for readers of the row alone (imported comments have no audit entry).
    comment.status_reason = reason if to == Status.REJECTED else ""
    comment.save(update_fields=["status", "status_reason", "updated_at", *extra_fields])
    event = ModerationEvent.objects.create(
        comment=comment, actor=actor, action=action, reason=reason, previous_status=previous, new_status=to,
        scores=scores, policy=policy, reverses=reverses,
    )
    if name in DECISIONS:
        statement_record(comment=comment, event=event)  # before the reports are settled: it counts them
    # A reversal is counted as such (metrics.moderator_decided), not as a fresh verdict.
    if t.by != AUTHOR and name not in ("account_erase", "moderator_reverse"):
        metrics.comment_decided(comment=comment, previous_status=previous, actor=actor)
    _notify(comment, name=name, event=event, previous=previous, actor=actor, reason=reason, reverses=reverses)
    return event


def _notify(comment: Comment, *, name: str, event: ModerationEvent, previous: str, actor, reason: str,
            reverses: ModerationEvent | None) -> None:
    if name in ("author_delete", "account_erase"):
        notify.comment_text_forget(comment=comment)
        return
    if name == "author_edit":
        return
    if name == "moderator_reverse":
        notify.decision_withdraw(comment=comment, event_id=reverses.pk if reverses else None,
                                 new_status=comment.status, previous_status=previous)
        return
    if comment.status == Status.PUBLISHED and previous != Status.PUBLISHED:
        notify.reply_published(comment=comment)
    if name != "moderator_decide":
        return
    appeal = Appeal.objects.filter(comment=comment, decided_at__isnull=True).first()
    if appeal is not None:
        _appeal_close(appeal=appeal, moderator=actor, new_status=comment.status, reason=reason)
        notify.appeal_decided_notify(comment=comment, reinstated=comment.status == Status.PUBLISHED,
                                     reason=reason, event_id=event.pk)
    notify.decision_notify(comment=comment, previous_status=previous, new_status=comment.status, moderator=actor,
                           reason=reason, tell_author=appeal is None, event_id=event.pk)


def _appeal_close(*, appeal: Appeal, moderator, new_status: str, reason: str) -> None:
    appeal.decided_at = timezone.now()
    appeal.decided_by = moderator
    appeal.outcome = Appeal.Outcome.REINSTATED if new_status == Status.PUBLISHED else Appeal.Outcome.UPHELD
    appeal.reason = reason
    appeal.save(update_fields=["decided_at", "decided_by", "outcome", "reason"])
    metrics.appeal_event(event=appeal.outcome)


def appeal_reopen_after(*, comment: Comment, event: ModerationEvent) -> None:
    """A decision that settled an appeal was reversed: the appeal is open again (the only human
    decision after the appeal's close is the one being reversed)."""
    Appeal.objects.filter(comment=comment, decided_at__gte=event.created_at).update(
        decided_at=None, decided_by=None, outcome="", reason="")


# --- who may do what -----------------------------------------------------------------------------

def author_may_edit(*, comment: Comment) -> None:
    """PermissionDenied naming why when the author's standing forbids editing: a banned or
    suspended author cannot publish by editing what they wrote before."""
    standing = AuthorStanding.objects.filter(user_id=comment.author_id).first()
    if standing is None or standing.can_post():
        return
    if standing.banned:
        raise PermissionDenied("You are banned from commenting, so you cannot edit your comments.")
    raise PermissionDenied(f"You are suspended from commenting until {standing.suspended_until:%Y-%m-%d %H:%M} UTC, "
                           "so you cannot edit your comments until then.")


def standing_human_verdict(*, comment: Comment) -> str | None:
    """The action ("approve" or "reject") of the moderator's decision that stands on ``comment``
    (not reversed since), or None when no human decision stands."""
    humans = (ModerationEvent.objects.filter(comment=comment, actor__isnull=False,
                                             action__in=(*rules.HUMAN_DECISIONS, Action.UNDO))
              .order_by("-id").values_list("id", "action", "reverses_id"))
    reversed_ids = set()
    for pk, action, reverses_id in humans:
        if action == Action.UNDO:
            reversed_ids.add(reverses_id)  # an undo always reverses an earlier (older) entry
        elif pk not in reversed_ids:
            return action
    return None


def edit_needs_human(*, comment: Comment) -> str:
    """Why an edit of ``comment`` must go to a moderator rather than the model ('' when it need
    not): it is under appeal, a moderator's rejection stands (however many edits ago: an edit
    held for a human and edited again must not slip back to the model), or it is escalated."""
    if Appeal.objects.filter(comment=comment, decided_at__isnull=True).exists():
        return EDITED_UNDER_APPEAL
    if standing_human_verdict(comment=comment) == Action.REJECT:
        return EDITED_AFTER_REJECTION
    if comment.escalated and comment.status in rules.HELD_FOR_MODERATOR:
        return EDITED_WHILE_ESCALATED
    return ""


# --- one function per thing that happens to a comment ----------------------------------------------

def comment_author_edited(*, comment: Comment, nudged: bool) -> ModerationEvent:
    """The author replaced the text (the caller has locked the row and set the new text). The old
    scores go; the comment is scored again, or goes to a moderator when a human ruled on it."""
    author_may_edit(comment=comment)
    human = edit_needs_human(comment=comment)
    Analysis.objects.filter(comment=comment).delete()
    comment.max_toxicity = None
    comment.stance_label = ""
    return comment_transition(
        comment, name="author_edit", to=Status.HELD if human else Status.PENDING,
        action=Action.NUDGE_EDITED if nudged else Action.AUTHOR_EDIT, reason=human,
        extra_fields=("text", "edited_at", "max_toxicity", "stance_label"),
    )


def comment_author_deleted(*, comment: Comment, nudged: bool) -> ModerationEvent:
    """The author deleted (or withdrew, answering the nudge) their comment; its text is gone."""
    comment.text = ""
    comment.revisions.all().delete()
    return comment_transition(comment, name="author_delete", to=Status.DELETED,
                              action=Action.NUDGE_WITHDRAWN if nudged else Action.AUTHOR_DELETE,
                              extra_fields=("text",))


def comment_account_erased(*, comment: Comment) -> ModerationEvent:
    """Account deletion with the text removed: as a deletion by the author."""
    comment.text = ""
    comment.revisions.all().delete()
    return comment_transition(comment, name="account_erase", to=Status.DELETED, action=Action.AUTHOR_DELETE,
                              reason="the author deleted their account", extra_fields=("text",))


def comment_worker_decided(*, comment: Comment, verdict, scores, policy) -> ModerationEvent | None:
    """The worker's verdict on a comment it scored. None when the comment is no longer pending
    (a human, or an edit that went to a human, got there first: that stands)."""
    if comment.status != Status.PENDING:
        return None
    return comment_transition(comment, name="worker_decide", to=verdict.status, action=rules.AUTO_ACTION[verdict.status],
                              reason=verdict.reason, scores=scores, policy=policy)


def comment_worker_failed(*, comment: Comment, to: str, reason: str, policy) -> ModerationEvent:
    return comment_transition(comment, name="worker_fail", to=to, action=Action.CLASSIFICATION_FAILED, reason=reason,
                              policy=policy)


def comment_moderator_decided(*, comment: Comment, moderator, action: str, reason: str, scores, policy) -> ModerationEvent:
    """A moderator approved or rejected (the caller checked staleness and permission)."""
    if comment.escalated:
        comment.escalated = False
    to = Status.PUBLISHED if action == Action.APPROVE else Status.REJECTED
    event = comment_transition(comment, name="moderator_decide", to=to, action=action, reason=reason, actor=moderator,
                               scores=scores, policy=policy, extra_fields=("escalated",))
    metrics.moderator_decided(action=action)
    return event


def comment_moderator_escalated(*, comment: Comment, moderator, reason: str, scores, policy) -> ModerationEvent:
    """A moderator passed the comment to a senior one: its status stays, it is flagged."""
    comment.escalated = True
    comment.save(update_fields=["escalated", "updated_at"])
    event = ModerationEvent.objects.create(
        comment=comment, actor=moderator, action=Action.ESCALATE, reason=reason, previous_status=comment.status,
        new_status=comment.status, scores=scores, policy=policy,
    )
    metrics.moderator_decided(action=Action.ESCALATE)
    return event


def comment_moderator_reversed(*, comment: Comment, moderator, event: ModerationEvent, to: str, reason: str,
                               escalated: bool) -> ModerationEvent:
    """A moderator reversed ``event`` (theirs by Undo, anyone's from the audit log): back to ``to``."""
    comment.escalated = escalated
    undo = comment_transition(comment, name="moderator_reverse", to=to, action=Action.UNDO, reason=reason,
                              actor=moderator, scores=event.scores, policy=event.policy, reverses=event,
                              extra_fields=("escalated",))
    if event.action in rules.HUMAN_DECISIONS:
        appeal_reopen_after(comment=comment, event=event)
    metrics.moderator_decided(action=Action.UNDO)
    return undo


def comment_policy_reapplied(*, comment: Comment, admin, verdict, scores, policy) -> ModerationEvent:
    """Re-applying the active policy moved this held comment (automatic: the model's verdict, the
    admin who asked named in the reason)."""
    return comment_transition(
        comment, name="policy_reapply", to=verdict.status, action=rules.AUTO_ACTION[verdict.status],
        reason=f"policy v{policy.version} re-applied by {admin.get_username()}: {verdict.reason}",
        scores=scores, policy=policy,
    )


def open_reports_settle(*, comment: Comment, upheld: bool) -> None:
    """Mark the comment's open reports upheld (a rejection) or not (an approval)."""
    CommentReport.objects.filter(comment=comment, upheld__isnull=True).update(upheld=upheld)
