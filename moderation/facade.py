"""Everything the blog may ask of moderation, and nothing else (the import contracts in
pyproject.toml hold blog to it): hand a new comment to the classification worker once its transaction has
committed, move a reported comment up the review queue, read an author's standing, and the
commenter's side (what an author is told about their comment, the nudge, edits, appeals).

Light on purpose: the reader side imports this, and readers never wait on a model (the
classifiers are loaded by the worker, lazily, in moderation/pipeline/scoring.py).
"""
from __future__ import annotations

from django.db import transaction

from moderation import commenter, lifecycle
from moderation.accountability import statements
from moderation.models import Appeal, AuthorStanding
from moderation.pipeline.tasks import enqueue_classification
from moderation.queue.services import queue_rerank
from notifications import services as notifications


def comment_enqueue_on_commit(*, comment_id: int) -> None:
    """Queue ``comment_id`` for scoring when the current transaction commits (at once outside
    one). A lost enqueue (broker down) is recovered by the sweeper; it never fails the write."""
    transaction.on_commit(lambda: enqueue_classification(comment_id), robust=True)


def comment_reported(*, comment_id: int) -> None:
    """A reader reported the comment: re-rank it, so it moves up the review queue."""
    queue_rerank(comment_ids=[comment_id])


def author_standing_get(*, user) -> AuthorStanding | None:
    """The user's standing (banned, suspended, pre-moderated), or None when they have none: the
    one read with the user in this request's authentication query (core.auth.TokenAuthentication),
    else one query. A standing cached on a user object any other way may be stale (a moderator
    has suspended them since), so it is not trusted."""
    if getattr(user, "standing_loaded_with_request", False):
        return getattr(user, "standing", None)  # select_related: no query, None when there is none
    return AuthorStanding.objects.filter(user=user).first()


# --- the commenter's side (moderation/commenter.py) ----------------------------------------------

def comment_outcomes_for_author(*, comments) -> dict[int, commenter.Outcome]:
    """What each of these comments' author is told about it: status, the reason in plain words,
    the marked phrase (with offsets), the moderator's reason, whether to nudge, whether it may be
    appealed. For the author's eyes only: call it with their own comments."""
    return commenter.outcomes_for_author(comments=list(comments))


def comment_outcome_for_author(*, comment) -> commenter.Outcome:
    return commenter.comment_outcome_for_author(comment=comment)


def comment_was_nudged(*, comment) -> bool:
    """Held or rejected by the automatic check, and the author has not answered the nudge yet."""
    return commenter.comment_was_nudged(comment=comment)


def comment_edited(*, comment, nudged: bool) -> None:
    """The author replaced ``comment``'s text (the row is locked and its new text set): through
    the lifecycle (their standing is checked, PermissionDenied naming why), then scored again by
    the worker once the edit commits, unless it went to a moderator."""
    lifecycle.comment_author_edited(comment=comment, nudged=nudged)
    if comment.status == comment.Status.PENDING:
        comment_enqueue_on_commit(comment_id=comment.pk)
    else:
        queue_rerank(comment_ids=[comment.pk])


def comment_deleted(*, comment, nudged: bool) -> None:
    """The author deleted their comment (the row is locked): its text goes, and the record stays."""
    lifecycle.comment_author_deleted(comment=comment, nudged=nudged)


def comment_account_erased(*, comment) -> None:
    """Account deletion with the text removed, one comment (the row is locked)."""
    lifecycle.comment_account_erased(comment=comment)


def author_forget(*, user) -> None:
    """Account deletion: other readers' notifications about this author's comments lose their name
    and words."""
    notifications.author_forget(user=user)


def comment_nudge_leave(*, comment, author) -> None:
    """The author leaves their held or rejected comment for a moderator (recorded in the audit
    log; a rejected one becomes an appeal, so a moderator really does see it)."""
    commenter.nudge_answer_leave(comment=comment, author=author)
    queue_rerank(comment_ids=[comment.pk])


def comment_appeal(*, comment, author, note: str):
    """Ask, once, for a moderator to review a rejected comment; it joins the queue's Appeals tab."""
    appeal = commenter.appeal_create(comment=comment, author=author, note=note)
    queue_rerank(comment_ids=[comment.pk])
    return appeal


def appeals_by_author(*, user) -> list[dict]:
    """The user's appeals, for their data export."""
    return [
        {"comment": a.comment_id, "note": a.note, "created_at": a.created_at.isoformat(),
         "outcome": a.outcome or "open", "reason": a.reason}
        for a in Appeal.objects.filter(comment__author=user).order_by("created_at")
    ]


def appeals_forget_notes(*, user) -> None:
    """Account deletion with the text removed: the appeal notes the user wrote go too."""
    Appeal.objects.filter(comment__author=user).update(note="")


# --- statements of reasons (moderation/accountability/statements.py) --------------------------------

def statements_by_author(*, user) -> list[dict]:
    """The user's statements of reasons, for their data export."""
    return statements.statements_for_author(user=user)


def comment_statements_latest(*, user, comments) -> dict[int, dict]:
    """For each of the user's own comments still held or rejected, its latest statement of reasons."""
    return statements.statement_latest_by_comment(user=user, comments=list(comments))
