"""Logs a machine can read: one JSON object a line when PARLEY_LOG_FORMAT=json (config/settings/base.py
picks the formatter; config/gunicorn.conf.py uses it for gunicorn's own lines too).

Every line carries its time, level, logger and message, plus:
- in the web tier, ``request_id``: the request's X-Request-ID when the proxy sent a sane one, else
  a new one; it is echoed in the response's X-Request-ID header (RequestIdMiddleware);
- in the worker, ``task_id``, ``task`` and ``worker`` (the node name) of the task being run;
- whatever the call passed in ``extra`` (the scoring service logs each batch's ``comment_ids``).
"""
from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import uuid

from django.core.signals import request_finished

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("parley_request_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# Accept a proxy's id only if it is short and plain: it is copied into every log line.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")
# LogRecord's own attributes: anything else on a record came from `extra=`.
_RECORD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class RequestIdMiddleware:
    """First in MIDDLEWARE: every log line of a request, whoever writes it, names the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _SANE_REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed (request_finished), not just until this returns:
        # Django logs a 4xx/5xx ("Not Found: ...") after the middleware chain has run.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def _forget_request_id(**_kwargs) -> None:
    _request_id.set(None)


request_finished.connect(_forget_request_id, dispatch_uid="ops.logging.forget_request_id")


def _current_task():
    try:
        from celery._state import get_current_task  # noqa: PLC0415 - logging is configured before Django is set up
    except ImportError:  # pragma: no cover - Celery is a requirement
        return None
    return get_current_task()


class JsonFormatter(logging.Formatter):
    """One JSON object a line (`json.dumps` of plain values; anything else as its str)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        request_id = _request_id.get()
        if request_id:
            entry["request_id"] = request_id
        task = _current_task()
        if task is not None and getattr(task, "request", None) is not None and task.request.id:
            entry.update(task_id=task.request.id, task=task.name, worker=task.request.hostname)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class ClientErrorsOnOneLine(logging.Filter):
    """On the ``django.request`` logger: a 4xx (a 403's PermissionDenied, a 400's bad input) is the
    client's doing, not a bug: its line says which and where, without the traceback Django
    attaches (a 403 filled the console with one, twice). 5xx keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if record.exc_info and status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
