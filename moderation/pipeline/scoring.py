"""The worker's scoring: claim unscored comments, score them with the classifiers (ml/), decide
each under the active policy (moderation.rules.decide), and rank them for the review queue.

Scoring is exactly-once by construction: comments are claimed under row locks (SELECT ... FOR
UPDATE SKIP LOCKED), a comment that already has its Analysis is never scored again, and the
one-to-one Analysis row is the database's guarantee if two workers ever race anyway.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import Lower, Trim
from django.utils import timezone

from blog.models import Comment
from ml.classifiers.base import stance_label
from ml.explain import explain
from ml.language import detect_language
from moderation import lifecycle, rules
from moderation.adaptation.serving import toxicity_for_worker
from moderation.models import Analysis, AuthorStanding, Policy
from moderation.queue.services import queue_rerank, queue_rerank_threads
from moderation.rules import policy_active
from ops import metrics

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Models:
    toxicity: object  # classifiers.base.ToxicityClassifier
    stance: object  # classifiers.base.StanceClassifier


def load_models() -> Models:
    """The worker's models, loaded once per process (the registry caches them)."""
    from ml.classifiers.registry import load_stance_classifier, load_toxicity_classifier  # noqa: PLC0415 - the worker loads the models; the web tier never does

    return Models(
        toxicity=load_toxicity_classifier(settings.PARLEY_TOXICITY_MODEL, checkpoint=settings.DETOXIFY_CHECKPOINT),
        stance=load_stance_classifier(),
    )


def _serving(models: Models) -> Models:
    """The models a batch scores with: the site's own toxicity version when an admin activated one
    (read at batch time, checked every few seconds: no restart, and models loaded once serve it)."""
    return Models(toxicity=toxicity_for_worker(base=models.toxicity), stance=models.stance)


def comments_classify(*, comment_id: int, batch_size: int | None = None, models: Models | None = None) -> list[int]:
    """Score `comment_id`, plus up to batch_size - 1 other unscored pending comments so a
    backlog drains in batches, then decide each one under the active policy.

    Returns the ids scored by this call (empty when someone else already scored them).
    Comments locked by another worker are skipped, not waited for.
    """
    batch_size = batch_size or settings.PARLEY_CLASSIFY_BATCH_SIZE
    models = _serving(models or load_models())
    if connection.vendor == "sqlite":
        return _classify_unlocked(comment_id=comment_id, batch_size=batch_size, models=models)
    with transaction.atomic():
        unscored = Comment.objects.select_for_update(skip_locked=True, of=("self",)).filter(analysis__isnull=True)
        claimed = _claim(unscored, comment_id=comment_id, batch_size=batch_size)
        if not claimed:
            return []
        ids = [c.pk for c in claimed]
        comments = list(Comment.objects.filter(pk__in=ids).select_related("article", "parent", "author").order_by("id"))
        policy = policy_active()
        _decide(comments, models, _score(comments, models, policy.thresholds), policy)
    logger.info("Scored and decided %s comments", len(ids), extra={"comment_ids": ids})
    return ids


def _claim(unscored, *, comment_id: int, batch_size: int) -> list[Comment]:
    claimed = list(unscored.filter(pk=comment_id))
    if batch_size > 1:
        claimed += list(
            unscored.filter(status=Comment.Status.PENDING)
            .exclude(pk=comment_id)
            .order_by("created_at", "id")[: batch_size - len(claimed)]
        )
    return claimed


def _classify_unlocked(*, comment_id: int, batch_size: int, models: Models) -> list[int]:
    """SQLite (the embedded default) has one write lock for the whole file, taken when a
    transaction begins: scoring inside it made every reader's POST wait for the models. So score
    first, then take the lock only to write what is still unscored and unchanged (an author who
    edited meanwhile gets their own scoring; make run runs one worker, so nothing is scored twice)."""
    unscored = Comment.objects.filter(analysis__isnull=True)
    ids = [c.pk for c in _claim(unscored, comment_id=comment_id, batch_size=batch_size)]
    if not ids:
        return []
    comments = list(Comment.objects.filter(pk__in=ids).select_related("article", "parent", "author").order_by("id"))
    scored = _score(comments, models, policy_active().thresholds)
    with transaction.atomic():
        fresh = {c.pk: c for c in Comment.objects.filter(pk__in=ids, analysis__isnull=True)
                 .select_related("article", "parent", "author")}
        keep = [i for i, c in enumerate(comments) if c.pk in fresh and fresh[c.pk].text == c.text]
        if not keep:
            return []
        _decide([fresh[comments[i].pk] for i in keep], models, scored.subset(keep), policy_active())
    done = [comments[i].pk for i in keep]
    logger.info("Scored and decided %s comments", len(done), extra={"comment_ids": done})
    return done


@dataclass(frozen=True)
class _Scored:
    """What the models said about a batch, before anything is written."""

    texts: list[str]
    toxicity: list[dict]
    toward_article: list[dict]
    toward_parent: list[dict | None]
    explanations: list[dict]
    toxicity_ms: float
    stance_ms: float

    def subset(self, keep: list[int]) -> _Scored:
        def pick(values: list) -> list:
            return [values[i] for i in keep]

        return _Scored(pick(self.texts), pick(self.toxicity), pick(self.toward_article), pick(self.toward_parent),
                       pick(self.explanations), self.toxicity_ms, self.stance_ms)


def _score(comments: list[Comment], models: Models, thresholds: dict) -> _Scored:
    """The models' work for a batch (and the marked phrase of each comment a label would hold):
    no database writes."""
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
    metrics.comments_scored(models=models, n=n, toxicity_seconds=toxicity_ms * n / 1000, stance_seconds=stance_ms * n / 1000)
    return _Scored(
        texts=[c.text for c in comments], toxicity=toxicity, toward_article=toward_article,
        toward_parent=[toward_parent.get(c.pk) for c in comments],
        explanations=[_explanation(models, c.text, scores, thresholds) for c, scores in zip(comments, toxicity)],
        toxicity_ms=toxicity_ms, stance_ms=stance_ms,
    )


def _decide(comments: list[Comment], models: Models, scored: _Scored, policy) -> None:
    n = len(comments)
    findings = _spam_findings(comments)
    # A stance model that was never calibrated (no min_confidence) shows its top label.
    min_confidence = float(getattr(models.stance, "min_confidence", 0.0))
    for comment, scores, stance, parent_stance, explanation in zip(
            comments, scored.toxicity, scored.toward_article, scored.toward_parent, scored.explanations):
        language = detect_language(comment.text).code
        verdict = rules.comment_verdict(
            policy=policy, scores=scores, article_premoderated=comment.article.premoderate_comments,
            author_premoderated=lambda: AuthorStanding.objects.filter(user_id=comment.author_id, premoderated=True).exists(),  # noqa: B023 - called within this iteration
            language=language, model_name=models.toxicity.name, findings=findings[comment.pk],
        )
        analysis = Analysis.objects.create(
            comment=comment,
            scores={k: round(float(v), 6) for k, v in scores.items()},
            toxicity_model=models.toxicity.name,
            toxicity_model_version=models.toxicity.version,
            stance_article={k: round(float(v), 6) for k, v in stance.items()},
            # The stance shown everywhere (cards, filters, discussions, audit): "unclear" below
            # the model's calibrated confidence (ml.classifiers.base.stance_label).
            stance_article_label=stance_label(stance, min_confidence=min_confidence),
            stance_parent={k: round(float(v), 6) for k, v in parent_stance.items()} if parent_stance else None,
            stance_parent_label=(stance_label(parent_stance, min_confidence=min_confidence)
                                 if parent_stance else ""),
            stance_model=models.stance.name,
            stance_model_version=models.stance.version,
            toxicity_ms=scored.toxicity_ms,
            stance_ms=scored.stance_ms,
            batch_size=n,
            language=language,
            findings=findings[comment.pk],
            explanation=explanation if verdict.status != rules.PUBLISH else {},
        )
        comment_analysis_copy(comment, analysis)
        # Not pending any more (a human decided before the models finished, or an edit went
        # to a human): that stands, and the lifecycle leaves it.
        lifecycle.comment_worker_decided(comment=comment, verdict=verdict, scores=scores, policy=policy)
    # Review queue order (moderation/queue/ranking.py): rank the new comments and re-rank the queue
    # comments of their threads, whose heat just changed.
    queue_rerank_threads(
        article_ids={c.article_id for c in comments}, comment_ids=[c.pk for c in comments], thresholds=policy.thresholds
    )


def _spam_findings(comments: list[Comment]) -> dict[int, dict]:
    """What the spam rules (moderation.rules.worker_rule_reasons) read, per comment: the text's own
    findings, how many times the same text was posted in the window (one query for the batch),
    and the author's account age."""
    now = timezone.now()
    fingerprints = {c.pk: rules.text_fingerprint(c.text) for c in comments}
    repeats = dict(
        Comment.objects.filter(created_at__gte=now - timezone.timedelta(hours=rules.REPEAT_WINDOW_HOURS))
        .annotate(fingerprint=Lower(Trim("text")))
        .filter(fingerprint__in=set(fingerprints.values()))
        .values("fingerprint").annotate(n=Count("id")).values_list("fingerprint", "n")
    )
    return {
        c.pk: {
            **rules.text_findings(c.text),
            "repeats": repeats.get(fingerprints[c.pk], 1),
            "account_age_hours": round(max(0.0, (now - c.author.date_joined).total_seconds() / 3600), 2),
        }
        for c in comments
    }


def _explanation(models: Models, text: str, scores: dict, thresholds: dict) -> dict:
    """The marked phrase behind a held or rejected comment's top label (ml/explain.py), when a label,
    not only a rule, crossed its cut-off: a few extra forward passes, held comments only."""
    if not any(label in scores and scores[label] >= cut["hold"] for label, cut in thresholds.items()):
        return {}
    return explain(models.toxicity, text, scores, thresholds=thresholds)


def comment_analysis_copy(comment: Comment, analysis: Analysis) -> None:
    """Copy what the queue filters, tab counts and discussions ranking read (the highest label
    score, the stance toward the article) from ``analysis`` onto its comment's row (see
    blog.models.Comment.max_toxicity). Called once, where the Analysis is stored."""
    comment.max_toxicity = max((float(v) for v in analysis.scores.values()), default=None)
    comment.stance_label = analysis.stance_article_label
    comment.save(update_fields=["max_toxicity", "stance_label"])


def comment_classification_failed(*, comment_id: int, error: str) -> bool:
    """Retries are exhausted: put the comment in front of a human (or publish it, if the policy
    says so) instead of leaving it silently pending. Returns False if there was nothing to do."""
    with transaction.atomic():
        comment = Comment.objects.select_for_update(of=("self",)).filter(pk=comment_id, analysis__isnull=True).first()
        if comment is None or comment.status != Comment.Status.PENDING:
            return False
        policy = policy_active()
        new_status = Comment.Status.PUBLISHED if policy.on_failure == Policy.OnFailure.PUBLISH else Comment.Status.FAILED
        lifecycle.comment_worker_failed(comment=comment, to=new_status,
                                        reason=f"classification failed after retries: {error[:500]}", policy=policy)
        queue_rerank(comment_ids=[comment_id])  # review queue order (moderation/queue/ranking.py)
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


def stance_labels_reapply(*, model_name: str, model_version: str, min_confidence: float,
                          batch_size: int = 2000) -> int:
    """Re-derive the stance shown (``stance_label``) from the stored probabilities of every analysis
    the given stance model scored, for a new ``min_confidence``: analyses stored before a
    calibration keep showing labels the model is not sure of until this runs. Rewrites
    ``Analysis.stance_article_label`` / ``stance_parent_label`` and their copy
    ``Comment.stance_label``; never a comment's status. Returns how many analyses changed."""
    changed = 0
    analyses = (Analysis.objects.filter(stance_model=model_name, stance_model_version=model_version)
                .only("id", "comment_id", "stance_article", "stance_article_label", "stance_parent",
                      "stance_parent_label").order_by("id"))
    for analysis in analyses.iterator(chunk_size=batch_size):
        article = stance_label(analysis.stance_article, min_confidence=min_confidence)
        parent = stance_label(analysis.stance_parent, min_confidence=min_confidence) if analysis.stance_parent else ""
        if (article, parent) == (analysis.stance_article_label, analysis.stance_parent_label):
            continue
        with transaction.atomic():
            Analysis.objects.filter(pk=analysis.pk).update(stance_article_label=article, stance_parent_label=parent)
            Comment.objects.filter(pk=analysis.comment_id).update(stance_label=article)
        changed += 1
    return changed
