"""/metrics: who may scrape it, and what a scrape says after readers and moderators acted.
Parsed with prometheus_client's own parser, as Prometheus would read it. What the worker
records (scoring, automatic decisions) is scraped from real workers in test_two_workers.py;
several gunicorn processes adding up their counts, in test_gunicorn.py."""
from __future__ import annotations

import pytest
from prometheus_client.parser import text_string_to_metric_families

from blog import services as blog_services
from blog.models import Comment, CommentReport
from moderation.queue.decisions import comment_decide
from moderation.queue.undo import comment_undo
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.moderation.queue.helpers import moderator, queued_comment  # noqa: F401


def scrape(client, **extra) -> dict[str, dict[tuple, float]]:
    """metric sample name -> {sorted label items: value}."""
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    samples: dict[str, dict[tuple, float]] = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for s in family.samples:
            samples.setdefault(s.name, {})[tuple(sorted(s.labels.items()))] = s.value
    return samples


def value(samples, name, **labels) -> float:
    return samples.get(name, {}).get(tuple(sorted(labels.items())), 0.0)


def delta(before, after, name, **labels) -> float:
    """How much a sample grew between two scrapes."""
    return value(after, name, **labels) - value(before, name, **labels)


# --- Who may scrape ------------------------------------------------------------------------------

@pytest.fixture
def token(settings):
    settings.PARLEY_METRICS_TOKEN = "s3cret-metrics-token"
    return settings.PARLEY_METRICS_TOKEN


@pytest.mark.django_db
def test_loopback_may_scrape_without_a_token(client):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200


@pytest.mark.django_db
def test_anyone_else_needs_the_bearer_token(client, token):
    outsider = {"REMOTE_ADDR": "203.0.113.7"}
    refused = client.get("/metrics", **outsider)
    assert refused.status_code == 403
    assert b"PARLEY_METRICS_TOKEN" in refused.content
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong", **outsider).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Token {token}", **outsider).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", **outsider).status_code == 200


@pytest.mark.django_db
def test_without_a_configured_token_no_bearer_opens_it(client, settings):
    settings.PARLEY_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7", HTTP_AUTHORIZATION="Bearer ").status_code == 403


@pytest.mark.django_db
def test_a_request_forwarded_by_a_local_proxy_is_not_loopback(client, token):
    # Behind nginx on the same box every request comes from 127.0.0.1; the proxy's header gives it away.
    forwarded = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    assert client.get("/metrics", **forwarded).status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}", **forwarded).status_code == 200


# --- What a scrape says --------------------------------------------------------------------------

@pytest.mark.django_db
def test_scrape_counts_posts_refusals_decisions_and_the_backlog(client, reader_api, moderator, settings):  # noqa: F811
    settings.PARLEY_RATE_LIMITS = {**settings.PARLEY_RATE_LIMITS, "comments_user": "2/min"}
    before = scrape(client)
    article = ArticleFactory()
    # The waiting room as the queue shows it: one held, one failed, one published with an open report.
    held = CommentFactory(article=article, status=Comment.Status.HELD)
    CommentFactory(article=article, status=Comment.Status.FAILED)
    reported = CommentFactory(article=article, status=Comment.Status.PUBLISHED)
    CommentReport.objects.create(comment=reported, reporter=UserFactory(), reason="spam")

    url = f"/api/articles/{article.slug}/comments/"
    answers = []
    for text in ("First.", "Second.", "Third: over the limit."):
        with _run_on_commit():
            answers.append(reader_api.post(url, {"text": text}, format="json").status_code)
    assert answers == [201, 201, 429]
    comment_decide(comment_id=held.pk, moderator=moderator, action="approve", reason="fine")
    comment_decide(comment_id=reported.pk, moderator=moderator, action="escalate", reason="")

    after = scrape(client)

    assert delta(before, after, "parley_comments_posted_total") == 2
    assert delta(before, after, "parley_rate_limit_refusals_total", scope="comments") == 1
    assert delta(before, after, "parley_moderator_decisions_total", action="approve") == 1
    assert delta(before, after, "parley_moderator_decisions_total", action="escalate") == 1
    assert delta(before, after, "parley_comments_decided_total", outcome="published", by="moderator") == 1
    # Backlog gauges are counted from the database at scrape time: exact, whatever process recorded what.
    assert value(after, "parley_backlog_comments", status="unscored") == 2  # the two accepted posts
    assert value(after, "parley_backlog_comments", status="held") == 0  # approved above
    assert value(after, "parley_backlog_comments", status="failed") == 1
    assert value(after, "parley_backlog_comments", status="reported") == 1


@pytest.mark.django_db
def test_scrape_counts_undos_and_appeals(client, moderator):  # noqa: F811
    before = scrape(client)
    author = UserFactory()
    held = queued_comment(text="Hmm.", tox={"insult": 0.7})
    comment_decide(comment_id=held.pk, moderator=moderator, action="approve", reason="")
    comment_undo(comment_id=held.pk, moderator=moderator)  # the card's Undo
    rejected = queued_comment(text="Awful.", tox={"insult": 0.99}, author=author)
    blog_services.comment_appeal(comment=rejected, author=author, note="Please look again.")
    comment_decide(comment_id=rejected.pk, moderator=moderator, action="approve", reason="Fine on a second read.")

    after = scrape(client)

    assert delta(before, after, "parley_moderator_decisions_total", action="undo") == 1
    assert delta(before, after, "parley_appeals_total", event="opened") == 1
    assert delta(before, after, "parley_appeals_total", event="reinstated") == 1
    assert delta(before, after, "parley_appeals_total", event="upheld") == 0


@pytest.mark.django_db
def test_scrape_declares_every_family_with_its_type(client):
    response = client.get("/metrics")
    families = {f.name: f.type for f in text_string_to_metric_families(response.content.decode())}
    assert {
        "parley_comments_posted": "counter",
        "parley_comments_scored": "counter",
        "parley_comments_decided": "counter",
        "parley_moderator_decisions": "counter",
        "parley_appeals": "counter",
        "parley_scoring_seconds": "histogram",
        "parley_scoring_batch_size": "histogram",
        "parley_posted_to_decided_seconds": "histogram",
        "parley_classification_retries": "counter",
        "parley_classification_failures": "counter",
        "parley_rate_limit_refusals": "counter",
        "parley_backlog_comments": "gauge",
        "parley_worker_heartbeat_age_seconds": "gauge",
    }.items() <= families.items()


def _run_on_commit():
    """comment_create counts a post once its transaction commits; the `db` fixture's transaction
    never does, so run the on-commit callbacks as a commit would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)
