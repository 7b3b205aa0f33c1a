"""Adapting ``parley-minilm`` to one site's moderators, with the encoder frozen (no Django).

A site's candidate model is the shipped encoder (never changed, never copied) plus its own small
parameters: the six-label linear head (6 x 384 weights and 6 biases) and a per-label Platt scaling
(a, b), ``sigmoid(a * z + b)`` exactly as :class:`ml.classifiers.minilm_toxicity.MiniLMToxicity`
calibrates. Fitting reads each text once through the frozen encoder (mean-pooled 384-d vectors,
the head's input), then fits only those parameters: seconds to minutes on a CPU.

How a head is fitted (:func:`fit_site_head`), on the site's decisions up to a cut-off:
1. recalibration: a per-label Platt scaling of the shipped head's logits against the moderators'
   labels, for each label with at least ``MIN_EXAMPLES`` positives and negatives (others keep the
   shipped calibration);
2. the head: the same labels' rows of the head moved from the shipped weights by gradient steps on
   the masked binary cross-entropy (a label a decision says nothing about is masked), with an L2
   pull back to the shipped weights so a few hundred decisions cannot unlearn the training set;
3. the recalibrated labels' scale is shifted so the policy's hold cut-off falls where moderators
   reject half the time (:func:`align_to_policy`: agreement counts both kinds of error alike);
4. which of "shipped", "recalibrated" and "recalibrated + head" (three strengths of the pull) to
   keep is chosen on the last
   ``VALIDATION_SHARE`` of the training decisions in time (never on the later decisions the gates
   judge with, never on evaluation files).

The texts are read as training evaluated them (first ``max_len`` tokens, one window) and, where
:func:`deobfuscate` changes a text, also in its plain spelling, keeping the higher logit per label,
as the worker does. Serving uses the worker's own scoring path (:func:`adapted_classifier`).
"""
from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ml.classifiers.minilm_toxicity import LABELS, MiniLMToxicity, MultiLabelHead, deobfuscate
from ml.classifiers.quantize import sequences

MIN_EXAMPLES = 10  # positives and negatives a label needs before it is recalibrated or refitted
VALIDATION_SHARE = 0.2
HEAD_L2 = 1.0  # pull toward the shipped weights (per example-averaged loss)
HEAD_L2_CHOICES = (1.0, 0.1, 0.01)  # tried in turn; the validation slice picks one
HEAD_STEPS = 300
HEAD_LR = 0.01


@dataclass
class Features:
    """Pooled encoder outputs of texts as written and in their plain spelling (same row when
    :func:`deobfuscate` changes nothing)."""

    written: np.ndarray  # (n, hidden)
    plain: np.ndarray  # (n, hidden)

    def __len__(self) -> int:
        return len(self.written)

    def take(self, idx) -> Features:
        return Features(self.written[idx], self.plain[idx])

    @staticmethod
    def concat(parts: Sequence[Features]) -> Features:
        return Features(np.concatenate([p.written for p in parts]), np.concatenate([p.plain for p in parts]))


@dataclass
class SiteHead:
    """The small parameters of one model version: head weights and per-label Platt scaling."""

    weight: np.ndarray  # (len(LABELS), hidden)
    bias: np.ndarray  # (len(LABELS),)
    calibration: dict[str, tuple[float, float]] = field(default_factory=dict)

    def logits(self, features: Features) -> np.ndarray:
        written = features.written @ self.weight.T + self.bias
        plain = features.plain @ self.weight.T + self.bias
        return np.maximum(written, plain)

    def scores(self, features: Features) -> np.ndarray:
        """(n, len(LABELS)) calibrated probabilities."""
        z = self.logits(features)
        a = np.array([self.calibration.get(label, (1.0, 0.0))[0] for label in LABELS])
        b = np.array([self.calibration.get(label, (1.0, 0.0))[1] for label in LABELS])
        return 1.0 / (1.0 + np.exp(-(a * z + b)))

    def to_json(self) -> dict:
        return {
            "labels": list(LABELS),
            "weight": [[round(float(x), 7) for x in row] for row in self.weight],
            "bias": [round(float(x), 7) for x in self.bias],
            "calibration": {k: [float(a), float(b)] for k, (a, b) in self.calibration.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping) -> SiteHead:
        if tuple(data["labels"]) != LABELS:
            raise ValueError(f"a site head for labels {data['labels']}, not {LABELS}")
        return cls(
            weight=np.asarray(data["weight"], dtype=np.float32),
            bias=np.asarray(data["bias"], dtype=np.float32),
            calibration={k: (float(a), float(b)) for k, (a, b) in data["calibration"].items()},
        )

    def fingerprint(self) -> str:
        """A short hash of the parameters: two versions with the same one score alike."""
        return hashlib.sha256(repr(self.to_json()).encode()).hexdigest()[:10]


def shipped_head(classifier: MiniLMToxicity) -> SiteHead:
    head = classifier.model.head
    return SiteHead(
        weight=head.weight.detach().float().numpy().copy(),
        bias=head.bias.detach().float().numpy().copy(),
        calibration=dict(classifier.calibration),
    )


def embed(classifier: MiniLMToxicity, texts: Sequence[str], *, batch_size: int = 64) -> Features:
    """Pooled, frozen-encoder vectors of ``texts`` (and of their plain spelling where it differs)."""
    texts = [str(t) for t in texts]
    plain = [deobfuscate(t) for t in texts]
    extra = [i for i, (t, p) in enumerate(zip(texts, plain)) if p != t]
    pooled = _pooled(classifier, texts + [plain[i] for i in extra], batch_size=batch_size)
    written = pooled[:len(texts)]
    plain_rows = written.copy()
    for k, i in enumerate(extra):
        plain_rows[i] = pooled[len(texts) + k]
    return Features(written, plain_rows)


def _pooled(classifier: MiniLMToxicity, texts: list[str], *, batch_size: int) -> np.ndarray:
    import torch

    hidden = classifier.model.head.in_features
    out = np.zeros((len(texts), hidden), dtype=np.float32)
    if not texts:
        return out
    ids = classifier.tokenizer(texts, truncation=True, max_length=classifier.max_len)["input_ids"]
    order = sorted(range(len(texts)), key=lambda i: len(ids[i]))  # little padding per batch
    pad = classifier.tokenizer.pad_token_id
    encoder = classifier.model.encoder
    with torch.inference_mode():
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            width = max(len(ids[i]) for i in idx)
            x = torch.full((len(idx), width), pad, dtype=torch.long)
            m = torch.zeros((len(idx), width), dtype=torch.long)
            for j, i in enumerate(idx):
                x[j, :len(ids[i])] = torch.tensor(ids[i])
                m[j, :len(ids[i])] = 1
            with sequences([len(ids[i]) for i in idx]):  # an int8 encoder: each text's own scale, as in scoring
                h = encoder(input_ids=x, attention_mask=m).last_hidden_state
            mask = m.unsqueeze(-1).to(h.dtype)
            pooled = (h * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            out[idx] = pooled.float().numpy()
    return out


# --------------------------------------------------------------------------- fitting


def _label_ok(targets: np.ndarray, j: int) -> bool:
    known = targets[:, j][~np.isnan(targets[:, j])]
    return int((known == 1).sum()) >= MIN_EXAMPLES and int((known == 0).sum()) >= MIN_EXAMPLES


def recalibrate(base: SiteHead, features: Features, targets: np.ndarray) -> SiteHead:
    """Per-label Platt scaling of ``base``'s logits against ``targets`` ((n, labels), NaN = unknown)."""
    from sklearn.linear_model import LogisticRegression

    z = base.logits(features)
    calibration = dict(base.calibration)
    for j, label in enumerate(LABELS):
        if not _label_ok(targets, j):
            continue
        known = ~np.isnan(targets[:, j])
        fit = LogisticRegression(C=1.0).fit(z[known, j:j + 1], targets[known, j].astype(int))
        calibration[label] = (float(fit.coef_[0, 0]), float(fit.intercept_[0]))
    return SiteHead(base.weight.copy(), base.bias.copy(), calibration)


def align_to_policy(head: SiteHead, base: SiteHead, thresholds) -> SiteHead:
    """Shift each refitted label's calibration so that its hold cut-off in the policy falls where
    this site's moderators reject half the time (Platt gives P(rejected); a cut-off of 0.38 on
    that would hold comments moderators mostly approve). The admin's cut-offs keep their place;
    labels left as shipped are untouched."""
    calibration = dict(head.calibration)
    for label, (a, b) in head.calibration.items():
        hold = thresholds.get(label, {}).get("hold")
        if (a, b) == base.calibration.get(label) or hold is None or not 0 < hold < 1:
            continue
        calibration[label] = (a, b + math.log(hold / (1 - hold)))
    return SiteHead(head.weight, head.bias, calibration)


def refit_head(base: SiteHead, features: Features, targets: np.ndarray, *, l2: float = HEAD_L2,
               steps: int = HEAD_STEPS, lr: float = HEAD_LR, seed: int = 13) -> SiteHead:
    """Move the rows of labels with enough examples, calibration fixed, pulled back to ``base``."""
    import torch

    rows = [j for j in range(len(LABELS)) if _label_ok(targets, j)]
    if not rows:
        return base
    torch.manual_seed(seed)
    w0 = torch.tensor(base.weight[rows])
    b0 = torch.tensor(base.bias[rows])
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    a = torch.tensor([base.calibration.get(LABELS[j], (1.0, 0.0))[0] for j in rows])
    c = torch.tensor([base.calibration.get(LABELS[j], (1.0, 0.0))[1] for j in rows])
    xw, xp = torch.tensor(features.written), torch.tensor(features.plain)
    y = torch.tensor(targets[:, rows], dtype=torch.float32)
    mask = ~torch.isnan(y)
    y = torch.nan_to_num(y)
    # Classes keep their natural weights: agreement counts every decision alike, and balancing
    # them pushed the head to hold far more than moderators reject (measured on OLID: 48 % held
    # against 34 % rejected).
    sample_w = mask.float()
    opt = torch.optim.Adam([w, b], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        z = torch.maximum(xw @ w.T + b, xp @ w.T + b)
        loss = torch.nn.functional.binary_cross_entropy_with_logits(a * z + c, y, weight=sample_w, reduction="sum")
        loss = loss / mask.sum().clamp(min=1) + l2 * ((w - w0) ** 2).sum() + l2 * ((b - b0) ** 2).sum()
        loss.backward()
        opt.step()
    weight, bias = base.weight.copy(), base.bias.copy()
    weight[rows] = w.detach().numpy()
    bias[rows] = b.detach().numpy()
    return SiteHead(weight, bias, dict(base.calibration))


def flagged(scores: np.ndarray, thresholds: Mapping[str, Mapping[str, float]]) -> np.ndarray:
    """Held or rejected under ``thresholds``: any label at or above its hold cut-off (the score
    part of moderation.rules.comment_verdict; the spam and language rules are not the model's)."""
    holds = np.array([thresholds.get(label, {}).get("hold", math.inf) for label in LABELS])
    return (scores >= holds).any(axis=1)


def agreement(scores: np.ndarray, targets: np.ndarray, thresholds) -> dict:
    """Share of decisions where "the model held it" matches "a moderator rejected it" (column 0 of
    ``targets``, the toxicity label: every rejection), overall and per label (a label's own flag
    against its own known targets)."""
    truth = targets[:, 0] == 1
    out = {"n": int(len(truth)), "overall": _share(flagged(scores, thresholds) == truth)}
    per_label = {}
    for j, label in enumerate(LABELS):
        known = ~np.isnan(targets[:, j])
        hold = thresholds.get(label, {}).get("hold", math.inf)
        per_label[label] = {"n": int(known.sum()),
                            "agreement": _share((scores[known, j] >= hold) == (targets[known, j] == 1))}
    out["per_label"] = per_label
    return out


def _share(matches: np.ndarray) -> float | None:
    return float(matches.mean()) if len(matches) else None


@dataclass
class FitReport:
    chosen: str  # "shipped", "recalibrated" or "recalibrated+head(l2=...)"
    validation: dict  # variant -> agreement on the validation slice
    n_train: int
    n_validation: int
    labels_fitted: list[str]

    def as_dict(self) -> dict:
        return {"chosen": self.chosen, "validation": self.validation, "n_train": self.n_train,
                "n_validation": self.n_validation, "labels_fitted": self.labels_fitted}


def fit_site_head(base: SiteHead, features: Features, targets: np.ndarray, thresholds) -> tuple[SiteHead, FitReport]:
    """The candidate head for decisions in time order (oldest first); see the module docstring."""
    n = len(features)
    n_val = int(round(n * VALIDATION_SHARE))
    fit_idx, val_idx = np.arange(0, n - n_val), np.arange(n - n_val, n)
    fit_f, val_f = features.take(fit_idx), features.take(val_idx)
    fit_t, val_t = targets[fit_idx], targets[val_idx]
    variants = {"shipped": lambda f, t: base,
                "recalibrated": lambda f, t: align_to_policy(recalibrate(base, f, t), base, thresholds)}
    for l2 in HEAD_L2_CHOICES:  # strongest pull first: on a tie the change closest to shipped wins
        variants[f"recalibrated+head(l2={l2:g})"] = (
            lambda f, t, l2=l2: align_to_policy(refit_head(recalibrate(base, f, t), f, t, l2=l2), base, thresholds))
    validation = {}
    for name, make in variants.items():
        head = make(fit_f, fit_t)
        validation[name] = agreement(head.scores(val_f), val_t, thresholds)["overall"] if n_val else None
    # Ties keep the simpler variant (dict order): a change must earn its place.
    chosen = max(validation, key=lambda k: (validation[k] or 0.0) - 1e-9 * list(variants).index(k))
    final = variants[chosen](features, targets)  # refitted on all the training decisions
    fitted = [label for j, label in enumerate(LABELS) if _label_ok(targets, j)] if chosen != "shipped" else []
    return final, FitReport(chosen, validation, int(n - n_val), int(n_val), fitted)


# --------------------------------------------------------------------------- guard rails


def roc_auc(y_true: Sequence[int], y_score: Sequence[float]) -> float | None:
    from sklearn.metrics import roc_auc_score

    if len(set(y_true)) < 2:
        return None
    return float(roc_auc_score(y_true, y_score))


def guard_rails(head: SiteHead, sets: Mapping[str, tuple[Features, np.ndarray]], thresholds) -> dict:
    """The fixed checks a version must not regress: ``identity`` (non-toxic identity templates:
    share held, lower is better), ``threats`` (share held, higher is better), ``jigsaw_auc``
    (toxicity score against Jigsaw's toxic flag). ``sets``: name -> (features, labels)."""
    out = {}
    if "identity" in sets:
        f, _ = sets["identity"]
        out["identity_hold_rate"] = float(flagged(head.scores(f), thresholds).mean())
    if "threats" in sets:
        f, _ = sets["threats"]
        out["threat_hold_rate"] = float(flagged(head.scores(f), thresholds).mean())
    if "jigsaw" in sets:
        f, y = sets["jigsaw"]
        out["jigsaw_auc"] = roc_auc(list(y.astype(int)), list(head.scores(f)[:, 0]))
    return out


# Each guard rail: (which way is better, how far a candidate may fall behind the current model).
GUARD_TOLERANCES: dict[str, tuple[str, float]] = {
    "identity_hold_rate": ("lower", 0.02),  # at most 2 points more harmless identity templates held
    "threat_hold_rate": ("higher", 0.0),  # not one threat fewer held
    "jigsaw_auc": ("higher", 0.01),
}


def guard_rail_failures(candidate: Mapping[str, float], current: Mapping[str, float]) -> list[str]:
    """Why ``candidate`` may not serve, one line per regressed guard rail (empty: none)."""
    failures = []
    for key, (better, tolerance) in GUARD_TOLERANCES.items():
        new, old = candidate.get(key), current.get(key)
        if new is None or old is None:
            failures.append(f"{key}: could not be measured")
            continue
        worse = new - old if better == "lower" else old - new
        if worse > tolerance + 1e-12:
            failures.append(f"{key}: {new:.3f} against {old:.3f} now (tolerance {tolerance:.2f}, {better} is better)")
    return failures


# --------------------------------------------------------------------------- serving


def adapted_classifier(base: MiniLMToxicity, head: SiteHead, *, version: str) -> MiniLMToxicity:
    """A classifier that scores like ``base`` (windows, plain spellings, batching) with ``head``'s
    weights and calibration. Shares ``base``'s encoder: no second copy of the weights in memory."""
    import torch

    model = MultiLabelHead(base.model.encoder, n_labels=len(LABELS))
    with torch.no_grad():
        model.head.weight.copy_(torch.tensor(head.weight))
        model.head.bias.copy_(torch.tensor(head.bias))
    model.eval()
    return MiniLMToxicity(model, base.tokenizer, version=version, max_len=base.max_len, stride=base.stride,
                          calibration=dict(head.calibration), batch_size=base.batch_size, meta=base.meta)
