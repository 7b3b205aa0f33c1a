"""Read-only views across many comments, for moderators and admins:

* ``discussions_ranked``: which articles need a moderator now, and why (one column per reason,
  combined by ``need_score``).
* ``viewpoint_audit``: hold and reject rates by stance toward the article within toxicity bins,
  for automatic and for moderators' decisions, so an admin can check that disagreeing comments
  are not held more than agreeing ones at the same toxicity.

Both aggregate in a fixed number of queries, whatever the number of articles.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Max, Q
from django.utils import timezone

from blog.models import Article, Comment, CommentReport

from ml.classifiers.base import STANCE_LABELS, TOXICITY_LABELS
from .models import ModerationEvent

# --- discussions -------------------------------------------------------------------------------

RECENT = timedelta(hours=24)  # "recent" comments: velocity (24 h) and highest toxicity
POLARIZATION_WINDOW = timedelta(days=7)  # stance shares are taken over the last week's comments
POLARIZATION_FULL_VOLUME = 20  # stance-taking comments at which polarization counts in full

# Weights of need_score, in "held comments' worth" (see its docstring).
W_HELD = 1.0
W_REPORT = 1.5
W_TOXICITY = 5.0
W_PER_HOUR = 0.5
W_PER_DAY = 0.05
W_POLARIZATION = 3.0

WAITING = (Comment.Status.HELD, Comment.Status.FAILED)


def polarization(*, favor: int, against: int) -> float:
    """How evenly the stance-taking comments split: 1 - |favor - against| / (favor + against),
    so 0 when everyone is on one side, 1 at an even split; 0 when nobody takes a side."""
    total = favor + against
    return 1 - abs(favor - against) / total if total else 0.0


def need_score(
    *, held: int, open_reports: int, max_toxicity: float, comments_1h: int, comments_24h: int, favor: int, against: int
) -> float:
    """How much an article's discussion needs a moderator now; higher first.

        need = 1.0 × held                (held or classification-failed comments waiting)
             + 1.5 × open_reports        (readers' reports nobody has ruled on)
             + 5.0 × max_toxicity        (highest label score among the last 24 h's comments, 0..1)
             + 0.5 × comments_1h + 0.05 × comments_24h      (velocity)
             + 3.0 × polarization × min(1, (favor + against) / 20)

    Units are "held comments' worth": an open report counts a bit more than a held comment (a
    reader saw it published), a comment at toxicity 1.0 as much as five held ones, a heated thread
    (evenly split between favor and against, 20+ stance-taking comments in the last week) as
    three, and an hour with 10 new comments as five. Polarization is weighted by volume so two
    comments that disagree do not look like a flame war.
    """
    volume = min(1.0, (favor + against) / POLARIZATION_FULL_VOLUME)
    return (
        W_HELD * held
        + W_REPORT * open_reports
        + W_TOXICITY * max_toxicity
        + W_PER_HOUR * comments_1h
        + W_PER_DAY * comments_24h
        + W_POLARIZATION * polarization(favor=favor, against=against) * volume
    )


@dataclass(frozen=True)
class DiscussionRow:
    article_id: int
    title: str
    slug: str
    premoderated: bool
    held: int
    open_reports: int
    max_toxicity: float  # 0 when no scored comment in the last 24 h
    comments_1h: int
    comments_24h: int
    favor: int
    against: int
    polarization: float
    need: float


def discussions_ranked(*, limit: int = 50, now=None) -> list[DiscussionRow]:
    """Articles that have anything for a moderator (a held comment, an open report, or a comment
    in the polarization window), ranked by need_score. Four queries in all, none of which joins
    the analyses: the stance and the highest label score are read from the comment row
    (Comment.stance_label, Comment.max_toxicity, copied there when it is scored).

    Waiting comments and the last week's are counted separately: together ("held OR recent")
    the planner can use neither index and reads every comment; apart, each is an index-only
    scan: of (status, article), and of a range of (created_at, article, stance, max_toxicity)."""
    now = now or timezone.now()
    hour_ago, day_ago, week_ago = now - timedelta(hours=1), now - RECENT, now - POLARIZATION_WINDOW

    waiting = dict(
        Comment.objects.filter(status__in=WAITING)
        .values("article_id")
        .annotate(n=Count("article_id"))  # not COUNT(id): id is not in the index
        .order_by()
        .values_list("article_id", "n")
    )
    recent = (
        Comment.objects.filter(created_at__gte=week_ago)
        .values("article_id")
        .annotate(
            comments_1h=Count("article_id", filter=Q(created_at__gte=hour_ago)),
            comments_24h=Count("article_id", filter=Q(created_at__gte=day_ago)),
            favor=Count("article_id", filter=Q(stance_label="favor")),
            against=Count("article_id", filter=Q(stance_label="against")),
            max_toxicity=Max("max_toxicity", filter=Q(created_at__gte=day_ago)),
        )
        .order_by()
    )
    stats = {row["article_id"]: row for row in recent}
    reports = dict(  # index-only: the partial index of open reports by article
        CommentReport.objects.filter(upheld__isnull=True)
        .values("article_id")
        .annotate(n=Count("article_id"))
        .order_by()
        .values_list("article_id", "n")
    )
    empty = {"comments_1h": 0, "comments_24h": 0, "favor": 0, "against": 0, "max_toxicity": None}
    ranked = []
    for article_id in set(waiting) | set(stats) | set(reports):
        s = stats.get(article_id, empty)
        figures = {
            "held": waiting.get(article_id, 0),
            "open_reports": reports.get(article_id, 0),
            "max_toxicity": float(s["max_toxicity"] or 0.0),
            "comments_1h": s["comments_1h"],
            "comments_24h": s["comments_24h"],
            "favor": s["favor"],
            "against": s["against"],
        }
        ranked.append((-need_score(**figures), -figures["held"], -article_id, figures))
    ranked.sort(key=lambda r: r[:3])
    top = ranked[:limit]
    # Titles only for the rows shown, not for every article with activity.
    articles = {
        a[0]: a
        for a in Article.objects.filter(pk__in=[-r[2] for r in top]).values_list("id", "title", "slug", "premoderate_comments")
    }
    rows = []
    for minus_need, _, minus_id, figures in top:
        _, title, slug, premoderated = articles[-minus_id]
        rows.append(
            DiscussionRow(
                article_id=-minus_id,
                title=title,
                slug=slug,
                premoderated=premoderated,
                polarization=polarization(favor=figures["favor"], against=figures["against"]),
                need=-minus_need,
                **figures,
            )
        )
    return rows


# --- viewpoint audit ---------------------------------------------------------------------------

AUDIT_BINS = 5  # 0-0.2, 0.2-0.4, ... 0.8-1.0 (the last includes 1.0)
AUDIT_WINDOW = timedelta(days=90)
AUDIT_MAX_LABEL = "max"  # bin by the highest label score instead of one label

AUTOMATIC = (
    ModerationEvent.Action.AUTO_PUBLISH,
    ModerationEvent.Action.AUTO_HOLD,
    ModerationEvent.Action.AUTO_REJECT,
)
HUMAN = (ModerationEvent.Action.APPROVE, ModerationEvent.Action.REJECT)
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
class ViewpointAudit:
    label: str  # the toxicity label binned on, or "max"
    since: object  # datetime
    automatic: list[AuditBin]
    human: list[AuditBin]


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
    have no stance and are left out. One query.
    """
    if label != AUDIT_MAX_LABEL and label not in TOXICITY_LABELS:
        raise ValueError(f"unknown label {label!r}")
    since = since or timezone.now() - AUDIT_WINDOW
    events = (
        ModerationEvent.objects.filter(
            created_at__gte=since, action__in=(*AUTOMATIC, *HUMAN), comment__analysis__isnull=False
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
        human = action in HUMAN and actor_id is not None
        if action in HUMAN and not human:
            continue  # approve/reject without a person: not a moderator's decision
        latest[(comment_id, human)] = (action, scores, stance)

    tallies = {
        kind: [{s: {"published": 0, "held": 0, "rejected": 0} for s in STANCE_LABELS} for _ in range(AUDIT_BINS)]
        for kind in (False, True)
    }
    for (_, human), (action, scores, stance) in latest.items():
        score = _audit_score(scores, label)
        if score is None or stance not in STANCE_LABELS:
            continue
        tallies[human][_audit_bin(score)][stance][_OUTCOME[action]] += 1

    def table(kind: bool) -> list[AuditBin]:
        return [
            AuditBin(
                low=i / AUDIT_BINS,
                high=(i + 1) / AUDIT_BINS,
                cells=[AuditCell(stance=s, total=sum(t[s].values()), **t[s]) for s in STANCE_LABELS],
            )
            for i, t in enumerate(tallies[kind])
        ]

    return ViewpointAudit(label=label, since=since, automatic=table(False), human=table(True))
