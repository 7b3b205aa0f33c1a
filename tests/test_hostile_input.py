"""Hostile input: markup comes back escaped wherever a person reads it, the API returns it verbatim
as JSON, forms refuse a POST without a CSRF token, a client cannot set fields it does not own, and
malformed or oversized input is a 400/413 naming the problem, never a 500, with nothing stored."""
from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils.html import escape
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from blog.models import Comment, CommentLike, CommentReport
from moderation.queue import decisions
from tests.factories import ArticleFactory, AuthorProfileFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click me</a>',
    "&lt;b&gt;not bold&lt;/b&gt;",
]


def assert_escaped(html: str, payload: str, where: str):
    assert payload not in html, f"{where}: raw payload {payload!r} in the page"
    assert escape(payload) in html, f"{where}: escaped payload {escape(payload)!r} not shown"


def _moderator(username="mod", *codenames):
    user = UserFactory(username=username)
    group, _ = Group.objects.get_or_create(name=f"group-{username}")
    group.permissions.set(Permission.objects.filter(content_type__app_label="moderation",
                                                    codename__in=codenames or ("can_moderate",)))
    user.groups.add(group)
    return user


@pytest.fixture(params=PAYLOADS, ids=["script", "img-onerror", "javascript-link", "entities"])
def hostile(request):
    """The payload in a comment's text, a report's reason, an author's display name, an article's
    title and a moderator's reason."""
    p = request.param
    author = AuthorProfileFactory(display_name=f"Author {p}", bio=f"Bio {p}").user
    article = ArticleFactory(author=author, title=f"Title {p}")
    commenter = UserFactory(username="mallory")
    published = CommentFactory(article=article, author=commenter, text=f"Comment {p}")
    held = CommentFactory(article=article, author=commenter, text=f"Held {p}", status=Comment.Status.HELD)
    reporter = UserFactory(username="rita")
    CommentReport.objects.create(comment=published, reporter=reporter, reason=f"Reason {p}")
    Comment.objects.filter(pk=published.pk).update(report_count=1)
    moderator = _moderator()
    decisions.comment_decide(comment_id=held.pk, moderator=moderator, action="escalate",
                                       reason=f"Escalated {p}")
    return {"p": p, "article": article, "published": published, "held": held, "moderator": moderator}


def test_article_page_escapes_comments_titles_and_author_names(client, hostile):
    p = hostile["p"]
    html = client.get(f"/articles/{hostile['article'].slug}/").content.decode()
    for text in (f"Comment {p}", f"Title {p}", f"Author {p}", f"Bio {p}"):
        assert_escaped(html, text, "article page")
    assert_escaped(client.get("/").content.decode(), f"Title {p}", "article list")


def test_the_api_returns_text_verbatim_as_json(hostile):
    p = hostile["p"]
    client = APIClient()
    response = client.get(f"/api/articles/{hostile['article'].slug}/comments/")
    assert response["Content-Type"] == "application/json"
    assert [c["text"] for c in response.json()] == [f"Comment {p}"]
    article = client.get(f"/api/articles/{hostile['article'].slug}/").json()
    assert article["title"] == f"Title {p}" and article["author"]["display_name"] == f"Author {p}"
    browsable = client.get(f"/api/articles/{hostile['article'].slug}/", HTTP_ACCEPT="text/html")
    if browsable["Content-Type"].startswith("text/html"):  # DRF's browsable API escapes the JSON it shows
        assert f"Title {p}" not in browsable.content.decode()


def test_moderator_queue_and_audit_log_escape_everything(client, hostile):
    p = hostile["p"]
    client.force_login(hostile["moderator"])
    held = client.get("/moderation/?tab=held").content.decode()
    assert_escaped(held, f"Held {p}", "held tab")
    assert_escaped(held, f"Escalated {p}", "held tab")
    assert_escaped(held, f"Title {p}", "held tab")
    reported = client.get("/moderation/?tab=reported").content.decode()
    assert_escaped(reported, f"Comment {p}", "reported tab")
    assert_escaped(reported, f"Reason {p}", "reported tab")
    audit = client.get("/moderation/audit-log/").content.decode()
    assert_escaped(audit, f"Escalated {p}", "audit log")
    poll = client.get("/moderation/queue/poll/?tab=held").json()
    assert poll["cards"] and all(f"Held {p}" not in card["html"] for card in poll["cards"])


def test_django_admin_changelists_escape_titles_and_reasons(client, hostile):
    p = hostile["p"]
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert_escaped(client.get("/admin/blog/article/").content.decode(), f"Title {p}", "admin articles")
    assert_escaped(client.get("/admin/blog/comment/").content.decode(), f"Title {p}", "admin comments")
    change = client.get(f"/admin/blog/comment/{hostile['published'].pk}/change/").content.decode()
    assert_escaped(change, f"Reason {p}", "admin comment page")
    assert_escaped(change, f"Comment {p}", "admin comment page")


def test_usernames_cannot_carry_markup(client):
    response = client.post("/accounts/register/", {"username": "<script>x</script>", "password": "a long unusual passphrase"})
    assert response.status_code == 400
    assert "<script>x</script>" not in response.content.decode()
    assert not Comment.objects.exists()


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    return client


def test_comment_form_post_without_csrf_token_is_403(csrf_client, article):
    response = csrf_client.post(f"/articles/{article.slug}/comment/", {"text": "Forged"})
    assert response.status_code == 403
    assert not Comment.objects.exists()


def test_api_session_post_without_csrf_token_is_403(csrf_client, article):
    response = csrf_client.post(f"/api/articles/{article.slug}/comments/", json.dumps({"text": "Forged"}),
                                content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_api_token_post_needs_no_csrf_token(reader, article):
    token = Token.objects.create(user=reader)
    client = APIClient(enforce_csrf_checks=True)
    response = client.post(f"/api/articles/{article.slug}/comments/", {"text": "By token"}, format="json",
                           HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 201


def test_an_api_token_with_a_nul_byte_is_400_naming_the_header_and_stores_nothing(article):
    response = APIClient().post(f"/api/articles/{article.slug}/comments/", {"text": "hi"}, format="json",
                                HTTP_AUTHORIZATION="Token abc\x00def")
    assert response.status_code == 400
    assert response.json() == {"Authorization header": ["must not contain NUL characters."]}
    assert not Comment.objects.filter(article=article).exists()


def test_a_long_wrong_api_token_is_refused_like_any_wrong_token(article):
    def post(token):
        return APIClient().post(f"/api/articles/{article.slug}/comments/", {"text": "hi"}, format="json",
                                HTTP_AUTHORIZATION=f"Token {token}")

    wrong, long = post("0" * 40), post("x" * 5000)
    assert long.status_code == wrong.status_code == 403  # DRF: session auth first, so no 401 challenge
    assert long.json() == wrong.json() == {"detail": "Invalid token."}


def test_a_session_cookie_with_a_nul_byte_is_400_naming_the_cookie(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    response = client.get("/")
    assert response.status_code == 400
    assert "cookie sessionid" in response.content.decode()


def test_moderator_form_post_without_csrf_token_is_403():
    held = CommentFactory(status=Comment.Status.HELD)
    client = Client(enforce_csrf_checks=True)
    client.force_login(_moderator())
    assert client.post(f"/moderation/comments/{held.pk}/decide/", {"action": "approve"}).status_code == 403
    held.refresh_from_db()
    assert held.status == Comment.Status.HELD


# --- mass assignment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"status": "published"},
        {"author": "bob"},
        {"author_id": 1},
        {"scores": {"toxicity": 0.0}},
        {"is_removed": False},
        {"article": "another-article"},
        {"like_count": 1000},
        {"id": 999999},
    ],
    ids=lambda e: next(iter(e)),
)
def test_api_comment_refuses_fields_a_client_may_not_set(reader_api, article, extra):
    other = ArticleFactory(slug="another-article")
    before = Comment.objects.count()
    response = reader_api.post(f"/api/articles/{article.slug}/comments/", {"text": "Hi", **extra}, format="json")
    assert response.status_code == 400
    assert response.json()[next(iter(extra))] == ["Unknown field: this endpoint does not accept it."]
    assert Comment.objects.count() == before
    assert not other.comments.exists()


def test_web_comment_form_ignores_fields_a_client_may_not_set(client, reader, article):
    client.force_login(reader)
    other = ArticleFactory(slug="another-article")
    bob = UserFactory(username="bob")
    response = client.post(f"/articles/{article.slug}/comment/",
                           {"text": "Hi", "status": "published", "author": bob.pk, "article": other.pk, "like_count": 99})
    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.status, comment.author, comment.article, comment.like_count) == ("pending", reader, article, 0)


def test_report_refuses_extra_fields(reader_api):
    comment = CommentFactory()
    response = reader_api.post(f"/api/comments/{comment.pk}/report/", {"reason": "spam", "upheld": True}, format="json")
    assert response.status_code == 400 and "upheld" in response.json()
    assert not CommentReport.objects.exists()


# --- malformed, oversized and odd input ------------------------------------------------------------


def _raw_post(client, url, body: bytes, content_type="application/json"):
    return client.generic("POST", url, body, content_type=content_type)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": "nul \x00 byte"}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   "}, "text"),
        ({"text": 12}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": {"a": 1}}, "text"),
        ({"text": None}, "text"),
        ({}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "ok", "parent": "1"}, "parent"),
        ({"text": "ok", "parent": 1.5}, "parent"),
        ({"text": "ok", "parent": True}, "parent"),
        ({"text": "ok", "parent": 0}, "parent"),
        ({"text": "ok", "parent": 2**63}, "parent"),
        ({"text": "ok", "parent": 999999}, "parent"),
    ],
)
def test_bad_comment_input_is_400_naming_the_field_and_stores_nothing(reader_api, article, body, field):
    before = Comment.objects.count()
    response = reader_api.post(f"/api/articles/{article.slug}/comments/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()[field][0]
    assert Comment.objects.count() == before


def test_lone_surrogate_in_json_is_400(reader_api, article):
    response = _raw_post(reader_api, f"/api/articles/{article.slug}/comments/", b'{"text": "bad \\ud800 half"}')
    assert response.status_code == 400
    assert "text" in response.json() or "non_field_errors" in response.json()
    assert not Comment.objects.exists()


@pytest.mark.parametrize("body", [b'{"text": "caf\xe9"}', b"\xff\xfe\x00{", b"{not json", b"[1, 2]", b'"text"', b"null", b""])
def test_malformed_json_bodies_are_400_never_500(reader_api, article, body):
    response = _raw_post(reader_api, f"/api/articles/{article.slug}/comments/", body)
    assert response.status_code == 400, response.content
    assert response.json()
    assert not Comment.objects.exists()


def test_a_megabyte_body_is_413_from_the_api(reader_api, article):
    body = json.dumps({"text": "x" * (1024 * 1024)}).encode()
    response = _raw_post(reader_api, f"/api/articles/{article.slug}/comments/", body)
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json" and "too large" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_a_megabyte_form_post_is_400_from_the_page(client, reader, article):
    client.force_login(reader)
    response = client.post(f"/articles/{article.slug}/comment/", {"text": "x" * (1024 * 1024)})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_long_but_legal_comment_still_fits_the_body_limit(reader_api, article):
    # 5000 four-byte characters, JSON-escaped as surrogate pairs: the worst legal case.
    text = "\U0001F600" * 5000
    response = _raw_post(reader_api, f"/api/articles/{article.slug}/comments/", json.dumps({"text": text}).encode())
    assert response.status_code == 201


def test_form_post_with_nul_byte_or_invalid_parent_is_400(client, reader, article):
    client.force_login(reader)
    url = f"/articles/{article.slug}/comment/"
    assert client.post(url, {"text": "nul \x00 byte"}).status_code == 400
    assert client.post(url, {"text": "ok", "parent": "abc"}).status_code == 400
    assert client.post(url, {"text": "ok", "parent": str(2**70)}).status_code == 400
    assert not Comment.objects.exists()


def test_form_post_with_invalid_utf8_is_not_a_500(client, reader, article):
    client.force_login(reader)
    response = client.generic("POST", f"/articles/{article.slug}/comment/", b"text=caf%E9%FF",
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 400)


def test_reply_to_a_comment_on_another_article_is_400_naming_parent(reader_api, article):
    elsewhere = CommentFactory()
    response = reader_api.post(f"/api/articles/{article.slug}/comments/", {"text": "hi", "parent": elsewhere.pk}, format="json")
    assert response.status_code == 400
    assert "another article" in response.json()["parent"][0]
    assert not article.comments.exists()


def test_replies_past_the_depth_cap_are_shown_at_the_cap(reader_api, article, settings):
    settings.PARLEY_THREAD_MAX_DEPTH = 3
    parent = None
    for i in range(6):
        body = {"text": f"level {i}"} | ({"parent": parent} if parent else {})
        response = reader_api.post(f"/api/articles/{article.slug}/comments/", body, format="json")
        assert response.status_code == 201
        parent = response.json()["id"]
    assert max(Comment.objects.values_list("depth", flat=True)) == 3


@pytest.mark.parametrize("body, field", [({"reason": ""}, "reason"), ({"reason": 5}, "reason"),
                                         ({"reason": "r" * 501}, "reason"), ({"reason": "\x00"}, "reason")])
def test_bad_report_input_is_400_and_stores_nothing(reader_api, body, field):
    comment = CommentFactory()
    response = reader_api.post(f"/api/comments/{comment.pk}/report/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not CommentReport.objects.exists()


@pytest.mark.parametrize("path", ["/api/comments/99999999999999999999999/", "/api/articles/%00/", "/articles/%ff%fe/"])
def test_odd_paths_are_404_not_500(client, path):
    assert client.get(path).status_code == 404


def test_non_json_content_type_is_415(reader_api, article):
    response = reader_api.post(f"/api/articles/{article.slug}/comments/", "text=hi", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert not Comment.objects.exists()


def test_likes_on_unpublished_comments_are_refused(reader_api, reader):
    own_pending = CommentFactory(author=reader, status=Comment.Status.PENDING)
    response = reader_api.post(f"/api/comments/{own_pending.pk}/like/")
    assert response.status_code == 400
    assert not CommentLike.objects.exists()
