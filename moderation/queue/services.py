"""Writes on the review queue's order: each waiting comment's stored rank (the rank itself is
queue/ranking.py), recomputed when a comment is scored, reported or decided, or its thread heats up."""
from __future__ import annotations

import logging

from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from blog.models import Comment, CommentReport
from moderation import rules
from moderation.models import Analysis, ModerationEvent
from moderation.queue import ranking
from moderation.rules import policy_active

logger = logging.getLogger(__name__)

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
