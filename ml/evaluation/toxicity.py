"""Evaluate a ToxicityClassifier on Parley's held-out evaluation files (no Django).

The files live in ``shared/data/eval/`` next to the repository (see its SOURCES.md). They are
for evaluation only: never tune thresholds or models on them.

    python -m ml.evaluation.toxicity jigsaw-bilstm
    python -m ml.evaluation.toxicity detoxify:original --checkpoint /models/toxic_original-c1212f89.ckpt

Every function returns rows ``{"dataset", "label", "metric", "value", "n"}``; ``n`` is the
number of texts, and for ROC AUC the positives are named in the label (``toxicity~offensive``
means "our toxicity score against their offensive flag").
"""
from __future__ import annotations

import argparse
import csv
import os
import re
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

from ml.classifiers.base import JIGSAW_TO_PARLEY, Scores, ToxicityClassifier

Row = dict[str, object]

# toxicity.csv's Jigsaw 2018 columns -> Parley label names.
JIGSAW_COLUMNS = JIGSAW_TO_PARLEY
_GONE = {"[removed]", "[deleted]"}  # CMV bodies whose text the source no longer has


def default_eval_dir() -> Path:
    """``$PARLEY_EVAL_DIR``, else ``<repo>/../shared/data/eval``."""
    configured = os.environ.get("PARLEY_EVAL_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "eval"


def read_csv(path: Path) -> list[dict[str, str]]:
    # newline="": texts contain quoted newlines (RFC 4180).
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def timed_scores(classifier: ToxicityClassifier, texts: Sequence[str], batch_size: int = 64) -> tuple[list[Scores], float]:
    """Score in batches of ``batch_size`` (as the worker does); returns (scores, ms per text)."""
    scores: list[Scores] = []
    started = time.perf_counter()
    for start in range(0, len(texts), batch_size):
        scores.extend(classifier.score(texts[start:start + batch_size]))
    elapsed_ms = (time.perf_counter() - started) * 1000
    return scores, elapsed_ms / max(1, len(texts))


def auc_row(dataset: str, label: str, y_true: Sequence[int], y_score: Sequence[float]) -> Row:
    """ROC AUC, or NaN when only one class is present (not measurable)."""
    n, positives = len(y_true), sum(y_true)
    value = float(roc_auc_score(y_true, y_score)) if 0 < positives < n else float("nan")
    return {"dataset": dataset, "label": label, "metric": "roc_auc", "value": value, "n": n, "positives": positives}


def ece_row(dataset: str, label: str, y_true: Sequence[int], y_score: Sequence[float], bins: int = 10) -> Row:
    """Expected calibration error over ``bins`` equal-width score bins, with the reliability curve
    (mean score, observed rate, count per non-empty bin) under ``curve``: how far "0.8" is from
    "8 in 10 of these carry the label"."""
    y = np.asarray(y_true, dtype=float)
    p = np.asarray(y_score, dtype=float)
    which = np.minimum((p * bins).astype(int), bins - 1)
    curve, ece = [], 0.0
    for b in range(bins):
        sel = which == b
        if sel.any():
            mean_p, rate, n = float(p[sel].mean()), float(y[sel].mean()), int(sel.sum())
            curve.append((round(mean_p, 3), round(rate, 3), n))
            ece += n / len(p) * abs(mean_p - rate)
    return {"dataset": dataset, "label": label, "metric": "ece", "value": ece, "n": len(p),
            "positives": int(y.sum()), "curve": curve}


def speed_row(dataset: str, ms_per_text: float, n: int) -> Row:
    return {"dataset": dataset, "label": "*", "metric": "ms_per_comment", "value": ms_per_text, "n": n}


def evaluate_jigsaw(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64) -> list[Row]:
    """Per-label ROC AUC on toxicity.csv (Jigsaw 2018 test rows) plus their mean."""
    data = read_csv(eval_dir / "toxicity.csv")
    scores, ms = timed_scores(classifier, [r["text"] for r in data], batch_size)
    rows = []
    for column, label in JIGSAW_COLUMNS.items():
        if label in classifier.labels:
            rows.append(auc_row("jigsaw_test", label, [int(r[column]) for r in data], [s[label] for s in scores]))
    measured = [r["value"] for r in rows if r["value"] == r["value"]]  # drop NaN
    if measured:
        rows.append({"dataset": "jigsaw_test", "label": f"mean({len(measured)} labels)", "metric": "roc_auc",
                     "value": statistics.fmean(measured), "n": len(data)})
    rows.append(ece_row("jigsaw_test", "toxicity", [int(r["toxic"]) for r in data], [s["toxicity"] for s in scores]))
    return rows + [speed_row("jigsaw_test", ms, len(data))]


def _binary(dataset: str, classifier: ToxicityClassifier, texts: list[str], targets: dict[str, list[int]],
            batch_size: int, extra_labels: Iterable[str] = ()) -> list[Row]:
    """ROC AUC of ``toxicity`` (and ``extra_labels``) against each named binary target."""
    scores, ms = timed_scores(classifier, texts, batch_size)
    rows = []
    for target_name, y in targets.items():
        for label in ("toxicity", *extra_labels):
            if label in classifier.labels:
                rows.append(auc_row(dataset, f"{label}~{target_name}", y, [s[label] for s in scores]))
        rows.append(ece_row(dataset, f"toxicity~{target_name}", y, [s["toxicity"] for s in scores]))
    return rows + [speed_row(dataset, ms, len(texts))]


def evaluate_olid(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64) -> list[Row]:
    data = read_csv(eval_dir / "offensive_olid_test.csv")
    return _binary("olid_test", classifier, [r["text"] for r in data],
                   {"offensive": [int(r["offensive"]) for r in data]}, batch_size, extra_labels=("insult",))


def evaluate_hateval(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64) -> list[Row]:
    data = read_csv(eval_dir / "hate_hateval_test.csv")
    return _binary("hateval_test", classifier, [r["text"] for r in data],
                   {"hate": [int(r["hate"]) for r in data]}, batch_size, extra_labels=("identity_attack",))


def evaluate_cmv(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64) -> list[Row]:
    """r/changemyview: did moderators remove the comment for rule 2 (rude/hostile)?

    threads.csv and threads_moderation_labels.csv join on ``comment_id``. Comments whose body
    is ``[removed]``/``[deleted]`` are dropped: the text is gone and almost all of them are
    removals, so keeping them would measure the placeholder, not the model.
    """
    labels = {r["comment_id"]: r for r in read_csv(eval_dir / "threads_moderation_labels.csv")}
    data = [r for r in read_csv(eval_dir / "threads.csv")
            if r["comment_id"] in labels and r["text"].strip() not in _GONE]
    return _binary("cmv_mod_removals", classifier, [r["text"] for r in data],
                   {"removed_rule2": [int(labels[r["comment_id"]]["removed_for_rule2_rudeness"]) for r in data]},
                   batch_size, extra_labels=("insult",))


def evaluate_socc_ctc(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64) -> list[Row]:
    """SFU news comments, crowd toxicity 1-4 (low agreement): positives at level >= 3 and >= 2."""
    data = read_csv(eval_dir / "news_toxicity_socc_ctc.csv")
    levels = [int(r["toxicity_level"]) for r in data]
    return _binary("socc_ctc_news", classifier, [r["text"] for r in data],
                   {"level>=3": [int(v >= 3) for v in levels], "level>=2": [int(v >= 2) for v in levels]},
                   batch_size)


# How each template of identity_bias_templates_en.csv places its identity term (or occupation).
_TEMPLATE_TERM = {
    "verb_adj": re.compile(r"^\S+ (.+)$"),
    "am_hate_adj": re.compile(r"^I (?:am|hate) (.+)$"),
    "being_adj": re.compile(r"^Being (.+) is \S+$"),
    "name_adj": re.compile(r"^\S+ is an? \S+ (.+)$"),
    "you_are_adj": re.compile(r"^You are an? \S+ (.+)$"),
    "you_occupation": re.compile(r"^You are an? \S+ (.+)$"),
}
HELD_TERM_LIMIT = 0.10  # no identity term may have more than this share of its harmless sentences held


def template_term(template: str, text: str) -> str:
    match = _TEMPLATE_TERM.get(template, re.compile(r"$^")).match(text)
    return match.group(1).lower() if match else "?"


def evaluate_identity(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64,
                      is_held: Callable[[Mapping[str, float]], bool] | None = None) -> list[Row]:
    """Identity-term bias (Dixon et al. templates): ROC AUC of ``toxicity``, and with ``is_held``
    (the active policy's rule) the share of *non-toxic* sentences held, overall and per identity
    term, the worst five listed and the terms above HELD_TERM_LIMIT counted."""
    data = read_csv(eval_dir / "identity_bias_templates_en.csv")
    scores, ms = timed_scores(classifier, [r["text"] for r in data], batch_size)
    y = [int(r["toxic"]) for r in data]
    rows = [auc_row("identity_templates", "toxicity~toxic", y, [s["toxicity"] for s in scores])]
    if is_held is not None:
        per_term: dict[str, list[bool]] = defaultdict(list)
        for r, s in zip(data, scores):
            if r["toxic"] == "0" and r["template"] != "you_occupation":
                per_term[template_term(r["template"], r["text"])].append(bool(is_held(s)))
        flags = [f for fs in per_term.values() for f in fs]
        rows.append({"dataset": "identity_templates", "label": "non-toxic held (policy)", "metric": "share",
                     "value": sum(flags) / max(1, len(flags)), "n": len(flags)})
        shares = sorted(((sum(fs) / len(fs), t, len(fs)) for t, fs in per_term.items()), reverse=True)
        rows.append({"dataset": "identity_templates", "label": f"terms above {HELD_TERM_LIMIT:.0%} held",
                     "metric": "count", "value": float(sum(v > HELD_TERM_LIMIT for v, _, _ in shares)),
                     "n": len(shares)})
        rows += [{"dataset": "identity_templates", "label": f"non-toxic held: '{t}'", "metric": "share",
                  "value": v, "n": n} for v, t, n in shares[:5]]
    return rows + [speed_row("identity_templates", ms, len(data))]


OBFUSCATION_PROBE = Path(__file__).resolve().parent / "data" / "obfuscation_probe.csv"


def evaluate_obfuscation(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64) -> list[Row]:
    """Parley's own probe (written for it, never trained on): 50 insults in look-alike spellings
    ("1d10t", "f u c k") against 50 harmless texts with the same tricks ("R2-D2", "gr8 article")."""
    data = read_csv(OBFUSCATION_PROBE)
    return _binary("obfuscation_probe", classifier, [r["text"] for r in data],
                   {"toxic": [int(r["toxic"]) for r in data]}, batch_size, extra_labels=("insult",))


def evaluate_threats_functional(classifier: ToxicityClassifier, eval_dir: Path, batch_size: int = 64,
                                is_held: Callable[[Mapping[str, float]], bool] | None = None,
                                held_by: Callable[[str, Mapping[str, float]], bool] | None = None) -> list[Row]:
    """Parley's threat functional set, test half only (ml/evaluation/data/threats_functional.csv; its
    train half is training data): ROC AUC of ``threat`` against the threats, and with the active
    policy, per category, the share of threats held by ``threat`` itself and the share of harmless
    look-alikes published."""
    from ml.evaluation import threats_functional

    data = threats_functional.read(split="test")
    scores, ms = timed_scores(classifier, [r["text"] for r in data], batch_size)
    y = [int(r["label"]) for r in data]
    rows = [auc_row("threats_functional", "threat~threat", y, [s["threat"] for s in scores])]
    if is_held is not None and held_by is not None:
        by_cat: dict[str, list[bool]] = defaultdict(list)
        for r, s in zip(data, scores):
            ok = held_by("threat", s) if r["label"] == "1" else not is_held(s)
            by_cat[r["category"]].append(ok)
        for name, cats, what in (("threats", threats_functional.THREAT_CATEGORIES, "held by threat"),
                                 ("look-alikes", threats_functional.HARMLESS_CATEGORIES, "published")):
            flags = [f for c in cats for f in by_cat[c]]
            rows.append({"dataset": "threats_functional", "label": f"{name}: {what}", "metric": "share",
                         "value": sum(flags) / max(1, len(flags)), "n": len(flags)})
            rows += [{"dataset": "threats_functional", "label": f"{c}: {what}", "metric": "share",
                      "value": sum(by_cat[c]) / max(1, len(by_cat[c])), "n": len(by_cat[c])} for c in cats]
    return rows + [speed_row("threats_functional", ms, len(data))]


EVALUATIONS: dict[str, Callable[[ToxicityClassifier, Path, int], list[Row]]] = {
    "jigsaw_test": evaluate_jigsaw,
    "olid_test": evaluate_olid,
    "hateval_test": evaluate_hateval,
    "cmv_mod_removals": evaluate_cmv,
    "socc_ctc_news": evaluate_socc_ctc,
    "identity_templates": evaluate_identity,
    "obfuscation_probe": evaluate_obfuscation,
    "threats_functional": evaluate_threats_functional,
}


def evaluate_toxicity(classifier: ToxicityClassifier, eval_dir: Path | None = None, *, batch_size: int = 64,
                      datasets: Iterable[str] | None = None,
                      is_held: Callable[[Mapping[str, float]], bool] | None = None,
                      held_by: Callable[[str, Mapping[str, float]], bool] | None = None) -> list[Row]:
    """Run every evaluation (or ``datasets``) and return all rows, model name/version included.
    ``is_held`` (scores -> held by the active policy?) adds the identity templates' held shares;
    with ``held_by`` ((label, scores) -> over that label's hold cut-off?) too, the threat set's."""
    eval_dir = Path(eval_dir) if eval_dir is not None else default_eval_dir()
    # One untimed batch first, so the first dataset's ms/comment excludes one-off warm-up
    # (thread pool start, allocator growth).
    classifier.score(["warm-up comment"] * min(batch_size, 8))
    rows: list[Row] = []
    for name in datasets or EVALUATIONS:
        evaluation = EVALUATIONS[name]
        extra = ({"is_held": is_held} if evaluation is evaluate_identity else
                 {"is_held": is_held, "held_by": held_by} if evaluation is evaluate_threats_functional else {})
        for row in evaluation(classifier, eval_dir, batch_size, **extra):
            rows.append({"model": classifier.name, "version": classifier.version, **row})
    return rows


def format_table(rows: Sequence[Row]) -> str:
    """Markdown table of the rows."""
    lines = ["| dataset | label | metric | value | n | positives |", "|---|---|---|---|---|---|"]
    for r in rows:
        value = r["value"]
        shown = "n/a" if value != value else (f"{value:.2f}" if r["metric"] in ("ms_per_comment", "count") else f"{value:.3f}")
        lines.append(f"| {r['dataset']} | {r['label']} | {r['metric']} | {shown} | {r['n']} | {r.get('positives', '')} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("spec", help='"jigsaw-bilstm" or "detoxify:<type>"')
    parser.add_argument("--checkpoint", default=os.environ.get("DETOXIFY_CHECKPOINT"))
    parser.add_argument("--eval-dir", type=Path, default=None)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--datasets", nargs="*", choices=sorted(EVALUATIONS), default=None)
    args = parser.parse_args(argv)

    from ml.classifiers.registry import load_toxicity_classifier

    classifier = load_toxicity_classifier(args.spec, checkpoint=args.checkpoint)
    rows = evaluate_toxicity(classifier, args.eval_dir, batch_size=args.batch_size, datasets=args.datasets)
    print(f"model: {classifier.name}  version: {classifier.version}")
    print(format_table(rows))


if __name__ == "__main__":
    main()
