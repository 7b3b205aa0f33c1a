"""Evaluate a StanceClassifier on the held-out stance test sets (evaluation only, never training).

Metric: the SemEval-2016 convention, macro-F1 over favor/against = mean(F1(favor), F1(against)),
computed over all rows including NONE gold; plus 3-way accuracy and n. Predictions are the argmax
of the classifier's favor/against/neutral probabilities.

Run: ``python -m ml.evaluation.stance [--data ../shared/data] [--weights DIR] [--markdown]``
"""
from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path
from typing import Sequence

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


def evaluate_rows(clf: StanceClassifier, rows, dataset: str) -> list[dict]:
    scores = clf.score([(text, target) for text, target, _ in rows])
    pred = [max(LABELS, key=lambda k: s[k]) for s in scores]
    gold = [g for _, _, g in rows]
    n = len(rows)
    acc = sum(g == p for g, p in zip(gold, pred)) / max(1, n)
    neutral_rate = sum(p == "neutral" for p in pred) / max(1, n)
    return [
        {"dataset": dataset, "metric": "macro_f1_favor_against", "value": f1_favor_against(gold, pred), "n": n},
        {"dataset": dataset, "metric": "accuracy", "value": acc, "n": n},
        {"dataset": dataset, "metric": "predicted_neutral_rate", "value": neutral_rate, "n": n},
    ]


def evaluate_stance(clf: StanceClassifier, data_dir: Path | str = DEFAULT_DATA,
                    datasets: Sequence[str] | None = None) -> list[dict]:
    """Row dicts (dataset, metric, value, n) for every stance test set found under ``data_dir``."""
    rows_out = []
    for name, path in test_files(Path(data_dir)):
        if datasets and name not in datasets:
            continue
        rows_out.extend(evaluate_rows(clf, read_rows(path), name))
    return rows_out


def to_markdown(rows: list[dict]) -> str:
    by = {}
    for r in rows:
        by.setdefault(r["dataset"], {"n": r["n"]})[r["metric"]] = r["value"]
    lines = ["| dataset | n | macro-F1 (favor, against) | accuracy | predicted neutral |", "|---|---:|---:|---:|---:|"]
    for d, m in by.items():
        lines.append(f"| {d} | {m['n']} | {m['macro_f1_favor_against']:.4f} | {m['accuracy']:.4f} | "
                     f"{m['predicted_neutral_rate']:.3f} |")
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--weights", default=None, help="weights dir (default: the shipped classifier)")
    p.add_argument("--datasets", default="", help="comma-separated subset of dataset names")
    a = p.parse_args(argv)
    from ml.classifiers.stance import MiniLMStance, load_default_stance_classifier

    clf = MiniLMStance.from_dir(a.weights) if a.weights else load_default_stance_classifier()
    t0 = time.time()
    rows = evaluate_stance(clf, a.data, [d for d in a.datasets.split(",") if d] or None)
    n = sum(r["n"] for r in rows if r["metric"] == "accuracy")
    print(f"{clf.name} {clf.version}: {n} pairs in {time.time() - t0:.0f}s ({n / (time.time() - t0):.0f} pairs/s)")
    print(to_markdown(rows))
    return rows


if __name__ == "__main__":
    main()
