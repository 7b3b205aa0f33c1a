"""Users and scored comments for the policy, insights and policy-API tests.

Comments are built the way the worker leaves them (a Comment, its Analysis, an automatic
ModerationEvent), without running the worker. Import the fixtures into a test module by name.
"""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Comment
from moderation.models import Analysis, ModerationEvent, Policy
from moderation.pipeline.scoring import comment_analysis_copy
from tests.factories import CommentFactory, UserFactory
from tests.moderation.queue.helpers import AUTO, _group, moderator, scores  # noqa: F401 - shared fixtures


@pytest.fixture
def policy_admin(db):
    """An admin: may change the policy, and moderates too."""
    user = UserFactory(username="admin")
    user.groups.add(_group("policy admins", "change_policy", "can_moderate"))
    return user


def scored_comment(
    *,
    text: str = "A comment.",
    status: str = "published",
    tox: dict[str, float] | None = None,
    stance: str = "neutral",
    article=None,
    created_at=None,
    policy: Policy | None = None,
    **comment_fields,
) -> Comment:
    """A comment as the worker leaves it: scored, with its automatic decision in the audit log."""
    kwargs = {"text": text, "status": status, **comment_fields}
    if article is not None:
        kwargs["article"] = article
    if created_at is not None:
        kwargs["created_at"] = created_at
    comment = CommentFactory(**kwargs)
    s = tox if tox is not None else scores()
    analysis = Analysis.objects.create(
        comment=comment,
        scores=s,
        toxicity_model="test",
        toxicity_model_version="1",
        stance_article={k: (0.8 if k == stance else 0.1) for k in ("favor", "against", "neutral")},
        stance_article_label=stance,
        stance_model="test",
        stance_model_version="1",
        toxicity_ms=1.0,
        stance_ms=1.0,
    )
    comment_analysis_copy(comment, analysis)  # as the worker does
    if status in AUTO:
        event(comment, AUTO[status], new_status=status, policy=policy or Policy.objects.get(is_active=True))
    return comment


def event(comment: Comment, action: str, *, actor=None, new_status=None, at=None, policy=None, previous="pending"):
    return ModerationEvent.objects.create(
        comment=comment,
        actor=actor,
        action=action,
        previous_status=previous,
        new_status=new_status or comment.status,
        scores=None,
        policy=policy,
        created_at=at or timezone.now(),
    )


def human(comment: Comment, action: str, actor, *, minutes_ago: int = 0) -> ModerationEvent:
    """A moderator's decision, with the status change it makes."""
    new_status = {"approve": "published", "reject": "rejected"}.get(action, comment.status)
    previous = comment.status
    if new_status != comment.status:
        Comment.objects.filter(pk=comment.pk).update(status=new_status)
        comment.status = new_status
    return event(
        comment,
        action,
        actor=actor,
        new_status=new_status,
        previous=previous,
        at=timezone.now() - timedelta(minutes=minutes_ago),
    )
