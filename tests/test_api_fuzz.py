"""The whole API fuzzed from its own OpenAPI schema (schemathesis): whatever a client sends, no
500, and every answer matches the schema (documented status code, content type and shape).

A bounded, derandomized run here (a few examples per operation, as a reader with a token, so the
suite stays fast and repeatable); `make fuzz` runs many more (PARLEY_FUZZ_EXAMPLES, random seed).
"""
from __future__ import annotations

import pytest
import schemathesis
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.fuzzing import fuzz_settings

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _wsgi_keeps_the_test_connection():
    # Requests go straight into the WSGI app, whose request signals would close the test's
    # database connection (and its transaction); Django's test client disconnects them the same way.
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def reader_token(db, settings, _wsgi_keeps_the_test_connection):
    # Throttling has its own tests (tests/test_rate_limits.py); here it would only hide the views.
    settings.PARLEY_RATE_LIMITS = {k: "100000/min" for k in settings.PARLEY_RATE_LIMITS}
    reader = UserFactory(username="fuzzer")
    article = ArticleFactory(slug="a")
    CommentFactory(article=article, author=reader)
    return Token.objects.create(user=reader).key


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings(default_examples=5)
def test_api_answers_every_generated_request_without_500_and_as_documented(case, reader_token):
    response = case.call(headers={"Authorization": f"Token {reader_token}"})
    case.validate_response(response, checks=CHECKS)
