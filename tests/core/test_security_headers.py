"""Headers and production settings that keep a hostile comment harmless."""
import subprocess
import sys

import pytest

pytestmark = pytest.mark.django_db


def test_pages_send_a_content_security_policy_without_inline_scripts(client):
    csp = client.get("/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp


def test_api_docs_page_runs_without_inline_scripts_or_a_cdn(client):
    page = client.get("/api/docs/").content.decode()
    assert "<script>" not in page.replace(" ", "")  # only <script src=...> tags
    assert "cdn" not in page.lower()
    assert client.get("/api/docs/?script=").status_code == 200


def test_deploy_checks_pass_with_production_settings(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production",
           "DJANGO_SECRET_KEY": "x" * 64 + "-production-secret-from-the-environment",
           "DJANGO_ALLOWED_HOSTS": "parley.example.org", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
