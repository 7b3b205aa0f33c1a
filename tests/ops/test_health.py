"""/healthz and /readyz as a load balancer sees them. Outages are real, not mocked: the
database or broker is pointed at a closed port, and a silent worker is one whose heartbeat is
missing or stale in the real Redis (the heartbeat a real worker writes is in test_two_workers.py)."""
from __future__ import annotations

import re
import socket
import time

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from ops import health, selectors


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def heartbeat():
    """Beat as a worker on this run's queue would, with the worker's own function; removed after."""
    client = health.broker_client()
    queue = health.celery_queue()
    written = []

    def beat(node="worker1@ops-test", age=0.0):
        health.worker_heartbeat_write(node=node, queue=queue, client=client, at=time.time() - age)
        written.append(selectors.heartbeat_key(queue=queue, node=node))

    yield beat
    if written:
        client.delete(*written)


def test_healthz_answers_without_touching_the_database_or_the_broker(client, settings):
    # No database access is allowed in this test (pytest-django raises on any), and the broker is gone.
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_probes_are_not_redirected_to_https(client, settings):
    # Probes talk plain HTTP to the app server behind the TLS proxy; the site itself still redirects.
    from django.test import override_settings

    with override_settings(SECURE_SSL_REDIRECT=True):
        from django.test import Client

        c = Client()
        assert c.get("/healthz").status_code == 200
        assert c.get("/").status_code == 301


@pytest.mark.django_db
def test_readyz_is_200_when_database_migrations_broker_and_a_worker_are_fine(client, heartbeat):
    heartbeat(node="worker1@ops-test", age=5)
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ready" and body["failed"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {"database", "migrations", "broker", "worker"}
    assert list(body["checks"]["worker"]["workers"]) == ["worker1@ops-test"]
    assert 4 <= body["checks"]["worker"]["workers"]["worker1@ops-test"] < 10


@pytest.mark.django_db
def test_readyz_is_503_naming_the_worker_when_no_worker_has_beaten(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready" and body["failed"] == ["worker"]
    assert "no worker heartbeat" in body["checks"]["worker"]["error"]
    assert "(no heartbeat)" in body["checks"]["worker"]["error"]


@pytest.mark.django_db
def test_readyz_is_503_when_the_last_heartbeat_is_over_a_minute_old(client, heartbeat):
    heartbeat(node="worker1@ops-test", age=61)
    body = client.get("/readyz").json()
    assert body["failed"] == ["worker"]
    # 61 s when written; a second or two more by the time a busy machine answers
    assert re.search(r"last heartbeat 6[1-5] s ago", body["checks"]["worker"]["error"]), body


@pytest.mark.django_db
def test_readyz_is_503_naming_the_broker_when_redis_does_not_answer(client, settings, heartbeat):
    heartbeat()
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{_closed_port()}/0"
    started = time.monotonic()
    response = client.get("/readyz")
    assert time.monotonic() - started < 5  # a probe answers before the load balancer gives up
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["broker", "worker"]
    assert "ConnectionError" in body["checks"]["broker"]["error"]
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]


@pytest.mark.django_db(transaction=True)
def test_readyz_is_503_naming_the_database_when_it_does_not_answer(client, heartbeat):
    heartbeat()
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "postgresql":
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(_closed_port()))
    else:
        connection.settings_dict.update(NAME="/nonexistent-parley-dir/db.sqlite3")
    try:
        response = client.get("/readyz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["database", "migrations"]
    assert "OperationalError" in body["checks"]["database"]["error"]
    assert body["checks"]["migrations"]["error"] == "database unreachable"
    assert body["checks"]["broker"]["ok"] and body["checks"]["worker"]["ok"]


@pytest.mark.django_db
def test_readyz_is_503_naming_an_unapplied_migration(client, heartbeat):
    heartbeat()
    MigrationRecorder.Migration.objects.filter(app="moderation").order_by("-name").first().delete()
    body = client.get("/readyz").json()
    assert body["failed"] == ["migrations"]
    assert body["checks"]["migrations"]["error"].startswith("1 migration(s) not applied: moderation.")


@pytest.mark.django_db
def test_a_load_balancer_may_leave_the_worker_out_of_readiness(client):
    # No worker beats: readers can still post (comments wait, pending), so the site stays in.
    response = client.get("/readyz?skip=worker")
    assert response.status_code == 200
    assert response.json()["checks"]["worker"] == {"ok": True, "skipped": True}
    refused = client.get("/readyz?skip=database")
    assert refused.status_code == 400
    assert refused.json() == {"skip": ["Only worker may be skipped, not database."]}
