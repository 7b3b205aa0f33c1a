"""Comments as the worker leaves them, for the review-queue tests: scored (an Analysis), decided
by the real policy rule (moderation.rules.decide, so the audit entry's reason is the rule in
words) and ranked by the real ranking service. Import the fixtures into a test module by name.
"""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from blog.models import Comment
from ml.classifiers.base import TOXICITY_LABELS
from moderation.models import Analysis, ModerationEvent, Policy
from moderation.pipeline.scoring import comment_analysis_copy
from moderation.queue.services import queue_rerank
from moderation.rules import decide
from tests.factories import CommentFactory, UserFactory

AUTO = {
    "published": ModerationEvent.Action.AUTO_PUBLISH,
    "held": ModerationEvent.Action.AUTO_HOLD,
    "rejected": ModerationEvent.Action.AUTO_REJECT,
}


def _group(name: str, *codenames: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(Permission.objects.filter(content_type__app_label="moderation", codename__in=codenames))
    return group


@pytest.fixture
def moderator(db):
    user = UserFactory(username="mod")
    user.groups.add(_group("moderators", "can_moderate"))
    return user


@pytest.fixture
def second_moderator(db):
    user = UserFactory(username="mod2")
    user.groups.add(_group("moderators", "can_moderate"))
    return user


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def scores(**values: float) -> dict[str, float]:
    """Every toxicity label at 0.01 unless given."""
    return {label: values.get(label, 0.01) for label in TOXICITY_LABELS}


def queued_comment(
    *,
    text: str = "A comment.",
    tox: dict[str, float] | None = None,
    status: str | None = None,
    stance: str = "neutral",
    parent_stance: str = "",
    rerank: bool = True,
    queued_at=None,
    **fields,
) -> Comment:
    """A scored comment, decided by the active policy (or given ``status``), with its automatic
    audit entry; status "failed" gives an unscored comment whose classification failed."""
    policy = Policy.objects.get(is_active=True)
    s = scores(**(tox or {}))
    verdict = decide(s, policy.thresholds)
    status = status or verdict.status
    comment = CommentFactory(text=text, status=status, **fields)
    if status == Comment.Status.FAILED:
        action, reason, s = ModerationEvent.Action.CLASSIFICATION_FAILED, "classification failed after retries: boom", None
    else:
        analysis = Analysis.objects.create(
            comment=comment,
            scores=s,
            toxicity_model="detoxify:original",
            toxicity_model_version="0.5.2",
            stance_article={k: (0.8 if k == stance else 0.1) for k in ("favor", "against", "neutral")},
            stance_article_label=stance,
            stance_parent={k: (0.8 if k == parent_stance else 0.1) for k in ("favor", "against", "neutral")} if parent_stance else None,
            stance_parent_label=parent_stance,
            stance_model="nli-stance",
            stance_model_version="2",
            toxicity_ms=1.0,
            stance_ms=1.0,
        )
        comment_analysis_copy(comment, analysis)  # as the worker does
        action, reason = AUTO.get(status, ModerationEvent.Action.AUTO_HOLD), verdict.reason
    ModerationEvent.objects.create(
        comment=comment, actor=None, action=action, reason=reason, previous_status="pending",
        new_status=status, scores=s, policy=policy,
        # The automatic decision is when it entered the queue: as a live comment is scored at once,
        # at its creation unless the test says otherwise (an imported old comment: ``queued_at``).
        created_at=queued_at or comment.created_at,
    )
    if rerank:
        queue_rerank(comment_ids=[comment.pk])
        comment.refresh_from_db()
    return comment
