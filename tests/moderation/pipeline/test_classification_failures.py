"""When scoring keeps failing, the comment goes in front of a human; it never stays silently pending.

The failing model here is fault injection (it only raises): no test passes on a fake that
pretends to score."""
import pytest

from blog.models import Comment
from moderation.models import Analysis, ModerationEvent, Policy
from moderation.pipeline import scoring, tasks
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


class BrokenModel:
    name, version, labels = "broken", "0", ("toxicity",)

    def __init__(self):
        self.calls = 0

    def score(self, items):
        self.calls += 1
        raise RuntimeError("CUDA out of memory")


@pytest.fixture
def broken_models(monkeypatch, settings):
    settings.PARLEY_CLASSIFY_RETRY_BACKOFF_SECONDS = 0
    settings.PARLEY_CLASSIFY_MAX_RETRIES = 3
    model = BrokenModel()
    monkeypatch.setattr(scoring, "load_models", lambda: scoring.Models(toxicity=model, stance=model))
    return model


def test_model_error_retries_then_lands_in_classification_failed(broken_models):
    comment = CommentFactory(status=Comment.Status.PENDING)

    tasks.classify_comment.apply(args=[comment.pk])

    comment.refresh_from_db()
    assert broken_models.calls == 4  # the first try and three retries
    assert comment.status == Comment.Status.FAILED
    event = ModerationEvent.objects.get(comment=comment)
    assert event.action == "classification_failed" and "CUDA out of memory" in event.reason
    assert not Analysis.objects.filter(comment=comment).exists()


def test_policy_can_publish_unscored_comments_when_classification_fails(broken_models):
    Policy.objects.filter(is_active=True).update(on_failure=Policy.OnFailure.PUBLISH)
    comment = CommentFactory(status=Comment.Status.PENDING)

    tasks.classify_comment.apply(args=[comment.pk])

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_failure_does_not_override_a_human_decision(broken_models):
    comment = CommentFactory(status=Comment.Status.PUBLISHED)
    assert scoring.comment_classification_failed(comment_id=comment.pk, error="x") is False
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


def test_retry_delay_grows_exponentially_with_jitter(settings):
    settings.PARLEY_CLASSIFY_RETRY_BACKOFF_SECONDS = 2
    delays = [tasks.retry_delay(n) for n in range(5)]
    for n, d in enumerate(delays):
        assert 0.5 * 2 * 2**n <= d <= 1.5 * 2 * 2**n
    assert tasks.retry_delay(30) == 300


def test_sweeper_finds_comments_left_unscored(settings):
    old = CommentFactory(status=Comment.Status.PENDING)
    Comment.objects.filter(pk=old.pk).update(created_at=old.created_at - __import__("datetime").timedelta(minutes=5))
    CommentFactory(status=Comment.Status.PENDING)  # fresh: its own task is probably still queued
    CommentFactory(status=Comment.Status.PUBLISHED)
    assert scoring.unscored_comment_ids(older_than_seconds=60) == [old.pk]


@pytest.mark.django_db
def test_messages_queued_under_the_old_task_names_still_run():
    from config.celery import app

    app.loader.import_default_modules()  # what a worker does at start: autodiscovery is lazy until then
    # Messages already in the broker at an upgrade carry the names from before the rename.
    for old, new in [("moderation.tasks.classify_comment", "moderation.pipeline.classify_comment"),
                     ("moderation.tasks.sweep_unscored_comments", "moderation.pipeline.sweep_unscored_comments"),
                     ("moderation.tasks.rerank_waiting_comments", "moderation.pipeline.rerank_waiting_comments"),
                     ("moderation.tasks.adapt_to_site", "moderation.adaptation.adapt_to_site")]:
        assert old in app.tasks and new in app.tasks
    assert app.tasks["moderation.tasks.sweep_unscored_comments"].apply().get() == 0
    assert app.tasks["moderation.tasks.adapt_to_site"].apply().get() is None  # switched off by default
    # Beat sends the new names.
    from django.conf import settings

    assert {e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()} <= set(app.tasks)
    assert not any(e["task"].startswith("moderation.tasks.") for e in settings.CELERY_BEAT_SCHEDULE.values())
