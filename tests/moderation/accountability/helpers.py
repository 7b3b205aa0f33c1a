"""Comments decided as the worker decides them: scored (an Analysis with the marked phrase),
decided by the real rule (moderation.rules.decide) and written by the real status write
(moderation.lifecycle, the one writer of a comment's status), which records the statement of reasons."""
from __future__ import annotations

import pytest
from django.test import Client

from blog.models import Comment
from moderation import lifecycle, rules
from moderation.models import Analysis, Policy
from tests.factories import CommentFactory, UserFactory
from tests.moderation.queue.helpers import _group, moderator, scores  # noqa: F401 - moderator is a fixture


@pytest.fixture
def site_admin(db):
    user = UserFactory(username="siteadmin")
    user.groups.add(_group("admins", "can_moderate", "change_policy"))
    return user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def worker_decided(*, text: str = "You will regret this, I will find you.", tox: dict | None = None, author=None,
                   phrase: str = "I will find you", label: str = "threat", **fields) -> Comment:
    """A pending comment scored and decided through the worker's own status write."""
    policy = Policy.objects.get(is_active=True)
    s = scores(**(tox or {"threat": 0.5}))
    verdict = rules.decide(s, policy.thresholds)
    kwargs = {"author": author} if author is not None else {}
    comment = CommentFactory(text=text, status=Comment.Status.PENDING, **kwargs, **fields)
    start = text.find(phrase)
    Analysis.objects.create(
        comment=comment, scores=s, toxicity_model="parley-minilm", toxicity_model_version="3",
        stance_article={"favor": 0.1, "against": 0.1, "neutral": 0.8}, stance_article_label="neutral",
        stance_model="nli-stance", stance_model_version="2", toxicity_ms=1.0, stance_ms=1.0, language="en",
        explanation={"label": label, "score": s[label], "phrase": phrase, "start": start, "end": start + len(phrase)}
        if verdict.status != rules.PUBLISH and start >= 0 else {},
    )
    lifecycle.comment_worker_decided(comment=comment, verdict=verdict, scores=s, policy=policy)
    comment.refresh_from_db()
    return comment
