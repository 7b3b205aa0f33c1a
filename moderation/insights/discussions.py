"""Which discussions need a moderator now, and why: ``discussions_ranked`` gives one column per
reason, combined by ``need_score``. A fixed number of queries, whatever the number of articles.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from blog.models import Article, Comment, CommentReport
from ml.classifiers.base import STANCE_LABELS
from moderation import rules

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
    stance_shown: int  # the last week's comments with a confident stance (favor, against, neutral)
    stance_scored: int  # the last week's scored comments; the rest are "stance unclear"
    polarization: float
    need: float

    @property
    def stance_coverage_percent(self) -> int | None:
        return round(100 * self.stance_shown / self.stance_scored) if self.stance_scored else None


def _activity(now) -> tuple[dict[int, int], dict[int, dict], dict[int, int]]:
    """Per article: waiting comments, the last week's figures, open reports (three queries)."""
    hour_ago, day_ago, week_ago = now - timedelta(hours=1), now - RECENT, now - POLARIZATION_WINDOW
    waiting = dict(
        Comment.objects.filter(status__in=rules.HELD_FOR_MODERATOR)
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
            # Coverage: a stance is only counted where the model is confident (else "unclear").
            stance_shown=Count("article_id", filter=Q(stance_label__in=STANCE_LABELS)),
            stance_scored=Count("article_id", filter=~Q(stance_label="")),
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
    return waiting, stats, reports


def stance_coverage(rows: list[DiscussionRow]) -> tuple[int, int]:
    """(comments with a confident stance, scored comments) over the rows' last week: the page's
    "stance shown for N % of comments"."""
    return sum(r.stance_shown for r in rows), sum(r.stance_scored for r in rows)


def discussions_ranked(*, limit: int = 50, now=None) -> list[DiscussionRow]:
    """Articles that have anything for a moderator (a held comment, an open report, or a comment
    in the polarization window), ranked by need_score. Four queries in all, none of which joins
    the analyses: the stance and the highest label score are read from the comment row
    (Comment.stance_label, Comment.max_toxicity, copied there when it is scored).

    Waiting comments and the last week's are counted separately: together ("held OR recent")
    the planner can use neither index and reads every comment; apart, each is an index-only
    scan: of (status, article), and of a range of (created_at, article, stance, max_toxicity)."""
    waiting, stats, reports = _activity(now or timezone.now())
    empty = {"comments_1h": 0, "comments_24h": 0, "favor": 0, "against": 0, "max_toxicity": None,
             "stance_shown": 0, "stance_scored": 0}
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
                stance_shown=stats.get(-minus_id, empty)["stance_shown"],
                stance_scored=stats.get(-minus_id, empty)["stance_scored"],
                title=title,
                slug=slug,
                premoderated=premoderated,
                polarization=polarization(favor=figures["favor"], against=figures["against"]),
                need=-minus_need,
                **figures,
            )
        )
    return rows
