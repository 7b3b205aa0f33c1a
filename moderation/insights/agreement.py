"""Model–moderator agreement: over the moderators' verdicts (each comment's latest approve or
reject, not undone), how often the automatic outcome agreed, per label, per week and per model
version, with precision and recall of "held" (held or rejected automatically) against "a
moderator rejected it", and the comments where the two disagreed most. How a site notices a
model that drifts, or a version that got worse. Three queries, then plain Python (and
scikit-learn's metrics).

Only comments a moderator saw are judged: mostly held ones, plus published ones that readers
reported. So recall here is "of the rejected comments moderators saw, how many the model had
held"; a missed comment nobody reported is invisible to it, as to everyone.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sklearn.metrics import precision_score, recall_score

from ml.classifiers.base import TOXICITY_LABELS
from moderation import rules
from moderation.models import Analysis, ModerationEvent, Policy

# The most recent verdicts read (a page's cost stays bounded on a busy site).
MAX_VERDICTS = 20000
WORST_LIMIT = 20
EXCERPT_CHARS = 200

_AUTO_STATUS = {action: status for status, action in rules.AUTO_ACTION.items()}
_VERDICT_ACTIONS = (*rules.HUMAN_DECISIONS, ModerationEvent.Action.UNDO)


@dataclass(frozen=True)
class Judged:
    """One comment a moderator ruled on, with what the model had done with it."""

    comment_id: int
    excerpt: str
    decided_at: datetime
    moderator_rejected: bool
    auto_status: str  # published / held / rejected
    scores: dict
    thresholds: dict  # of the policy the automatic decision was made under
    model: str  # "name version"

    @property
    def model_flagged(self) -> bool:
        return self.auto_status in (rules.HOLD, rules.REJECT)

    @property
    def agreed(self) -> bool:
        return self.model_flagged == self.moderator_rejected

    @property
    def top_score(self) -> float:
        return max((float(v) for v in self.scores.values()), default=0.0)

    @property
    def disagreement(self) -> float:
        """How confidently the model was wrong: the top score of a comment it held that a moderator
        approved, one minus it for one it published that a moderator rejected; 0 when they agreed."""
        if self.agreed:
            return 0.0
        return self.top_score if self.model_flagged else 1.0 - self.top_score

    def label_flagged(self, label: str) -> bool:
        cut = self.thresholds.get(label)
        return cut is not None and label in self.scores and float(self.scores[label]) >= cut["hold"]


@dataclass(frozen=True)
class Agreement:
    """Figures for one group of verdicts (a label, a week, a model version, or all)."""

    key: str
    n: int
    agreed: int
    moderator_rejected: int
    model_flagged: int
    precision: float | None  # of the comments the model held, the share moderators rejected
    recall: float | None  # of the comments moderators rejected, the share the model held

    @property
    def agreement(self) -> float | None:
        return self.agreed / self.n if self.n else None


@dataclass(frozen=True)
class AgreementReport:
    since: date | None
    until: date | None
    model: str
    overall: Agreement
    per_label: list[Agreement]
    per_week: list[Agreement]  # key: the Monday of the ISO week (YYYY-MM-DD), oldest first
    per_model: list[Agreement]
    worst: list[Judged] = field(default_factory=list)
    models: list[str] = field(default_factory=list)  # every model version seen, for the filter


def _metric(fn, truth: list[bool], predicted: list[bool]) -> float | None:
    if not truth:
        return None
    value = fn(truth, predicted, zero_division=math.nan)
    return None if math.isnan(value) else float(value)


def agreement_of(key: str, truth: list[bool], predicted: list[bool]) -> Agreement:
    return Agreement(
        key=key,
        n=len(truth),
        agreed=sum(t == p for t, p in zip(truth, predicted)),
        moderator_rejected=sum(truth),
        model_flagged=sum(predicted),
        precision=_metric(precision_score, truth, predicted),
        recall=_metric(recall_score, truth, predicted),
    )


def judged_comments(*, since: datetime | None = None, until: datetime | None = None,
                    limit: int = MAX_VERDICTS) -> list[Judged]:
    """Comments with a standing moderator verdict decided in [since, until), newest first: each
    comment's latest approve or reject (one later undone does not count), beside its first
    automatic outcome and the scores behind it. Three queries."""
    events = ModerationEvent.objects.filter(actor__isnull=False, action__in=_VERDICT_ACTIONS)
    if since:
        events = events.filter(created_at__gte=since)
    if until:
        events = events.filter(created_at__lt=until)
    verdicts: dict[int, tuple[str, datetime]] = {}
    seen: set[int] = set()
    rows = events.order_by("-id").values_list("comment_id", "action", "created_at", "reverses__action")[: limit * 2]
    for comment_id, action, at, reversed_action in rows:
        if comment_id in seen or (action == ModerationEvent.Action.UNDO and reversed_action not in rules.HUMAN_DECISIONS):
            continue  # undoing an escalation leaves the verdict before it standing
        seen.add(comment_id)
        if action != ModerationEvent.Action.UNDO:
            verdicts[comment_id] = (action, at)
        if len(verdicts) >= limit:
            break
    autos: dict[int, tuple[str, int | None]] = {}
    for comment_id, action, policy_id in (
        ModerationEvent.objects.filter(comment_id__in=verdicts, actor__isnull=True, action__in=list(_AUTO_STATUS))
        .order_by("-id").values_list("comment_id", "action", "policy_id")
    ):
        autos[comment_id] = (_AUTO_STATUS[action], policy_id)  # descending: the first one wins
    policies = dict(Policy.objects.filter(pk__in={p for _, p in autos.values() if p}).values_list("pk", "thresholds"))
    active = Policy.objects.filter(is_active=True).values_list("thresholds", flat=True).first() or {}
    judged = []
    for comment_id, scores, name, version, text in (
        Analysis.objects.filter(comment_id__in=autos)
        .values_list("comment_id", "scores", "toxicity_model", "toxicity_model_version", "comment__text")
    ):
        action, at = verdicts[comment_id]
        auto_status, policy_id = autos[comment_id]
        judged.append(Judged(
            comment_id=comment_id, excerpt=text[:EXCERPT_CHARS], decided_at=at,
            moderator_rejected=action == ModerationEvent.Action.REJECT, auto_status=auto_status,
            scores=scores, thresholds=policies.get(policy_id, active), model=f"{name} {version}".strip(),
        ))
    judged.sort(key=lambda j: (j.decided_at, j.comment_id), reverse=True)
    return judged


def _week(moment: datetime) -> str:
    monday = moment.date() - timedelta(days=moment.weekday())
    return monday.isoformat()


def _grouped(judged: list[Judged], key) -> list[Agreement]:
    groups: dict[str, list[Judged]] = {}
    for j in judged:
        groups.setdefault(key(j), []).append(j)
    return [agreement_of(k, [j.moderator_rejected for j in js], [j.model_flagged for j in js])
            for k, js in sorted(groups.items())]


def agreement_report(*, since: date | None = None, until: date | None = None, model: str = "",
                     worst_limit: int = WORST_LIMIT) -> AgreementReport:
    """The agreement page and API. ``since``/``until``: decision days (UTC, until inclusive);
    ``model``: only comments scored by this model version ("name version")."""
    start = datetime.combine(since, datetime.min.time()).replace(tzinfo=UTC) if since else None
    end = datetime.combine(until + timedelta(days=1), datetime.min.time()).replace(tzinfo=UTC) if until else None
    everything = judged_comments(since=start, until=end)
    models = sorted({j.model for j in everything})
    judged = [j for j in everything if not model or j.model == model]
    truth = [j.moderator_rejected for j in judged]
    per_label = [agreement_of(label, truth, [j.label_flagged(label) for j in judged]) for label in TOXICITY_LABELS]
    worst = sorted((j for j in judged if not j.agreed), key=lambda j: (-j.disagreement, -j.comment_id))[:worst_limit]
    return AgreementReport(
        since=since, until=until, model=model,
        overall=agreement_of("all", truth, [j.model_flagged for j in judged]),
        per_label=per_label,
        per_week=_grouped(judged, lambda j: _week(j.decided_at)),
        per_model=_grouped(judged, lambda j: j.model),
        worst=worst,
        models=models,
    )

