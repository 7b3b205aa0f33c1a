"""How the active policy treats text nobody here wrote, for ``manage.py evaluate_models``.

The model evaluation itself (``ml/evaluation``) knows nothing of Django; these helpers add what needs
the policy in force: whether a sentence would be held, and the outcomes of the demo's threats and of
seed 003's reader comments, decided by the same rule the worker uses (``moderation.rules.decide``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Mapping

from moderation import rules

SEED_003 = "003_*.txt"


def held_under_active_policy() -> Callable[[Mapping[str, float]], bool]:
    """scores -> would the active policy hold or reject them?"""
    thresholds = rules.policy_active().thresholds
    return lambda scores: rules.decide(scores, thresholds).status != rules.PUBLISH


def _held_by(label: str, scores: Mapping[str, float], thresholds) -> bool:
    cut = thresholds.get(label)
    return cut is not None and label in scores and scores[label] >= cut["hold"]


def demo_and_seed_rows(classifier, *, seeds_dir: Path) -> list[dict]:
    """Rows in the evaluation's format: the demo threats' lowest ``threat`` score and the share held
    by ``threat``; how many of seed 003's comments the active policy holds or rejects."""
    from blog.demo import DEMO_COMMENT_KINDS
    from blog.importing import parse_page

    thresholds = rules.policy_active().thresholds
    threats = [text for text, kind in DEMO_COMMENT_KINDS.items() if kind == "threat"]
    scores = classifier.score(threats)
    rows = [
        {"dataset": "demo", "label": "threat", "metric": "min", "value": min(s.get("threat", 0.0) for s in scores),
         "n": len(threats)},
        {"dataset": "demo", "label": "threat", "metric": "held_by_threat",
         "value": sum(_held_by("threat", s, thresholds) for s in scores) / len(scores), "n": len(threats)},
    ]
    seed = next(iter(sorted(seeds_dir.glob(SEED_003))), None)
    if seed is not None:
        comments = parse_page(seed.read_text(encoding="utf-8")).comments
        verdicts = [rules.decide(s, thresholds) for s in classifier.score([c.text for c in comments])]
        rows.append({"dataset": "seed_003", "label": "held", "metric": "count",
                     "value": float(sum(v.status != rules.PUBLISH for v in verdicts)), "n": len(comments)})
    return rows
