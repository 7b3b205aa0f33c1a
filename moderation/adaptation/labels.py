"""Moderators' decisions as labelled examples: the selector a site model is fitted and judged on.

One example per scored comment a moderator ruled on: the comment's FINAL human verdict, read from
the audit log in order (an undo or a reversal takes back the entry it names, so the verdict before
it stands again; an appeal is decided by an approve or reject like any other, so a reinstated
comment ends approved and an upheld one rejected). What the reason says tells which labels:
a rejection is always ``toxicity``, and "Threat of violence" is ``threat`` too (:func:`reason_labels`);
an approval says no label applies. Unknown labels stay None (masked when fitting).

Left out, each counted in :class:`DecisionLabels`:
* comments deleted or withdrawn by their author, and comments edited after the verdict (the text
  the moderator judged is gone);
* imported comments (their status came with the page, no moderator of this site decided it);
* verdicts undone with nothing standing before them; rejections for spam (not a toxicity label);
* a moderator who disagrees with the other moderators far more than the rest: on comments the model
  scored alike, how often their verdict differs from the other moderators' usual one (see
  :func:`moderator_disagreement`). They are listed, with their figures, never dropped silently.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from ml.classifiers.base import TOXICITY_LABELS
from moderation import rules
from moderation.models import Analysis, ModerationEvent

Action = ModerationEvent.Action

# Accounts that came with an imported page (blog/importing.py IMPORTED_USERNAME_PREFIX; moderation
# reads blog through blog.models only, so the prefix is repeated here).
IMPORTED_USERNAME_PREFIX = "imported:"

# Words in a rejection's reason -> the label it names (the starting reasons of migration 0007, and
# what moderators type). First match per label; a rejection is always "toxicity" as well.
REASON_WORDS: dict[str, tuple[str, ...]] = {
    "threat": ("threat", "violence", "violent", "kill"),
    "identity_attack": ("who they are", "identity", "racis", "sexis", "homophob", "hate"),
    "obscene": ("obscene", "sexual", "explicit", "profan"),
    "insult": ("personal attack", "insult", "abuse", "name-calling", "name calling"),
    "severe_toxicity": ("severe",),
}
SPAM_WORDS = ("spam", "advertis")

# A moderator is set aside when their disagreement exceeds the others' median by this much
# (absolute share) and they made at least MIN_DECISIONS_TO_JUDGE decisions.
OUTLIER_MARGIN = 0.25
MIN_DECISIONS_TO_JUDGE = 20
SCORE_BINS = 10


def reason_labels(reason: str) -> tuple[str, ...] | None:
    """The labels a rejection's reason names besides ``toxicity``; None for spam (no label)."""
    text = reason.lower()
    if any(word in text for word in SPAM_WORDS):
        return None
    return tuple(label for label, words in REASON_WORDS.items() if any(w in text for w in words))


@dataclass(frozen=True)
class LabelledDecision:
    comment_id: int
    text: str
    decided_at: datetime
    moderator_id: int
    rejected: bool
    labels: dict  # label -> 1, 0 or None (unknown)
    reason: str
    top_score: float  # the comment's highest label score when it was scored


@dataclass
class ModeratorFigures:
    moderator_id: int
    username: str
    decisions: int
    disagreement: float | None  # share of verdicts unlike the other moderators' on alike comments
    excluded: bool


@dataclass
class DecisionLabels:
    examples: list[LabelledDecision]  # oldest first
    moderators: list[ModeratorFigures]
    left_out: dict[str, int] = field(default_factory=dict)

    @property
    def excluded_moderators(self) -> list[ModeratorFigures]:
        return [m for m in self.moderators if m.excluded]


def _final_verdicts(events) -> dict[int, ModerationEvent]:
    """comment id -> its standing approve/reject after undos and reversals (events in id order)."""
    stacks: dict[int, list[ModerationEvent]] = defaultdict(list)
    for event in events:
        stack = stacks[event.comment_id]
        if event.action in rules.HUMAN_DECISIONS:
            stack.append(event)
        elif event.action == Action.UNDO and event.reverses_id is not None:
            # Reversing the latest decision: its verdict goes, the one before stands again.
            if stack and stack[-1].pk == event.reverses_id:
                stack.pop()
    return {cid: stack[-1] for cid, stack in stacks.items() if stack}


def _labels_for(event: ModerationEvent) -> dict | None:
    if event.action == Action.APPROVE:
        return {label: 0 for label in TOXICITY_LABELS}
    named = reason_labels(event.reason)
    if named is None:
        return None
    return {label: 1 if label == "toxicity" or label in named else None for label in TOXICITY_LABELS}


def decision_labels(*, until: datetime | None = None) -> DecisionLabels:
    """Every labelled example up to ``until`` (decision time), oldest first; see the module docstring."""
    human = (ModerationEvent.objects.filter(actor__isnull=False, action__in=(*rules.HUMAN_DECISIONS, Action.UNDO))
             .select_related("actor").order_by("id"))
    if until is not None:
        human = human.filter(created_at__lte=until)
    events = list(human.only("id", "comment_id", "action", "reason", "created_at", "reverses_id", "actor__username",
                             "actor_id"))
    left_out: dict[str, int] = defaultdict(int)
    decided_ids = {e.comment_id for e in events}
    verdicts = _final_verdicts(events)
    left_out["undone, nothing standing"] = len(decided_ids) - len(verdicts)

    author_acts: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for cid, action, at in ModerationEvent.objects.filter(
            comment_id__in=verdicts, action__in=(Action.AUTHOR_DELETE, Action.NUDGE_WITHDRAWN, Action.AUTHOR_EDIT,
                                                 Action.NUDGE_EDITED)).values_list("comment_id", "action", "created_at"):
        author_acts[cid].append((action, at))
    analyses = {
        a["comment_id"]: a for a in Analysis.objects.filter(comment_id__in=verdicts).values(
            "comment_id", "scores", "comment__text", "comment__status", "comment__edited_at",
            "comment__author__username")
    }
    candidates: list[LabelledDecision] = []
    for cid, event in verdicts.items():
        a = analyses.get(cid)
        if a is None:
            left_out["never scored"] += 1
            continue
        if a["comment__author__username"].startswith(IMPORTED_USERNAME_PREFIX):
            left_out["imported"] += 1
            continue
        acts = author_acts.get(cid, [])
        if a["comment__status"] == "deleted" or any(act in (Action.AUTHOR_DELETE, Action.NUDGE_WITHDRAWN) for act, _ in acts):
            left_out["deleted by the author"] += 1
            continue
        if any(at > event.created_at for act, at in acts if act in (Action.AUTHOR_EDIT, Action.NUDGE_EDITED)) or (
                a["comment__edited_at"] and a["comment__edited_at"] > event.created_at):
            left_out["edited after the verdict"] += 1
            continue
        labels = _labels_for(event)
        if labels is None:
            left_out["rejected as spam"] += 1
            continue
        candidates.append(LabelledDecision(
            comment_id=cid, text=a["comment__text"], decided_at=event.created_at, moderator_id=event.actor_id,
            rejected=event.action == Action.REJECT, labels=labels, reason=event.reason,
            top_score=max((float(v) for v in a["scores"].values()), default=0.0),
        ))
    names = {e.actor_id: e.actor.get_username() for e in events}
    moderators = moderator_disagreement(candidates, names=names)
    excluded = {m.moderator_id for m in moderators if m.excluded}
    kept = [c for c in candidates if c.moderator_id not in excluded]
    if excluded:
        left_out["by a moderator set aside"] = len(candidates) - len(kept)
    kept.sort(key=lambda c: (c.decided_at, c.comment_id))
    return DecisionLabels(examples=kept, moderators=moderators, left_out={k: v for k, v in left_out.items() if v})


def moderator_disagreement(examples: list[LabelledDecision], *, names: dict[int, str]) -> list[ModeratorFigures]:
    """How often each moderator's verdict differs from what the OTHER moderators usually decide
    about comments the model scored alike (the same tenth of top score): for a comment in a bin
    where the others reject a share r, an approval disagrees with weight r and a rejection with
    1 - r. Moderators rarely see the same comment twice, so alike comments stand in for the same
    one. A moderator far above the others' median (OUTLIER_MARGIN) is set aside."""
    by_mod: dict[int, list[LabelledDecision]] = defaultdict(list)
    for e in examples:
        by_mod[e.moderator_id].append(e)

    def _bin(e: LabelledDecision) -> int:
        return min(SCORE_BINS - 1, int(e.top_score * SCORE_BINS))

    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # bin -> [rejected, n], everyone
    per_mod_bins: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for e in examples:
        b = _bin(e)
        totals[b][0] += e.rejected
        totals[b][1] += 1
        per_mod_bins[e.moderator_id][b][0] += e.rejected
        per_mod_bins[e.moderator_id][b][1] += 1
    rates: dict[int, float | None] = {}
    for mod, decisions in by_mod.items():
        weights = []
        for e in decisions:
            b = _bin(e)
            rej = totals[b][0] - per_mod_bins[mod][b][0]
            n = totals[b][1] - per_mod_bins[mod][b][1]
            if n:
                r = rej / n
                weights.append(r if not e.rejected else 1 - r)
        rates[mod] = sum(weights) / len(weights) if len(decisions) >= MIN_DECISIONS_TO_JUDGE and weights else None
    figures = []
    for mod, rate in rates.items():
        others = [r for m, r in rates.items() if m != mod and r is not None]
        excluded = rate is not None and bool(others) and rate > statistics.median(others) + OUTLIER_MARGIN
        figures.append(ModeratorFigures(mod, names.get(mod, str(mod)), len(by_mod[mod]), rate, excluded))
    figures.sort(key=lambda f: (-(f.disagreement or 0), f.username))
    return figures
