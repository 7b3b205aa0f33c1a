"""Writes on the moderation side: scoring comments and deciding them.

Scoring is exactly-once by construction: comments are claimed under row locks (SELECT ... FOR
UPDATE SKIP LOCKED), a comment that already has its Analysis is never scored again, and the
one-to-one Analysis row is the database's guarantee if two workers ever race anyway.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from blog.models import Comment

from .models import Analysis, AuthorStanding, ModerationEvent, Policy
from .policy import HOLD, PUBLISH, REJECT, decide

logger = logging.getLogger(__name__)

_AUTO_ACTION = {
    PUBLISH: ModerationEvent.Action.AUTO_PUBLISH,
    HOLD: ModerationEvent.Action.AUTO_HOLD,
    REJECT: ModerationEvent.Action.AUTO_REJECT,
}


@dataclass(frozen=True)
class Models:
    toxicity: object  # classifiers.base.ToxicityClassifier
    stance: object  # classifiers.base.StanceClassifier


def load_models() -> Models:
    """The worker's models, loaded once per process (the registry caches them)."""
    from .classifiers.registry import load_stance_classifier, load_toxicity_classifier

    return Models(
        toxicity=load_toxicity_classifier(settings.PARLEY_TOXICITY_MODEL, checkpoint=settings.DETOXIFY_CHECKPOINT),
        stance=load_stance_classifier(),
    )


def policy_active() -> Policy:
    return Policy.objects.get(is_active=True)


def _top_label(probabilities: dict[str, float]) -> str:
    return max(probabilities.items(), key=lambda kv: kv[1])[0]


def comments_classify(*, comment_id: int, batch_size: int | None = None, models: Models | None = None) -> list[int]:
    """Score `comment_id`, plus up to batch_size - 1 other unscored pending comments so a
    backlog drains in batches, then decide each one under the active policy.

    Returns the ids scored by this call (empty when someone else already scored them).
    Comments locked by another worker are skipped, not waited for.
    """
    batch_size = batch_size or settings.PARLEY_CLASSIFY_BATCH_SIZE
    models = models or load_models()
    with transaction.atomic():
        unscored = Comment.objects.select_for_update(skip_locked=True, of=("self",)).filter(analysis__isnull=True)
        claimed = list(unscored.filter(pk=comment_id))
        if batch_size > 1:
            claimed += list(
                unscored.filter(status=Comment.Status.PENDING)
                .exclude(pk=comment_id)
                .order_by("created_at", "id")[: batch_size - len(claimed)]
            )
        if not claimed:
            return []
        ids = [c.pk for c in claimed]
        comments = list(Comment.objects.filter(pk__in=ids).select_related("article", "parent", "author").order_by("id"))
        _score_and_decide(comments, models)
    return ids


def _score_and_decide(comments: list[Comment], models: Models) -> None:
    n = len(comments)
    started = time.perf_counter()
    toxicity = models.toxicity.score([c.text for c in comments])
    toxicity_ms = (time.perf_counter() - started) * 1000 / n

    started = time.perf_counter()
    toward_article = models.stance.score([(c.text, c.article.claim) for c in comments])
    replies = [c for c in comments if c.parent is not None]
    toward_parent = dict(
        zip([c.pk for c in replies], models.stance.score([(c.text, c.parent.text) for c in replies]))
    ) if replies else {}
    stance_ms = (time.perf_counter() - started) * 1000 / n

    policy = policy_active()
    for comment, scores, stance in zip(comments, toxicity, toward_article):
        parent_stance = toward_parent.get(comment.pk)
        Analysis.objects.create(
            comment=comment,
            scores={k: round(float(v), 6) for k, v in scores.items()},
            toxicity_model=models.toxicity.name,
            toxicity_model_version=models.toxicity.version,
            stance_article={k: round(float(v), 6) for k, v in stance.items()},
            stance_article_label=_top_label(stance),
            stance_parent={k: round(float(v), 6) for k, v in parent_stance.items()} if parent_stance else None,
            stance_parent_label=_top_label(parent_stance) if parent_stance else "",
            stance_model=models.stance.name,
            stance_model_version=models.stance.version,
            toxicity_ms=toxicity_ms,
            stance_ms=stance_ms,
            batch_size=n,
        )
        if comment.status != Comment.Status.PENDING:
            continue  # a human decided before the models finished: their decision stands
        verdict = decide(scores, policy.thresholds, premoderation=_premoderation_reason(comment, policy))
        _set_status(
            comment,
            new_status=verdict.status,
            action=_AUTO_ACTION[verdict.status],
            reason=verdict.reason,
            scores=scores,
            policy=policy,
        )


def _premoderation_reason(comment: Comment, policy: Policy) -> str | None:
    if policy.premoderate_all:
        return "every comment is pre-moderated (site-wide policy)"
    if comment.article.premoderate_comments:
        return "every comment on this article is pre-moderated"
    if AuthorStanding.objects.filter(user_id=comment.author_id, premoderated=True).exists():
        return "the author is on pre-moderation"
    return None


def _set_status(comment: Comment, *, new_status: str, action: str, reason: str, scores, policy, actor=None) -> None:
    previous = comment.status
    comment.status = new_status
    # The author sees the reason only for rejections; holds are explained to moderators.
    comment.status_reason = reason if new_status == REJECT else ""
    comment.save(update_fields=["status", "status_reason", "updated_at"])
    ModerationEvent.objects.create(
        comment=comment,
        actor=actor,
        action=action,
        reason=reason,
        previous_status=previous,
        new_status=new_status,
        scores=scores,
        policy=policy,
    )


def comment_classification_failed(*, comment_id: int, error: str) -> bool:
    """Retries are exhausted: put the comment in front of a human (or publish it, if the policy
    says so) instead of leaving it silently pending. Returns False if there was nothing to do."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update(of=("self",)).filter(pk=comment_id, analysis__isnull=True).first()
        if comment is None or comment.status != Comment.Status.PENDING:
            return False
        policy = policy_active()
        new_status = Comment.Status.PUBLISHED if policy.on_failure == Policy.OnFailure.PUBLISH else Comment.Status.FAILED
        _set_status(
            comment,
            new_status=new_status,
            action=ModerationEvent.Action.CLASSIFICATION_FAILED,
            reason=f"classification failed after retries: {error[:500]}",
            scores=None,
            policy=policy,
        )
    logger.error("Comment %s: classification failed for good (%s); now %s", comment_id, error, new_status)
    return True


def unscored_comment_ids(*, older_than_seconds: int, limit: int = 5000) -> list[int]:
    """Pending comments nobody has scored for a while: their enqueue or message was lost."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    return list(
        Comment.objects.filter(status=Comment.Status.PENDING, analysis__isnull=True, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
