"""Re-applying the active policy to automatic holds (comments the worker held that no human has
touched): the dry run an admin reads before confirming, and the pieces the real run
(moderation.policy.services.held_reapply) shares with it, so both decide alike."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet

from blog.models import Comment
from moderation import rules
from moderation.models import ModerationEvent
from moderation.policy.selectors import redecide, standings_premoderated
from moderation.rules import policy_active


def reapply_candidates() -> QuerySet[Comment]:
    """Automatic pending comments: held by the worker (so scored), not escalated, and with no
    moderation event by a human of any kind (approve, reject, escalate). Comments whose
    classification failed are not included (there are no scores to decide on), nor are
    published or rejected ones (those decisions are final and visible)."""
    touched_by_human = ModerationEvent.objects.filter(comment_id=OuterRef("pk"), actor__isnull=False)
    return Comment.objects.filter(status=Comment.Status.HELD, analysis__isnull=False, escalated=False).exclude(
        Exists(touched_by_human)
    )


@dataclass(frozen=True)
class ReapplyItem:
    comment_id: int
    article_id: int
    excerpt: str
    reason: str  # the rule that would publish or reject it, in words


@dataclass(frozen=True)
class ReapplyPlan:
    """Re-applying the active policy to automatic holds: what it would do (``applied`` False, the
    dry run) or what it did. ``publishes`` lists the comments it publishes, so an admin sees them
    before confirming."""

    policy_version: int
    candidates: int  # automatic holds re-decided
    published: int
    rejected: int
    stay_held: int
    applied: bool = False
    publishes: tuple[ReapplyItem, ...] = ()


REAPPLY_LIST_LIMIT = 100


def reapply_verdicts(policy, comments) -> list[tuple[Comment, rules.Verdict]]:
    """The worker's rule on each automatic hold (``comments`` with their analysis and article
    joined): one function for the dry run and the real run."""
    premoderated = standings_premoderated(c.author_id for c in comments)
    return [
        (c, redecide(policy, scores=c.analysis.scores, article_premoderated=c.article.premoderate_comments,
                     author_premoderated=c.author_id in premoderated, language=c.analysis.language,
                     model_name=c.analysis.toxicity_model, findings=c.analysis.findings))
        for c in comments
    ]


def reapply_summary(policy, verdicts, *, applied: bool) -> ReapplyPlan:
    outcome = Counter(v.status for _, v in verdicts)
    publishes = tuple(ReapplyItem(c.pk, c.article_id, c.text[:160], v.reason)
                      for c, v in verdicts if v.status == rules.PUBLISH)[:REAPPLY_LIST_LIMIT]
    return ReapplyPlan(policy_version=policy.version, candidates=len(verdicts), published=outcome[rules.PUBLISH],
                       rejected=outcome[rules.REJECT], stay_held=outcome[rules.HOLD], applied=applied,
                       publishes=publishes)


def held_reapply_plan() -> ReapplyPlan:
    """The dry run: what re-applying the active policy to automatic holds would do. Nothing is
    written."""
    policy = policy_active()
    comments = list(reapply_candidates().select_related("analysis", "article").order_by("id"))
    return reapply_summary(policy, reapply_verdicts(policy, comments), applied=False)
