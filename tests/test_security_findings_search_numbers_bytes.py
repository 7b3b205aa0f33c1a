"""The findings of issue 20 (a second hostile pass), each reproduced as reported. Every test here
failed before its fix; the concurrency invariants (items 4 and 5, and every other counter and
limit) live in tests/test_concurrency_invariants.py."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from rest_framework.test import APIClient

from blog.models import Comment
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _moderator(username="moderator", *codenames):
    user = UserFactory(username=username)
    group, _ = Group.objects.get_or_create(name=f"group-{username}")
    group.permissions.set(Permission.objects.filter(codename__in=["can_moderate", *codenames]))
    user.groups.add(group)
    return user


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- 1. search: any text gives results or an empty list; NUL is a 400 naming q -----------------

ODD_SEARCHES = [
    "-" * 33,
    "- " * 40,
    "-" * 40 + "word",
    "-(" * 40,
    "!" * 60,
    '"' * 61,
    "or " * 60,
    "&|!<->():*'" * 15,
    "\\" * 100,
    "x" * 200,
    "a " * 100,
    "\x01\x02\x1f\x7f",
    "\u200b\ufeff",
]


@pytest.mark.parametrize("q", ODD_SEARCHES, ids=range(len(ODD_SEARCHES)))
def test_any_search_text_gives_results_or_an_empty_list_on_the_api(q):
    ArticleFactory(slug="a", title="Word of the day")
    response = APIClient().get("/api/articles/", {"q": q})
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json()["results"], list)


@pytest.mark.parametrize("q", ODD_SEARCHES, ids=range(len(ODD_SEARCHES)))
def test_any_search_text_gives_a_page_on_the_front_category_and_tag_pages(client, q):
    article = ArticleFactory(slug="a", title="Word of the day")
    article.tags.add("plain")
    for url in ("/", f"/category/{article.category.slug}/", "/tag/plain/"):
        response = client.get(url, {"q": q})
        assert response.status_code == 200, (url, response.content[:300])


def test_a_search_still_finds_words_next_to_punctuation(client):
    ArticleFactory(slug="a", title="Wordplay in the newsroom")
    ArticleFactory(slug="b", title="Something else entirely")
    response = APIClient().get("/api/articles/", {"q": "--- wordplay!!! ---"})
    assert [a["slug"] for a in response.json()["results"]] == ["a"]


def test_a_search_excluding_a_word_still_excludes_it():
    ArticleFactory(slug="a", title="Cats and dogs")
    ArticleFactory(slug="b", title="Cats and birds")
    response = APIClient().get("/api/articles/", {"q": "cats -dogs"})
    assert [a["slug"] for a in response.json()["results"]] == ["b"]


@pytest.mark.parametrize("url", ["/", "/tag/plain/"])
def test_a_nul_in_a_page_search_is_a_400_naming_q(client, url):
    response = client.get(url, {"q": "a\x00b"})
    assert response.status_code == 400
    assert "q" in response.content.decode() and "NUL" in response.content.decode()


def test_a_nul_in_the_api_search_is_a_400_naming_q():
    response = APIClient().get("/api/articles/", {"q": "a\x00b"})
    assert response.status_code == 400 and "q" in response.json()


# --- 2. far-future dates, overflowing numbers and NUL in a path: 400 naming the field ----------


@pytest.mark.parametrize(
    "url, name",
    [
        ("/moderation/", "date_to"),
        ("/moderation/queue/poll/", "date_to"),
        ("/api/moderation/queue/", "date_to"),
        ("/moderation/agreement/", "until"),
        ("/api/moderation/agreement/", "until"),
    ],
)
def test_the_last_day_python_knows_is_a_400_naming_the_field(client, url, name):
    moderator = _moderator()
    client.force_login(moderator)
    response = client.get(url, {name: "9999-12-31"})
    assert response.status_code == 400, response.content[:300]
    assert name in response.content.decode()


@pytest.mark.parametrize("url, name", [("/moderation/", "date_from"), ("/moderation/agreement/", "since")])
def test_the_first_day_is_still_accepted(client, url, name):
    client.force_login(_moderator())
    assert client.get(url, {name: "0001-01-01"}).status_code == 200


def test_a_day_before_the_last_is_still_accepted(client):
    client.force_login(_moderator())
    assert client.get("/moderation/", {"date_to": "9999-12-30"}).status_code == 200
    assert client.get("/moderation/agreement/", {"until": "9999-12-30"}).status_code == 200


@pytest.mark.parametrize("url", ["/api/moderation/policy/", "/api/moderation/policy/preview/"])
@pytest.mark.parametrize("number", ["1e400", "-1e400", "1E+999", "1" + "0" * 400, "-" + "9" * 4000])
def test_a_threshold_too_big_for_a_float_is_a_400_naming_the_field(url, number):
    admin = _moderator("admin", "change_policy")
    body = f'{{"thresholds": {{"toxicity": {{"hold": {number}, "reject": 0.9}}}}}}'
    response = _api(admin).post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert "thresholds" in response.json()


def test_a_big_but_finite_number_is_refused_by_the_thresholds_rule_as_before():
    admin = _moderator("admin", "change_policy")
    body = '{"thresholds": {"toxicity": {"hold": 1e300, "reject": 0.9}}}'
    response = _api(admin).post("/api/moderation/policy/preview/", body, content_type="application/json")
    assert response.status_code == 400 and "outside 0..1" in str(response.json()["thresholds"])


def test_a_nul_in_the_author_of_the_standing_page_is_a_400_naming_it(client):
    client.force_login(_moderator())
    response = client.post("/moderation/authors/%00/standing/", {"action": "ban"})
    assert response.status_code == 400
    assert "username" in response.content.decode()


def test_a_nul_in_the_author_of_the_standing_api_is_a_400_naming_it():
    response = _api(_moderator()).post("/api/moderation/authors/a%00b/standing/", {"banned": True}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_a_suspension_until_the_last_day_is_a_400_not_a_500(client):
    UserFactory(username="alice")
    client.force_login(_moderator())
    response = client.post("/moderation/authors/alice/standing/", {"action": "suspend", "until": "9999-12-31"})
    assert response.status_code < 500


# --- 3. undecodable form bytes: 400 on every form, as on the new-comment form ---------------------


BAD_BYTES = [
    b"caf%E9+au+lait",  # Latin-1
    b"%ED%A0%80x",  # a lone surrogate, UTF-8 encoded
    b"%C0%AF",  # overlong "/"
    b"%F8%88%80%80%80",  # a five-byte sequence
]


@pytest.fixture
def own_comment(client):
    author = UserFactory()
    comment = CommentFactory(author=author, text="The original.", status=Comment.Status.PENDING)
    client.force_login(author)
    return comment


@pytest.mark.parametrize("body", BAD_BYTES)
def test_an_edit_with_undecodable_bytes_is_a_400_and_changes_nothing(client, own_comment, body):
    response = client.post(
        f"/comments/{own_comment.pk}/edit/", b"text=" + body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "text" in response.content.decode() and "UTF-8" in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.text == "The original."


@pytest.mark.parametrize("body", BAD_BYTES)
def test_an_appeal_with_undecodable_bytes_is_a_400_and_stores_nothing(client, own_comment, body):
    from moderation.models import Appeal

    Comment.objects.filter(pk=own_comment.pk).update(status=Comment.Status.REJECTED)
    response = client.post(
        f"/comments/{own_comment.pk}/appeal/", b"note=" + body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "note" in response.content.decode() and "UTF-8" in response.content.decode()
    assert not Appeal.objects.exists()


def test_a_valid_utf8_edit_still_goes_through(client, own_comment):
    response = client.post(
        f"/comments/{own_comment.pk}/edit/", "text=caf%C3%A9+au+lait", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 302
    own_comment.refresh_from_db()
    assert own_comment.text == "café au lait"


# --- 6. /readyz tells outsiders the status and what failed, no more ------------------------------


def test_readyz_tells_an_outsider_only_the_status_and_the_failing_checks_names(settings):
    from django.test import Client

    settings.PARLEY_METRICS_TOKEN = "s3cret-token"
    outsider = Client(REMOTE_ADDR="203.0.113.9")
    response = outsider.get("/readyz")
    body = response.json()
    assert set(body) == {"status", "failed"}
    assert "worker" in body["failed"]
    text = response.content.decode()
    assert connection.vendor not in text and "@" not in text and "heartbeat" not in text


def test_readyz_behind_a_proxy_on_loopback_is_an_outsider_too():
    from django.test import Client

    response = Client(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").get("/readyz")
    assert set(response.json()) == {"status", "failed"}


def test_readyz_keeps_the_detail_for_loopback_and_the_metrics_token(settings):
    from django.test import Client

    settings.PARLEY_METRICS_TOKEN = "s3cret-token"
    assert "checks" in Client(REMOTE_ADDR="127.0.0.1").get("/readyz").json()
    with_token = Client(REMOTE_ADDR="203.0.113.9", HTTP_AUTHORIZATION="Bearer s3cret-token").get("/readyz")
    assert with_token.json()["checks"]["database"]["vendor"] == connection.vendor
