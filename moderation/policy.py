"""The moderation rule: scores + thresholds -> publish, hold or reject, with the reason in words.

Pure functions over plain data, so the worker, the policy preview and the tests share one rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from django.core.exceptions import ValidationError

from ml.classifiers.base import TOXICITY_LABELS

PUBLISH, HOLD, REJECT = "published", "held", "rejected"

# The first policy version (installed by migration 0002). Chosen so that plain disagreement,
# however blunt, is published, and abuse is held for a human; only unambiguous abuse is
# rejected without one. Identity attacks and threats hold early: missing one costs more than
# a moderator's glance.
DEFAULT_THRESHOLDS: dict[str, dict[str, float]] = {
    "toxicity": {"hold": 0.15, "reject": 0.97},
    "severe_toxicity": {"hold": 0.30, "reject": 0.80},
    "obscene": {"hold": 0.60, "reject": 0.97},
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
) -> Verdict:
    """Reject if any label reaches its reject cut-off, else hold if any reaches its hold
    cut-off (or premoderation applies, given as the reason why), else publish.
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
