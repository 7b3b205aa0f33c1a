import pytest
from rest_framework.test import APIClient

from config.celery import app as celery_app
from tests.integration_worker import TEST_QUEUE

# Before anything is published: this run's tasks go to its own queue, which its workers consume.
celery_app.conf.task_default_queue = TEST_QUEUE

from tests.factories import ArticleFactory, UserFactory  # noqa: E402 - the Celery app is configured before the tests import it


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Hardening: no test inherits another's rate-limit counts (the cache is per-process LocMem,
    # see config/settings/test.py; refuse to clear anything else).
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    assert isinstance(caches["default"], LocMemCache), "tests must run with config/settings/test.py's LocMem cache"
    caches["default"].clear()


@pytest.fixture(autouse=True)
def _broker_assumed_up():
    # A test that took the broker down must not make the next test skip its enqueues.
    from moderation.pipeline import tasks

    tasks._broker_down_until = 0.0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from one policy, version 1 holding today's defaults, as the tests were
    written: the migrations leave version 1 (the BiLSTM's cut-offs) inactive under version 2
    (tests/moderation/policy/test_policy_v2_migration.py checks that step itself)."""
    from moderation.models import Policy
    from moderation.rules import DEFAULT_THRESHOLDS

    with django_db_blocker.unblock():
        Policy.objects.all().delete()
        Policy.objects.create(version=1, thresholds=DEFAULT_THRESHOLDS, is_active=True)


@pytest.fixture(autouse=True)
def _default_policy_after_flush(request):
    """Transactional tests flush every table afterwards, the migration's default policy
    included: put it back for each of them, as a fresh install has it."""
    marker = request.node.get_closest_marker("django_db")
    if not (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("transactional_db")
    from moderation.models import Policy
    from moderation.rules import DEFAULT_THRESHOLDS

    if not Policy.objects.filter(is_active=True).exists():
        Policy.objects.create(version=1, thresholds=DEFAULT_THRESHOLDS, is_active=True)


@pytest.fixture
def reader(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_reader(db):
    return UserFactory(username="bob")


@pytest.fixture
def article(db):
    return ArticleFactory()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def reader_api(api_client, reader):
    api_client.force_authenticate(reader)
    return api_client


@pytest.fixture(scope="module")
def celery_worker(django_db_setup, django_db_blocker):
    """One real worker per test module (models load once), against the test database."""
    from tests.integration_worker import Worker

    with django_db_blocker.unblock():
        worker = Worker().start()
    yield worker
    worker.stop()


# The moderation tests state their expectations against these cut-offs, not against whatever
# the shipped default policy happens to be (which is tuned for the models, and may change).
PINNED_THRESHOLDS = {
    "toxicity": {"hold": 0.60, "reject": 0.97},
    "severe_toxicity": {"hold": 0.30, "reject": 0.80},
    "obscene": {"hold": 0.60, "reject": 0.97},
    "threat": {"hold": 0.30, "reject": 0.90},
    "insult": {"hold": 0.50, "reject": 0.95},
    "identity_attack": {"hold": 0.30, "reject": 0.90},
    "sexual_explicit": {"hold": 0.50, "reject": 0.95},
}


@pytest.fixture(autouse=True)
def _pinned_policy_thresholds(request):
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker is not None or {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db or (marker and marker.kwargs.get("transaction")):
        return
    request.getfixturevalue("db")
    from moderation import rules
    from moderation.models import Policy

    monkeypatch = request.getfixturevalue("monkeypatch")
    for label, cut in PINNED_THRESHOLDS.items():  # the "shipped default" as these tests see it
        monkeypatch.setitem(rules.DEFAULT_THRESHOLDS, label, cut)
    Policy.objects.filter(is_active=True).update(thresholds=PINNED_THRESHOLDS)


def pytest_sessionfinish(session, exitstatus):
    """Remove this run's own queue and its bindings from Redis, so runs leave nothing behind."""
    import redis
    from django.conf import settings

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
        keys = [k for pattern in (f"*{TEST_QUEUE}*",) for k in client.scan_iter(match=pattern)]
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass  # Redis is gone already; nothing to tidy


def pytest_terminal_summary(terminalreporter):
    """The fuzzers' totals (tests/fuzzing.py), quoted by docs/SECURITY.md: how many requests they
    sent and how many were answered 5xx."""
    import json
    from pathlib import Path

    from tests.fuzzing import TALLY

    if not TALLY["requests"]:
        return
    readiness = f" (and {TALLY['readyz_503']} answers 503 'not ready' from /readyz)" if TALLY["readyz_503"] else ""
    terminalreporter.write_line(f"fuzz: {TALLY['requests']} requests, {TALLY['5xx']} answered 5xx{readiness}")
    out = Path(__file__).resolve().parent.parent / "var" / "fuzz-counts.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(TALLY) + "\n")
