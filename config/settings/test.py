"""What pytest reads (pytest.ini), and the Celery workers and gunicorn the tests start, which
inherit DJANGO_SETTINGS_MODULE and are pointed at the test database (tests/integration_worker.py).

Everything else is base.py's, so the tests run the settings production runs.
"""
import os

from .base import *
from .base import DATABASES, VAR_DIR, dev_secret_key, env

SECRET_KEY = SECRET_KEY or dev_secret_key(VAR_DIR)

# The test client and the live test server speak plain HTTP. Middleware reads this once at start,
# so a per-test override would come too late.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)

# Rate limits counted in a per-process cache (cleared before each test by tests/conftest.py),
# never in the shared Redis, whose cache.clear() would FLUSHDB the broker.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "parley"}}

# This run's own Celery queue, so workers of two runs on one Redis never take each other's tasks.
# The workers a run starts are told it through PARLEY_CELERY_QUEUE.
CELERY_TASK_DEFAULT_QUEUE = env("PARLEY_CELERY_QUEUE", default=f"parley-test-{os.getpid()}")

# PBKDF2's deliberate slowness costs seconds per test; tests need no protection from brute force.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so the integration tests' Celery worker sees the test database.
    # Named per test run, so two runs on one checkout don't share (and wreck) one file.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}
