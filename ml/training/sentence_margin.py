"""How much a sentence read alone may raise ``identity_attack``: the margin table in docs/MODELS.md.

    python -m ml.training.sentence_margin [--data ../shared/data] [--margins 0 0.5 1 2]

Reads only the training recipe's seeded dev split (ml/training/toxicity.py: held-out training rows
and the *_val files), never an evaluation file. For each margin: ROC AUC of ``identity_attack`` per
dev source, and at the shipped hold line the share of positives and of negatives it holds.
"""
from __future__ import annotations

import argparse
import json

import numpy as np
import torch

from ml.classifiers.minilm_toxicity import (
    DEFAULT_WEIGHTS_DIR,
    LABELS,
    SENTENCE_GATE,
    SENTENCE_MARGIN,
    MiniLMToxicity,
    deobfuscate,
    sentences,
)
from ml.training import toxicity as recipe

GROUPS = {"jigsaw": ("jigsaw2018_train_first2886", "jigsaw2018_train_balanced_sample"), "hateval": ("hateval_val",),
          "toxigen": ("toxigen_human",), "davidson": ("davidson2017",)}
POLICY_FILE = DEFAULT_WEIGHTS_DIR / "policy.json"  # the shipped policy's cut-offs, tuned with the weights


def whole_and_sentence_logits(model: MiniLMToxicity, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each text's identity_attack logit read whole, its highest sentence's (-inf: one sentence), and
    its toxicity logit read whole (what the gate reads)."""
    k = LABELS.index("identity_attack")
    with torch.inference_mode():
        read = model.logits(texts)
        whole, toxicity = read[:, k].numpy(), read[:, LABELS.index("toxicity")].numpy()
        pieces = [(i, s) for i, t in enumerate(texts) for s in sentences(deobfuscate(t))]
        best = np.full(len(texts), -np.inf)
        if pieces:
            for (i, _), z in zip(pieces, model.logits([s for _, s in pieces])[:, k].numpy()):
                best[i] = max(best[i], z)
    return whole, best, toxicity


def main(argv=None) -> None:
    from sklearn.metrics import roc_auc_score

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(recipe.DEFAULT_DATA))
    p.add_argument("--margins", type=float, nargs="*", default=[0.0, 0.5, 1.0, 2.0])
    args = p.parse_args(argv)
    dev = recipe.dev_rows(recipe.Config(data=args.data))
    model = MiniLMToxicity.from_dir()
    whole, best, toxicity = whole_and_sentence_logits(model, [r[0] for r in dev])
    a, b = model.calibration["identity_attack"]
    gated = toxicity >= model.toxicity_logit_at(SENTENCE_GATE)
    hold = json.loads(POLICY_FILE.read_text())["thresholds"]["identity_attack"]["hold"]
    print(f"{len(dev)} dev rows, {int(np.isfinite(best).sum())} with two sentences or more, "
          f"{int((np.isfinite(best) & gated).sum())} of them with toxicity >= {SENTENCE_GATE} read whole")
    for margin in [None, *args.margins, "shipped"]:
        if margin == "shipped":  # the margin, and only comments over the toxicity gate read by sentence
            z = np.where(gated, np.maximum(whole, best - SENTENCE_MARGIN), whole)
        else:
            z = whole if margin is None else np.maximum(whole, best - margin)
        held = 1 / (1 + np.exp(-(a * z + b))) >= hold
        cells = []
        for group, sources in GROUPS.items():
            idx = [i for i, r in enumerate(dev) if r[2] in sources and "identity_attack" in r[1]]
            y = np.array([dev[i][1]["identity_attack"] for i in idx])
            auc = roc_auc_score(y, z[idx])
            cells.append(f"{group} AUC {auc:.4f} held {held[idx][y == 1].mean():.3f} / false {held[idx][y == 0].mean():.3f}")
        name = {None: "whole only", "shipped": f"shipped ({SENTENCE_MARGIN} + gate {SENTENCE_GATE})"}.get(margin, margin)
        print(f"margin {name}: " + "; ".join(cells))


if __name__ == "__main__":
    main()
