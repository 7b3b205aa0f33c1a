"""Default hold/reject cut-offs for Parley's toxicity model, chosen on held-out *training* rows.

For each label, on the dev rows that know it (the same seeded split the training used, with the
written families and ToxiGen's hateful statements), positives and negatives re-weighted to the
label's rate in an ordinary comment stream:

* hold at the highest cut-off that still holds ``HOLD_RECALL[label]`` of the label's positives
  (threats and identity attacks must not slip through; profanity may, a little), raised until no
  more than ``FALSE_HOLD_BUDGET[label]`` of the rows without the label would be held by it (the
  recall target is not reachable for every label on these rows: HatEval's hate is subtle);
* reject at the lowest cut-off where ``REJECT_PRECISION`` of what it rejects is a positive, and never
  below ``MIN_REJECT``: rejecting is final for the reader, so only near-certain abuse skips a human.

    python -m ml.training.policy_tuning      # prints the thresholds and writes ml/weights/toxicity/policy.json
Nothing in ``shared/data/eval/`` or ``*_test.csv`` is read.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ml.classifiers.minilm_toxicity import DEFAULT_WEIGHTS_DIR, LABELS, MiniLMToxicity
from ml.training import toxicity as recipe
from ml.training.common import log

HOLD_RECALL = {"toxicity": 0.80, "severe_toxicity": 0.80, "obscene": 0.80, "threat": 0.90, "insult": 0.80,
               "identity_attack": 0.90}
# share of rows *without* the label that the label's hold cut-off may hold
FALSE_HOLD_BUDGET = {"toxicity": 0.06, "severe_toxicity": 0.01, "obscene": 0.02, "threat": 0.002, "insult": 0.03,
                     "identity_attack": 0.01}
REJECT_PRECISION = 0.98
MIN_REJECT = 0.90
FLOOR = 0.05  # no hold cut-off below this: below it almost every comment would wait for a human


def weighted_recall_cut(y: np.ndarray, p: np.ndarray, recall: float) -> float:
    """The highest cut-off t with share(p >= t | y = 1) >= recall."""
    positives = np.sort(p[y == 1])[::-1]
    k = int(np.ceil(recall * len(positives))) - 1
    return float(positives[max(0, k)])


def false_hold_cut(y: np.ndarray, p: np.ndarray, budget: float) -> float:
    """The lowest cut-off (to two decimals) holding at most ``budget`` of the negatives."""
    negatives = p[y == 0]
    for t in np.round(np.arange(0.01, 1.0, 0.01), 2):
        if (negatives >= t).mean() <= budget:
            return float(t)
    return 1.0


def precision_cut(y: np.ndarray, p: np.ndarray, w: np.ndarray, precision: float) -> float:
    """The lowest cut-off t whose weighted precision over p >= t reaches ``precision`` (1.0 if none)."""
    order = np.argsort(-p)
    tp = np.cumsum(w[order] * (y[order] == 1))
    allw = np.cumsum(w[order])
    ok = np.where(tp / allw >= precision)[0]
    if len(ok) == 0:
        return 1.0
    # the longest prefix (lowest cut-off) that still meets the precision
    return float(p[order][ok.max()])


def tune(scores: list[dict[str, float]], dev: list, rates: dict[str, float]) -> dict[str, dict[str, float]]:
    out = {}
    for label in LABELS:
        idx = [i for i, r in enumerate(dev) if label in r[1]]
        y = np.array([dev[i][1][label] for i in idx])
        p = np.array([scores[i][label] for i in idx])
        pos = y.mean()
        w = np.where(y == 1, rates[label] / pos, (1 - rates[label]) / (1 - pos))
        hold = max(FLOOR, round(weighted_recall_cut(y, p, HOLD_RECALL[label]), 2),
                   false_hold_cut(y, p, FALSE_HOLD_BUDGET[label]))
        reject = max(MIN_REJECT, round(precision_cut(y, p, w, REJECT_PRECISION), 2), hold)
        out[label] = {"hold": hold, "reject": min(1.0, reject)}
    return out


def scores_from_first_windows(clf: MiniLMToxicity, texts: list[str], first) -> list[dict[str, float]]:
    """Exactly ``clf.score(texts)``, reusing ``first`` (``clf.logits(texts, windows=False)``): only the
    texts longer than one window and the look-alike spellings are read again (one dev pass, not two)."""
    import torch

    from ml.classifiers.minilm_toxicity import deobfuscate

    best = first.clone()
    ids = clf.tokenizer(texts, truncation=False)["input_ids"]
    long = [i for i, x in enumerate(ids) if len(x) > clf.max_len]
    plain = {i: deobfuscate(t) for i, t in enumerate(texts)}
    extra = [i for i, p in plain.items() if p != texts[i]]
    with torch.inference_mode():
        if long:
            best[long] = clf.logits([texts[i] for i in long])
        if extra:
            best[extra] = torch.maximum(best[extra], clf.logits([plain[i] for i in extra]))
    return clf.calibrate(best)


def main(data: str | None = None, weights: str | Path | None = None, *, calibrate: bool = False) -> dict:
    """Tune and write ``policy.json`` for the fp32 model in ``weights`` (default: the shipped one).
    ``calibrate`` first refits its Platt scaling on the same dev pass, as the training recipe does at its
    end (for weights whose run was stopped before it got there)."""
    import torch

    weights = Path(weights or DEFAULT_WEIGHTS_DIR)
    cfg = recipe.Config(data=data) if data else recipe.Config()
    recipe.set_seed(cfg.seed)
    dev = recipe.dev_rows(cfg)
    clf = MiniLMToxicity.from_dir(weights, precision="fp32")
    texts = [r[0] for r in dev]
    log(f"scoring {len(dev)} dev rows with {clf.name} {clf.version}")
    with torch.inference_mode():
        first = clf.logits(texts, windows=False)
    rates = recipe.natural_rates(cfg)
    if calibrate:
        cal = recipe.fit_calibration(first, dev, rates)
        meta_path = weights / "toxicity.json"
        meta = json.loads(meta_path.read_text())
        meta.update(calibration=cal, natural_rates=rates)
        meta_path.write_text(json.dumps(meta, indent=2) + "\n")
        clf.calibration = {k: (float(a), float(b)) for k, (a, b) in cal.items()}
        log(f"calibration refitted: {json.dumps(cal)}")
    scores = scores_from_first_windows(clf, texts, first)
    thresholds = tune(scores, dev, rates)
    result = {"model_version": clf.version, "thresholds": thresholds, "hold_recall": HOLD_RECALL,
              "false_hold_budget": FALSE_HOLD_BUDGET,
              "reject_precision": REJECT_PRECISION, "min_reject": MIN_REJECT}
    (weights / "policy.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(thresholds, indent=2))
    return result


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=None)
    parser.add_argument("--weights", default=None)
    parser.add_argument("--calibrate", action="store_true",
                        help="refit the weights' calibration on the same dev pass first")
    a = parser.parse_args()
    main(a.data, a.weights, calibrate=a.calibrate)
