"""The quality targets Parley's models are held to, and a side-by-side table of where each model stands.

Each target names the evaluation row it reads (dataset, label, metric), so the table is built from
the same rows ``evaluate_models`` prints, never from numbers copied by hand.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Key = tuple[str, str, str]  # (dataset, label, metric)


@dataclass(frozen=True)
class Target:
    measure: str
    key: Key
    op: str | None  # ">=", "<=" or None (reported, no target)
    bound: float | None = None

    def met(self, value: float | None) -> str:
        if self.op is None or value is None or value != value:
            return ""
        ok = value >= self.bound if self.op == ">=" else value <= self.bound
        return "met" if ok else "missed"

    @property
    def shown(self) -> str:
        return "-" if self.op is None else f"{self.op} {self.bound:g}"


TOXICITY_TARGETS: tuple[Target, ...] = (
    # Issue 21: no lower than parley-minilm's first weights (0.983 / 0.876).
    Target("Jigsaw test, mean ROC AUC over 6 labels", ("jigsaw_test", "mean(6 labels)", "roc_auc"), ">=", 0.983),
    Target("identity templates ROC AUC", ("identity_templates", "toxicity~toxic", "roc_auc"), ">=", 0.98),
    Target("identity templates: non-toxic held at the active policy",
           ("identity_templates", "non-toxic held (policy)", "share"), "<=", 0.03),
    Target("identity terms with > 10 % of non-toxic held", ("identity_templates", "terms above 10% held", "count"),
           "<=", 0),
    Target("OLID offensive ROC AUC", ("olid_test", "toxicity~offensive", "roc_auc"), ">=", 0.876),
    Target("HatEval hate ROC AUC", ("hateval_test", "toxicity~hate", "roc_auc"), ">=", 0.70),
    Target("r/CMV rude removals ROC AUC", ("cmv_mod_removals", "toxicity~removed_rule2", "roc_auc"), ">=", 0.80),
    Target("SOCC news comments (level >= 3) ROC AUC", ("socc_ctc_news", "toxicity~level>=3", "roc_auc"), ">=", 0.75),
    Target("Jigsaw test toxicity ECE", ("jigsaw_test", "toxicity", "ece"), None),
    Target("OLID toxicity ECE", ("olid_test", "toxicity~offensive", "ece"), None),
    Target("obfuscation probe ROC AUC (50 + 50, Parley's own)", ("obfuscation_probe", "toxicity~toxic", "roc_auc"), None),
    Target("demo threats: lowest `threat` score", ("demo", "threat", "min"), ">=", 0.5),
    Target("demo threats held or rejected by `threat`", ("demo", "threat", "held_by_threat"), ">=", 1.0),
    Target("demo group attacks held by `identity_attack`", ("demo", "identity_attack", "held_by_identity_attack"),
           ">=", 1.0),
    Target("threat set (test half): threats held by `threat`",
           ("threats_functional", "threats: held by threat", "share"), ">=", 0.9),
    Target("threat set (test half): look-alikes published", ("threats_functional", "look-alikes: published", "share"),
           ">=", 0.9),
    Target("threat set (test half): `threat` ROC AUC", ("threats_functional", "threat~threat", "roc_auc"), None),
    Target("seed 003 imported: comments held or rejected", ("seed_003", "held", "count"), "<=", 0),
    Target("ms per comment (Jigsaw test, this machine)", ("jigsaw_test", "*", "ms_per_comment"), None),
)
STANCE_TARGETS: tuple[Target, ...] = (
    Target("ARC reader comments, macro-F1 favor/against",
           ("arc_nyt_comments_test", "", "macro_f1_favor_against"), ">=", 0.70),
    Target("PERSPECTRUM macro-F1", ("perspectrum_test", "", "macro_f1_favor_against"), ">=", 0.76),
    Target("SemEval-2016 macro-F1", ("semeval2016_test", "", "macro_f1_favor_against"), ">=", 0.68),
    # Claims the model never trained on (ml/evaluation/stance_split.py); a source whose every dev-side
    # claim the model saw reads n/a.
    Target("unseen-topic dev macro-F1, mean over sources", ("unseen_topic_dev", "", "macro_f1_favor_against"),
           ">=", 0.60),
    *(Target(f"unseen-topic dev macro-F1, {src}", (f"unseen_topic_dev:{src}", "", "macro_f1_favor_against"),
             ">=", 0.60)
      for src in ("arc_nyt_comments", "ibm_argq30k", "perspectrum", "iam_stance", "ibm_claimstance", "semeval2016")),
    Target("stance labels shown: precision on unseen-topic dev (mean over sources)",
           ("unseen_topic_dev", "", "shown_precision"), ">=", 0.80),
    Target("stance labels shown: coverage on unseen-topic dev", ("unseen_topic_dev", "", "shown_coverage"), None),
    Target("stance labels shown: precision, ARC test (evaluation only)",
           ("arc_nyt_comments_test", "", "shown_precision"), None),
    Target("stance labels shown: coverage, ARC test", ("arc_nyt_comments_test", "", "shown_coverage"), None),
    Target("stance labels shown: precision, SemEval test (eval/stance.csv)",
           ("semeval2016_test", "", "shown_precision"), None),
    Target("stance labels shown: coverage, SemEval test", ("semeval2016_test", "", "shown_coverage"), None),
)


def lookup(rows: Sequence[Mapping], key: Key) -> float | None:
    dataset, label, metric = key
    for r in rows:
        if r["dataset"] == dataset and r.get("label", "") == label and r["metric"] == metric:
            return float(r["value"])
    return None


def targets_table(targets: Sequence[Target], rows_by_model: Mapping[str, Sequence[Mapping]]) -> str:
    """Markdown: one line per target, one value column per model, and whether the first model met it."""
    models = list(rows_by_model)
    lines = ["| measure | target | " + " | ".join(models) + f" | {models[0]}: met? |",
             "|---|---|" + "---:|" * len(models) + "---|"]
    for t in targets:
        values = [lookup(rows_by_model[m], t.key) for m in models]
        shown = ["n/a" if v is None or v != v else f"{v:.3f}" for v in values]
        lines.append(f"| {t.measure} | {t.shown} | " + " | ".join(shown) + f" | {t.met(values[0])} |")
    return "\n".join(lines)


def reliability_table(rows: Sequence[Mapping], dataset: str, label: str) -> str:
    """The reliability curve behind an ECE row: per score bin, mean score vs observed rate."""
    for r in rows:
        if r["dataset"] == dataset and r["label"] == label and r["metric"] == "ece":
            lines = ["| mean score | observed rate | comments |", "|---:|---:|---:|"]
            lines += [f"| {p:.3f} | {o:.3f} | {n} |" for p, o, n in r["curve"]]
            return "\n".join(lines)
    return ""


# The few figures the policy page shows for a model (measure name -> evaluation row).
HEADLINE: dict[str, Key] = {
    "Jigsaw mean ROC AUC": ("jigsaw_test", "mean(6 labels)", "roc_auc"),
    "identity templates ROC AUC": ("identity_templates", "toxicity~toxic", "roc_auc"),
    "harmless identity sentences held": ("identity_templates", "non-toxic held (policy)", "share"),
    "OLID offensive ROC AUC": ("olid_test", "toxicity~offensive", "roc_auc"),
    "HatEval hate ROC AUC": ("hateval_test", "toxicity~hate", "roc_auc"),
    "news comments (SOCC) ROC AUC": ("socc_ctc_news", "toxicity~level>=3", "roc_auc"),
    "calibration error (Jigsaw ECE)": ("jigsaw_test", "toxicity", "ece"),
    "ARC reader-comment stance macro-F1": ("arc_nyt_comments_test", "", "macro_f1_favor_against"),
    "PERSPECTRUM stance macro-F1": ("perspectrum_test", "", "macro_f1_favor_against"),
    "unseen-topic stance macro-F1 (dev)": ("unseen_topic_dev", "", "macro_f1_favor_against"),
    "stance labels shown: precision (unseen-topic dev)": ("unseen_topic_dev", "", "shown_precision"),
    "stance labels shown: coverage (unseen-topic dev)": ("unseen_topic_dev", "", "shown_coverage"),
}


def headline(rows_by_model: Mapping[str, Sequence[Mapping]], stance_rows: Sequence[Mapping],
             stance_name: str = "stance") -> dict[str, dict[str, float]]:
    """model name -> {measure: value} for the measures of HEADLINE that model has."""
    out = {}
    for name, rows in [*rows_by_model.items(), (stance_name, stance_rows)]:
        values = {m: lookup(rows, key) for m, key in HEADLINE.items()}
        values = {m: round(v, 4) for m, v in values.items() if v is not None and v == v}
        if values:
            out[name] = values
    return out
