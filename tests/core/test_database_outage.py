"""PostgreSQL restarted under load: requests fail cleanly (503 + Retry-After, nothing half
saved) during the outage, and the service recovers by itself afterwards.

Restarts the machine's real PostgreSQL cluster, so it runs only where that is ours to restart:
PostgreSQL on this host, pg_ctlcluster available, running as root (CI's machine)."""
from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests
from django.db import connection, connections

from blog.models import Comment
from tests.factories import ArticleFactory, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _can_restart_postgres() -> bool:
    return (connection.vendor == "postgresql" and connection.settings_dict.get("HOST") in ("localhost", "127.0.0.1", "")
            and shutil.which("pg_ctlcluster") is not None and os.geteuid() == 0 and Path("/etc/postgresql").is_dir())


def test_requests_fail_cleanly_while_postgres_restarts_and_recover_by_themselves(live_server, settings):
    if not _can_restart_postgres():
        pytest.skip("needs the local PostgreSQL cluster and root to restart it (CI has both)")
    # Load, not abuse: lift this reader's posting limits for the run.
    settings.PARLEY_RATE_LIMITS = {**settings.PARLEY_RATE_LIMITS, "comments_user": "100000/min", "comments_ip": "100000/min"}
    from rest_framework.authtoken.models import Token

    article, reader = ArticleFactory(), UserFactory()
    token = Token.objects.create(user=reader).key
    url = f"{live_server.url}/api/articles/{article.slug}/comments/"
    headers = {"Authorization": f"Token {token}"}
    answers: list[tuple[int, str]] = []
    stop = threading.Event()

    def post_comments():
        n = 0
        while not stop.is_set():
            n += 1
            try:
                r = requests.post(url, json={"text": f"comment {n}"}, headers=headers, timeout=10)
                answers.append((r.status_code, r.headers.get("Retry-After", ""), r.text[:200]))
            except requests.RequestException as exc:  # the server itself must never drop us
                answers.append((0, "", repr(exc)))
            time.sleep(0.05)

    version = sorted(os.listdir("/etc/postgresql"))[0]
    load = threading.Thread(target=post_comments)
    load.start()
    try:
        time.sleep(1)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"], check=True)
        time.sleep(2)
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], check=True)
        deadline = time.time() + 30
        while time.time() < deadline and not (answers and answers[-1][0] == 201):
            time.sleep(0.2)
        time.sleep(1)
    finally:
        stop.set()
        load.join()
        connections.close_all()  # this process's own connection died with the restart

    codes = {code for code, _, _ in answers}
    assert codes <= {201, 503}, [a for a in answers if a[0] not in (201, 503)][:3]
    assert 503 in codes, "the outage was never seen: the test did not test anything"
    assert all(retry == "5" for code, retry, _ in answers if code == 503)
    assert answers[-1][0] == 201  # recovered by itself
    created = sum(1 for code, _, _ in answers if code == 201)
    assert Comment.objects.filter(article=article).count() == created  # nothing half saved, nothing lost
