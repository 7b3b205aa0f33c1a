"""The embedded default (SQLite, what `make run` uses when DATABASE_URL is unset): a reader posts
a burst of comments through the article's form while a real Celery worker scores and decides them,
both writing the one database file at once. Every comment is decided and the worker never hits
"database is locked" (config/settings/base.py: WAL, immediate transactions, a busy timeout).

The suite usually runs on PostgreSQL; there this test runs itself again in a pytest subprocess
with DATABASE_URL unset, so the test database, the web side and the worker are all SQLite.
bench/embedded_burst.py measures the same on `make run` itself."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from blog.models import Comment
from tests.factories import ArticleFactory, UserFactory
from tests.integration_worker import Worker, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
BURST = [
    "I cycle this route every day and the fumes at the lights are awful.",
    "You are a pathetic idiot and everyone knows it.",
    "The charge hits shift workers hardest; buses do not run at 5 a.m.",
    "Shut up, you clueless moron.",
    "Fair point about the tram lines, I had not thought of that.",
    "This is the dumbest take I have read all year, you clown.",
    "London's charge cut traffic by a fifth in its first year.",
    "Delivery vans will just pass the fee on to all of us.",
    "Get a clue, you brain-dead fool.",
    "Thanks, I learned something today.",
]


def test_a_burst_of_comments_on_sqlite_is_all_decided_with_no_database_is_locked(settings, client):
    if connection.vendor != "sqlite":
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{__file__}::{_this_test_name()}"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-3000:]
        assert "1 passed" in run.stdout, run.stdout[-3000:]
        return

    settings.PARLEY_RATE_LIMITS = {**settings.PARLEY_RATE_LIMITS, "comments_user": "100/min", "comments_ip": "100/min"}
    worker = Worker().start()
    try:
        article = ArticleFactory(stance_claim="Cities should charge drivers to enter their centres at rush hour.")
        client.force_login(UserFactory(username="burst_reader"))
        for text in BURST:  # back to back, as fast as the server answers, while the worker writes
            response = client.post(f"/articles/{article.slug}/comment/", {"text": text})
            assert response.status_code == 302, response.content[:500]

        def all_decided():
            statuses = list(Comment.objects.filter(article=article).values_list("status", flat=True))
            return len(statuses) == len(BURST) and Comment.Status.PENDING not in statuses

        wait_until(all_decided, timeout=180, what="every comment of the burst to be decided")
        log = worker.log()
    finally:
        worker.stop()
    assert "database is locked" not in log, log[-4000:]
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    published = Comment.objects.filter(article=article, status=Comment.Status.PUBLISHED).count()
    assert 0 < published < len(BURST)  # the polite ones published, the insults not


def _this_test_name() -> str:
    return test_a_burst_of_comments_on_sqlite_is_all_decided_with_no_database_is_locked.__name__
