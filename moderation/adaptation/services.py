"""Writes for the site's own model: fit a candidate on decisions up to a cut-off and gate it
(:func:`site_model_fit`), put a version in service or take one back (:func:`model_version_activate`),
and switch the periodic fit on or off (:func:`site_adaptation_schedule_set`).

The gates, every one of which a candidate must pass before it may ever serve:
1. it agrees with the site's moderators more often than the model serving now, on the decisions
   made AFTER the cut-off (never trained on), at least ``MIN_LATER_DECISIONS`` of them;
2. it regresses no guard rail (ml.adaptation.GUARD_TOLERANCES: identity templates held, threats
   held, Jigsaw AUC) beyond its tolerance, measured against the model serving now; a guard rail
   that cannot be measured (no ``../shared``) is a failure, never a pass.
A candidate that fails is stored all the same, status "refused", with its reasons and report.
"""
from __future__ import annotations

import logging
from datetime import datetime

import numpy as np
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from moderation.adaptation import guard_sets as guard_sets_module
from moderation.adaptation.labels import decision_labels
from moderation.models import ModelVersion, SiteAdaptationSetting
from moderation.permissions import CHANGE_POLICY
from moderation.rules import policy_active

logger = logging.getLogger(__name__)

# ml.adaptation (and torch with it) is imported inside the functions that fit or score: the web
# process imports this module for the API and the policy page, and must not load torch.

BASE_SPEC = "parley-minilm"
MIN_TRAIN_DECISIONS = 50
MIN_LATER_DECISIONS = 30
CHANGED_EXAMPLES = 20
EXCERPT_CHARS = 200


class NotActivatable(Exception):
    """The version may not serve: ``message`` says why."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _require_admin(admin) -> None:
    if admin is not None and not (admin.is_authenticated and admin.has_perm(CHANGE_POLICY)):
        raise PermissionDenied("Only admins may change which model scores comments.")


def base_classifier():
    """The shipped parley-minilm, loaded once per process (the registry caches it)."""
    from ml.classifiers.registry import load_toxicity_classifier  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    classifier = load_toxicity_classifier(BASE_SPEC)
    if classifier.name != BASE_SPEC:
        raise ValidationError({"model": f"{BASE_SPEC} could not be loaded here (got {classifier.name}); "
                                        "a site model adapts its weights and cannot be fitted without them."})
    return classifier


def version_head(version: ModelVersion | None, base):
    """The head a version scores with (ml.adaptation.SiteHead): the shipped one for the shipped row."""
    from ml.adaptation import SiteHead, shipped_head  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    if version is None or version.kind == ModelVersion.Kind.SHIPPED or not version.params:
        return shipped_head(base)
    return SiteHead.from_json(version.params)


def _targets(examples) -> np.ndarray:
    """(n, len(LABELS)) of 1/0/NaN in ml's label order."""
    from ml.classifiers.minilm_toxicity import LABELS  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    return np.array([[np.nan if e.labels.get(label) is None else float(e.labels[label]) for label in LABELS]
                     for e in examples], dtype=np.float64).reshape(len(examples), len(LABELS))


def site_model_fit(*, cutoff: datetime | None = None, admin=None, now: datetime | None = None) -> ModelVersion:
    """Fit a candidate on the decisions up to ``cutoff`` (default: all but the latest 20 %, so
    there are later ones to judge it on), judge it against the version serving now, and store it:
    status "ready" when it passed every gate, "refused" with the reasons when not. Raises
    ValidationError naming ``cutoff`` when there are too few decisions on either side."""
    from ml.adaptation import (  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)
        GUARD_TOLERANCES,
        embed,
        fit_site_head,
        shipped_head,
    )

    _require_admin(admin)
    labels = decision_labels()
    cutoff, train, later = _fit_split(labels.examples, cutoff)
    base = base_classifier()
    active = ModelVersion.objects.filter(is_active=True).first()
    current = version_head(active, base)
    thresholds = policy_active().thresholds
    features = embed(base, [e.text for e in train + later])
    train_f, later_f = features.take(np.arange(len(train))), features.take(np.arange(len(train), len(train) + len(later)))
    candidate, fit_report = fit_site_head(shipped_head(base), train_f, _targets(train), thresholds)

    judged, reasons = _fit_later_judged(current=current, candidate=candidate, later=later, later_f=later_f,
                                        thresholds=thresholds)
    rails, used, rail_reasons = _fit_guard_rails_judged(base=base, current=current, candidate=candidate,
                                                        thresholds=thresholds)
    reasons += rail_reasons

    report = {
        "cutoff": cutoff.isoformat(),
        "decisions": {"train": len(train), "later": len(later), "left_out": labels.left_out,
                      "train_rejected": sum(e.rejected for e in train), "later_rejected": sum(e.rejected for e in later)},
        "moderators": [vars(m) for m in labels.moderators],
        "fit": fit_report.as_dict(),
        "current": {"version": str(active) if active else "shipped parley-minilm",
                    "id": active.pk if active else None},
        "later_agreement": judged,
        "guard_rails": rails,
        "guard_sets": used,
        "tolerances": {k: {"better": b, "tolerance": t} for k, (b, t) in GUARD_TOLERANCES.items()},
        "thresholds": thresholds,
        "changed": _changed_examples(later, current.scores(later_f), candidate.scores(later_f), thresholds) if later else [],
    }
    version = ModelVersion.objects.create(
        kind=ModelVersion.Kind.SITE, base_model=BASE_SPEC, base_version=base.version,
        params=candidate.to_json(), cutoff=cutoff,
        status=ModelVersion.Status.REFUSED if reasons else ModelVersion.Status.READY,
        refused_reasons=reasons, report=report, created_by=admin if admin is not None else None,
        created_at=now or timezone.now(),
    )
    logger.info("Site model v%s fitted on %s decisions: %s", version.pk, len(train),
                "refused: " + "; ".join(reasons) if reasons else "passed every gate")
    return version


def _fit_split(examples, cutoff: datetime | None) -> tuple[datetime | None, list, list]:
    """The cut-off (default: the decision at 80 %), the decisions up to it and those after it.
    ValidationError naming ``cutoff`` when too few come before it."""
    if cutoff is None and examples:
        cutoff = examples[int(len(examples) * 0.8) - 1].decided_at if len(examples) >= 5 else examples[-1].decided_at
    train = [e for e in examples if cutoff is not None and e.decided_at <= cutoff]
    later = [e for e in examples if cutoff is not None and e.decided_at > cutoff]
    if len(train) < MIN_TRAIN_DECISIONS:
        raise ValidationError({"cutoff": f"{len(train)} usable decisions up to the cut-off; a site model needs at "
                                         f"least {MIN_TRAIN_DECISIONS}."})
    return cutoff, train, later


def _fit_later_judged(*, current, candidate, later, later_f, thresholds) -> tuple[dict, list[str]]:
    """Gate 1: each head's agreement with the decisions after the cut-off, and why the candidate
    fails the gate (none when it passes)."""
    from ml.adaptation import agreement  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    reasons: list[str] = []
    later_t = _targets(later)
    judged = {"current": agreement(current.scores(later_f), later_t, thresholds) if later else None,
              "candidate": agreement(candidate.scores(later_f), later_t, thresholds) if later else None}
    if len(later) < MIN_LATER_DECISIONS:
        reasons.append(f"only {len(later)} decisions after the cut-off; judging needs at least {MIN_LATER_DECISIONS}")
    elif not judged["candidate"]["overall"] > judged["current"]["overall"]:
        reasons.append(f"agrees with moderators on {judged['candidate']['overall']:.1%} of the later decisions, "
                       f"not more than the current model's {judged['current']['overall']:.1%}")
    return judged, reasons


def _fit_guard_rails_judged(*, base, current, candidate, thresholds) -> tuple[dict, dict, list[str]]:
    """Gate 2: both heads' guard rails, the guard sets used, and why the candidate fails the gate
    (a guard set that could not be read is a failure)."""
    from ml.adaptation import guard_rail_failures, guard_rails  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    reasons: list[str] = []
    missing = guard_sets_module.guard_sets_missing()
    sets, used = guard_sets_module.guard_sets(base)
    rails = {"current": guard_rails(current, sets, thresholds), "candidate": guard_rails(candidate, sets, thresholds)}
    if missing:
        reasons.append("guard rails could not be checked: " + "; ".join(missing))
    reasons += [f"guard rail {line}" for line in guard_rail_failures(rails["candidate"], rails["current"])
                if not (missing and "could not be measured" in line)]
    return rails, used, reasons


def _changed_examples(later, current: np.ndarray, candidate: np.ndarray, thresholds) -> list[dict]:
    """Later comments whose outcome (held or not) the candidate would change, most confident first."""
    from ml.adaptation import flagged  # noqa: PLC0415 - the web process loads no torch (tests/moderation/adaptation)

    before, after = flagged(current, thresholds), flagged(candidate, thresholds)
    rows = []
    for i in np.nonzero(before != after)[0]:
        e = later[int(i)]
        rows.append({
            "comment_id": e.comment_id, "excerpt": e.text[:EXCERPT_CHARS],
            "moderator": "rejected" if e.rejected else "approved",
            "current": "held" if before[i] else "published", "candidate": "held" if after[i] else "published",
            "current_top": round(float(current[i].max()), 3), "candidate_top": round(float(candidate[i].max()), 3),
            "candidate_right": bool(after[i] == e.rejected),
        })
    rows.sort(key=lambda r: -abs(r["candidate_top"] - r["current_top"]))
    return rows[:CHANGED_EXAMPLES]


def model_version_activate(*, version_id: int, admin, rollback: bool = False) -> ModelVersion:
    """Put a version in service in one step (the worker picks it up within seconds,
    moderation.adaptation.serving), recorded in the admin log shown on the audit log page.

    ``rollback``: go back to the shipped model or a version that served before. Otherwise: serve a
    candidate that passed every gate. A refused version never serves (NotActivatable)."""
    _require_admin(admin)
    with transaction.atomic():
        versions = {v.pk: v for v in ModelVersion.objects.select_for_update().all()}
        version = versions.get(version_id)
        if version is None:
            raise ModelVersion.DoesNotExist(f"Model version {version_id} does not exist.")
        if version.status == ModelVersion.Status.REFUSED:
            raise NotActivatable(f"{version} was refused by its gates and can never serve: "
                                 + "; ".join(version.refused_reasons))
        if rollback and version.kind != ModelVersion.Kind.SHIPPED and version.activated_at is None:
            raise NotActivatable(f"{version} never served: roll back to the shipped model or to a version that "
                                 "served before, or activate it.")
        previous = next((v for v in versions.values() if v.is_active), None)
        if previous is not None and previous.pk == version.pk:
            return version
        if previous is not None:
            previous.is_active = False
            previous.save(update_fields=["is_active"])
        version.is_active = True
        version.activated_at = timezone.now()
        version.save(update_fields=["is_active", "activated_at"])
        if admin is not None:
            LogEntry.objects.log_actions(
                user_id=admin.pk, queryset=[version], action_flag=CHANGE, single_object=True,
                change_message=f"{'rolled back to' if rollback else 'activated'} {version}"
                               + (f" (was {previous})" if previous else ""),
            )
    logger.info("Model version %s now serves (was %s)%s", version, previous, " [rollback]" if rollback else "")
    return version


def site_adaptation_schedule_set(*, periodic: bool, admin) -> SiteAdaptationSetting:
    _require_admin(admin)
    setting, _ = SiteAdaptationSetting.objects.get_or_create(pk=1)
    if setting.periodic != periodic:
        setting.periodic = periodic
        setting.updated_by = admin
        setting.save()
        LogEntry.objects.log_actions(user_id=admin.pk, queryset=[setting], action_flag=CHANGE, single_object=True,
                                     change_message=f"periodic site model fit switched {'on' if periodic else 'off'}")
    return setting

