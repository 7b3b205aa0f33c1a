"""Celery tasks: thin wrappers that own only retries and failure handling.

No model code is imported at module level: the web process imports this module to enqueue.
"""
from __future__ import annotations

import logging
import random

from celery import shared_task
from celery.signals import worker_process_init, worker_ready
from django.conf import settings

from ops import metrics

from . import services
from .queueing import enqueue_classification

logger = logging.getLogger(__name__)


def retry_delay(retries: int) -> float:
    """Exponential backoff with full jitter, capped at five minutes."""
    base = settings.PARLEY_CLASSIFY_RETRY_BACKOFF_SECONDS * (2**retries)
    return min(300.0, random.uniform(0.5, 1.5) * base)


@shared_task(bind=True, max_retries=None)
def classify_comment(self, comment_id: int) -> list[int]:
    try:
        return services.comments_classify(comment_id=comment_id)
    except Exception as exc:
        metrics.classification_error(gave_up=self.request.retries >= settings.PARLEY_CLASSIFY_MAX_RETRIES)
        if self.request.retries >= settings.PARLEY_CLASSIFY_MAX_RETRIES:
            logger.exception("Classifying comment %s failed %s times; giving up", comment_id, self.request.retries + 1)
            services.comment_classification_failed(comment_id=comment_id, error=repr(exc))
            return []
        logger.warning("Classifying comment %s failed (%r); retrying", comment_id, exc)
        raise self.retry(exc=exc, countdown=retry_delay(self.request.retries)) from exc


@shared_task
def sweep_unscored_comments() -> int:
    """Re-enqueue comments left pending and unscored (lost enqueue, flushed broker, ...)."""
    ids = services.unscored_comment_ids(older_than_seconds=settings.PARLEY_SWEEP_AFTER_SECONDS)
    sent = sum(enqueue_classification(pk) for pk in ids)
    if ids:
        logger.info("Sweeper re-enqueued %s of %s unscored comments", sent, len(ids))
    return sent


def _warm_models(**_kwargs) -> None:
    services.load_models()
    logger.info("Classification models loaded and warm")


# Prefork children load the models once each, at start; a solo worker loads them when ready.
worker_process_init.connect(_warm_models, weak=False)


@worker_ready.connect
def _warm_solo_worker(sender=None, **_kwargs) -> None:
    pool = getattr(getattr(sender, "pool_cls", None), "__name__", "") or str(getattr(sender, "pool_cls", ""))
    if "solo" in pool.lower() or "thread" in pool.lower():
        _warm_models()
