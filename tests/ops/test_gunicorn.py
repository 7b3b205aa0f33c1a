"""The web tier as config/gunicorn.conf.py runs it: two gunicorn processes behind one socket.
/metrics adds up every process's counts (prometheus_client's multiprocess files), including those
of a process that has since been replaced, and gunicorn's and Django's lines are JSON with the
request id under PARLEY_LOG_FORMAT=json."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings
from prometheus_client.parser import text_string_to_metric_families
from rest_framework.authtoken.models import Token

from tests import integration_worker
from tests.factories import ArticleFactory, UserFactory
from tests.integration_worker import ROOT, TEST_QUEUE, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(tmp_path):
    port = _free_port()
    log = open(tmp_path / "gunicorn.log", "w")
    env = {
        **os.environ,
        "DATABASE_URL": integration_worker.test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        # Its own queue, which no worker reads: this test is about the web tier.
        "PARLEY_CELERY_QUEUE": f"{TEST_QUEUE}-gunicorn",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prometheus"),
        "PARLEY_BIND": f"127.0.0.1:{port}",
        "PARLEY_WEB_WORKERS": "2",
        "PARLEY_WEB_THREADS": "1",
        "PARLEY_LOG_FORMAT": "json",
        "PARLEY_RATE_COMMENTS_USER": "100000/min",
        "PARLEY_RATE_COMMENTS_IP": "100000/min",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "config.wsgi"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"

    def up():
        try:
            return requests.get(f"{url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return proc.poll() is not None  # stop waiting: it died

    try:
        wait_until(up, timeout=60, what="gunicorn to answer")
        assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
        yield proc, url, tmp_path / "gunicorn.log"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return {int(p) for p in out.split()}


def _answers(url: str) -> bool:
    """A fresh worker still importing Django answers late on a busy machine: not yet, not a failure."""
    try:
        return requests.get(url, timeout=10).status_code == 200
    except requests.RequestException:
        return False


def _posted(url: str) -> float:
    body = requests.get(f"{url}/metrics", timeout=10).text
    for family in text_string_to_metric_families(body):
        if family.name == "parley_comments_posted":
            return sum(s.value for s in family.samples if s.name == "parley_comments_posted_total")
    return 0.0


def test_metrics_add_up_every_gunicorn_process_even_replaced_ones(gunicorn):
    proc, url, log_path = gunicorn
    article, reader = ArticleFactory(), UserFactory()
    headers = {"Authorization": f"Token {Token.objects.create(user=reader).key}", "Connection": "close"}

    def post(n):
        for i in range(n):
            r = requests.post(f"{url}/api/articles/{article.slug}/comments/", json={"text": f"Comment {i}."},
                              headers=headers, timeout=10)
            assert r.status_code == 201, r.text

    post(10)
    assert _posted(url) == 10
    # Replace both web processes: what they counted stays in the scrape, served by their successors.
    first_generation = _children(proc.pid)
    assert len(first_generation) == 2
    for pid in first_generation:
        os.kill(pid, signal.SIGTERM)
    wait_until(lambda: len(_children(proc.pid) - first_generation) == 2, timeout=60, what="gunicorn to replace its workers")
    wait_until(lambda: _answers(f"{url}/healthz"), timeout=60, what="new workers")
    post(5)
    assert _posted(url) == 15

    # JSON lines: gunicorn's own, and Django's with the request id the proxy sent.
    assert requests.get(f"{url}/nothing-here/", headers={"X-Request-ID": "edge-42"}, timeout=10).status_code == 404
    time.sleep(0.5)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    not_found = [line for line in lines if line["logger"] == "django.request"]
    assert not_found and not_found[-1]["request_id"] == "edge-42"
