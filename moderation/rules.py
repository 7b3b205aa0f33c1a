"""The moderation rules, each defined once: the worker, the policy preview and re-apply, the
review queue and the insights all call these.

* ``decide``: scores + thresholds -> publish, hold or reject, with the reason in words, under
  ``policy_active`` (the version in force);
* ``premoderation_reason``: why a comment is held whatever its scores (site, article, author);
* "waiting in the queue": ``comment_waiting`` / ``waiting_for_moderator_q`` and their statuses;
* ``HUMAN_DECISIONS`` and ``AUTO_ACTION``: which audit entries are a moderator's verdict, and
  which an automatic one;
* ``worker_rule_reasons``: the worker's cheap rules that hold a comment whatever its scores (a
  language the model does not read, ...), each named in ``WORKER_RULES`` and switchable per policy;
* ``reason_in_words``: a label and its marked phrase as readers and moderators are told it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Collection, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from blog.models import Comment, CommentReport
from ml.classifiers.base import TOXICITY_LABELS
from ml.classifiers.registry import model_languages
from ml.language import UNDETERMINED, language_name
from moderation.models import ModerationEvent, Policy

PUBLISH, HOLD, REJECT = "published", "held", "rejected"

# The default policy (version 2, installed by migration 0006 over an untouched version 1), tuned
# for Parley's own toxicity model on held-out training rows (ml/training/policy_tuning.py):
# disagreement, however blunt, is published; abuse is held for a human; only near-certain abuse is
# rejected without one. Threats and identity attacks hold early: missing one costs more than a
# moderator's glance. (Version 1, migration 0002, was tuned for the Jigsaw BiLSTM.)
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "toxicity": {"hold": 0.40, "reject": 0.97},
    "severe_toxicity": {"hold": 0.30, "reject": 0.90},
    "obscene": {"hold": 0.50, "reject": 0.97},
    "threat": {"hold": 0.30, "reject": 0.90},
    "insult": {"hold": 0.50, "reject": 0.95},
    "identity_attack": {"hold": 0.30, "reject": 0.90},
    "sexual_explicit": {"hold": 0.50, "reject": 0.95},
}


@dataclass(frozen=True)
class Verdict:
    status: str  # PUBLISH, HOLD or REJECT
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


def decide(
    scores: Mapping[str, float],
    thresholds: Mapping[str, Mapping[str, float]],
    *,
    premoderation: str | None = None,
    rule_reasons: Sequence[str] = (),
) -> Verdict:
    """Reject if any label reaches its reject cut-off, else hold if any reaches its hold
    cut-off (or premoderation applies, or a worker rule gave ``rule_reasons``), else publish.
    Labels the model does not predict are skipped; every crossing is listed, highest first."""
    rejects, holds = [], []
    for label, cut in thresholds.items():
        if label not in scores:
            continue
        value = float(scores[label])
        if value >= cut["reject"]:
            rejects.append((value, f"{label} {value:.2f} is at or above the reject threshold {cut['reject']:.2f}"))
        elif value >= cut["hold"]:
            holds.append((value, f"{label} {value:.2f} is at or above the hold threshold {cut['hold']:.2f}"))
    if rejects:
        return Verdict(REJECT, [r for _, r in sorted(rejects, reverse=True)])
    reasons = [r for _, r in sorted(holds, reverse=True)]
    if premoderation:
        reasons.append(premoderation)
    reasons.extend(rule_reasons)
    if reasons:
        return Verdict(HOLD, reasons)
    return Verdict(PUBLISH, ["every label is below its hold threshold"])


def validate_thresholds(thresholds: object) -> dict[str, dict[str, float]]:
    """Check an admin's draft: known labels only, both cut-offs in 0..1, hold <= reject.
    Raises ValidationError({"thresholds": ...}) naming the label and the problem."""
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise ValidationError({"thresholds": "Must be an object mapping each label to {hold, reject}."})
    clean: dict[str, dict[str, float]] = {}
    errors: list[str] = []
    for label, cut in thresholds.items():
        if label not in TOXICITY_LABELS:
            errors.append(f"Unknown label '{label}'; known labels: {', '.join(TOXICITY_LABELS)}.")
            continue
        if not isinstance(cut, Mapping) or set(cut) != {"hold", "reject"}:
            errors.append(f"{label}: must have exactly the keys 'hold' and 'reject'.")
            continue
        values = {}
        for key in ("hold", "reject"):
            v = cut[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                errors.append(f"{label}.{key}: must be a number.")
            elif not 0.0 <= float(v) <= 1.0:
                errors.append(f"{label}.{key}: {v} is outside 0..1.")
            else:
                values[key] = float(v)
        if len(values) == 2:
            if values["hold"] > values["reject"]:
                errors.append(f"{label}: hold {values['hold']} is above reject {values['reject']}.")
            else:
                clean[label] = values
    if errors:
        raise ValidationError({"thresholds": errors})
    return clean


def policy_active() -> Policy:
    """The policy every decision is made under now (exactly one version is active)."""
    return Policy.objects.select_related("created_by").get(is_active=True)


def premoderation_reason(
    *, premoderate_all: bool, article_premoderated: bool, author_premoderated: bool | Callable[[], bool] | None
) -> str | None:
    """Why a comment is held for a human whatever its scores, or None. ``author_premoderated``
    may be a callable, asked only when the site and the article do not already say (the worker
    passes its one query, the preview a flag it read with the scores)."""
    if premoderate_all:
        return "every comment is pre-moderated (site-wide policy)"
    if article_premoderated:
        return "every comment on this article is pre-moderated"
    if author_premoderated() if callable(author_premoderated) else author_premoderated:
        return "the author is on pre-moderation"
    return None


# --- "waiting in the queue" --------------------------------------------------------------------

# Undecided: scored-and-held, failed, or not scored yet. With "published with open (not yet ruled
# on) reports", these are what a moderator may still decide on.
UNDECIDED = (Comment.Status.PENDING, Comment.Status.HELD, Comment.Status.FAILED)
# Undecided and in front of a moderator: pending ones wait for the worker, not for a human.
HELD_FOR_MODERATOR = (Comment.Status.HELD, Comment.Status.FAILED)


def open_reports_exist() -> Exists:
    """On Comment: it has reports nobody has ruled on yet."""
    return Exists(CommentReport.objects.filter(comment=OuterRef("pk"), upheld__isnull=True))


def comment_waiting(*, status: str, open_reports: int) -> bool:
    """In the queue proper: undecided, or published with open reports."""
    return status in UNDECIDED or (status == Comment.Status.PUBLISHED and open_reports > 0)


def waiting_for_moderator_q() -> Q:
    """On Comment: held or failed, or published with open reports (pending ones are not shown
    to moderators until scored)."""
    return Q(status__in=HELD_FOR_MODERATOR) | Q(open_reports_exist(), status=Comment.Status.PUBLISHED)


# --- audit entries ------------------------------------------------------------------------------

# A moderator's verdict (escalating is not one: it asks another moderator).
HUMAN_DECISIONS = (ModerationEvent.Action.APPROVE, ModerationEvent.Action.REJECT)
# The audit action of each automatic verdict.
AUTO_ACTION = {
    PUBLISH: ModerationEvent.Action.AUTO_PUBLISH,
    HOLD: ModerationEvent.Action.AUTO_HOLD,
    REJECT: ModerationEvent.Action.AUTO_REJECT,
}


# --- the worker's rules: held whatever the scores ----------------------------------------------

UNREAD_LANGUAGE = "unread_language"
# name -> what it does, as the policy page lists it (each can be switched off in a policy version).
WORKER_RULES: dict[str, str] = {
    UNREAD_LANGUAGE: "Hold comments written in a language the toxicity model does not read.",
}


def comment_verdict(*, policy, scores: Mapping[str, float], article_premoderated: bool,
                    author_premoderated: bool | Callable[[], bool] | None, language: str = "",
                    model_name: str = "") -> Verdict:
    """The whole automatic decision for one scored comment under ``policy`` (a Policy, or a preview's
    draft with the same fields): thresholds, pre-moderation and the worker's rules. The worker, the
    threshold preview and re-apply all decide through this one function."""
    return decide(
        scores,
        policy.thresholds,
        premoderation=premoderation_reason(premoderate_all=policy.premoderate_all,
                                           article_premoderated=article_premoderated,
                                           author_premoderated=author_premoderated),
        rule_reasons=worker_rule_reasons(language=language, model_name=model_name, rules_off=policy.rules_off,
                                  publish_languages=policy.publish_languages),
    )


def worker_rule_reasons(*, language: str, model_name: str, rules_off: Collection[str] = (),
                        publish_languages: Collection[str] = ()) -> list[str]:
    """Why the worker's rules hold a comment, in words ([] when none applies). Pure: the worker
    passes what it found when scoring, the preview what the Analysis stored."""
    reasons = []
    if (UNREAD_LANGUAGE not in rules_off and language and language != UNDETERMINED
            and language not in model_languages(model_name) and language not in publish_languages):
        reasons.append(f"written in {language_name(language)}, which the toxicity model does not read")
    return reasons


# --- reasons in words -----------------------------------------------------------------------------

LABEL_IN_WORDS: dict[str, str] = {
    "toxicity": "may be rude or disrespectful",
    "severe_toxicity": "may be very hateful or aggressive",
    "obscene": "may contain obscene language",
    "threat": "may contain a threat",
    "insult": "may contain an insult",
    "identity_attack": "may attack people for who they are",
    "sexual_explicit": "may contain sexually explicit language",
}


def reason_in_words(*, label: str, phrase: str = "") -> str:
    """'may contain a threat: "break both your legs"': what a label means, with the words that drive it."""
    words = LABEL_IN_WORDS.get(label, "may break the discussion guidelines")
    return f'{words}: "{phrase}"' if phrase else words
