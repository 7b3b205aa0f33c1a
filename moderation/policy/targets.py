"""Thresholds by target: for each label, the hold cut-off that meets a goal an admin states in
words, computed from the site's own moderator decisions (moderation.insights.agreement's standing
verdicts), with the sample size behind it.

* "hold so that >= 95 % of what moderators rejected is held": the highest hold cut-off for this
  label (the other labels as they are) at which 95 % of the rejected comments are still held;
* "publish at once only where >= 99 % was approved": the highest hold cut-off for this label at
  which, of the judged comments that would be published at once, 99 % were approved.

Cut-offs are searched on a 0.01 grid. Pre-moderation and the worker's rules are left out: they
say nothing about a text's scores. Pure but for ``label_targets``'s read of the verdicts.
"""
from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from moderation.insights.agreement import Judged, judged_comments

HELD_TARGET = 0.95
APPROVED_TARGET = 0.99
MAX_VERDICTS = 5000
GRID = [round(i / 100, 2) for i in range(100, 0, -1)]  # 1.00, 0.99, ... 0.01: highest first


@dataclass(frozen=True)
class LabelTarget:
    label: str
    rejected_n: int  # moderator-rejected comments the first target is computed on
    hold_for_held_target: float | None  # None: unreachable by this label (others miss too many)
    others_hold_enough: bool  # the other labels alone already hold >= the target: any cut-off does
    hold_for_approved_target: float | None  # None: no cut-off publishes a clean enough set
    published_n: int  # judged comments published at once at that cut-off (the second target's sample)


def _held_by_others(scores: Mapping[str, float], label: str, thresholds) -> bool:
    return any(other != label and other in scores and float(scores[other]) >= cut["hold"]
               for other, cut in thresholds.items())


def label_target(label: str, judged: Sequence[Judged], thresholds: Mapping[str, Mapping[str, float]],
                 *, held_target: float = HELD_TARGET, approved_target: float = APPROVED_TARGET) -> LabelTarget:
    rejected_scores, others_held = [], 0
    approved_free, rejected_free = [], []  # scores on this label of comments no other label holds
    for j in judged:
        by_others = _held_by_others(j.scores, label, thresholds)
        score = float(j.scores.get(label, 0.0))
        if j.moderator_rejected:
            if by_others:
                others_held += 1
            else:
                rejected_scores.append(score)
        if not by_others:
            (rejected_free if j.moderator_rejected else approved_free).append(score)
    rejected_n = others_held + len(rejected_scores)
    rejected_scores.sort()
    approved_free.sort()
    rejected_free.sort()

    needed = math.ceil(held_target * rejected_n)
    hold_for_held = None
    if rejected_n and others_held < needed:
        for h in GRID:  # highest first: the first that holds enough
            if others_held + len(rejected_scores) - bisect_left(rejected_scores, h) >= needed:
                hold_for_held = h
                break

    hold_for_approved, published_n = None, 0
    for h in GRID:
        approved, rejected = bisect_left(approved_free, h), bisect_left(rejected_free, h)  # published: score < h
        if approved + rejected and approved / (approved + rejected) >= approved_target:
            hold_for_approved, published_n = h, approved + rejected
            break
    return LabelTarget(
        label=label, rejected_n=rejected_n, hold_for_held_target=hold_for_held,
        others_hold_enough=bool(rejected_n) and others_held >= needed,
        hold_for_approved_target=hold_for_approved, published_n=published_n,
    )


def label_targets(*, thresholds: Mapping[str, Mapping[str, float]], judged: Sequence[Judged] | None = None) -> dict[str, LabelTarget]:
    """Both targets for every label of ``thresholds`` (the active policy's, as the editor shows it)."""
    judged = judged_comments(limit=MAX_VERDICTS) if judged is None else judged
    return {label: label_target(label, judged, thresholds) for label in thresholds}
