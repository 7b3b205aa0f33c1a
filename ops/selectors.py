"""Reads for the operators' endpoints: the backlog by status and the workers' heartbeats."""
from __future__ import annotations

import time

from django.conf import settings
from django.db.models import Count

HEARTBEAT_KEY_PREFIX = "parley:worker-heartbeat"


def backlog_counts() -> dict[str, int]:
    """Comments waiting, exactly counted: ``unscored`` (pending, no Analysis yet: the worker's
    backlog) and what waits for a human: ``held``, ``failed`` (classification gave up) and
    ``reported`` (published with reports nobody has ruled on; the queue's Reported tab).

    Each count reads an index and grows with its backlog, not with all comments."""
    from blog.models import Comment, CommentReport  # noqa: PLC0415 - read at scrape time (gunicorn and Celery import ops before Django is set up)

    waiting = dict(
        Comment.objects.filter(status__in=[Comment.Status.HELD, Comment.Status.FAILED])
        .values_list("status")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "unscored": Comment.objects.filter(status=Comment.Status.PENDING, analysis__isnull=True).count(),
        "held": waiting.get(Comment.Status.HELD, 0),
        "failed": waiting.get(Comment.Status.FAILED, 0),
        "reported": CommentReport.objects.filter(upheld__isnull=True, comment__status=Comment.Status.PUBLISHED)
        .values("comment_id")
        .distinct()
        .count(),
    }


def heartbeat_key(*, queue: str, node: str = "*") -> str:
    # Per queue: what readiness asks is "is anyone consuming the queue this web tier feeds?"
    return f"{HEARTBEAT_KEY_PREFIX}:{queue}:{node}"


def worker_heartbeat_ages(*, client=None, queue: str | None = None) -> dict[str, float]:
    """Worker node name -> seconds since its last heartbeat, for the workers of ``queue`` (the
    Celery app's default queue) whose heartbeat key has not expired. Raises redis.RedisError
    when the broker's Redis cannot be reached."""

    client = client or broker_client()
    queue = queue or celery_queue()
    prefix = heartbeat_key(queue=queue, node="")
    keys = list(client.scan_iter(match=heartbeat_key(queue=queue), count=100))
    now = time.time()
    ages = {}
    for key, value in zip(keys, client.mget(keys) if keys else []):
        if value is None:
            continue  # expired between SCAN and MGET
        ages[key.decode()[len(prefix):]] = max(0.0, now - float(value))
    return ages


def celery_queue() -> str:
    """The queue this process publishes to (web) or consumes (worker): Celery reads it from this
    setting (config/celery.py), so ops need not import the Celery app above it."""
    return settings.CELERY_TASK_DEFAULT_QUEUE


def broker_client():
    import redis  # noqa: PLC0415 - read at scrape time (gunicorn and Celery import ops before Django is set up)

    # Short timeouts: a probe must answer before the load balancer gives up on it.
    return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=2)
