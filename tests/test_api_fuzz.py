"""The whole API fuzzed from its own OpenAPI schema (schemathesis): whatever a client sends, no
500, and every answer matches the schema (documented status code, content type and shape).

As the anonymous, a reader, a moderator and a policy admin (each with a token), so every
operation is reached past its permission check by someone. Besides what the schema allows,
the generator is taught the shapes that found earlier bugs (tests/fuzzing.py's HOSTILE_STRINGS:
operator-only and very long searches, NUL and control characters, 9999-12-31, "1e400"): a
query parameter or a body field now and then holds one, and every date parameter is sometimes
the first or the last day Python knows. What JSON cannot carry through a generator, a body with
a raw 1e400 or bytes that are not UTF-8, the second test sends to every operation with a body.

A bounded, derandomized run here (a few examples per operation and role, so the suite stays fast
and repeatable); `make fuzz` runs many more (PARLEY_FUZZ_EXAMPLES, random seed).
"""
from __future__ import annotations

from urllib.parse import unquote_to_bytes

import pytest
import schemathesis
from django.contrib.auth.models import Group, Permission
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from blog.models import Comment
from config.wsgi import application
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.fuzzing import HOSTILE_STRINGS, OVERFLOWING_NUMBERS, UNDECODABLE, fuzz_record, fuzz_settings

ROLES = ("anonymous", "reader", "moderator", "admin")

# Dates: mostly ordinary ones, sometimes the ends of the calendar (issue 20: 9999-12-31 was a 500).
schemathesis.openapi.format(
    "date",
    st.one_of(st.dates().map(str), st.sampled_from(["9999-12-31", "9999-12-30", "0001-01-01"])),
)

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
# The other roles: the same operations without schemathesis' coverage phase (its ~40 requests
# per operation are the bulk of a run, and a reader's run has them), so four roles cost about
# what one did.
schema_other_roles = schemathesis.openapi.from_wsgi("/api/schema/", application)
schema_other_roles.config.phases.update(phases=["examples", "fuzzing"])


def _with_one_hostile(mapping):
    """The generated query or body, or the same with one of its keys holding a hostile string."""
    if not isinstance(mapping, dict) or not mapping:
        return st.just(mapping)
    hostile = st.builds(
        lambda key, value: {**mapping, key: value}, st.sampled_from(sorted(mapping)), st.sampled_from(HOSTILE_STRINGS)
    )
    return st.one_of(st.just(mapping), hostile)


for _schema in (schema, schema_other_roles):

    @_schema.hook
    def flatmap_query(context, query):
        return _with_one_hostile(query)

    @_schema.hook
    def flatmap_body(context, body):
        return _with_one_hostile(body)


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
def api_world(db, settings, _wsgi_keeps_the_test_connection):
    """An article "a" with a reader's comment, and a token for each role but the anonymous."""
    # Throttling has its own tests (tests/core/test_rate_limits.py); here it would only hide the views.
    settings.PARLEY_RATE_LIMITS = {k: "100000/min" for k in settings.PARLEY_RATE_LIMITS}
    reader = UserFactory(username="fuzzer")
    article = ArticleFactory(slug="a")
    comment = CommentFactory(article=article, author=reader, status=Comment.Status.PENDING)
    users = {"reader": reader}
    for role, codenames in (("moderator", ["can_moderate"]), ("admin", ["can_moderate", "change_policy"])):
        users[role] = UserFactory(username=f"fuzz-{role}")
        group, _ = Group.objects.get_or_create(name=f"fuzz {role}s")
        group.permissions.set(Permission.objects.filter(codename__in=codenames))
        users[role].groups.add(group)
    headers = {role: {"Authorization": f"Token {Token.objects.create(user=user).key}"} for role, user in users.items()}
    return {"headers": {"anonymous": {}, **headers}, "comment": comment}


@pytest.mark.django_db
@schema.parametrize()
@fuzz_settings(default_examples=5)
def test_api_answers_every_generated_request_without_500_and_as_documented(case, api_world):
    response = case.call(headers=api_world["headers"]["reader"])
    fuzz_record(response.status_code)
    case.validate_response(response, checks=CHECKS)


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "reader"])
@schema_other_roles.parametrize()
@fuzz_settings(default_examples=2)
def test_api_answers_the_anonymous_moderators_and_admins_without_500_and_as_documented(case, role, api_world):
    response = case.call(headers=api_world["headers"][role])
    fuzz_record(response.status_code)
    case.validate_response(response, checks=CHECKS)


def _operations_with_a_body():
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
            if content:
                ref = content["schema"].get("$ref", "")
                properties = document["components"]["schemas"].get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
                operations.append((method.upper(), path, sorted(properties) or ["x"]))
    return operations


BODY_OPERATIONS = _operations_with_a_body()


def _url(path: str, comment) -> str:
    return (path.replace("{slug}", "a").replace("{id}", str(comment.pk)).replace("{comment_id}", str(comment.pk))
            .replace("{username}", "fuzzer").replace("{version}", "1"))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, path, fields", BODY_OPERATIONS, ids=[f"{m} {p}" for m, p, _ in BODY_OPERATIONS])
def test_no_api_body_answers_5xx_with_numbers_that_overflow_or_bytes_that_are_not_utf8(
    method, path, fields, role, api_world
):
    from django.test import Client

    client = Client(**{f"HTTP_{k.upper()}": v for k, v in api_world["headers"][role].items()})
    url = _url(path, api_world["comment"])

    @fuzz_settings(default_examples=1)
    @given(
        field=st.sampled_from(fields),
        value=st.one_of(
            st.sampled_from(OVERFLOWING_NUMBERS).map(str.encode),
            st.sampled_from(UNDECODABLE).map(lambda v: b'"' + unquote_to_bytes(v) + b'"'),
            st.sampled_from([f'{{"hold": {n}, "reject": 0.9}}' for n in OVERFLOWING_NUMBERS]).map(
                lambda v: (f'{{"toxicity": {v}}}').encode()),
        ),
    )
    def check(field, value):
        body = b'{"' + field.encode() + b'": ' + value + b"}"
        response = getattr(client, method.lower())(url, body, content_type="application/json")
        fuzz_record(response.status_code)
        assert response.status_code < 500, (method, url, body[:200], response.content[:300])

    check()
