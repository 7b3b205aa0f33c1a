"""Everything the blog may ask of moderation, and nothing else (tests/test_import_contracts.py
holds blog to it): hand a new comment to the classification worker once its transaction has
committed, move a reported comment up the review queue, and read an author's standing.

Light on purpose: the reader side imports this, and readers never wait on a model (the
classifiers are loaded by the worker, lazily, in moderation/pipeline/scoring.py).
"""
from __future__ import annotations

from django.db import transaction

from moderation.models import AuthorStanding
from moderation.pipeline.tasks import enqueue_classification
from moderation.queue.services import queue_rerank


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
