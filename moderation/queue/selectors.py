"""Reads for moderators: the review queue (tabs, filters, keyset pages of cards) and the audit log.

The queue is ordered by the stored ``Comment.queue_rank`` (see moderation/queue/ranking.py) and read
by keyset: a page is "the next N rows after (rank, id)" on the index (status, -queue_rank, -id),
never OFFSET, so page 400 costs what page 1 costs. A page of cards is a fixed number of
queries whatever its size (see ``review_queue``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache, cached_property, lru_cache

from django.db import connections
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from blog.models import Comment, CommentReport, CommentRevision
from core.lookups import InFirstEvaluated
from ml.classifiers.base import STANCE_LABELS, TOXICITY_LABELS
from moderation import rules
from moderation.commenter import AUTHOR_ACTIONS, outcomes_for_author
from moderation.models import Appeal, DecisionReason, ModerationEvent, Policy
from moderation.queue import ranking
from moderation.queue.cards import AuthorRecord, Card, LabelChip, ReportLine  # noqa: F401 - what a queue page is made of
from moderation.queue.cursor import Cursor

# Tab key -> what a moderator reads on it. "reported" is published comments with reports
# nobody has ruled on yet.
TABS: dict[str, str] = {
    "held": "Held for review",
    "reported": "Reported",
    "failed": "Classification failed",
    "published": "Published",
    "rejected": "Rejected",
    "appeals": "Appeals",  # rejected comments whose author asked for a review (moderation.commenter)
}
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


def _tab_q(tab: str) -> Q:
    if tab == "reported":
        return Q(rules.open_reports_exist(), status=Comment.Status.PUBLISHED)
    if tab == "appeals":
        return Q(Exists(Appeal.objects.filter(comment=OuterRef("pk"), decided_at__isnull=True)), status=Comment.Status.REJECTED)
    status = {"held": Comment.Status.HELD, "failed": Comment.Status.FAILED}.get(tab, tab)
    return Q(status=status)


@dataclass(frozen=True)
class QueueFilters:
    """What a moderator narrowed the queue to. Empty values filter nothing."""

    tab: str = "held"
    # label alone: that label at or past its hold cut-off (the active policy's), i.e. what it flagged;
    # label and min_score: that label's score at least min_score; min_score alone: any label's.
    label: str = ""
    min_score: float | None = None
    stance: str = ""  # toward the article: favor / against / neutral
    article_id: int | None = None
    author: str = ""  # username, exact
    date_from: date | None = None  # posted on or after this day (UTC)
    date_to: date | None = None  # posted on or before this day (UTC)

    def __post_init__(self):
        if self.tab not in TABS:
            raise ValueError(f"unknown tab {self.tab!r}")
        if self.label and self.label not in TOXICITY_LABELS:
            raise ValueError(f"unknown label {self.label!r}")
        if self.stance and self.stance not in STANCE_LABELS:
            raise ValueError(f"unknown stance {self.stance!r}")

    @cached_property
    def score_floor(self) -> float | None:
        """The score the label (or, without one, any label) must reach; None: no score filter.
        Read once per filters (a page asks q() for each tab's count)."""
        if self.min_score is not None:
            return self.min_score
        return _label_hold_cutoff(self.label) if self.label else None

    def q(self, prefix: str = "") -> Q:
        """Every filter but the tab, on Comment (or on the comment at ``prefix``, e.g. "comment__")."""
        conditions = {}
        at_least = self.score_floor
        if at_least is not None:
            # A label's score is at most the comment's highest (Comment.max_toxicity, on the row and
            # on the (status, max_toxicity) index): that narrows the rows before any Analysis is read,
            # and without a label it is the whole test ("any label at least x").
            conditions["max_toxicity__gte"] = at_least
            if self.label:
                conditions[f"analysis__scores__{self.label}__gte"] = at_least
        if self.stance:
            conditions["stance_label"] = self.stance  # the Analysis's stance_article_label, copied
        if self.article_id is not None:
            conditions["article_id"] = self.article_id
        if self.author:
            conditions["author__username"] = self.author
        # Whole UTC days as ranges on created_at (a __date lookup would not use the index).
        if self.date_from:
            conditions["created_at__gte"] = datetime.combine(self.date_from, time.min, tzinfo=UTC)
        if self.date_to:
            conditions["created_at__lt"] = datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC)
        return Q(**{prefix + key: value for key, value in conditions.items()})


def _label_hold_cutoff(label: str) -> float:
    """The active policy's hold cut-off for ``label`` (0.5 when the policy has none for it)."""
    thresholds = Policy.objects.filter(is_active=True).values_list("thresholds", flat=True).first() or {}
    return float((thresholds.get(label) or {}).get("hold", 0.5))


def _after_q(cursor: Cursor) -> Q:
    # (rank, id) < cursor in DESC order. The redundant "rank <= r" lets the planner range-scan
    # the index instead of filtering an OR.
    return Q(queue_rank__lte=cursor.rank) & (Q(queue_rank__lt=cursor.rank) | Q(queue_rank=cursor.rank, id__lt=cursor.id))


def _down_to_q(cursor: Cursor) -> Q:
    # (rank, id) >= cursor in DESC order: everything from the top down to and including it.
    return Q(queue_rank__gte=cursor.rank) & (Q(queue_rank__gt=cursor.rank) | Q(queue_rank=cursor.rank, id__gte=cursor.id))


# Tab counts stop at this many: a moderator needs the exact size of a small tab, and "1,000+"
# says all there is to say about a big one. Counting stops after COUNT_CAP + 1 entries of each
# tab's index, so a page costs the same at ten thousand or ten million comments.
COUNT_CAP = 1000
# ... and at this many when a filter has to read each comment rather than an index (its stance,
# or a label's score from its Analysis): 101 reads a tab instead of a thousand or more.
COUNT_CAP_ROW_FILTERS = 100


@dataclass(frozen=True)
class TabCount:
    """How many comments a tab holds: exactly ``n``, or more than ``n`` when ``capped``."""

    n: int
    capped: bool = False

    def __str__(self) -> str:
        return f"{self.n:,}+" if self.capped else f"{self.n:,}"


def count_cap(filters: QueueFilters) -> int:
    """Where ``queue_counts`` stops counting under these filters."""
    return COUNT_CAP_ROW_FILTERS if filters.stance or (filters.label and filters.min_score is not None) else COUNT_CAP


def _tab_rows(tab: str, filters: QueueFilters, limit: int) -> QuerySet:
    if tab == "reported":
        # From the open reports, in comment order on their index, to their comments: not an EXISTS
        # probe for every published comment, nor a hash of every open report.
        return (
            CommentReport.objects.filter(filters.q("comment__"), upheld__isnull=True, comment__status=Comment.Status.PUBLISHED)
            .order_by("comment_id")
            .values("comment_id")
            .distinct()[:limit]
        )
    return Comment.objects.filter(_tab_q(tab), filters.q()).order_by().values("pk")[:limit]


def queue_counts(*, filters: QueueFilters) -> dict[str, TabCount]:
    """Comments on each tab under the same filters (the tab aside), each counted up to
    ``count_cap(filters)`` (see TabCount). One query: a scalar subquery per tab, each a LIMITed
    scan, so its cost does not grow with the number of comments."""
    cap = count_cap(filters)
    sql, params = _counts_sql(filters, cap)
    with connections[Comment.objects.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return {tab: TabCount(min(n, cap), capped=n > cap) for tab, n in zip(TABS, row)}


@lru_cache(maxsize=512)
def _counts_sql(filters: QueueFilters, cap: int) -> tuple[str, tuple]:
    # The same filters always make the same SQL: compiling six querysets was ~2 ms of every page
    # and of every poll.
    parts, params = [], []
    for i, tab in enumerate(TABS):
        sql, tab_params = _tab_rows(tab, filters, cap + 1).query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS tab_rows_{i})")
        params.extend(tab_params)
    return "SELECT " + ", ".join(parts), tuple(params)




@dataclass
class QueuePage:
    cards: list[Card]
    next_cursor: Cursor | None
    policy: Policy | None = None


def _latest_event(**conditions) -> Subquery:
    return Subquery(
        ModerationEvent.objects.filter(comment=OuterRef("pk"), **conditions).order_by("-id").values("id")[:1]
    )


def _count_of(model, per: str, **conditions) -> Coalesce:
    """A correlated COUNT(*) of ``model`` rows matching ``conditions`` (which pin ``per`` to the
    outer row), 0 when none match."""
    rows = model.objects.filter(**conditions).order_by().values(per).annotate(n=Count("*")).values("n")
    return Coalesce(Subquery(rows), 0, output_field=IntegerField())


def _queue_rows(filters: QueueFilters) -> QuerySet[Comment]:
    """The comments on ``filters``' tab in queue order, nothing joined: what keyset pages walk
    (the index (status, -queue_rank, -id))."""
    return Comment.objects.filter(_tab_q(filters.tab), filters.q()).order_by("-queue_rank", "-id")


def _cards_of(page_ids: QuerySet) -> QuerySet[Comment]:
    """The cards of the comments ``page_ids`` (a LIMITed ``values("pk")`` query) names, in queue
    order, with everything a card shows in one SELECT.

    The page's ids are found first, on the queue index alone, and only those rows are joined
    (core.lookups.InFirstEvaluated): joining the card's seven tables inside the paging query made
    PostgreSQL plan a nine-table join on every request (~10 ms of planning) and, on the reported
    tab, join thousands of published comments before the open-report test kept 26 of them.
    """
    return _card_rows().filter(InFirstEvaluated(F("pk"), Subquery(page_ids)))


@cache
def _card_rows() -> QuerySet[Comment]:
    # Built once per process and only ever cloned (filter() copies it): building its annotations
    # was ~2 ms of every queue page. It holds no per-request value.
    # The author's record and each reporter's track record are correlated counts in the rows they
    # belong to (index-only scans on (author, status) and (reporter, upheld)), not queries of their
    # own: a page stays at five queries with its tab counts.
    author = OuterRef("author_id")
    reporter = OuterRef("reporter_id")
    reports = CommentReport.objects.select_related("reporter").annotate(
        reporter_resolved=_count_of(CommentReport, "reporter_id", reporter_id=reporter, upheld__isnull=False),
        reporter_upheld=_count_of(CommentReport, "reporter_id", reporter_id=reporter, upheld=True),
    )
    return (
        Comment.objects.select_related("article", "author", "author__standing", "parent__author", "analysis", "appeal")
        # Not on a card: an article's body (kilobytes, times 25 cards) and the analysis' raw
        # probabilities beyond the labels and scores the card shows.
        .defer("article__body", "analysis__stance_article", "analysis__stance_parent", "analysis__findings")
        .prefetch_related(Prefetch("reports", queryset=reports.order_by("created_at", "id"), to_attr="report_list"))
        .annotate(
            rule_event_id=_latest_event(
                action__in=[a for a in ModerationEvent.Action.values if a != "escalate" and a not in AUTHOR_ACTIONS]),
            escalation_event_id=_latest_event(action=ModerationEvent.Action.ESCALATE),
            author_published=_count_of(Comment, "author_id", author_id=author, status=Comment.Status.PUBLISHED),
            author_rejected=_count_of(Comment, "author_id", author_id=author, status=Comment.Status.REJECTED),
            author_waiting=_count_of(Comment, "author_id", author_id=author, status__in=rules.HELD_FOR_MODERATOR),
        )
        .order_by("-queue_rank", "-id")
    )


def _author_record(c: Comment) -> AuthorRecord:
    standing = getattr(c.author, "standing", None)  # reverse one-to-one: None via select_related
    return AuthorRecord(
        published=c.author_published,
        rejected=c.author_rejected,
        held=c.author_waiting,
        banned=bool(standing and standing.banned),
        suspended_until=standing.suspended_until if standing else None,
        premoderated=bool(standing and standing.premoderated),
    )


def _build_cards(comments: list[Comment], now: datetime) -> tuple[list[Card], Policy | None]:
    policy = Policy.objects.filter(is_active=True).first()
    thresholds = policy.thresholds if policy else {}
    event_ids = {i for c in comments for i in (c.rule_event_id, c.escalation_event_id) if i}
    events = {e.pk: e for e in ModerationEvent.objects.filter(pk__in=event_ids).select_related("actor", "policy")
              .defer("scores", "policy__thresholds")}  # a card shows neither
    # The author's edit history, read only when a card on the page was edited (most never are).
    revisions: dict[int, list[CommentRevision]] = {}
    if edited := [c.pk for c in comments if c.edited_at]:
        for r in CommentRevision.objects.filter(comment_id__in=edited).order_by("created_at", "id"):
            revisions.setdefault(r.comment_id, []).append(r)
    # What each rejected comment's author was told, word for word (one query for the page).
    told = outcomes_for_author(comments=[c for c in comments if c.status == Comment.Status.REJECTED])
    cards = []
    for c in comments:
        analysis = getattr(c, "analysis", None)
        labels = []
        if analysis is not None:
            for label in TOXICITY_LABELS:
                if label in analysis.scores:
                    cut = thresholds.get(label) or {}
                    labels.append(LabelChip(label, float(analysis.scores[label]), cut.get("hold"), cut.get("reject")))
        reports = [
            ReportLine(
                r.reporter.get_username(), r.reason, r.created_at, r.upheld,
                ranking.reporter_weight(upheld=r.reporter_upheld, resolved=r.reporter_resolved),
            )
            for r in c.report_list
        ]
        cards.append(
            Card(
                comment=c,
                labels=labels,
                reports=reports,
                rule=events.get(c.rule_event_id),
                escalation=events.get(c.escalation_event_id),
                author_record=_author_record(c),
                priority=c.queue_rank,
                revisions=revisions.get(c.pk, []),
                author_told=told[c.pk].reason if c.pk in told else "",
                rank_reason=ranking.rank_reason(
                    scores=analysis.scores if analysis is not None else None, thresholds=thresholds,
                    open_reports=sum(1 for r in reports if r.upheld is None), escalated=c.escalated,
                ),
            )
        )
    return cards, policy


def review_queue(
    *, filters: QueueFilters, after: Cursor | None = None, limit: int = PAGE_SIZE, now: datetime | None = None
) -> QueuePage:
    """One page of the queue, highest priority first, starting after ``after``.

    Four queries whatever ``limit``: the cards (comment, article, author and standing, parent,
    scores, the author's record, the ids of the latest audit entries, in one SELECT), their
    reports with each reporter's record, those audit entries, the active policy.
    """
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    qs = _queue_rows(filters)
    if after is not None:
        qs = qs.filter(_after_q(after))
    rows = list(_cards_of(qs.values("pk")[: limit + 1]))
    more = len(rows) > limit
    rows = rows[:limit]
    cards, policy = _build_cards(rows, now or timezone.now())
    return QueuePage(cards=cards, next_cursor=Cursor.of(rows[-1]) if more and rows else None, policy=policy)


POLL_MAX_CARDS = 200


def review_queue_top(
    *, filters: QueueFilters, down_to: Cursor | None, exclude_ids: set[int] = frozenset(), now: datetime | None = None
) -> tuple[list[int], list[Card]]:
    """For the page's poll: the ids now in the queue from the top down to ``down_to`` (the last
    card the moderator sees; the first page when None), and the cards of those not in
    ``exclude_ids`` (the ones already shown). The page adds the new ones and drops the missing."""
    qs = _queue_rows(filters)
    if down_to is not None:
        qs = qs.filter(_down_to_q(down_to))
        limit = POLL_MAX_CARDS
    else:
        limit = PAGE_SIZE
    ids = list(qs.values_list("id", flat=True)[:limit])
    new_ids = [i for i in ids if i not in exclude_ids]
    if not new_ids:
        return ids, []
    cards, _ = _build_cards(list(_cards_of(qs.filter(pk__in=new_ids).values("pk"))), now or timezone.now())
    return ids, cards


def decision_reasons() -> dict[str, list[str]]:
    """The site's ready-made reasons, {"reject": [...], "escalate": [...]}, in the admins' order."""
    reasons: dict[str, list[str]] = {use: [] for use in DecisionReason.UseFor.values}
    for use_for, text in DecisionReason.objects.order_by("use_for", "position", "id").values_list("use_for", "text"):
        reasons[use_for].append(text)
    return reasons
