"""How urgently a comment needs a moderator: the review queue's order.

The queue is sorted by the stored ``Comment.queue_rank`` (index ``(status, -queue_rank, -id)``)
so that pages are read by keyset on an index. The rank is

    queue_rank = CLASS_BAND × severity class + min(need + AGE_WEIGHT × min(hours waiting, AGE_CAP_HOURS), CLASS_BAND - 1)

Danger first, whatever the scores' scale: the severity class decides, and the score and the
waiting time only order comments within a class. The classes, highest first:

  3 escalated   a moderator asked for a second look (a human judged it, above any model score)
  2 grave       threat, identity_attack or severe_toxicity at or past its hold cut-off
  1 harmful     insult, obscene, toxicity or sexual_explicit at or past its hold cut-off, or an
                open reader report (a report is a reader's word, unverified: it sits with the
                insults, and each report adds its weight to the need inside the class; a report
                on a threat leaves it a threat)
  0 other       nothing past a cut-off: held for its author or article (pre-moderation), spam
                findings, or scoring failed

so a threat at its hold cut-off outranks an insult at 0.99 with five reports, at equal age
or not. ``rank_reason`` says in a few words why a card is where it is ("threat 0.93").

``need`` is severity first (the label nearest to or past its cut-offs, weighted by how grave the
label is: a threat or an identity attack counts more than profanity), then trusted reports and
the thread's heat; escalated comments are above everything. Waiting counts from when the comment
*entered the queue* (its hold, its classification failure, or its first open report), never from
when it was written: an imported 2015 comment has waited minutes, not eleven years. The waiting
term is capped (AGE_CAP_HOURS × AGE_WEIGHT = 2 points), so it breaks ties among equals and keeps
anything from starving, but never lifts a mild comment over a threat.

Because of the cap the rank is not time-invariant: moderation.queue.services.queue_rerank stores
it when the data change (scores, reports, reporters' records, thread activity, escalation, a new
policy), and the beat task ``rerank_waiting_comments`` refreshes the waiting term of the whole
queue every few minutes (config/settings/base.py), which is all the precision a 2-point term needs.

Everything here is pure: no database access, so the formula is tested on plain numbers.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

# Weights, in "priority points". One point is roughly "one fresh report by a reporter we know
# nothing about"; see queue_rank's docstring for how they trade off.
LABEL_WEIGHT = 4.0  # per unit of threshold position (1 = at the hold cut-off, 2 = at the reject cut-off)
# How grave each label is: the label term is LABEL_WEIGHT × max(gravity × position). A threat at
# its hold cut-off (6 points) outranks profanity at its reject cut-off (4.8 points).
LABEL_GRAVITY: dict[str, float] = {
    "threat": 1.5,
    "identity_attack": 1.5,
    "severe_toxicity": 1.3,
    "sexual_explicit": 1.0,
    "insult": 1.0,
    "toxicity": 0.8,
    "obscene": 0.6,
}
EXTRA_LABEL_WEIGHT = 0.5  # each further label at or above its hold cut-off
REPORT_WEIGHT = 2.0  # per open report, times that reporter's weight (0..1, 0.5 when unknown)
HEAT_WEIGHT = 0.5  # per doubling of the thread's comments in the last HEAT_WINDOW_HOURS
AGE_WEIGHT = 0.05  # per hour waited in the queue ...
AGE_CAP_HOURS = 40.0  # ... up to 2 points: a tie-breaker, never a trump card
# The severity classes (module docstring). A class is worth more than any need inside a class
# can reach, so the stored rank sorts by class, then need, then waiting, in one float.
CLASS_BAND = 1000.0
CLASS_ESCALATED, CLASS_GRAVE, CLASS_HARMFUL, CLASS_OTHER = 3, 2, 1, 0
GRAVE_LABELS = ("threat", "identity_attack", "severe_toxicity")

HEAT_WINDOW_HOURS = 24


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


def hours_waited(*, queued_at: datetime | None, now: datetime) -> float:
    """Hours since the comment entered the queue, capped at AGE_CAP_HOURS (0 when unknown)."""
    if queued_at is None:
        return 0.0
    return min(AGE_CAP_HOURS, max(0.0, (now - queued_at).total_seconds() / 3600.0))


def severity(*, scores: Mapping[str, float] | None, thresholds: Mapping[str, Mapping[str, float]]) -> float:
    """The label term and the extra-label term of ``need`` (see queue_rank)."""
    weighted, positions = [], []
    for label, cut in thresholds.items():
        if scores and label in scores:
            position = label_position(float(scores[label]), float(cut["hold"]), float(cut["reject"]))
            positions.append(position)
            weighted.append(LABEL_GRAVITY.get(label, 1.0) * position)
    if not positions:
        return 0.0
    over_hold = sum(1 for p in positions if p >= 1.0)
    return LABEL_WEIGHT * max(weighted) + EXTRA_LABEL_WEIGHT * max(0, over_hold - 1)


def _crossed(scores, thresholds) -> list[tuple[float, str, float]]:
    """(gravity × position, label, score) of each label at or past its hold cut-off, gravest first."""
    out = []
    for label, cut in thresholds.items():
        if scores and label in scores:
            score = float(scores[label])
            position = label_position(score, float(cut["hold"]), float(cut["reject"]))
            if position >= 1.0:
                out.append((LABEL_GRAVITY.get(label, 1.0) * position, label, score))
    return sorted(out, reverse=True)


def severity_class(
    *, scores: Mapping[str, float] | None, thresholds: Mapping[str, Mapping[str, float]], open_reports: int,
    escalated: bool,
) -> int:
    """The comment's class (module docstring): CLASS_ESCALATED, CLASS_GRAVE, CLASS_HARMFUL or CLASS_OTHER."""
    if escalated:
        return CLASS_ESCALATED
    crossed = _crossed(scores, thresholds)
    if any(label in GRAVE_LABELS for _, label, _ in crossed):
        return CLASS_GRAVE
    if crossed or open_reports:
        return CLASS_HARMFUL
    return CLASS_OTHER


def rank_reason(
    *, scores: Mapping[str, float] | None, thresholds: Mapping[str, Mapping[str, float]], open_reports: int,
    escalated: bool,
) -> str:
    """Why a card is where it is, in a few words for the queue page: "threat 0.93", "insult 0.81
    and 2 open reports", "escalated by a moderator", "waiting time only"."""
    if escalated:
        return "escalated by a moderator"
    crossed = _crossed(scores, thresholds)
    grave = [(label, score) for _, label, score in crossed if label in GRAVE_LABELS]
    named = grave[:1] or [(label, score) for _, label, score in crossed[:1]]
    parts = [f"{label.replace('_', ' ')} {score:.2f}" for label, score in named]
    if open_reports and not grave:
        parts.append(f"{open_reports} open report{'s' if open_reports != 1 else ''}")
    if parts:
        return " and ".join(parts)
    if scores:
        label, score = max(((k, float(v)) for k, v in scores.items() if k in thresholds), key=lambda kv: kv[1],
                           default=("", 0.0))
        if label:
            return f"no label past its cut-off (highest {label.replace('_', ' ')} {score:.2f}); waiting time"
    return "not scored; reports, thread activity and waiting time"


def queue_rank(
    *,
    scores: Mapping[str, float] | None,
    thresholds: Mapping[str, Mapping[str, float]],
    open_report_weights: Iterable[float],
    thread_comments_24h: int,
    queued_at: datetime | None,
    now: datetime,
    escalated: bool = False,
) -> float:
    """The stored rank of a comment in the review queue (higher first).

        need = LABEL_WEIGHT (4.0)       × max over labels of gravity(label) × label_position(score, hold, reject)
             + EXTRA_LABEL_WEIGHT (0.5) × (labels at or above hold, beyond the first)
             + REPORT_WEIGHT (2.0)      × Σ reporter_weight over the open (unruled) reports
             + HEAT_WEIGHT (0.5)        × log2(1 + comments on the article in the last 24 h)
        queue_rank = CLASS_BAND (1000) × severity_class(...)
                   + need + AGE_WEIGHT (0.05) × min(hours since it entered the queue, 40)   (capped at 999)

    gravity: threat and identity_attack 1.5, severe_toxicity 1.3, insult and sexual_explicit 1.0,
    toxicity 0.8, obscene 0.6. So a threat at its hold cut-off is worth 6 points, at its reject
    cut-off 12; an insult at hold 4; profanity at hold 2.4 (inside their classes: a threat is in
    a higher class than any insult, so these points only order comments of one class); each report by an unknown reader 1
    point (0.2..1.8 with a track record); a thread with 15 comments in a day 2 points; waiting
    at most 2 points. Labels without thresholds are ignored; unscored comments (classification
    failed) have a label term of 0 and rank by reports, heat and waiting.
    """
    open_report_weights = list(open_report_weights)
    report_term = REPORT_WEIGHT * sum(open_report_weights)
    heat_term = HEAT_WEIGHT * math.log2(1 + max(0, thread_comments_24h))
    need = severity(scores=scores, thresholds=thresholds) + report_term + heat_term
    within = min(need + AGE_WEIGHT * hours_waited(queued_at=queued_at, now=now), CLASS_BAND - 1.0)
    band = severity_class(scores=scores, thresholds=thresholds, open_reports=len(open_report_weights), escalated=escalated)
    return CLASS_BAND * band + within
