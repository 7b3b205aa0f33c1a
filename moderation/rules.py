"""The moderation rules, each defined once: the worker, the policy preview and re-apply, the
review queue and the insights all call these.

* ``decide``: scores + thresholds -> publish, hold or reject, with the reason in words, under
  ``policy_active`` (the version in force);
* ``premoderation_reason``: why a comment is held whatever its scores (site, article, author);
* "waiting in the queue": ``comment_waiting`` / ``waiting_for_moderator_q`` and their statuses;
* ``HUMAN_DECISIONS`` and ``AUTO_ACTION``: which audit entries are a moderator's verdict, and
  which an automatic one;
* ``worker_rule_reasons``: the worker's cheap rules that hold a comment whatever its scores (a
  language the model does not read, the same text posted many times, one character repeated,
  mostly links from a new account), each named in ``WORKER_RULES`` and switchable per policy;
* ``reason_in_words``: a label and its marked phrase as readers and moderators are told it.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf.locale import LANG_INFO
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from blog.models import Comment, CommentReport
from ml.classifiers.base import TOXICITY_LABELS
from ml.classifiers.registry import model_languages
from ml.language import LATIN_LANGUAGES, UNDETERMINED, language_name
from ml.language import NAMES as LANGUAGE_NAMES
from moderation.models import ModerationEvent, Policy

PUBLISH, HOLD, REJECT = "published", "held", "rejected"

# The default policy (version 2, installed by migration 0006 over an untouched version 1), tuned
# for Parley's own toxicity model on held-out training rows (ml/training/policy_tuning.py):
# disagreement, however blunt, is published; abuse is held for a human; only near-certain abuse is
# rejected without one. Threats and identity attacks hold early: missing one costs more than a
# moderator's glance. (Version 1, migration 0002, was tuned for the Jigsaw BiLSTM.)
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "toxicity": {"hold": 0.38, "reject": 0.98},
    "severe_toxicity": {"hold": 0.26, "reject": 1.0},
    "obscene": {"hold": 0.54, "reject": 0.98},
    "threat": {"hold": 0.18, "reject": 0.9},
    "insult": {"hold": 0.31, "reject": 0.96},
    "identity_attack": {"hold": 0.17, "reject": 0.9},
    "sexual_explicit": {"hold": 0.5, "reject": 0.95},
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
            elif not 0 <= v <= 1:  # compared as given: float(10**400) is an OverflowError
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
REPEATED_TEXT = "repeated_text"
ONE_CHARACTER = "one_character"
LINKS_FROM_NEW_ACCOUNT = "links_from_new_account"

# The spam rules' limits (what a finding must reach for its rule to hold the comment).
REPEAT_MIN = 3  # the same text (case and spacing aside) posted this many times in REPEAT_WINDOW_HOURS
REPEAT_WINDOW_HOURS = 24
ONE_CHAR_MIN_LENGTH = 30  # non-space characters, so "!!!" or "ok" is not junk
ONE_CHAR_SHARE = 0.8  # one character is at least this share of them
LINK_SHARE = 0.5  # links are at least half of the non-space characters ...
NEW_ACCOUNT_HOURS = 48  # ... from an account younger than this

# name -> what it does, as the policy page lists it (each can be switched off in a policy version).
WORKER_RULES: dict[str, str] = {
    UNREAD_LANGUAGE: "Hold comments written in a language the toxicity model does not read.",
    REPEATED_TEXT: f"Hold a text posted {REPEAT_MIN} or more times within {REPEAT_WINDOW_HOURS} hours (copy-paste spam).",
    ONE_CHARACTER: f"Hold a comment of {ONE_CHAR_MIN_LENGTH}+ characters that is mostly one character repeated (\"xxxx…\").",
    LINKS_FROM_NEW_ACCOUNT: f"Hold a comment that is mostly links, from an account less than {NEW_ACCOUNT_HOURS} hours old.",
}

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)


def text_findings(text: str) -> dict[str, float]:
    """What the spam rules read in a comment's text alone (pure; the worker stores it on the
    Analysis with the findings that need the database, so a preview can re-decide):
    ``chars`` (non-space characters), ``top_char_share`` (the commonest one's share of them) and
    ``link_share`` (the share of them inside links)."""
    visible = [ch for ch in text if not ch.isspace()]
    if not visible:
        return {"chars": 0, "top_char_share": 0.0, "link_share": 0.0}
    top = Counter(ch.lower() for ch in visible).most_common(1)[0][1]
    link_chars = sum(len(m.group(0)) for m in _URL.finditer(text))
    return {"chars": len(visible), "top_char_share": round(top / len(visible), 4),
            "link_share": round(min(1.0, link_chars / len(visible)), 4)}


def text_fingerprint(text: str) -> str:
    """The text as the repeat rule compares it: case and surrounding spaces aside (the worker
    compares Lower(Trim(text)) in the database)."""
    return text.strip().lower()


def comment_verdict(*, policy, scores: Mapping[str, float], article_premoderated: bool,
                    author_premoderated: bool | Callable[[], bool] | None, language: str = "",
                    model_name: str = "", findings: Mapping[str, float] | None = None) -> Verdict:
    """The whole automatic decision for one scored comment under ``policy`` (a Policy, or a preview's
    draft with the same fields): thresholds, pre-moderation and the worker's rules. The worker, the
    threshold preview and re-apply all decide through this one function."""
    return decide(
        scores,
        policy.thresholds,
        premoderation=premoderation_reason(premoderate_all=policy.premoderate_all,
                                           article_premoderated=article_premoderated,
                                           author_premoderated=author_premoderated),
        rule_reasons=worker_rule_reasons(language=language, model_name=model_name, findings=findings,
                                         rules_off=policy.rules_off, publish_languages=policy.publish_languages),
    )


def worker_rule_reasons(*, language: str, model_name: str, findings: Mapping[str, float] | None = None,
                        rules_off: Collection[str] = (), publish_languages: Collection[str] = ()) -> list[str]:
    """Why the worker's rules hold a comment, in words ([] when none applies). Pure: the worker
    passes what it found when scoring, the preview what the Analysis stored (``findings``:
    text_findings plus ``repeats``, the copies of this text in the window including it, and
    ``account_age_hours``; a missing finding applies no rule)."""
    reasons = []
    if (UNREAD_LANGUAGE not in rules_off and language and language != UNDETERMINED
            and language not in model_languages(model_name) and language not in publish_languages):
        reasons.append(f"written in {language_name(language)}, which the toxicity model does not read")
    f = findings or {}
    if REPEATED_TEXT not in rules_off and f.get("repeats", 0) >= REPEAT_MIN:
        reasons.append(f"the same text was posted {f['repeats']} times in {REPEAT_WINDOW_HOURS} hours")
    if (ONE_CHARACTER not in rules_off and f.get("chars", 0) >= ONE_CHAR_MIN_LENGTH
            and f.get("top_char_share", 0.0) >= ONE_CHAR_SHARE):
        reasons.append(f"{f['top_char_share']:.0%} of its {f['chars']:,} characters are one character repeated")
    age = f.get("account_age_hours")
    if (LINKS_FROM_NEW_ACCOUNT not in rules_off and f.get("link_share", 0.0) >= LINK_SHARE
            and age is not None and age < NEW_ACCOUNT_HOURS):
        reasons.append(f"mostly links ({f['link_share']:.0%}), from an account {age:.0f} hours old")
    return reasons


def validate_rules_off(value: object) -> list[str]:
    """A policy's ``rules_off``: a list of known worker-rule names. ValidationError naming the field."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"rules_off": ["Must be a list of rule names."]})
    unknown = [v for v in value if v not in WORKER_RULES]
    if unknown:
        raise ValidationError({"rules_off": [f"Unknown rule '{v}'; known rules: {', '.join(WORKER_RULES)}." for v in unknown]})
    return sorted(set(value))


def is_language_code(code: str) -> bool:
    """An ISO 639-1 code Django or the language detector knows (two letters, e.g. 'de')."""
    return len(code) == 2 and (code in LANG_INFO or code in LATIN_LANGUAGES or code in LANGUAGE_NAMES)


def validate_publish_languages(value: object) -> list[str]:
    """A policy's ``publish_languages``: ISO 639-1 codes. ValidationError naming the field."""
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise ValidationError({"publish_languages": ["Must be a list of ISO 639-1 codes."]})
    codes = [v.strip().lower() for v in value]
    unknown = [v for v in codes if not is_language_code(v)]
    if unknown:
        raise ValidationError({"publish_languages": [f"Unknown language code '{v}' (ISO 639-1, e.g. 'de')." for v in unknown]})
    return sorted(set(codes))


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
