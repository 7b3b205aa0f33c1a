"""While the database is unreachable, answer 503 with Retry-After instead of a 500.

Installed as Django's handler500, so it sees failures from views and middleware alike (Django
calls it inside the failed request's except block). Connections are opened per request
(CONN_MAX_AGE=0 by default), so once the database is back the next request simply works.
"""
from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.views.defaults import server_error

logger = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
MESSAGE = "The service is briefly unavailable; nothing was saved. Please try again in a few seconds."


def server_error_or_unavailable(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    if not isinstance(exc, (OperationalError, InterfaceError)):
        return server_error(request, *args, **kwargs)
    logger.warning("Database unavailable while serving %s %s: %s", request.method, request.path, exc)
    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": MESSAGE}, status=503)
    else:
        response = HttpResponse(
            f"<!doctype html><title>Briefly unavailable</title><h1>Briefly unavailable</h1><p>{MESSAGE}</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
