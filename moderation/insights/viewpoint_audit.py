"""The viewpoint audit: hold and reject rates by stance toward the article within toxicity bins,
for automatic and for moderators' decisions, so an admin can check that disagreeing comments are
not held more than agreeing ones at the same toxicity. A fixed number of queries.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from ml.classifiers.base import STANCE_LABELS, TOXICITY_LABELS
from moderation import rules
from moderation.models import ModerationEvent

AUDIT_BINS = 5  # 0-0.2, 0.2-0.4, ... 0.8-1.0 (the last includes 1.0)

AUDIT_WINDOW = timedelta(days=90)

AUDIT_MAX_LABEL = "max"  # bin by the highest label score instead of one label

AUTOMATIC = (
    ModerationEvent.Action.AUTO_PUBLISH,
    ModerationEvent.Action.AUTO_HOLD,
    ModerationEvent.Action.AUTO_REJECT,
)

_OUTCOME = {
    ModerationEvent.Action.AUTO_PUBLISH: "published",
    ModerationEvent.Action.AUTO_HOLD: "held",
    ModerationEvent.Action.AUTO_REJECT: "rejected",
    ModerationEvent.Action.APPROVE: "published",
    ModerationEvent.Action.REJECT: "rejected",
}


@dataclass(frozen=True)
class AuditCell:
    stance: str
    total: int
    published: int
    held: int
    rejected: int

    @property
    def hold_rate(self) -> float | None:
        return self.held / self.total if self.total else None

    @property
    def reject_rate(self) -> float | None:
        return self.rejected / self.total if self.total else None

    @property
    def flag_rate(self) -> float | None:
        """Held or rejected: not published (for moderators' decisions, the reject rate)."""
        return (self.held + self.rejected) / self.total if self.total else None


@dataclass(frozen=True)
class AuditBin:
    low: float
    high: float
    cells: list[AuditCell]  # one per stance, in STANCE_LABELS order

    @property
    def label(self) -> str:
        return f"{self.low:.1f}–{self.high:.1f}"

    def cell(self, stance: str) -> AuditCell:
        return next(c for c in self.cells if c.stance == stance)

    @property
    def gap(self) -> float | None:
        """Flag rate of comments against the article minus that of comments for it, in this
        bin: positive means disagreement is held or rejected more often at the same score."""
        against, favor = self.cell("against").flag_rate, self.cell("favor").flag_rate
        return against - favor if against is not None and favor is not None else None

    @property
    def gap_points(self) -> float | None:
        return None if self.gap is None else round(self.gap * 100, 1)


@dataclass(frozen=True)
class StanceCoverage:
    """Of the comments a table could count, how many the stance model labelled confidently; the
    rest are "stance unclear" (ml.classifiers.base.stance_label) and not in the table."""
    shown: int
    total: int

    @property
    def share(self) -> float | None:
        return self.shown / self.total if self.total else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


@dataclass(frozen=True)
class ViewpointAudit:
    label: str  # the toxicity label binned on, or "max"
    since: object  # datetime
    automatic: list[AuditBin]
    human: list[AuditBin]
    automatic_coverage: StanceCoverage
    human_coverage: StanceCoverage


def _audit_score(scores: dict, label: str) -> float | None:
    if label == AUDIT_MAX_LABEL:
        values = [float(v) for k, v in scores.items() if k in TOXICITY_LABELS]
        return max(values) if values else None
    return float(scores[label]) if label in scores else None


def _audit_bin(score: float) -> int:
    # The epsilon keeps a score exactly on an edge in the bin it starts (floating point).
    return min(AUDIT_BINS - 1, max(0, int(score * AUDIT_BINS + 1e-9)))


def viewpoint_audit(*, label: str = "toxicity", since=None) -> ViewpointAudit:
    """Hold and reject rates by stance toward the article (the stance model's top label) within
    bins of one toxicity label's score (or the highest label score, label="max").

    The unit is a comment: its latest automatic decision counts in `automatic` and its latest
    moderator decision (approve counts as published, reject as rejected) in `human`; decisions
    since `since` (default: the last 90 days). Comments without scores (classification failed)
    have no stance and are left out, and so are comments whose stance is "unclear" (the model is
    not confident enough to be right 80 % of the time): their share is the table's coverage.
    One query.
    """
    if label != AUDIT_MAX_LABEL and label not in TOXICITY_LABELS:
        raise ValueError(f"unknown label {label!r}")
    since = since or timezone.now() - AUDIT_WINDOW
    tallies, counted = _audit_tally(latest=_audit_latest_decisions(since=since), label=label)
    return ViewpointAudit(label=label, since=since, automatic=_audit_table(tallies[False]), human=_audit_table(tallies[True]),
                          automatic_coverage=StanceCoverage(*counted[False]),
                          human_coverage=StanceCoverage(*counted[True]))


def _audit_latest_decisions(*, since) -> dict[tuple[int, bool], tuple[str, dict, str]]:
    """(comment id, by a moderator?) -> the latest such decision's action, the comment's scores
    and its stance; one query."""
    events = (
        ModerationEvent.objects.filter(
            created_at__gte=since, action__in=(*AUTOMATIC, *rules.HUMAN_DECISIONS), comment__analysis__isnull=False
        )
        .order_by("comment_id", "created_at", "id")
        .values_list(
            "comment_id",
            "action",
            "actor_id",
            F("comment__analysis__scores"),
            F("comment__analysis__stance_article_label"),
        )
    )
    latest: dict[tuple[int, bool], tuple[str, dict, str]] = {}
    for comment_id, action, actor_id, scores, stance in events:
        human = action in rules.HUMAN_DECISIONS and actor_id is not None
        if action in rules.HUMAN_DECISIONS and not human:
            continue  # approve/reject without a person: not a moderator's decision
        latest[(comment_id, human)] = (action, scores, stance)
    return latest


def _audit_tally(*, latest: dict, label: str) -> tuple[dict, dict]:
    """Outcome counts per kind (automatic False, moderator True), bin and stance, and per kind
    [comments with a clear stance, comments with a score]."""
    tallies = {
        kind: [{s: {"published": 0, "held": 0, "rejected": 0} for s in STANCE_LABELS} for _ in range(AUDIT_BINS)]
        for kind in (False, True)
    }
    counted = {False: [0, 0], True: [0, 0]}  # kind -> [stance shown, comments with a score]
    for (_, human), (action, scores, stance) in latest.items():
        score = _audit_score(scores, label)
        if score is None:
            continue
        counted[human][1] += 1
        if stance not in STANCE_LABELS:
            continue
        counted[human][0] += 1
        tallies[human][_audit_bin(score)][stance][_OUTCOME[action]] += 1
    return tallies, counted


def _audit_table(bins: list[dict]) -> list[AuditBin]:
    return [
        AuditBin(
            low=i / AUDIT_BINS,
            high=(i + 1) / AUDIT_BINS,
            cells=[AuditCell(stance=s, total=sum(t[s].values()), **t[s]) for s in STANCE_LABELS],
        )
        for i, t in enumerate(bins)
    ]
