"""Writes on the threshold policy: saving and restoring versions, per-article pre-moderation,
and re-applying the active policy to automatic holds.

Two promises the admin can rely on:

* Saving a version never re-decides a comment. Comments are decided when they are scored, under
  the version active then (each ModerationEvent records it).
* Re-applying touches only *automatic pending* comments (see ``reapply.reapply_candidates``): a
  comment a human has acted on in any way keeps the human's decision.
"""
from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max

from blog.models import Article
from ml.classifiers.base import TOXICITY_LABELS
from moderation import lifecycle, rules
from moderation.models import Policy
from moderation.policy.reapply import ReapplyPlan, reapply_candidates, reapply_summary, reapply_verdicts
from moderation.policy.selectors import Draft, policy_preview
from moderation.queue.services import queue_rerank_waiting

logger = logging.getLogger(__name__)

SAVE_ATTEMPTS = 3

NOTE_MAX_CHARS = 2000


def policy_clean(*, thresholds: object, premoderate_all: object, on_failure: object, note: object,
                 rules_off: object = (), publish_languages: object = ()) -> dict[str, Any]:
    """Validate a draft policy; return its clean values or raise ValidationError naming each
    field and the reason. A policy must give both cut-offs for every toxicity label; ``rules_off``
    names worker rules (moderation.rules.WORKER_RULES), ``publish_languages`` ISO 639-1 codes."""
    errors: dict[str, list[str]] = {}
    clean_rules: dict[str, list[str]] = {}
    for name, validate, value in (("rules_off", rules.validate_rules_off, rules_off),
                                  ("publish_languages", rules.validate_publish_languages, publish_languages)):
        try:
            clean_rules[name] = validate(value)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    clean_thresholds: dict[str, dict[str, float]] = {}
    try:
        clean_thresholds = rules.validate_thresholds(thresholds)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    else:
        missing = [label for label in TOXICITY_LABELS if label not in clean_thresholds]
        if missing:
            errors["thresholds"] = [f"Missing label '{label}': every label needs hold and reject." for label in missing]
    if not isinstance(premoderate_all, bool):
        errors["premoderate_all"] = ["Must be true or false."]
    if on_failure not in Policy.OnFailure.values:
        errors["on_failure"] = [f"Must be one of: {', '.join(Policy.OnFailure.values)}."]
    if not isinstance(note, str):
        errors["note"] = ["Must be a string."]
    elif len(note) > NOTE_MAX_CHARS:
        errors["note"] = [f"At most {NOTE_MAX_CHARS} characters."]
    if errors:
        raise ValidationError(errors)
    # Stored in the canonical label order, so versions compare and display alike.
    return {
        "thresholds": {label: clean_thresholds[label] for label in TOXICITY_LABELS},
        "premoderate_all": premoderate_all,
        "on_failure": on_failure,
        "note": note.strip(),
        **clean_rules,
    }


def policy_warnings_refuse(values: dict[str, Any]) -> None:
    """ValidationError on ``acknowledge_warnings`` when the version would publish what the preview
    warns about (comments a moderator rejected, or a threat or identity attack at or above
    today's hold line): one click must not publish those without the admin saying they saw it."""
    preview = policy_preview(draft=Draft(
        thresholds=values["thresholds"], premoderate_all=values["premoderate_all"],
        rules_off=tuple(values["rules_off"]), publish_languages=tuple(values["publish_languages"]),
    ))
    if not preview.warnings_total:
        return
    examples = "; ".join(f"#{w.comment_id}: {', '.join(w.reasons)}" for w in preview.warnings[:3])
    raise ValidationError({"acknowledge_warnings": [
        f"This version would publish {preview.warnings_total} of the last {preview.n} scored comments that it should "
        f"not ({examples}). See them in the preview at /moderation/policy/ (Preview), then save again "
        "acknowledging the warnings to go ahead."
    ]})


def policy_save(*, thresholds: object, premoderate_all: object, on_failure: object, note: object, admin,
                rules_off: object = None, publish_languages: object = None, acknowledge_warnings: bool = False) -> Policy:
    """Save a new version and make it the active one. Nothing is re-decided: comments already
    decided keep their decision (see held_reapply for automatic holds). ``rules_off`` and
    ``publish_languages`` left out (None) keep the active version's. Refused (ValidationError on
    ``acknowledge_warnings``) when the preview warns, unless ``acknowledge_warnings``."""
    if rules_off is None or publish_languages is None:
        active = Policy.objects.filter(is_active=True).first()
        rules_off = (active.rules_off if active else []) if rules_off is None else rules_off
        publish_languages = (active.publish_languages if active else []) if publish_languages is None else publish_languages
    values = policy_clean(thresholds=thresholds, premoderate_all=premoderate_all, on_failure=on_failure, note=note,
                          rules_off=rules_off, publish_languages=publish_languages)
    if acknowledge_warnings is not True:
        policy_warnings_refuse(values)
    for attempt in range(SAVE_ATTEMPTS):
        try:
            with transaction.atomic():
                Policy.objects.filter(is_active=True).update(is_active=False)
                latest = Policy.objects.aggregate(v=Max("version"))["v"] or 0
                saved = Policy.objects.create(version=latest + 1, is_active=True, created_by=admin, **values)
            queue_rerank_waiting()  # the queue's order depends on the thresholds
            return saved
        except IntegrityError:
            # Another admin saved at the same moment: their row took the version number or the
            # one active slot (unique constraints). Try again on top of theirs; both versions
            # stay in the history, the later save is active.
            logger.info("Policy save collided with a concurrent save (attempt %s)", attempt + 1)
    raise ValidationError({"version": ["Other admins are saving versions right now; reload and try again."]})


def policy_restore(*, version: int, admin, acknowledge_warnings: bool = False) -> Policy:
    """Make an old version current again, as a new version copying its values (refused like any
    save when the preview warns, unless ``acknowledge_warnings``)."""
    try:
        old = Policy.objects.get(version=version)
    except Policy.DoesNotExist:
        raise ValidationError({"version": [f"There is no version {version}."]}) from None
    return policy_save(
        thresholds=old.thresholds,
        premoderate_all=old.premoderate_all,
        on_failure=old.on_failure,
        rules_off=old.rules_off,
        publish_languages=old.publish_languages,
        note=f"restored from v{old.version}",
        admin=admin,
        acknowledge_warnings=acknowledge_warnings,
    )


def article_set_premoderation(*, article: Article, premoderate: bool, admin) -> Article:
    """Hold (or stop holding) every new comment on one article for a human. Applies to comments
    scored from now on; comments already decided keep their decision."""
    Article.objects.filter(pk=article.pk).update(premoderate_comments=premoderate)
    logger.info("%s turned pre-moderation %s for article %s", admin, "on" if premoderate else "off", article.pk)
    article.premoderate_comments = premoderate
    return article


def held_reapply(*, admin) -> ReapplyPlan:
    """Re-decide every automatic hold under the active policy (the same verdicts the dry run,
    reapply.held_reapply_plan, shows). Each comment that changes bucket goes through the
    lifecycle: an automatic audit entry naming the admin who asked; the rest stay held."""
    with transaction.atomic():
        policy = Policy.objects.select_for_update().get(is_active=True)
        # Lock and re-check in one statement: a moderator deciding one of these right now
        # either finishes first (and the comment drops out) or waits for us.
        comments = list(
            reapply_candidates()
            .select_for_update(of=("self",))
            .select_related("analysis", "article")
            .order_by("id")
        )
        verdicts = reapply_verdicts(policy, comments)
        for comment, verdict in verdicts:
            if verdict.status != comment.status:
                lifecycle.comment_policy_reapplied(comment=comment, admin=admin, verdict=verdict,
                                                   scores=comment.analysis.scores, policy=policy)
    queue_rerank_waiting()
    return reapply_summary(policy, verdicts, applied=True)
