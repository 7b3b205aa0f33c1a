"""How urgently a comment needs a moderator: the review queue's order.

The queue is sorted by the stored ``Comment.queue_rank`` (index ``(status, -queue_rank, -id)``)
so that pages are read by keyset on an index. A priority that includes "age now" would change
every second; but age grows at the same rate for every comment, so we store the time-invariant

    queue_rank = need - AGE_WEIGHT * hours(created_at)

and the priority a moderator sees is ``queue_rank + AGE_WEIGHT * hours(now)``: adding the same
number to every row never reorders them, so the stored order never goes stale with time.
``need`` changes only with data (scores, reports, reporters' records, the thread's activity,
escalation), and moderation.queue.services.queue_rerank recomputes it when those change.

Everything here is pure: no database access, so the formula is tested on plain numbers.
"""
from __future__ import annotations

import math
from datetime import datetime, timezone as dt_timezone
from typing import Iterable, Mapping

# Weights, in "priority points". One point is roughly "one fresh report by a reporter we know
# nothing about"; see queue_rank's docstring for how they trade off.
LABEL_WEIGHT = 4.0  # per unit of threshold position (1 = at the hold cut-off, 2 = at the reject cut-off)
EXTRA_LABEL_WEIGHT = 0.5  # each further label at or above its hold cut-off
REPORT_WEIGHT = 2.0  # per open report, times that reporter's weight (0..1, 0.5 when unknown)
HEAT_WEIGHT = 0.5  # per doubling of the thread's comments in the last HEAT_WINDOW_HOURS
AGE_WEIGHT = 0.1  # per hour waited: a day's wait is worth 2.4 points
ESCALATED_BONUS = 1000.0  # escalated comments first: ~14 months of waiting

HEAT_WINDOW_HOURS = 24
# Hours are counted from a fixed epoch so stored ranks stay small numbers (doubles keep ~15
# significant digits; at 0.1/h a rank is ~1e4, far from any precision trouble).
EPOCH = datetime(2020, 1, 1, tzinfo=dt_timezone.utc)


def hours_since_epoch(moment: datetime) -> float:
    return (moment - EPOCH).total_seconds() / 3600.0


def reporter_weight(*, upheld: int, resolved: int) -> float:
    """How much to trust a reader's report, from their past reports that a moderator ruled on:
    Laplace-smoothed upheld share, (upheld + 1) / (resolved + 2). A new reporter counts 0.5;
    one whose 8 of 8 reports were upheld 0.9; one whose 0 of 8 were, 0.1 (never zero: a
    reporter who was wrong before may be right now)."""
    return (upheld + 1) / (resolved + 2)


def label_position(score: float, hold: float, reject: float) -> float:
    """Where a score sits against a label's cut-offs, piecewise linear: 0 at score 0, 1 at the
    hold cut-off, 2 at the reject cut-off, and 2..3 between reject and 1.0."""
    if score < hold:
        return score / hold if hold > 0 else 1.0
    if score < reject:
        return 1.0 + (score - hold) / (reject - hold)
    return 2.0 + ((score - reject) / (1.0 - reject) if reject < 1.0 else 0.0)


def queue_rank(
    *,
    scores: Mapping[str, float] | None,
    thresholds: Mapping[str, Mapping[str, float]],
    open_report_weights: Iterable[float],
    thread_comments_24h: int,
    created_at: datetime,
    escalated: bool = False,
) -> float:
    """The stored, time-invariant rank of a comment in the review queue (higher first).

        need = LABEL_WEIGHT (4.0)       × max over labels of label_position(score, hold, reject)
             + EXTRA_LABEL_WEIGHT (0.5) × (labels at or above hold, beyond the first)
             + REPORT_WEIGHT (2.0)      × Σ reporter_weight over the open (unruled) reports
             + HEAT_WEIGHT (0.5)        × log2(1 + comments on the article in the last 24 h)
             + ESCALATED_BONUS (1000)   if escalated
        priority(now) = need + AGE_WEIGHT (0.1) × hours waited
        queue_rank    = need − AGE_WEIGHT × hours(created_at since EPOCH)   (stored)

    So a comment at the hold cut-off is worth 4 points, at the reject cut-off 8; each report by
    an unknown reader 1 point (0.2..2 with a track record); a thread with 15 comments in a
    day 2 points, with 255 4 points; each day of waiting 2.4 points, so nothing starves: a
    barely-held comment overtakes a fresh one at the reject cut-off after ~40 hours.
    Labels without thresholds are ignored; unscored comments (classification failed) have a
    label term of 0 and rank by reports, heat and age.
    """
    positions = []
    for label, cut in thresholds.items():
        if scores and label in scores:
            positions.append(label_position(float(scores[label]), float(cut["hold"]), float(cut["reject"])))
    positions.sort(reverse=True)
    label_term = LABEL_WEIGHT * positions[0] if positions else 0.0
    extra_term = EXTRA_LABEL_WEIGHT * sum(1 for p in positions[1:] if p >= 1.0)
    report_term = REPORT_WEIGHT * sum(open_report_weights)
    heat_term = HEAT_WEIGHT * math.log2(1 + max(0, thread_comments_24h))
    need = label_term + extra_term + report_term + heat_term + (ESCALATED_BONUS if escalated else 0.0)
    return need - AGE_WEIGHT * hours_since_epoch(created_at)


def priority_at(*, rank: float, now: datetime) -> float:
    """The priority shown to moderators: the stored rank plus the age every comment shares."""
    return rank + AGE_WEIGHT * hours_since_epoch(now)
