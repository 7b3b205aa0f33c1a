"""The OpenAPI schema clients generate code from: it builds, it is valid OpenAPI 3, and the
reader API's endpoints are described without drf-spectacular having to guess."""
from __future__ import annotations

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

READER_PATHS = {
    "/api/articles/": {"get"},
    "/api/articles/{slug}/": {"get"},
    "/api/articles/{slug}/like/": {"post", "delete"},
    "/api/articles/{slug}/comments/": {"get", "post"},
    "/api/comments/{id}/": {"get", "patch", "delete"},
    "/api/comments/{id}/like/": {"post", "delete"},
    "/api/comments/{id}/report/": {"post"},
    "/api/comments/{id}/appeal/": {"post"},
    "/api/comments/{id}/nudge/": {"post"},
    "/api/me/": {"delete"},
    "/api/me/export/": {"get"},
    "/api/auth/token/": {"post"},
}
NOTIFICATION_PATHS = {"/api/notifications/": {"get"}, "/api/notifications/read/": {"post"}}


@pytest.fixture
def generator_stats():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        yield GENERATOR_STATS
    GENERATOR_STATS.reset()


def test_schema_endpoint_serves_a_valid_openapi_3_schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on any OpenAPI 3 violation
    for url, methods in {**READER_PATHS, **NOTIFICATION_PATHS}.items():
        assert methods <= set(schema["paths"][url]), url


def test_notifications_api_schema_has_no_warnings_or_errors(generator_stats):
    generator = SchemaGenerator(patterns=[path("api/notifications/", include("notifications.api.urls"))])
    schema = generator.get_schema(request=None, public=True)
    validate_schema(schema)
    assert not generator_stats._warn_cache and not generator_stats._error_cache, (
        list(generator_stats._warn_cache) + list(generator_stats._error_cache)
    )
    assert {url: set(ops) for url, ops in schema["paths"].items()} == NOTIFICATION_PATHS


def test_editing_a_comment_is_documented_with_only_the_text_and_its_refusals():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    patch = schema["paths"]["/api/comments/{id}/"]["patch"]
    assert set(schema["components"]["schemas"]["PatchedCommentEditRequest"]["properties"]) == {"text"}
    assert {"200", "400", "403", "404"} <= set(patch["responses"])


def test_reader_api_schema_has_no_warnings_or_errors(generator_stats):
    # Only the reader API's urls: other apps' endpoints answer for their own warnings.
    generator = SchemaGenerator(patterns=[path("api/", include("blog.api.urls"))])

    schema = generator.get_schema(request=None, public=True)

    validate_schema(schema)
    assert not generator_stats._warn_cache and not generator_stats._error_cache, (
        list(generator_stats._warn_cache) + list(generator_stats._error_cache)
    )
    assert {url: set(ops) for url, ops in schema["paths"].items()} == READER_PATHS


def test_comment_posting_is_documented_with_its_request_and_answers():
    schema = SchemaGenerator().get_schema(request=None, public=True)

    post = schema["paths"]["/api/articles/{slug}/comments/"]["post"]
    request_schema = schema["components"]["schemas"]["CommentCreateRequest"]
    assert set(request_schema["properties"]) == {"text", "parent"}
    assert request_schema["properties"]["text"]["maxLength"] == 5000
    assert list(post["requestBody"]["content"]) == ["application/json"]
    assert {"201", "400", "404"} <= set(post["responses"])
