"""More than one worker, shown: two real Celery worker processes (distinct node names) on one
broker and one PostgreSQL database drain a few hundred comments together. Every comment is scored
exactly once, both workers took part, and each says so three ways: its JSON log lines (the comment
ids of each batch it scored), its own /metrics endpoint, and its heartbeat in /readyz.

PARLEY_TWO_WORKER_COMMENTS sets the number of comments (300 in `make test`)."""
from __future__ import annotations

import json
import os
import socket
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.models import Count
from prometheus_client.parser import text_string_to_metric_families

from blog import services as blog_services
from blog.models import Comment
from moderation.models import Analysis, ModerationEvent
from tests.factories import ArticleFactory, UserFactory
from tests.integration_worker import WORKER_TOXICITY_MODEL, Worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

N = int(os.environ.get("PARLEY_TWO_WORKER_COMMENTS", 300))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _batches(worker: Worker) -> list[dict]:
    """The worker's JSON log lines about scored batches."""
    lines = [json.loads(line) for line in worker.log().splitlines() if line.startswith("{")]
    return [line for line in lines if "comment_ids" in line]


def _scrape(port: int) -> dict[tuple[str, tuple], float]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def _total(samples, name, **labels) -> float:
    return sum(v for (n, lab), v in samples.items() if n == name and set(labels.items()) <= set(lab))


def _ready_workers(client) -> dict[str, float]:
    response = client.get("/readyz")
    return response.json()["checks"]["worker"].get("workers", {}) if response.status_code == 200 else {}


def test_two_workers_share_a_backlog_and_score_every_comment_exactly_once(client, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("several workers need PostgreSQL's row locks (SKIP LOCKED); on SQLite run one worker")
    names = [f"ops-one-{os.getpid()}", f"ops-two-{os.getpid()}"]
    ports = [_free_port(), _free_port()]
    workers = []
    for name, port in zip(names, ports):
        (tmp_path / name).mkdir()
        workers.append(Worker(node=f"{name}@%h", extra_env={
            "PARLEY_LOG_FORMAT": "json",
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / name),
            "PARLEY_WORKER_METRICS_PORT": str(port),
        }))
    try:
        # Both warm before the first comment, so neither has a head start.
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda w: w.start(purge=w is workers[0]), workers))
        ready = wait_until(lambda: len(_ready_workers(client)) == 2 and _ready_workers(client),
                           timeout=20, what="both workers' heartbeats in /readyz")
        assert sorted(node.split("@")[0] for node in ready) == sorted(names)

        articles = [ArticleFactory() for _ in range(4)]
        authors = [UserFactory() for _ in range(10)]
        ids = [
            blog_services.comment_create(article=articles[i % 4], author=authors[i % 10],
                                         text=f"Comment {i}: the plan is fair, but the timing worries me.").pk
            for i in range(N)
        ]
        wait_until(lambda: not Comment.objects.filter(pk__in=ids, status=Comment.Status.PENDING).exists(),
                   timeout=150, interval=0.5, what=f"{N} comments to be scored")

        # Exactly once, as the database has it: one Analysis and one automatic decision each.
        assert Analysis.objects.filter(comment_id__in=ids).count() == N
        decisions = ModerationEvent.objects.filter(comment_id__in=ids).values("comment_id").annotate(n=Count("id"))
        assert {d["n"] for d in decisions} == {1} and len(decisions) == N

        # ... as the workers' logs have it: disjoint batches that add up to every comment.
        scored_by = {}
        for name, worker in zip(names, workers):
            batches = _batches(worker)
            assert batches, f"{name} scored nothing:\n{worker.log()[-3000:]}"
            assert {b["worker"].split("@")[0] for b in batches} == {name}
            assert all(b["task_id"] and b["task"] == "moderation.pipeline.classify_comment" for b in batches)
            scored_by[name] = [i for b in batches for i in b["comment_ids"]]
        one, two = (scored_by[n] for n in names)
        assert len(one) == len(set(one)) and len(two) == len(set(two))
        assert not set(one) & set(two), "a comment was scored by both workers"
        assert set(one) | set(two) == set(ids)

        # ... and as each worker's own /metrics endpoint has it (its pool process's counts).
        for name, port in zip(names, ports):
            samples = _scrape(port)
            assert _total(samples, "parley_comments_scored_total", toxicity_model=WORKER_TOXICITY_MODEL) == len(scored_by[name])
            assert _total(samples, "parley_comments_decided_total", by="auto") == len(scored_by[name])
            assert _total(samples, "parley_posted_to_decided_seconds_count", by="auto") == len(scored_by[name])
            assert _total(samples, "parley_scoring_seconds_count", kind="toxicity") == len(_batches(workers[names.index(name)]))
            assert _total(samples, "parley_scoring_seconds_count", kind="stance") > 0

        # A worker stopped cleanly takes its heartbeat with it; the other keeps the site ready.
        workers[1].stop()
        assert [node.split("@")[0] for node in _ready_workers(client)] == [names[0]]
        workers[0].stop()
        assert client.get("/readyz").status_code == 503
    finally:
        for worker in workers:
            worker.stop()
