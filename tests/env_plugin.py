"""Loaded by pytest before Django reads its settings (pytest.ini: -p tests.env_plugin).

Production defaults redirect to HTTPS; the test client and the live test server speak plain
HTTP. Middleware reads this once at start, so a per-test override would come too late.
"""
import os

os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
