"""Every counter and every limit under concurrency (issue 20): many threads, each with its own
database connection (committed data, as gunicorn's threads have), released at once by a barrier.
Each test asserts the invariant (a count equals its rows; no more passwords checked, writes
stored or places taken than the limit), never a timing.

Rate limits count in the cache: LocMem here (config/settings/test.py), whose increments are atomic
under its lock, as Redis's INCR is (tests/core/test_rate_limits.py races the real Redis)."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test import Client
from rest_framework.test import APIClient

from blog.models import Article, ArticleLike, Comment, CommentLike, CommentReport
from core.auth import ModelBackend
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    # SQLite (the embedded default) takes one writer at a time and answers the others "database
    # is locked": it has no concurrent writes to race. CI runs these on PostgreSQL.
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL; SQLite serialises them")

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def race(n: int, work) -> list:
    """Run ``work(i)`` in ``n`` threads released together; their results (or exceptions)."""
    start, results, lock = threading.Barrier(n), [], threading.Lock()

    def run(i: int) -> None:
        try:
            start.wait()
            result = work(i)
        except Exception as exc:  # noqa: BLE001 - reported by the test
            result = exc
        finally:
            connections.close_all()  # this thread's connection, or the flush afterwards waits on it
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


@pytest.fixture
def passwords_checked(monkeypatch):
    """How many times a password was actually checked (Django's ModelBackend, behind axes)."""
    calls, lock = [0], threading.Lock()
    original = ModelBackend.authenticate

    def counting(self, request, username=None, password=None, **kwargs):
        with lock:
            calls[0] += 1
        return original(self, request, username=username, password=password, **kwargs)

    monkeypatch.setattr(ModelBackend, "authenticate", counting)
    return calls


@pytest.fixture
def limits(settings):
    def set_(**rates):
        settings.PARLEY_RATE_LIMITS = {**settings.PARLEY_RATE_LIMITS, **rates}

    return set_


# --- the failed-login allowance per address (10 per 15 minutes) ----------------------------------


def test_concurrent_wrong_passwords_on_the_token_endpoint_check_no_more_than_the_limit(passwords_checked, limits):
    limits(login_failures_ip="10/15min")
    for i in range(32):
        UserFactory(username=f"user{i}")

    statuses = race(32, lambda i: APIClient().post(
        "/api/auth/token/", {"username": f"user{i}", "password": "guess"}, format="json").status_code)

    assert passwords_checked[0] <= 10
    assert Counter(statuses) == {400: passwords_checked[0], 429: 32 - passwords_checked[0]}
    response = APIClient().post("/api/auth/token/", {"username": "user0", "password": PASSWORD}, format="json")
    assert response.status_code == 429


def test_concurrent_wrong_passwords_on_the_login_page_check_no_more_than_the_limit(passwords_checked, limits):
    limits(login_failures_ip="10/15min")
    for i in range(32):
        UserFactory(username=f"user{i}")

    statuses = race(32, lambda i: Client().post(
        "/accounts/login/", {"username": f"user{i}", "password": "guess"}).status_code)

    assert passwords_checked[0] <= 10
    assert Counter(statuses) == {200: passwords_checked[0], 429: 32 - passwords_checked[0]}


def test_concurrent_right_passwords_give_their_places_back(limits):
    # Counted first: a login holds a place while its password is checked, so a burst of right
    # passwords may be told to wait; none keeps its place once it succeeded.
    limits(login_failures_ip="10/15min")
    for i in range(20):
        UserFactory(username=f"user{i}")

    statuses = race(20, lambda i: APIClient().post(
        "/api/auth/token/", {"username": f"user{i}", "password": PASSWORD}, format="json").status_code)

    assert set(statuses) <= {200, 429} and statuses.count(200) >= 10
    for i in range(10):  # the whole allowance is still there
        wrong = APIClient().post("/api/auth/token/", {"username": f"user{i}", "password": "guess"}, format="json")
        assert wrong.status_code == 400, i
    assert APIClient().post("/api/auth/token/", {"username": "x", "password": "y"}, format="json").status_code == 429


# --- the lockout of one username from one address (django-axes, 5 failures) ------------------------


def test_concurrent_guesses_at_one_account_check_no_more_passwords_than_the_lockout_allows(
    passwords_checked, limits, settings
):
    limits(login_failures_ip="1000/15min")  # only the lockout is under test
    UserFactory(username="alice")

    race(16, lambda i: APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": f"guess{i}"}, format="json").status_code)

    assert passwords_checked[0] <= settings.AXES_FAILURE_LIMIT
    response = APIClient().post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code in (400, 429) and "token" not in response.json()


# --- likes: like_count equals the like rows, always ---------------------------------------------


@pytest.mark.parametrize("kind", ["comment", "article"])
def test_one_reader_liking_and_unliking_from_many_threads_keeps_the_count_equal_to_the_rows(kind, limits):
    limits(likes_user="100000/min", likes_ip="100000/min")
    reader = UserFactory()
    comment = CommentFactory(status=Comment.Status.PUBLISHED)
    url = f"/api/comments/{comment.pk}/like/" if kind == "comment" else f"/api/articles/{comment.article.slug}/like/"

    def flip(i: int):
        client = APIClient()
        client.force_authenticate(reader)
        for round_ in range(15):
            (client.post if (i + round_) % 2 else client.delete)(url)

    race(12, flip)

    if kind == "comment":
        rows, count = CommentLike.objects.filter(comment=comment).count(), Comment.objects.get(pk=comment.pk).like_count
    else:
        rows, count = ArticleLike.objects.filter(article=comment.article).count(), Article.objects.get(
            pk=comment.article.pk).like_count
    assert count == rows and rows in (0, 1)


def test_many_readers_liking_at_once_are_each_counted_once():
    comment = CommentFactory(status=Comment.Status.PUBLISHED)
    readers = [UserFactory() for _ in range(16)]

    def like(i: int):
        client = APIClient()
        client.force_authenticate(readers[i])
        client.post(f"/api/comments/{comment.pk}/like/")
        client.post(f"/api/comments/{comment.pk}/like/")  # a double click

    race(16, like)

    assert CommentLike.objects.filter(comment=comment).count() == 16
    assert Comment.objects.get(pk=comment.pk).like_count == 16


# --- reports: one per reader, report_count equals the rows ---------------------------------------


def test_concurrent_reports_count_each_reader_once():
    comment = CommentFactory(status=Comment.Status.PUBLISHED)
    readers = [UserFactory() for _ in range(8)]

    def report(i: int):
        client = APIClient()
        client.force_authenticate(readers[i % 8])
        return client.post(f"/api/comments/{comment.pk}/report/", {"reason": "spam"}, format="json").status_code

    statuses = race(16, report)  # every reader twice at once

    assert all(s < 500 for s in statuses), statuses
    assert CommentReport.objects.filter(comment=comment).count() == 8
    assert Comment.objects.get(pk=comment.pk).report_count == 8


# --- replies: each stored once, in its own place in the thread ------------------------------------


def test_concurrent_replies_are_all_stored_and_counted(limits):
    limits(comments_user="1000/min", comments_ip="1000/min")
    parent = CommentFactory(status=Comment.Status.PUBLISHED)
    readers = [UserFactory() for _ in range(12)]

    def reply(i: int):
        client = APIClient()
        client.force_authenticate(readers[i])
        return client.post(
            f"/api/articles/{parent.article.slug}/comments/", {"text": f"Reply number {i}.", "parent": parent.pk},
            format="json",
        ).status_code

    assert race(12, reply) == [201] * 12
    replies = Comment.objects.filter(parent=parent)
    assert replies.count() == 12
    assert len(set(replies.values_list("path", flat=True))) == 12  # one place each in the thread
    Comment.objects.filter(parent=parent).update(status=Comment.Status.PUBLISHED)
    listed = APIClient().get(f"/api/articles/{parent.article.slug}/").json()
    assert listed["comment_count"] == 13


# --- rate limits: a burst stores no more writes than the limit ------------------------------------


def test_a_burst_of_comments_stores_no_more_than_the_limit(limits):
    limits(comments_user="5/min", comments_ip="1000/min")
    reader = UserFactory()
    article = ArticleFactory()

    def post(i: int):
        client = APIClient()
        client.force_authenticate(reader)
        return client.post(f"/api/articles/{article.slug}/comments/", {"text": f"Comment {i}."}, format="json").status_code

    statuses = race(20, post)

    assert Counter(statuses) == {201: 5, 429: 15}
    assert Comment.objects.filter(author=reader).count() == 5


def test_a_burst_of_likes_from_many_accounts_on_one_address_takes_no_more_than_the_limit(limits):
    limits(likes_user="1000/min", likes_ip="6/min")
    comment = CommentFactory(status=Comment.Status.PUBLISHED)
    readers = [UserFactory() for _ in range(16)]

    def like(i: int):
        client = APIClient(REMOTE_ADDR="198.51.100.20")
        client.force_authenticate(readers[i])
        return client.post(f"/api/comments/{comment.pk}/like/").status_code

    statuses = race(16, like)

    assert sum(s == 429 for s in statuses) == 10
    assert CommentLike.objects.filter(comment=comment).count() == 6 == Comment.objects.get(pk=comment.pk).like_count


# --- views: once per visitor per day ---------------------------------------------------------------


def test_concurrent_views_count_each_visitor_once():
    article = ArticleFactory(slug="viewed")

    def view(i: int):
        # Eight readers, each opening the article from three tabs at once.
        return Client(REMOTE_ADDR=f"198.51.100.{i % 8}").get("/articles/viewed/").status_code

    assert race(24, view) == [200] * 24
    assert Article.objects.get(pk=article.pk).view_count == 8
