"""Loaded by pytest before Django reads its settings (pytest.ini: -p tests.env_plugin).

Production defaults redirect to HTTPS; the test client and the live test server speak plain
HTTP. Middleware reads this once at start, so a per-test override would come too late.
"""
import os

os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
# Hardening: tests count rate limits in a per-process cache (cleared before each test by
# tests/conftest.py), never in the shared Redis, whose cache.clear() would FLUSHDB the broker.
os.environ.setdefault("PARLEY_CACHE", "locmem")
# This run's own Celery queue, in the settings (ops reads it there) and in the workers it starts.
os.environ.setdefault("PARLEY_CELERY_QUEUE", f"parley-test-{os.getpid()}")
