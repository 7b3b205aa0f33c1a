"""Celery tasks and the hand-off to them: ``enqueue_classification`` (with its breaker, for the
web process), ``classify_comment`` and the periodic ``sweep_unscored_comments``. Tasks are thin:
they call pipeline/scoring.py and own only retries and failure handling.

Task names follow the module (``moderation.pipeline.…``; the beat schedule is in
config/settings/base.py). The names they had before moderation/ had sub-packages
(``moderation.tasks.…``) stay registered as aliases for one release, so messages already queued run. No model code is imported at module level: the web process imports this to enqueue.
"""
from __future__ import annotations

import logging
import random
import time

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings
from kombu.utils.uuid import uuid

from moderation.pipeline import scoring
from ops import metrics

logger = logging.getLogger(__name__)

# After a failed publish, don't try again for a few seconds: each try can block up to the broker
# connection timeout, and the sweeper re-enqueues whatever was skipped meanwhile.
BROKER_RETRY_AFTER_SECONDS = 5.0
_broker_down_until = 0.0


def enqueue_classification(comment_id: int) -> bool:
    """Publish a classification task; returns False when the broker could not take it.

    Never raises: a reader's comment is already committed when this runs, and a lost enqueue
    (Redis down) is recovered by the periodic sweeper, which re-enqueues unscored comments.
    """
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        logger.info("Broker recently unreachable; comment %s is left for the sweeper", comment_id)
        return False
    try:
        classification_publish(comment_id=comment_id)
    except Exception:  # noqa: BLE001 - any broker failure means the same thing here
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
        logger.warning("Could not enqueue classification of comment %s; the sweeper will retry", comment_id, exc_info=True)
        return False
    return True


def classification_publish(*, comment_id: int) -> None:
    """Put ``classify_comment(comment_id)`` on the broker: the message ``apply_async(args=[comment_id],
    retry=False)`` sends (tests/moderation/pipeline/test_publish.py compares the two), through
    Celery's own message builder, producer pool and publish, without apply_async's per-call
    work that gives the same answer for every comment (option merging, routing, the repr of the
    arguments): a third of the publish's CPU, which is a reader's POST's largest single part.
    Raises what the broker raises."""
    app = classify_comment.app
    conf = app.conf
    if conf.task_always_eager or conf.task_routes:  # what this does not cover: apply_async's own way
        classify_comment.apply_async(args=[comment_id], retry=False)
        return
    message = app.amqp.create_task_message(
        uuid(), classify_comment.name, [comment_id], {},
        reply_to=app.thread_oid, time_limit=conf.task_time_limit, soft_time_limit=conf.task_soft_time_limit,
        ignore_result=classify_comment.ignore_result, argsrepr=f"[{comment_id}]", kwargsrepr="{}",
    )
    with app.producer_or_acquire() as producer:
        app.amqp.send_task_message(producer, classify_comment.name, message, queue=conf.task_default_queue, retry=False)


def retry_delay(retries: int) -> float:
    """Exponential backoff with full jitter, capped at five minutes."""
    base = settings.PARLEY_CLASSIFY_RETRY_BACKOFF_SECONDS * (2**retries)
    return min(300.0, random.uniform(0.5, 1.5) * base)


def _classify_comment(self, comment_id: int) -> list[int]:
    try:
        return scoring.comments_classify(comment_id=comment_id)
    except Exception as exc:
        metrics.classification_error(gave_up=self.request.retries >= settings.PARLEY_CLASSIFY_MAX_RETRIES)
        if self.request.retries >= settings.PARLEY_CLASSIFY_MAX_RETRIES:
            logger.exception("Classifying comment %s failed %s times; giving up", comment_id, self.request.retries + 1)
            scoring.comment_classification_failed(comment_id=comment_id, error=repr(exc))
            return []
        logger.warning("Classifying comment %s failed (%r); retrying", comment_id, exc)
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


# Registered under the module it lives in. Until release 0.5, messages queued before the rename
# carry the old names ("moderation.tasks.*"): the old names run the same work, then go.
classify_comment = shared_task(bind=True, max_retries=None, name="moderation.pipeline.classify_comment")(_classify_comment)
classify_comment_old_name = shared_task(bind=True, max_retries=None, name="moderation.tasks.classify_comment")(
    _classify_comment)


@shared_task(name="moderation.pipeline.sweep_unscored_comments")
def sweep_unscored_comments() -> int:
    """Re-enqueue comments left pending and unscored (lost enqueue, flushed broker, ...)."""
    ids = scoring.unscored_comment_ids(older_than_seconds=settings.PARLEY_SWEEP_AFTER_SECONDS)
    sent = sum(enqueue_classification(pk) for pk in ids)
    if ids:
        logger.info("Sweeper re-enqueued %s of %s unscored comments", sent, len(ids))
    return sent


def _warm_models(**_kwargs) -> None:
    scoring.load_models()
    logger.info("Classification models loaded and warm")


# Prefork children load the models once each, at start; a solo worker loads them when ready.
worker_process_init.connect(_warm_models, weak=False)


@worker_ready.connect
def _warm_solo_worker(sender=None, **_kwargs) -> None:
    pool = getattr(getattr(sender, "pool_cls", None), "__name__", "") or str(getattr(sender, "pool_cls", ""))
    if "solo" in pool.lower() or "thread" in pool.lower():
        _warm_models()


@shared_task(name="moderation.pipeline.rerank_waiting_comments")
def rerank_waiting_comments() -> int:
    """Refresh the capped waiting term of every comment in front of moderators (see
    moderation/queue/ranking.py): the stored rank is what the queue pages by."""
    from moderation.queue.services import queue_rerank_waiting  # noqa: PLC0415 - the queue imports the pipeline (facade)

    return queue_rerank_waiting()


# The periodic tasks' old names, for beat schedules and messages from before the rename (one release).
sweep_unscored_comments_old_name = shared_task(name="moderation.tasks.sweep_unscored_comments")(sweep_unscored_comments.run)
rerank_waiting_comments_old_name = shared_task(name="moderation.tasks.rerank_waiting_comments")(rerank_waiting_comments.run)
