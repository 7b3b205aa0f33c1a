"""JSON log lines (PARLEY_LOG_FORMAT=json) and the request id every line of a request carries.
The worker's lines (task, node and each batch's comment ids) are read from real workers in
test_two_workers.py."""
from __future__ import annotations

import io
import json
import logging

import pytest

from ops.logging import JsonFormatter


@pytest.fixture
def json_lines():
    """What the console handler writes under PARLEY_LOG_FORMAT=json, one dict per line."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    root.removeHandler(handler)


@pytest.mark.django_db
def test_every_line_of_a_request_names_its_request_id_which_the_response_echoes(client, json_lines):
    response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="lb-7f3a9c")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a9c"
    not_found = [line for line in json_lines() if line["logger"] == "django.request"]
    assert not_found, json_lines()
    line = not_found[0]
    assert line["request_id"] == "lb-7f3a9c"
    assert line["level"] == "WARNING" and line["message"].startswith("Not Found: /no-such-page/")
    assert line["time"].endswith("+00:00") and "T" in line["time"]


@pytest.mark.django_db
def test_a_missing_or_unsafe_request_id_is_replaced_by_a_fresh_one(client):
    fresh = client.get("/healthz")["X-Request-ID"]
    assert len(fresh) == 32 and fresh != client.get("/healthz")["X-Request-ID"]
    unsafe = client.get("/healthz", HTTP_X_REQUEST_ID='x" injected\n{"level":"ERROR"}')["X-Request-ID"]
    assert len(unsafe) == 32 and "injected" not in unsafe


def test_extra_fields_and_exceptions_land_in_the_json_object(json_lines):
    log = logging.getLogger("moderation.pipeline.scoring")
    log.info("Scored and decided %s comments", 3, extra={"comment_ids": [7, 8, 9]})
    try:
        raise ValueError("model file truncated")
    except ValueError:
        log.exception("Scoring failed")
    scored, failed = json_lines()[-2:]
    assert scored["message"] == "Scored and decided 3 comments" and scored["comment_ids"] == [7, 8, 9]
    assert "request_id" not in scored and "task_id" not in scored  # outside a request and a task
    assert failed["level"] == "ERROR" and "ValueError: model file truncated" in failed["exception"]


def test_log_format_must_be_plain_or_json():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PARLEY_LOG_FORMAT": "xml"},
        capture_output=True, text=True,
    )
    assert result.returncode != 0 and "PARLEY_LOG_FORMAT must be 'plain' or 'json'" in result.stderr


def test_a_403_is_one_line_on_the_console_not_two_tracebacks():
    """As `make run` logs (DEBUG on, plain format): Django's request logger reports the refused
    request once, in one line."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys, django\n"
        "django.setup()\n"
        "from django.core.exceptions import PermissionDenied\n"
        "from django.http import HttpResponseForbidden\n"
        "from django.test import RequestFactory\n"
        "from django.utils.log import log_response\n"
        "try:\n"
        "    raise PermissionDenied\n"
        "except PermissionDenied as exc:\n"
        "    log_response('Forbidden (Permission denied): %s', '/moderation/', response=HttpResponseForbidden(),\n"
        "                 request=RequestFactory().get('/moderation/'), exception=exc)\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local", "DJANGO_DEBUG": "1", "PARLEY_LOG_FORMAT": "plain"}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    console = run.stdout + run.stderr
    assert run.returncode == 0, console
    assert console.count("Forbidden (Permission denied): /moderation/") == 1, console
    assert "Traceback" not in console, console
