"""Evaluate a StanceClassifier on the held-out stance test sets (evaluation only, never training).

Metric: the SemEval-2016 convention, macro-F1 over favor/against = mean(F1(favor), F1(against)),
computed over all rows including NONE gold; plus 3-way accuracy and n. Predictions are the argmax
of the classifier's favor/against/neutral probabilities.

Also, on the *unseen-topic dev* (:mod:`ml.evaluation.stance_split`: dev-side claims of the training
files that the model never trained on), macro-F1 per source and their mean, and how the product's
confidence rule fares: of the labels it shows (top probability >= the classifier's
``min_confidence``, else "unclear"), how many are right (precision) and what share of comments get
one (coverage). :func:`calibrate_min_confidence` picks that threshold on the unseen-topic dev only;
the same precision and coverage on the test files are evaluation only.

Run: ``python -m ml.evaluation.stance [--data ../shared/data] [--weights DIR] [--markdown]``
"""
from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Sequence
from pathlib import Path

from ml.classifiers.base import StanceClassifier

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"

_GOLD = {"FAVOR": "favor", "AGAINST": "against", "NONE": "neutral"}
LABELS = ("favor", "against", "neutral")


def read_rows(path: Path) -> list[tuple[str, str, str]]:
    """(text, target, gold label) from a CSV with header id,target,text,stance."""
    with open(path, newline="", encoding="utf-8") as fh:
        return [(r["text"], r["target"], _GOLD[r["stance"].strip().upper()]) for r in csv.DictReader(fh)]


def test_files(data_dir: Path) -> list[tuple[str, Path]]:
    """The SemEval-2016 test split (eval/stance.csv), ARC's NYT reader comments, every stance/*_test.csv."""
    data_dir = Path(data_dir)
    out = [("semeval2016_test", data_dir / "eval" / "stance.csv"),
           ("arc_nyt_comments_test", data_dir / "eval" / "stance_arc_nyt_comments_test.csv")]
    out += [(p.stem, p) for p in sorted((data_dir / "stance").glob("*_test.csv"))]
    return [(n, p) for n, p in out if p.exists()]


def f1_favor_against(gold: Sequence[str], pred: Sequence[str]) -> float:
    """SemEval-2016's measure: the mean of F1(favor) and F1(against), over every row (NONE gold too)."""
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=["favor", "against"], average="macro", zero_division=0))


def shown_precision_coverage(scores, gold: Sequence[str], min_confidence: float) -> tuple[float, float, int]:
    """(precision of the labels shown, share of rows shown, rows shown) when a label is shown only at
    top probability >= ``min_confidence``; precision is NaN when nothing is shown."""
    shown = [(max(LABELS, key=lambda k: s[k]), g) for s, g in zip(scores, gold) if max(s.values()) >= min_confidence]
    right = sum(p == g for p, g in shown)
    return (right / len(shown) if shown else float("nan")), len(shown) / max(1, len(gold)), len(shown)


def evaluate_rows(clf: StanceClassifier, rows, dataset: str, scores=None) -> list[dict]:
    scores = scores if scores is not None else clf.score([(text, target) for text, target, _ in rows])
    pred = [max(LABELS, key=lambda k: s[k]) for s in scores]
    gold = [g for _, _, g in rows]
    n = len(rows)
    acc = sum(g == p for g, p in zip(gold, pred)) / max(1, n)
    neutral_rate = sum(p == "neutral" for p in pred) / max(1, n)
    out = [
        {"dataset": dataset, "metric": "macro_f1_favor_against", "value": f1_favor_against(gold, pred), "n": n},
        {"dataset": dataset, "metric": "accuracy", "value": acc, "n": n},
        {"dataset": dataset, "metric": "predicted_neutral_rate", "value": neutral_rate, "n": n},
    ]
    min_conf = getattr(clf, "min_confidence", None)
    if min_conf is not None:
        precision, coverage, _ = shown_precision_coverage(scores, gold, min_conf)
        out += [{"dataset": dataset, "metric": "shown_precision", "value": precision, "n": n},
                {"dataset": dataset, "metric": "shown_coverage", "value": coverage, "n": n}]
    return out


# ------------------------------------------------------------------ unseen topics


UNSEEN = "unseen_topic_dev"


def unseen_topic_dev(clf: StanceClassifier, data_dir: Path | str) -> dict[str, list[tuple[str, str, str]]]:
    """source -> (text, target, gold) rows on the dev side of the claim split that ``clf`` never
    trained on (its weights folder lists those claims; a model that does not list them is measured
    on the whole dev side, which may flatter it)."""
    from ml.evaluation import stance_split

    seen = stance_split.read_claims_seen(getattr(clf, "weights_dir", None) or "/nonexistent")
    _, dev = stance_split.unseen_topic_split(data_dir, seen)
    return {src: dev.get(src, []) for src in stance_split.dev_sources(data_dir)}


def evaluate_unseen(clf: StanceClassifier, data_dir: Path | str, scored: dict | None = None) -> list[dict]:
    """Rows ``unseen_topic_dev:<source>`` (macro-F1, accuracy, n claims, shown precision / coverage)
    and ``unseen_topic_dev`` (the mean macro-F1 over sources that have rows, the shown precision
    with every such source weighted alike, coverage likewise). A source whose every dev-side claim
    the model trained on has n = 0 and no figures: it cannot measure this model."""
    out, f1s, shown = [], [], []
    for src, rows in unseen_topic_dev(clf, data_dir).items():
        name = f"{UNSEEN}:{src}"
        if not rows:
            out.append({"dataset": name, "metric": "macro_f1_favor_against", "value": float("nan"), "n": 0})
            continue
        scores = scored[src] if scored and src in scored else clf.score([(t, g) for t, g, _ in rows])
        res = evaluate_rows(clf, rows, name, scores)
        res.append({"dataset": name, "metric": "claims", "value": float(len({g for _, g, _ in rows})), "n": len(rows)})
        out += res
        f1s.append(next(r["value"] for r in res if r["metric"] == "macro_f1_favor_against"))
        shown.append({r["metric"]: r["value"] for r in res if r["metric"].startswith("shown_")})
    n = sum(r["n"] for r in out if r["metric"] == "macro_f1_favor_against")
    if f1s:
        out.append({"dataset": UNSEEN, "metric": "macro_f1_favor_against", "value": sum(f1s) / len(f1s), "n": n})
    if shown and all(shown):
        precisions = [s["shown_precision"] for s in shown if s["shown_precision"] == s["shown_precision"]]
        out.append({"dataset": UNSEEN, "metric": "shown_precision",
                    "value": sum(precisions) / len(precisions) if precisions else float("nan"), "n": n})
        out.append({"dataset": UNSEEN, "metric": "shown_coverage",
                    "value": sum(s["shown_coverage"] for s in shown) / len(shown), "n": n})
    return out


def calibrate_min_confidence(scored: dict[str, tuple[list, list[str]]], target: float = 0.80,
                             every_source: bool = True,
                             grid: Sequence[float] = tuple(round(0.34 + 0.01 * i, 2) for i in range(66))) -> dict:
    """The lowest top-probability threshold at which the shown labels are right >= ``target`` of the
    time on the unseen-topic dev, and stay so at every higher threshold of the grid (one lucky
    point on a noisy curve is not a threshold). ``every_source``: each source must reach the
    target on its own (reader comments are what the product shows stance on, and a debate set's
    easy arguments must not carry them); otherwise sources are averaged, weighed alike. When no
    threshold qualifies, ``min_confidence`` is above 1: nothing is shown, which is the honest
    answer for a model that is not right often enough anywhere. ``scored``: source -> (scores, gold).
    ``precision`` and ``coverage`` are averaged over sources, weighed alike."""
    def at(t):
        per = {src: shown_precision_coverage(s, g, t) for src, (s, g) in scored.items() if g}
        precs = [p for p, _, _ in per.values() if p == p]
        mean = sum(precs) / len(precs) if precs else float("nan")
        worst = min(precs) if precs else float("nan")
        return mean, worst, sum(c for _, c, _ in per.values()) / max(1, len(per)), per

    curve = [(t, *at(t)) for t in grid]
    key = 2 if every_source else 1  # worst source, or the mean over sources
    chosen = None
    for i, point in enumerate(curve):
        if point[key] == point[key] and all(q[key] != q[key] or q[key] >= target for q in curve[i:]):
            chosen = point
            break
    result = {"target": target, "every_source": every_source,
              "curve": [(t, mean, worst, c, {src: (p, cov, n) for src, (p, cov, n) in per.items()})
                        for t, mean, worst, c, per in curve]}
    if chosen is None:  # never reliably right: show nothing rather than labels that mislead
        return {**result, "min_confidence": 1.01, "precision": float("nan"), "coverage": 0.0}
    return {**result, "min_confidence": chosen[0], "precision": chosen[1], "coverage": chosen[3]}


def evaluate_stance(clf: StanceClassifier, data_dir: Path | str = DEFAULT_DATA,
                    datasets: Sequence[str] | None = None) -> list[dict]:
    """Row dicts (dataset, metric, value, n) for every stance test set found under ``data_dir``."""
    rows_out = []
    for name, path in test_files(Path(data_dir)):
        if datasets and name not in datasets:
            continue
        rows_out.extend(evaluate_rows(clf, read_rows(path), name))
    return rows_out


def calibrate_weights(clf, data_dir: Path | str, scored: dict | None = None, target: float = 0.80) -> dict:
    """Score ``clf`` on its unseen-topic dev, pick its ``min_confidence`` (:func:`calibrate_min_confidence`)
    and store it in its weights folder's ``stance.json`` (``shown_min_confidence``), where the
    classifier reads it. Never reads a test or eval file. Returns the calibration."""
    import json

    dev = unseen_topic_dev(clf, data_dir)
    if scored is None:
        scored = {src: (clf.score([(t, g) for t, g, _ in rows]), [g for _, _, g in rows])
                  for src, rows in dev.items() if rows}
    result = calibrate_min_confidence(scored, target=target)
    averaged = calibrate_min_confidence(scored, target=target, every_source=False)

    def per_source(t):
        point = next((c for c in result["curve"] if c[0] == t), None)
        return {src: {"precision": None if p != p else round(p, 4), "coverage": round(cov, 4), "shown": n}
                for src, (p, cov, n) in point[4].items()} if point else None

    meta_file = Path(clf.weights_dir) / "stance.json"
    meta = json.loads(meta_file.read_text())
    meta.update({
        "shown_min_confidence": result["min_confidence"],
        "shown_calibration": {
            "rule": f"lowest top-probability threshold at which the shown labels of every unseen-topic dev source "
                    f"are right >= {target:.0%} of the time, and stay so above it; above 1 = no threshold "
                    "qualifies, every stance is shown as unclear",
            "precision_unseen_dev": None if result["precision"] != result["precision"] else round(result["precision"], 4),
            "coverage_unseen_dev": round(result["coverage"], 4),
            "dev_rows": {src: len(g) for src, (_, g) in scored.items()},
            "if_sources_were_averaged": {
                "min_confidence": averaged["min_confidence"],
                "precision": None if averaged["precision"] != averaged["precision"] else round(averaged["precision"], 4),
                "coverage": round(averaged["coverage"], 4),
                "per_source": per_source(averaged["min_confidence"]),
            },
        },
    })
    meta_file.write_text(json.dumps(meta, indent=2) + "\n")
    clf.min_confidence = result["min_confidence"]
    return result


def _fmt(v, spec=".4f") -> str:
    return "n/a" if v is None or v != v else format(v, spec)


def to_markdown(rows: list[dict]) -> str:
    by = {}
    for r in rows:
        by.setdefault(r["dataset"], {"n": r["n"]})[r["metric"]] = r["value"]
    lines = ["| dataset | n | claims | macro-F1 (favor, against) | accuracy | predicted neutral "
             "| shown-label precision | coverage |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for d, m in by.items():
        claims = m.get("claims")
        lines.append(f"| {d} | {m['n']} | {'' if claims is None else int(claims)} | "
                     f"{_fmt(m.get('macro_f1_favor_against'))} | {_fmt(m.get('accuracy'))} | "
                     f"{_fmt(m.get('predicted_neutral_rate'), '.3f')} | {_fmt(m.get('shown_precision'), '.3f')} | "
                     f"{_fmt(m.get('shown_coverage'), '.3f')} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--weights", default=None, help="weights dir (default: the shipped classifier)")
    p.add_argument("--datasets", default="", help="comma-separated subset of dataset names")
    p.add_argument("--calibrate", action="store_true",
                   help="pick the shown-label confidence on the unseen-topic dev and store it in the weights' stance.json")
    a = p.parse_args(argv)
    from ml.classifiers.stance import MiniLMStance, load_default_stance_classifier

    clf = MiniLMStance.from_dir(a.weights) if a.weights else load_default_stance_classifier()
    if a.calibrate:
        result = calibrate_weights(clf, a.data)
        print(f"min_confidence {result['min_confidence']:.2f}: precision {result['precision']:.4f}, "
              f"coverage {result['coverage']:.4f} on the unseen-topic dev")
    t0 = time.time()
    rows = evaluate_stance(clf, a.data, [d for d in a.datasets.split(",") if d] or None)
    n = sum(r["n"] for r in rows if r["metric"] == "accuracy")
    print(f"{clf.name} {clf.version}: {n} pairs in {time.time() - t0:.0f}s ({n / (time.time() - t0):.0f} pairs/s)")
    print(to_markdown(rows))
    return rows


if __name__ == "__main__":
    main()
