"""Reads on the threshold policy: the active version and the history, the preview of a draft
against recent comments, and the dry run of re-applying the active policy.

The rule is moderation.rules.decide, shared with the worker, so a preview predicts exactly what
the worker would do; pre-moderation is rules.premoderation_reason, also the worker's.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.db.models.functions import Left

from blog.models import Article
from ml.classifiers.base import TOXICITY_LABELS
from moderation import rules
from moderation.models import Analysis, AuthorStanding, ModerationEvent, Policy
from moderation.rules import policy_active

PREVIEW_DEFAULT_N = 1000

PREVIEW_MAX_N = 20000

# How many changed comments a preview lists (the total is always given).
PREVIEW_CHANGED_LIMIT = 200

CHART_BINS = 20  # score histogram: 20 bins of 0.05

EXCERPT_CHARS = 200

BUCKETS = (rules.PUBLISH, rules.HOLD, rules.REJECT)

FLAGGED = (rules.HOLD, rules.REJECT)


def policy_list() -> QuerySet[Policy]:
    """Every version, newest first."""
    return Policy.objects.select_related("created_by").order_by("-version")


def policy_get(*, version: int) -> Policy:
    """Raises Policy.DoesNotExist."""
    return Policy.objects.select_related("created_by").get(version=version)


def premoderated_articles() -> QuerySet[Article]:
    return Article.objects.filter(premoderate_comments=True).order_by("-published_at", "-id")


@dataclass(frozen=True)
class Draft:
    thresholds: Mapping[str, Mapping[str, float]]
    premoderate_all: bool = False
    # None: as in the active policy (the preview fills them in)
    rules_off: tuple[str, ...] | None = None
    publish_languages: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ChangedComment:
    comment_id: int
    article_id: int
    excerpt: str  # plain text: escape it when displaying
    from_status: str  # bucket under the active policy
    to_status: str  # bucket under the draft
    rule: str  # the draft's reason for its bucket


# Labels whose miss costs most: a draft that would publish a comment at or above their *current*
# hold cut-off is warned about (as is one that would publish a comment a moderator rejected).
GRAVE_LABELS = ("threat", "identity_attack")
PREVIEW_WARNINGS_LIMIT = 50


@dataclass(frozen=True)
class PreviewWarning:
    """A comment the draft would publish at once that it should not: why, in words."""

    comment_id: int
    article_id: int
    excerpt: str  # plain text: escape it when displaying
    reasons: list[str]


@dataclass(frozen=True)
class Quality:
    """How well "held or rejected" matches moderators' latest decisions (reject = should be
    flagged, approve = acceptable). precision/recall are None when undefined (0/0)."""

    label: str  # a toxicity label, or "overall"
    true_positives: int
    false_positives: int
    false_negatives: int
    true_negatives: int

    @property
    def precision(self) -> float | None:
        flagged = self.true_positives + self.false_positives
        return self.true_positives / flagged if flagged else None

    @property
    def recall(self) -> float | None:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else None


@dataclass(frozen=True)
class Histogram:
    """Scores of one label over the previewed comments in CHART_BINS equal bins over 0..1
    (the last bin includes 1.0), with both policies' cut-offs."""

    label: str
    counts: list[int]
    active_hold: float
    active_reject: float
    draft_hold: float
    draft_reject: float


@dataclass(frozen=True)
class PolicyPreview:
    n_requested: int
    n: int  # scored comments actually found (at most n_requested)
    active_version: int
    counts_active: dict[str, int]
    counts_draft: dict[str, int]
    changed_total: int
    changed: list[ChangedComment]  # the first PREVIEW_CHANGED_LIMIT, newest first
    transitions: dict[str, int]  # "held → published" -> count
    human_decisions: int  # previewed comments with a moderator's approve/reject
    quality_active: list[Quality]  # per label, then "overall"
    quality_draft: list[Quality]
    histograms: list[Histogram] = field(default_factory=list)
    warnings_total: int = 0
    warnings: list[PreviewWarning] = field(default_factory=list)  # the first PREVIEW_WARNINGS_LIMIT


def preview_warning_reasons(*, draft_status: str, scores: Mapping[str, float], moderator_rejected: bool,
                            active_thresholds: Mapping[str, Mapping[str, float]]) -> list[str]:
    """Why a draft's verdict on one comment deserves a warning ([] when it does not): it would be
    published though a moderator rejected it, or though a grave label is at or above its current
    hold cut-off."""
    if draft_status != rules.PUBLISH:
        return []
    reasons = ["a moderator rejected it"] if moderator_rejected else []
    for label in GRAVE_LABELS:
        cut = active_thresholds.get(label)
        if cut and label in scores and float(scores[label]) >= cut["hold"]:
            reasons.append(f"{label} {float(scores[label]):.2f} is at or above its current hold cut-off {cut['hold']:.2f}")
    return reasons


def _quality(label: str, flagged: list[bool], truth: list[bool]) -> Quality:
    c = Counter(zip(flagged, truth))
    return Quality(
        label=label,
        true_positives=c[(True, True)],
        false_positives=c[(True, False)],
        false_negatives=c[(False, True)],
        true_negatives=c[(False, False)],
    )


def _label_flags(scores: Mapping[str, float], label: str, thresholds) -> bool:
    return label in scores and float(scores[label]) >= thresholds[label]["hold"]


def _bin(value: float) -> int:
    # The epsilon keeps a score exactly on an edge (0.15) in the bin it starts, despite 0.15 * 20 < 3.
    return min(CHART_BINS - 1, max(0, int(float(value) * CHART_BINS + 1e-9)))


def _preview_rows(n: int) -> tuple[list[tuple], dict[int, str]]:
    """The last ``n`` analyses with what pre-moderation needs, and moderators' latest decision on
    each of those comments that has one. Two queries."""
    latest = Analysis.objects.order_by("-id")
    rows = list(
        latest.annotate(excerpt=Left("comment__text", EXCERPT_CHARS)).values_list(
            "comment_id",
            "comment__article_id",
            "scores",
            "excerpt",
            "comment__article__premoderate_comments",
            "comment__author__standing__premoderated",
            "language",
            "toxicity_model",
            "findings",
        )[:n]
    )
    human: dict[int, str] = {}
    decisions = (
        ModerationEvent.objects.filter(
            actor__isnull=False, action__in=(*rules.HUMAN_DECISIONS, ModerationEvent.Action.UNDO),
            comment_id__in=latest.values("comment_id")[:n],
        )
        .order_by("comment_id", "created_at", "id")
        .values_list("comment_id", "action", "reverses__action")
    )
    for comment_id, action, reversed_action in decisions:  # ascending: the latest verdict wins
        if action == ModerationEvent.Action.UNDO:
            if reversed_action in rules.HUMAN_DECISIONS:  # undoing an escalation leaves the verdict be
                human.pop(comment_id, None)
        else:
            human[comment_id] = action
    return rows, human


@dataclass
class _Tally:
    """What the preview counts, comment by comment, for both policies."""

    counts_active: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    counts_draft: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    transitions: Counter = field(default_factory=Counter)
    changed: list[ChangedComment] = field(default_factory=list)
    bins: dict[str, list[int]] = field(default_factory=lambda: {label: [0] * CHART_BINS for label in TOXICITY_LABELS})
    flags: dict[str, dict[str, list[bool]]] = field(
        default_factory=lambda: {side: {label: [] for label in (*TOXICITY_LABELS, "overall")} for side in ("active", "draft")}
    )
    truth: list[bool] = field(default_factory=list)

    def add_verdicts(self, comment_id: int, article_id: int, excerpt: str, active, draft) -> None:
        self.counts_active[active.status] += 1
        self.counts_draft[draft.status] += 1
        if active.status == draft.status:
            return
        self.transitions[f"{active.status} → {draft.status}"] += 1
        if len(self.changed) < PREVIEW_CHANGED_LIMIT:
            self.changed.append(
                ChangedComment(
                    comment_id=comment_id, article_id=article_id, excerpt=excerpt,
                    from_status=active.status, to_status=draft.status, rule=draft.reason,
                )
            )

    def add_scores(self, scores: Mapping[str, float]) -> None:
        for label, value in scores.items():
            if label in self.bins:
                self.bins[label][_bin(value)] += 1

    def add_judged(self, scores: Mapping[str, float], *, rejected: bool, sides) -> None:
        """A comment a moderator decided: would each side's thresholds have flagged it?"""
        self.truth.append(rejected)
        for side, thresholds in sides:
            flags = self.flags[side]
            flags["overall"].append(rules.decide(scores, thresholds).status in FLAGGED)
            for label in TOXICITY_LABELS:
                flags[label].append(_label_flags(scores, label, thresholds))

    def qualities(self, side: str) -> list[Quality]:
        return [_quality(label, flags, self.truth) for label, flags in self.flags[side].items()]


def policy_preview(*, draft: Draft, n: int = PREVIEW_DEFAULT_N) -> PolicyPreview:
    """What the draft would do to the last `n` scored comments, next to the active policy.

    Two queries (the analyses with what pre-moderation needs, and moderators' decisions on those
    comments); everything else is moderation.rules.decide in Python. Pre-moderation (site-wide
    from each policy, per article and per author as they stand now) is applied to both sides, so
    the counts are what each policy would do today. Precision/recall judge the *thresholds*:
    they leave pre-moderation holds out, as those say nothing about the text.
    """
    if not 1 <= n <= PREVIEW_MAX_N:
        raise ValidationError({"n": [f"Must be between 1 and {PREVIEW_MAX_N}."]})
    active = policy_active()
    draft = _draft_completed(draft=draft, active=active)
    draft_thresholds = draft.thresholds
    rows, human = _preview_rows(n)
    tally = _Tally()
    warnings: list[PreviewWarning] = []
    warnings_total = 0
    for comment_id, article_id, scores, excerpt, article_pm, author_pm, language, model_name, findings in rows:
        verdicts = [redecide(policy, scores=scores, article_premoderated=article_pm, author_premoderated=author_pm,
                             language=language, model_name=model_name, findings=findings) for policy in (active, draft)]
        tally.add_verdicts(comment_id, article_id, excerpt, *verdicts)
        if why := preview_warning_reasons(draft_status=verdicts[1].status, scores=scores, active_thresholds=active.thresholds,
                                          moderator_rejected=human.get(comment_id) == ModerationEvent.Action.REJECT):
            warnings_total += 1
            if len(warnings) < PREVIEW_WARNINGS_LIMIT:
                warnings.append(PreviewWarning(comment_id, article_id, excerpt, why))
        tally.add_scores(scores)
        if comment_id in human:
            tally.add_judged(
                scores, rejected=human[comment_id] == ModerationEvent.Action.REJECT,
                sides=(("active", active.thresholds), ("draft", draft_thresholds)),
            )
    return PolicyPreview(
        n_requested=n,
        n=len(rows),
        active_version=active.version,
        counts_active=tally.counts_active,
        counts_draft=tally.counts_draft,
        changed_total=sum(tally.transitions.values()),
        changed=tally.changed,
        transitions=dict(tally.transitions.most_common()),
        human_decisions=len(tally.truth),
        quality_active=tally.qualities("active"),
        quality_draft=tally.qualities("draft"),
        histograms=_preview_histograms(bins=tally.bins, active_thresholds=active.thresholds,
                                       draft_thresholds=draft_thresholds),
        warnings_total=warnings_total,
        warnings=warnings,
    )


def _draft_completed(*, draft: Draft, active: Policy) -> Draft:
    """The draft with its thresholds validated, and whatever it leaves out taken from the active policy."""
    draft_thresholds = rules.validate_thresholds(draft.thresholds)
    # A draft that leaves a label out keeps the active cut-offs for it.
    return replace(
        draft, thresholds={**active.thresholds, **draft_thresholds},
        rules_off=tuple(active.rules_off) if draft.rules_off is None else draft.rules_off,
        publish_languages=tuple(active.publish_languages) if draft.publish_languages is None else draft.publish_languages,
    )


def _preview_histograms(*, bins: dict[str, list[int]], active_thresholds, draft_thresholds) -> list[Histogram]:
    return [
        Histogram(
            label=label,
            counts=bins[label],
            active_hold=active_thresholds[label]["hold"],
            active_reject=active_thresholds[label]["reject"],
            draft_hold=draft_thresholds[label]["hold"],
            draft_reject=draft_thresholds[label]["reject"],
        )
        for label in TOXICITY_LABELS
        if label in active_thresholds and label in draft_thresholds
    ]


def standings_premoderated(author_ids) -> set[int]:
    return set(
        AuthorStanding.objects.filter(user_id__in=set(author_ids), premoderated=True).values_list("user_id", flat=True)
    )


def redecide(
    policy: Policy | Draft, *, scores, article_premoderated: bool, author_premoderated: bool | None,
    language: str = "", model_name: str = "", findings=None,
) -> rules.Verdict:
    """The worker's whole rule (moderation.rules.comment_verdict) under ``policy``."""
    return rules.comment_verdict(policy=policy, scores=scores, article_premoderated=article_premoderated,
                                 author_premoderated=author_premoderated, language=language, model_name=model_name,
                                 findings=findings)
