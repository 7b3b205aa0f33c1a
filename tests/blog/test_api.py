"""The reader API as its clients see it: what each requester may read, what a post stores, and
that every bad input is a 400 naming the field (never a 500)."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from blog.models import Article, ArticleLike, Comment, CommentLike, CommentReport
from tests.factories import ArticleFactory, AuthorProfileFactory, CategoryFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def comments_url(article):
    return f"/api/articles/{article.slug}/comments/"


def post_json(client, url, body):
    return client.post(url, body, format="json")


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- Articles -----------------------------------------------------------------------------------


def test_article_list_shows_each_article_with_author_category_tags_and_counts(api_client):
    author = AuthorProfileFactory(display_name="Ada L.", bio="Engineer.", is_star_blogger=True).user
    article = ArticleFactory(author=author, title="Trams are back", like_count=3, view_count=7)
    article.tags.add("transport", "cities")
    CommentFactory(article=article)
    CommentFactory(article=article, status=Comment.Status.PENDING)

    response = api_client.get("/api/articles/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["next"] is None
    [item] = body["results"]
    assert item["title"] == "Trams are back"
    assert item["slug"] == article.slug
    assert item["author"] == {"username": author.username, "display_name": "Ada L.", "bio": "Engineer.", "is_star_blogger": True}
    assert item["category"] == {"name": "News", "slug": "news"}
    assert [t["slug"] for t in item["tags"]] == ["cities", "transport"]
    assert (item["like_count"], item["view_count"], item["comment_count"]) == (3, 7, 1)
    assert "body" not in item


def test_article_list_is_paginated(api_client):
    for _ in range(25):
        ArticleFactory()

    first = api_client.get("/api/articles/").json()
    second = api_client.get("/api/articles/?page=2").json()

    assert first["count"] == 25
    assert len(first["results"]) == 20 and len(second["results"]) == 5
    assert first["next"].endswith("/api/articles/?page=2")


def test_article_list_filters_by_category_and_by_tag(api_client):
    sport = ArticleFactory(category=CategoryFactory(name="Sport", slug="sport"))
    news = ArticleFactory()
    news.tags.add("cities")

    by_category = api_client.get("/api/articles/?category=sport").json()["results"]
    by_tag = api_client.get("/api/articles/?tag=cities").json()["results"]
    nothing = api_client.get("/api/articles/?tag=nope").json()["results"]

    assert [a["slug"] for a in by_category] == [sport.slug]
    assert [a["slug"] for a in by_tag] == [news.slug]
    assert nothing == []


def test_article_list_refuses_a_malformed_filter(api_client):
    response = api_client.get("/api/articles/?category=not a slug")
    assert response.status_code == 400
    assert "category" in response.json()


def test_article_detail_shows_text_paragraphs_claim_and_published_comment_count(api_client, reader):
    article = ArticleFactory(body="One.\n\nTwo.", stance_claim="", title="Ban cars")
    CommentFactory(article=article)
    CommentFactory(article=article, author=reader, status=Comment.Status.PENDING)

    response = api_client.get(f"/api/articles/{article.slug}/")

    assert response.status_code == 200
    body = response.json()
    assert body["title"] == "Ban cars"
    assert body["body"] == "One.\n\nTwo."
    assert body["paragraphs"] == ["One.", "Two."]
    assert body["stance_claim"] == "Ban cars"  # the claim defaults to the title
    assert body["comment_count"] == 1
    assert set(body) >= {"author", "published_at", "category", "tags", "view_count", "like_count"}


def test_article_detail_of_an_author_without_profile_uses_the_username(api_client):
    article = ArticleFactory(author=UserFactory(username="plain"))

    author = api_client.get(f"/api/articles/{article.slug}/").json()["author"]

    assert author == {"username": "plain", "display_name": "plain", "bio": "", "is_star_blogger": False}


def test_unknown_article_is_404(api_client):
    assert api_client.get("/api/articles/no-such-article/").status_code == 404
    assert api_client.get("/api/articles/no-such-article/comments/").status_code == 404


# --- Reading comments -------------------------------------------------------------------------


@pytest.fixture
def thread(article, reader, other_reader):
    """A published comment by bob, alice's pending reply to it, and a published reply by bob."""
    top = CommentFactory(article=article, author=other_reader, text="Top.")
    pending = CommentFactory(article=article, author=reader, parent=top, text="Mine, pending.", status=Comment.Status.PENDING)
    reply = CommentFactory(article=article, author=other_reader, parent=top, text="Bob again.")
    return top, pending, reply


def test_thread_shows_published_comments_to_anonymous_readers(api_client, article, thread):
    top, pending, reply = thread

    response = api_client.get(comments_url(article))

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [top.pk, reply.pk]


def test_thread_shows_the_author_their_own_pending_comment(article, thread, reader):
    top, pending, reply = thread

    comments = client_for(reader).get(comments_url(article)).json()

    assert [c["id"] for c in comments] == [top.pk, pending.pk, reply.pk]
    mine = comments[1]
    assert mine == {
        "id": pending.pk, "article": article.slug, "parent": top.pk, "depth": 1, "indent": 1, "reply_to": None,
        "author": "alice", "created_at": mine["created_at"], "text": "Mine, pending.", "status": "pending",
        "status_reason": None, "like_count": 0, "is_own": True, "edited_at": None, "can_edit": True,
        "outcome": {**mine["outcome"], "status": "pending"},
    }
    assert mine["outcome"]["reason"].startswith("Being checked")
    assert comments[0]["is_own"] is False and comments[0]["indent"] == 0


def test_another_reader_sees_neither_the_pending_comment_nor_it_in_the_count(article, thread, other_reader, api_client):
    top, pending, reply = thread
    bob = client_for(other_reader)

    assert pending.pk not in [c["id"] for c in bob.get(comments_url(article)).json()]
    assert bob.get(f"/api/comments/{pending.pk}/").status_code == 404
    assert api_client.get(f"/api/comments/{pending.pk}/").status_code == 404
    assert bob.get(f"/api/articles/{article.slug}/").json()["comment_count"] == 2


def test_a_single_comment_is_readable_by_whoever_may_see_it(article, thread, reader, api_client):
    top, pending, reply = thread

    public = api_client.get(f"/api/comments/{top.pk}/")
    own = client_for(reader).get(f"/api/comments/{pending.pk}/")

    assert public.status_code == 200 and public.json()["text"] == "Top." and public.json()["is_own"] is False
    assert own.status_code == 200 and own.json()["status"] == "pending" and own.json()["is_own"] is True


def test_unknown_or_huge_comment_id_is_404(api_client):
    assert api_client.get("/api/comments/999999/").status_code == 404
    assert api_client.get(f"/api/comments/{2**70}/").status_code == 404


def test_rejection_reason_is_shown_to_the_author_only(article, reader, other_reader):
    rejected = CommentFactory(article=article, author=reader, status=Comment.Status.REJECTED, status_reason="Insults.")
    published = CommentFactory(article=article, author=reader, status_reason="Note for moderators.")

    mine = {c["id"]: c for c in client_for(reader).get(comments_url(article)).json()}
    bobs = {c["id"]: c for c in client_for(other_reader).get(comments_url(article)).json()}

    assert mine[rejected.pk]["status_reason"] == "Insults."
    assert mine[published.pk]["status_reason"] is None
    assert rejected.pk not in bobs and bobs[published.pk]["status_reason"] is None


def test_script_in_a_comment_comes_back_verbatim_as_json_not_html(article, api_client):
    CommentFactory(article=article, text="<script>alert(1)</script>")

    response = api_client.get(comments_url(article))

    assert response["Content-Type"] == "application/json"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response.json()[0]["text"] == "<script>alert(1)</script>"


def _thread_queries(client, article) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(comments_url(article))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _add_comments(article, n, authors):
    """A mix of top-level comments and replies by several readers; the first author's are pending
    (the requester sees their own), one in five of the others' are held (nobody else sees them)."""
    parent = None
    for i in range(n):
        author = authors[i % len(authors)]
        if author == authors[0]:
            status = Comment.Status.PENDING
        else:
            status = Comment.Status.HELD if i % 5 == 0 else Comment.Status.PUBLISHED
        parent = CommentFactory(article=article, author=author, status=status, parent=parent if i % 3 else None)


def test_reading_a_thread_takes_the_same_queries_for_5_or_50_comments(article, reader, django_assert_max_num_queries):
    authors = [reader, UserFactory(), UserFactory()]
    client = client_for(reader)
    _add_comments(article, 5, authors)
    with_5 = _thread_queries(client, article)

    _add_comments(article, 45, authors)
    with_50 = _thread_queries(client, article)

    assert with_50 == with_5
    visible = Comment.objects.filter(article=article).exclude(status=Comment.Status.HELD).count()
    with django_assert_max_num_queries(4):  # the article (and its tags), the thread
        assert len(client.get(comments_url(article)).json()) == visible


# --- Posting comments -------------------------------------------------------------------------


def test_posting_a_comment_answers_201_pending_and_stores_it(reader_api, article, reader):
    response = post_json(reader_api, comments_url(article), {"text": "Trams beat buses.", "parent": None})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "pending" and body["text"] == "Trams beat buses." and body["parent"] is None
    assert body["author"] == "alice" and body["is_own"] is True
    comment = Comment.objects.get(pk=body["id"])
    assert (comment.article, comment.author, comment.status) == (article, reader, Comment.Status.PENDING)


def test_posting_a_reply_answers_201_with_its_parent(reader_api, article):
    parent = CommentFactory(article=article)

    response = post_json(reader_api, comments_url(article), {"text": "Indeed.", "parent": parent.pk})

    assert response.status_code == 201
    assert response.json()["parent"] == parent.pk and response.json()["depth"] == 1
    assert Comment.objects.get(pk=response.json()["id"]).parent == parent


def test_a_reader_may_reply_to_their_own_pending_comment(reader_api, article, reader):
    own = CommentFactory(article=article, author=reader, status=Comment.Status.PENDING)

    response = post_json(reader_api, comments_url(article), {"text": "Also...", "parent": own.pk})

    assert response.status_code == 201


@pytest.mark.parametrize(
    "body, field",
    [
        ({"text": ""}, "text"),
        ({"text": "   \n\t"}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": 123}, "text"),
        ({"text": ["a"]}, "text"),
        ({"text": None}, "text"),
        ({}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"text": "ok", "parent": "1"}, "parent"),
        ({"text": "ok", "parent": 1.5}, "parent"),
        ({"text": "ok", "parent": True}, "parent"),
        ({"text": "ok", "parent": 0}, "parent"),
        ({"text": "ok", "parent": 2**70}, "parent"),
        ({"text": "ok", "parent": 999999}, "parent"),
        ({"text": "ok", "colour": "red"}, "colour"),
    ],
)
def test_bad_comment_input_is_400_naming_the_field(reader_api, article, body, field):
    response = post_json(reader_api, comments_url(article), body)

    assert response.status_code == 400, response.content
    assert field in response.json() and isinstance(response.json()[field], list)
    assert not Comment.objects.exists()


def test_text_at_the_length_limit_is_accepted(reader_api, article):
    assert post_json(reader_api, comments_url(article), {"text": "x" * 5000}).status_code == 201


def test_reply_to_a_comment_on_another_article_is_400(reader_api, article):
    elsewhere = CommentFactory()

    response = post_json(reader_api, comments_url(article), {"text": "hi", "parent": elsewhere.pk})

    assert response.status_code == 400
    assert "another article" in response.json()["parent"][0]


def test_reply_to_someone_elses_unpublished_comment_is_400_as_if_it_did_not_exist(reader_api, article, other_reader):
    hidden = CommentFactory(article=article, author=other_reader, status=Comment.Status.HELD)

    response = post_json(reader_api, comments_url(article), {"text": "hi", "parent": hidden.pk})

    assert response.status_code == 400
    assert response.json()["parent"] == ["No such comment."]
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("raw", ['{"text": "unterminated', "not json", "", '["text"]', '"text"', "null", '{"text": NaN}'])
def test_malformed_or_non_object_json_body_is_400(reader_api, article, raw):
    response = reader_api.generic("POST", comments_url(article), raw, content_type="application/json")

    assert response.status_code == 400, response.content
    assert all(isinstance(reasons, list) for reasons in response.json().values())
    assert not Comment.objects.exists()


def test_a_body_that_is_not_json_is_refused_not_500(reader_api, article):
    form = reader_api.post(comments_url(article), {"text": "hi"})  # multipart
    plain = reader_api.generic("POST", comments_url(article), "hi", content_type="text/plain")

    assert form.status_code == plain.status_code == 415
    assert not Comment.objects.exists()


def test_posting_to_an_unknown_article_is_404(reader_api):
    assert post_json(reader_api, "/api/articles/nope/comments/", {"text": "hi"}).status_code == 404


@pytest.mark.parametrize("extra", [{"status": "published"}, {"author": 1}, {"article": 1}, {"like_count": 99},
                                   {"status_reason": "x", "depth": 0, "path": "0"}])
def test_posting_fields_a_reader_may_not_set_is_refused_and_stores_nothing(reader_api, article, extra):
    response = post_json(reader_api, comments_url(article), {"text": "Sneaky.", **extra})

    assert response.status_code == 400
    assert set(response.json()) == set(extra)
    assert not Comment.objects.exists()


def test_unknown_fields_and_bad_fields_are_reported_together(reader_api, article):
    response = post_json(reader_api, comments_url(article), {"text": "", "status": "published"})

    assert response.status_code == 400
    assert set(response.json()) == {"text", "status"}


def test_anonymous_post_is_refused_with_a_clear_message(api_client, article):
    response = post_json(api_client, comments_url(article), {"text": "hi"})

    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Authentication credentials were not provided."
    assert not Comment.objects.exists()


# --- Authentication ---------------------------------------------------------------------------


def test_token_from_username_and_password_authenticates_a_post(api_client, reader, article):
    response = post_json(api_client, "/api/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=reader).key == token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    posted = post_json(client, comments_url(article), {"text": "Via token."})

    assert posted.status_code == 201 and posted.json()["author"] == "alice"


def test_token_is_also_issued_for_a_form_post(api_client, reader):
    response = api_client.post("/api/auth/token/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize(
    "body, field",
    [({"username": "alice", "password": "wrong"}, "non_field_errors"), ({"username": "alice"}, "password"),
     ({"username": "alice", "password": PASSWORD, "is_staff": True}, "is_staff")],
)
def test_bad_credentials_get_no_token(api_client, reader, body, field):
    response = post_json(api_client, "/api/auth/token/", body)

    assert response.status_code == 400
    assert field in response.json()
    assert not Token.objects.exists()


def test_malformed_token_request_is_400(api_client):
    response = api_client.generic("POST", "/api/auth/token/", "{nope", content_type="application/json")
    assert response.status_code == 400


def test_a_wrong_token_is_refused(api_client, article):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = post_json(api_client, comments_url(article), {"text": "hi"})

    assert response.status_code in (401, 403)
    assert response.json()["detail"] == "Invalid token."


@pytest.fixture
def session_client(reader):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username="alice", password=PASSWORD)
    return client


def test_session_post_without_csrf_token_is_refused(session_client, article):
    response = post_json(session_client, comments_url(article), {"text": "From a forged form."})

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Comment.objects.exists()


def test_session_post_with_csrf_token_is_accepted(session_client, article):
    secret = "a" * 32
    session_client.cookies["csrftoken"] = secret

    response = session_client.post(comments_url(article), {"text": "From the site."}, format="json",
                                   HTTP_X_CSRFTOKEN=secret)

    assert response.status_code == 201


# --- Likes and reports ------------------------------------------------------------------------


def test_liking_a_comment_twice_counts_once(reader_api, article, reader):
    comment = CommentFactory(article=article)
    url = f"/api/comments/{comment.pk}/like/"

    first = reader_api.post(url)
    second = reader_api.post(url)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json() == {"liked": True, "like_count": 1}
    assert CommentLike.objects.filter(comment=comment, user=reader).count() == 1
    comment.refresh_from_db()
    assert comment.like_count == 1


def test_own_pending_comment_cannot_be_liked(reader_api, article, reader):
    pending = CommentFactory(article=article, author=reader, status=Comment.Status.PENDING)

    response = reader_api.post(f"/api/comments/{pending.pk}/like/")

    assert response.status_code == 400 and "comment" in response.json()


def test_someone_elses_hidden_comment_cannot_be_liked_or_reported(reader_api, article, other_reader):
    hidden = CommentFactory(article=article, author=other_reader, status=Comment.Status.HELD)

    assert reader_api.post(f"/api/comments/{hidden.pk}/like/").status_code == 404
    assert post_json(reader_api, f"/api/comments/{hidden.pk}/report/", {"reason": "x"}).status_code == 404


def test_anonymous_cannot_like_or_report(api_client, article):
    comment = CommentFactory(article=article)

    assert api_client.post(f"/api/comments/{comment.pk}/like/").status_code in (401, 403)
    assert post_json(api_client, f"/api/comments/{comment.pk}/report/", {"reason": "x"}).status_code in (401, 403)
    assert api_client.post(f"/api/articles/{article.slug}/like/").status_code in (401, 403)


def test_liking_an_article_twice_counts_once(reader_api, article, reader):
    url = f"/api/articles/{article.slug}/like/"

    first = reader_api.post(url)
    second = reader_api.post(url)

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == {"liked": True, "like_count": 1}
    assert ArticleLike.objects.filter(article=article, user=reader).count() == 1
    assert Article.objects.get(pk=article.pk).like_count == 1


def test_liking_an_unknown_article_is_404(reader_api):
    assert reader_api.post("/api/articles/nope/like/").status_code == 404


def test_reporting_a_comment_twice_keeps_one_report(reader_api, article, reader):
    comment = CommentFactory(article=article)
    url = f"/api/comments/{comment.pk}/report/"

    first = post_json(reader_api, url, {"reason": "Spam."})
    second = post_json(reader_api, url, {"reason": "Really spam."})

    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and second.json()["reason"] == "Spam."
    assert CommentReport.objects.filter(comment=comment, reporter=reader).count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1


@pytest.mark.parametrize(
    "body, field",
    [({"reason": ""}, "reason"), ({"reason": "  "}, "reason"), ({"reason": 5}, "reason"), ({}, "reason"),
     ({"reason": "x" * 501}, "reason"), ({"reason": "Spam.", "upheld": True}, "upheld")],
)
def test_bad_report_input_is_400_naming_the_field(reader_api, article, body, field):
    comment = CommentFactory(article=article)

    response = post_json(reader_api, f"/api/comments/{comment.pk}/report/", body)

    assert response.status_code == 400
    assert field in response.json()
    assert not CommentReport.objects.exists()



# --- Posting with a token: what the standing check and the article lookup cost ---------------


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_a_suspended_reader_posting_with_a_token_gets_400_naming_author(article, reader):
    from datetime import timedelta

    from django.utils import timezone

    from moderation.models import AuthorStanding

    client = _token_client(reader)
    assert post_json(client, comments_url(article), {"text": "Before."}).status_code == 201
    AuthorStanding.objects.create(user=reader, suspended_until=timezone.now() + timedelta(days=2))
    response = post_json(client, comments_url(article), {"text": "After."})
    assert response.status_code == 400
    assert "suspended" in response.json()["author"][0]
    assert not Comment.objects.filter(text="After.").exists()


def test_a_token_post_costs_the_same_queries_on_a_long_thread(article, reader):
    client = _token_client(reader)

    def post_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert post_json(client, comments_url(article), {"text": "Counting."}).status_code == 201
        return len(ctx.captured_queries)

    short = post_queries()
    CommentFactory.create_batch(40, article=article, status=Comment.Status.PUBLISHED)
    # token + user + standing in one query, the article, then on PostgreSQL the id from the
    # sequence and the insert (elsewhere the insert and its path, in a transaction)
    assert post_queries() == short <= (4 if connection.vendor == "postgresql" else 7)


def test_a_reader_cannot_report_their_own_comment_through_the_api(reader_api, article, reader):
    own = CommentFactory(article=article, author=reader, status=Comment.Status.PUBLISHED)

    response = post_json(reader_api, f"/api/comments/{own.pk}/report/", {"reason": "x"})

    assert response.status_code == 403 and "your own comment" in response.json()["detail"]
    assert not own.reports.exists()
