"""Rate limits on the writes a reader can repeat (comments, likes, reports): per user and per IP,
429 with Retry-After from both the API and the pages, and one client_ip() deciding who "the IP" is."""
from __future__ import annotations

import pytest
from django.test import RequestFactory
from rest_framework.test import APIClient

from blog.models import Comment, CommentReport
from core.ratelimit import client_ip, parse_rate
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def api_as(user, ip="203.0.113.5", **extra) -> APIClient:
    client = APIClient(REMOTE_ADDR=ip, **extra)
    client.force_authenticate(user)
    return client


def post_comment(client, article, text="A measured reply."):
    return client.post(f"/api/articles/{article.slug}/comments/", {"text": text}, format="json")


@pytest.fixture
def limits(settings):
    """Set some rates for one test (the rest keep their defaults)."""

    def set_(**rates):
        settings.PARLEY_RATE_LIMITS = {**settings.PARLEY_RATE_LIMITS, **rates}

    return set_


# --- client_ip --------------------------------------------------------------------------------


def _request(xff=None, remote="198.51.100.7"):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


def test_spoofed_x_forwarded_for_is_ignored_when_no_proxy_is_trusted(settings):
    settings.PARLEY_TRUSTED_PROXIES = 0
    assert client_ip(_request(xff="1.2.3.4")) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_appended_is_the_client(settings):
    settings.PARLEY_TRUSTED_PROXIES = 1
    # The client wrote "1.2.3.4" itself; our proxy appended the address it really came from.
    assert client_ip(_request(xff="1.2.3.4, 203.0.113.9", remote="10.0.0.2")) == "203.0.113.9"


def test_behind_two_proxies_the_client_is_second_from_the_right(settings):
    settings.PARLEY_TRUSTED_PROXIES = 2
    assert client_ip(_request(xff="1.2.3.4, 203.0.113.9, 10.0.0.3", remote="10.0.0.2")) == "203.0.113.9"


@pytest.mark.parametrize("xff", ["", "not-an-ip", "203.0.113.9"])
def test_missing_short_or_malformed_forwarded_chain_falls_back_to_the_peer(settings, xff):
    settings.PARLEY_TRUSTED_PROXIES = 2
    assert client_ip(_request(xff=xff, remote="10.0.0.2")) == "10.0.0.2"


def test_rates_parse():
    assert parse_rate("10/min") == (10, 60)
    assert parse_rate("30/hour") == (30, 3600)
    assert parse_rate("10/15min") == (10, 900)


# --- the API ----------------------------------------------------------------------------------


def test_eleventh_comment_in_a_minute_is_429_with_retry_after_and_not_stored():
    article, reader = ArticleFactory(), UserFactory()
    client = api_as(reader)
    for i in range(10):  # the default: 10 a minute per reader
        assert post_comment(client, article, f"Comment {i}").status_code == 201

    response = post_comment(client, article, "One too many")

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"].lower() or "request" in response.json()["detail"].lower()
    assert not Comment.objects.filter(text="One too many").exists()
    # another reader is not affected
    assert post_comment(api_as(UserFactory(), ip="203.0.113.6"), article).status_code == 201


def test_many_accounts_from_one_address_share_the_per_ip_limit(limits):
    limits(comments_ip="3/min")
    article = ArticleFactory()
    for _ in range(3):
        assert post_comment(api_as(UserFactory(), ip="203.0.113.50"), article).status_code == 201
    assert post_comment(api_as(UserFactory(), ip="203.0.113.50"), article).status_code == 429
    assert post_comment(api_as(UserFactory(), ip="203.0.113.51"), article).status_code == 201


def test_a_spoofed_forwarded_for_does_not_escape_the_per_ip_limit(limits, settings):
    settings.PARLEY_TRUSTED_PROXIES = 0
    limits(comments_ip="2/min")
    article = ArticleFactory()
    statuses = [
        post_comment(api_as(UserFactory(), ip="203.0.113.60", HTTP_X_FORWARDED_FOR=f"10.9.9.{i}"), article).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]


def test_reading_is_never_limited(limits):
    limits(comments_user="1/min", comments_ip="1/min")
    article, reader = ArticleFactory(), UserFactory()
    client = api_as(reader)
    for _ in range(5):
        assert client.get(f"/api/articles/{article.slug}/comments/").status_code == 200
    assert post_comment(client, article).status_code == 201


def test_liking_is_limited_per_reader(limits):
    limits(likes_user="2/min")
    reader = UserFactory()
    client = api_as(reader)
    comments = CommentFactory.create_batch(3)
    assert [client.post(f"/api/comments/{c.pk}/like/").status_code for c in comments] == [201, 201, 429]
    articles = ArticleFactory.create_batch(1)
    assert client.post(f"/api/articles/{articles[0].slug}/like/").status_code == 429  # one "likes" allowance


def test_reporting_is_limited_per_reader_and_answers_retry_after(limits):
    limits(reports_user="2/min")
    client = api_as(UserFactory())
    comments = CommentFactory.create_batch(3)
    responses = [client.post(f"/api/comments/{c.pk}/report/", {"reason": "spam"}, format="json") for c in comments]
    assert [r.status_code for r in responses] == [201, 201, 429]
    assert int(responses[-1]["Retry-After"]) >= 1
    assert CommentReport.objects.count() == 2


def test_the_page_and_the_api_count_against_one_allowance(client, limits):
    limits(comments_user="2/min")
    article, reader = ArticleFactory(), UserFactory()
    client.force_login(reader)
    assert client.post(f"/articles/{article.slug}/comment/", {"text": "From the page"}).status_code == 302
    assert post_comment(api_as(reader), article).status_code == 201
    assert post_comment(api_as(reader), article).status_code == 429


def test_a_cache_outage_lets_writes_through(settings):
    # Nothing listens on port 1: every cache call fails fast. Commenting must keep working.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    article = ArticleFactory()
    assert post_comment(api_as(UserFactory()), article).status_code == 201


# --- the pages --------------------------------------------------------------------------------


def test_comment_form_over_the_limit_answers_a_readable_429(client, limits):
    limits(comments_user="2/min")
    article, reader = ArticleFactory(), UserFactory()
    client.force_login(reader)
    url = f"/articles/{article.slug}/comment/"
    assert [client.post(url, {"text": f"Point {i}"}).status_code for i in range(2)] == [302, 302]

    response = client.post(url, {"text": "Point 3"})

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "press Post again in" in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert not Comment.objects.filter(text="Point 3").exists()


def test_like_and_report_forms_are_limited_too(client, limits):
    limits(likes_user="1/min", reports_user="1/min")
    client.force_login(UserFactory())
    a, b = CommentFactory.create_batch(2)
    assert client.post(f"/comments/{a.pk}/like/").status_code == 302
    assert client.post(f"/comments/{b.pk}/like/").status_code == 429
    assert client.post(f"/comments/{a.pk}/report/", {"reason": "spam"}).status_code == 302
    assert client.get(f"/comments/{b.pk}/report/").status_code == 200  # the form itself is a read
    assert client.post(f"/comments/{b.pk}/report/", {"reason": "spam"}).status_code == 429


def test_registration_is_limited_per_address(client, limits):
    limits(register_ip="2/hour")
    for i in range(2):
        client.logout()
        r = client.post("/accounts/register/", {"username": f"newbie{i}", "password": "a long unusual passphrase"})
        assert r.status_code == 302
    client.logout()
    r = client.post("/accounts/register/", {"username": "newbie9", "password": "a long unusual passphrase"})
    assert r.status_code == 429


# --- atomic counting --------------------------------------------------------------------------


def test_fifty_concurrent_writes_against_a_limit_of_ten_let_exactly_ten_through(settings, limits):
    # Against the real Redis the limiter uses in production: every thread is released at once,
    # so a read-then-write counter would let several through on the same reading.
    import threading
    import uuid
    from types import SimpleNamespace

    from core.ratelimit import rate_limit_hit

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": settings.REDIS_URL,
            "KEY_PREFIX": f"test-ratelimit-{uuid.uuid4().hex}",
        }
    }
    limits(comments_user="10/min", comments_ip="1000/min")
    reader = SimpleNamespace(pk=4242, is_authenticated=True)
    start, results, lock = threading.Barrier(50), [], threading.Lock()

    def post(i: int) -> None:
        request = RequestFactory().post("/", REMOTE_ADDR=f"198.51.100.{i}")
        request.user = reader
        start.wait()
        wait = rate_limit_hit(scope="comments", request=request)
        with lock:
            results.append(wait)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sum(w is None for w in results) == 10
    assert all(1 <= w <= 60 for w in results if w is not None)


def test_the_eleventh_comment_in_a_minute_keeps_its_text_and_says_when_to_post_it(client, limits):
    limits(comments_user="10/min")
    article, reader = ArticleFactory(title="Make drivers pay"), UserFactory()
    client.force_login(reader)
    url = f"/articles/{article.slug}/comment/"
    assert {client.post(url, {"text": f"Point {i}"}).status_code for i in range(10)} == {302}
    typed = "An eleventh thought, long & carefully typed <not to lose>."

    response = client.post(url, {"text": typed})

    page = response.content.decode()
    assert response.status_code == 429 and 1 <= int(response["Retry-After"]) <= 60
    assert "Not posted yet" in page and "press Post again in" in page
    assert 'id="comment-form"' in page
    assert "An eleventh thought, long &amp; carefully typed &lt;not to lose&gt;." in page  # in the textarea, escaped
    assert "<h1>Make drivers pay</h1>" in page or "Make drivers pay" in page  # the article itself: the way back
    assert not Comment.objects.filter(text=typed).exists()


def test_a_refused_form_offers_the_way_back_to_the_page_it_came_from(client, limits):
    limits(reports_user="1/min")
    client.force_login(UserFactory())
    a, b = CommentFactory.create_batch(2)
    client.post(f"/comments/{a.pk}/report/", {"reason": "spam"})

    response = client.post(f"/comments/{b.pk}/report/", {"reason": "spam"},
                           HTTP_REFERER=f"http://testserver/comments/{b.pk}/report/")

    assert response.status_code == 429
    assert f'href="/comments/{b.pk}/report/">Back to where you were' in response.content.decode()
