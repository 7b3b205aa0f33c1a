"""The classification message a reader's POST publishes (moderation.pipeline.tasks.classification_publish)
is the one Celery's apply_async would send: read back from the real Redis, field by field. A Celery
or kombu upgrade that changes what apply_async sends fails here, not in production."""
from __future__ import annotations

import json
import uuid

import pytest
import redis

from config.celery import app as celery_app
from moderation.pipeline import tasks

# Fresh for each message: the task id (and the correlation id and root id that repeat it) and kombu's delivery tag.
PER_MESSAGE = {"id", "root_id", "correlation_id", "delivery_tag"}


@pytest.fixture
def own_queue():
    """A queue no worker consumes, so the messages stay to be read."""
    name, before = f"test-publish-{uuid.uuid4().hex[:8]}", celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = name
    client = redis.Redis.from_url(celery_app.conf.broker_url)
    try:
        yield name, client
    finally:
        celery_app.conf.task_default_queue = before
        client.delete(name)


def _without_per_message(message: dict) -> dict:
    headers = {k: v for k, v in message["headers"].items() if k not in PER_MESSAGE}
    properties = {k: v for k, v in message["properties"].items() if k not in PER_MESSAGE}
    return {**message, "headers": headers, "properties": properties}


def _read(client, queue: str) -> list[dict]:
    return [json.loads(raw) for raw in reversed(client.lrange(queue, 0, -1))]  # LPUSH: newest first


def test_the_published_message_is_the_one_apply_async_sends(own_queue):
    queue, client = own_queue
    tasks.classify_comment.apply_async(args=[4242], retry=False)
    tasks.classification_publish(comment_id=4242)

    by_celery, ours = _read(client, queue)
    assert _without_per_message(ours) == _without_per_message(by_celery)
    assert ours["headers"]["task"] == "moderation.pipeline.classify_comment"
    assert ours["headers"]["argsrepr"] == "[4242]"
    assert ours["headers"]["id"] != by_celery["headers"]["id"]
    assert ours["properties"]["delivery_info"]["routing_key"] == queue
    # The body is the same too: the comment id as the task's one argument.
    assert ours["body"] == by_celery["body"]


def test_enqueue_publishes_one_message_per_comment(own_queue):
    queue, client = own_queue
    assert tasks.enqueue_classification(7) is True
    assert tasks.enqueue_classification(8) is True

    messages = _read(client, queue)
    assert [m["headers"]["argsrepr"] for m in messages] == ["[7]", "[8]"]
    assert len({m["headers"]["id"] for m in messages}) == 2
