"""Plays a site whose moderators Parley never saw, and measures what adapting to them buys.

    nice -n 10 python bench/site_adaptation.py [--steps 250,1000,4000] [--future 2000] [--data ../shared/data]

The site: OLID's tweets (``../shared/data/toxicity/olid_offensive_train.csv``, a training file),
a domain parley-minilm was not trained on (it learnt from Wikipedia talk pages). Rows in file order
are the moderators' decisions in time order: "offensive" is a rejection (reason "offensive": the
``toxicity`` label, the others unknown), the rest approvals. After 250 / 1,000 / 4,000 decisions
the site fits a candidate exactly as ``manage.py adapt_to_site`` does (ml.adaptation.fit_site_head
on the decisions seen, its own time-ordered validation slice choosing shipped / recalibrated /
recalibrated + head) and is judged on decisions still to come: the same ``--future`` decisions
after the last step for every step, so the points are comparable. Beside it, the guard rails the
gates check (moderation/adaptation/guard_sets.py; evaluation-only files, never fitted on), and
whether the gates would let the candidate serve.

What differs from a real site: every tweet here is "decided" (a real site's moderators see mostly
the comments the model held, plus reported ones), and the policy is the shipped default's
thresholds (ml/weights/toxicity/policy.json). The texts go through the frozen encoder once
(cached in var/bench/); the audit-log selector is not exercised here (tests/moderation/adaptation/).

Writes docs/SITE_ADAPTATION.md (the table) and docs/site_adaptation.png.
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import BENCH_VAR, ROOT, django_setup, table  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
DOC = ROOT / "docs" / "SITE_ADAPTATION.md"
PNG = ROOT / "docs" / "site_adaptation.png"


def _features(classifier, name: str, texts: list[str]):
    from ml.adaptation import Features, embed

    path = BENCH_VAR / f"site-adaptation-{name}-{classifier.version}-{len(texts)}.npz"
    if path.exists():
        d = np.load(path)
        return Features(d["written"], d["plain"])
    started = time.perf_counter()
    f = embed(classifier, texts)
    print(f"embedded {len(texts)} {name} texts in {time.perf_counter() - started:.0f} s", flush=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, written=f.written, plain=f.plain)
    return f


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", default="250,1000,4000")
    parser.add_argument("--future", type=int, default=2000)
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default ../shared/data)")
    args = parser.parse_args(argv)
    os.environ.setdefault("PARLEY_EVAL_DIR", str(args.data / "eval"))  # where the guard rails' files are
    steps = [int(s) for s in args.steps.split(",")]
    source = args.data / "toxicity" / "olid_offensive_train.csv"
    if not source.exists():
        print(f"{source} is missing: this bench needs ../shared/data", file=sys.stderr)
        return 2
    django_setup()
    from ml.adaptation import agreement, fit_site_head, guard_rail_failures, guard_rails, shipped_head
    from ml.classifiers.minilm_toxicity import LABELS, MiniLMToxicity
    from moderation.adaptation import guard_sets

    with open(source, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    n_total = max(steps) + args.future
    rows = rows[:n_total]
    texts = [r["text"] for r in rows]
    rejected = np.array([int(r["offensive"]) for r in rows])
    targets = np.full((len(rows), len(LABELS)), np.nan)
    targets[:, 0] = rejected  # a rejection names "toxicity"
    targets[rejected == 0, :] = 0  # an approval says no label applies

    thresholds = json.loads((ROOT / "ml" / "weights" / "toxicity" / "policy.json").read_text())["thresholds"]
    classifier = MiniLMToxicity.from_dir()
    features = _features(classifier, "olid", texts)
    if guard_sets.guard_sets_missing():
        print("guard rails cannot be checked: " + "; ".join(guard_sets.guard_sets_missing()), file=sys.stderr)
        return 2
    sets, used = guard_sets.guard_sets(classifier)

    future = np.arange(max(steps), n_total)
    fut_f, fut_t = features.take(future), targets[future]
    shipped = shipped_head(classifier)
    base_agree = agreement(shipped.scores(fut_f), fut_t, thresholds)
    base_rails = guard_rails(shipped, sets, thresholds)
    results = [{"seen": 0, "chosen": "shipped", "agree": base_agree["overall"], "rails": base_rails, "gates": "serving",
                "seconds": 0.0}]
    for k in steps:
        started = time.perf_counter()
        head, report = fit_site_head(shipped, features.take(np.arange(k)), targets[:k], thresholds)
        seconds = time.perf_counter() - started
        agree = agreement(head.scores(fut_f), fut_t, thresholds)["overall"]
        rails = guard_rails(head, sets, thresholds)
        failures = guard_rail_failures(rails, base_rails)
        if not agree > base_agree["overall"]:
            failures.insert(0, "does not beat the shipped model on later decisions")
        results.append({"seen": k, "chosen": report.chosen, "agree": agree, "rails": rails, "seconds": seconds,
                        "gates": "pass" if not failures else "refused: " + "; ".join(failures)})
        print(f"{k} decisions: {report.chosen}, agreement {agree:.3f}, {rails}, fitted in {seconds:.1f} s", flush=True)

    header = ["decisions seen", "variant kept", "agreement on the next decisions", "identity templates held",
              "threats held", "Jigsaw AUC (toxicity)", "fit (s)", "gates"]
    body = [[r["seen"], r["chosen"], f"{r['agree']:.3f}", f"{r['rails']['identity_hold_rate']:.3f}",
             f"{r['rails']['threat_hold_rate']:.2f}", f"{r['rails']['jigsaw_auc']:.3f}", f"{r['seconds']:.1f}", r["gates"]]
            for r in results]
    rendered = table(header, body)
    print(rendered)
    rate = float(rejected[future].mean())
    _plot(results)
    DOC.write_text(_doc(rendered, used, len(future), rate, max(steps)))
    print(f"wrote {DOC.relative_to(ROOT)} and {PNG.relative_to(ROOT)}")
    return 0


def _plot(results) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = [max(r["seen"], 50) for r in results]  # the shipped model's point sits left of the first step
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    left.plot(x, [r["agree"] for r in results], "o-", label="site version")
    left.axhline(results[0]["agree"], color="grey", ls="--", label="shipped parley-minilm")
    left.set_xscale("log")
    left.set_xticks(x, ["shipped"] + [f"{r['seen']:,}" for r in results[1:]])
    left.set_xlabel("moderator decisions seen")
    left.set_ylabel("agreement on the decisions still to come")
    left.set_title("OLID tweets played as a site's decisions")
    left.legend()
    for key, label in (("identity_hold_rate", "identity templates held"), ("threat_hold_rate", "threats held"),
                       ("jigsaw_auc", "Jigsaw AUC")):
        right.plot(x, [r["rails"][key] for r in results], "o-", label=label)
    right.set_xscale("log")
    right.set_xticks(x, ["shipped"] + [f"{r['seen']:,}" for r in results[1:]])
    right.set_ylim(0, 1.05)
    right.set_xlabel("moderator decisions seen")
    right.set_title("guard rails")
    right.legend()
    fig.tight_layout()
    fig.savefig(PNG, dpi=110)


def _doc(rendered: str, used: dict, n_future: int, rate: float, last: int) -> str:
    return f"""# Site adaptation: a site's moderators teach its model (issue 22)

Measured by `nice -n 10 python bench/site_adaptation.py` (this file and `site_adaptation.png` are
its output; rerun to refresh). The site is played from OLID's tweets
(`../shared/data/toxicity/olid_offensive_train.csv`), a domain `parley-minilm` did not learn from:
the rows in file order are moderators' decisions in time order (offensive: rejected, else
approved). After each step a candidate is fitted exactly as `manage.py adapt_to_site` fits one
(`ml/adaptation.py`: the shipped encoder frozen; per-label Platt recalibration, shifted so the
policy's hold cut-off sits where moderators reject half the time; the six-label head at three
strengths of pull toward the shipped weights; the variant kept chosen on the last 20 % of the
decisions seen) and judged on the
{n_future:,} decisions after the {last:,}th (the same ones for every row; {rate:.0%} of them
rejections), with the shipped default policy's thresholds. "Agreement": the model held it
(any label at or above its hold cut-off) exactly when the moderators rejected it.

{rendered}

Guard rails ({'; '.join(f'{k}: {v}' for k, v in used.items())}); tolerances against the model
serving now: identity templates held at most +0.02, threats held no fewer, Jigsaw AUC at most -0.01.
"gates" is what `adapt_to_site` would decide about each candidate against the shipped model.

![agreement on later decisions vs decisions seen, and the guard rails](site_adaptation.png)

Limits: every tweet is "decided" here, while a real site's moderators see mostly the comments the
model held (plus reported ones), so a real site's curve needs more decisions per point; OLID's
"offensive" covers profanity that a site may well publish, which is exactly the kind of line a site
draws for itself.

## How a site uses it

1. `python manage.py adapt_to_site [--cutoff 2026-12-01]` (or the daily beat task, once an admin ticks
   "Fit a candidate every day" on the policy page; off by default) reads the moderators' final
   decisions (`moderation/adaptation/labels.py`: after undo, reversal and appeal; author-deleted,
   edited-after, imported and spam-rejected comments left out; a moderator who disagrees with the others
   far more than the rest is left out and named in the report), fits on those up to the cut-off and
   judges on the later ones.
2. The candidate is stored as a model version (`moderation_modelversion`: head weights, biases and
   calibration in the row, the shipped weights named by their version and never touched), "ready" or
   "refused" with its reasons. Gates: more agreement with moderators than the model serving now on the
   later decisions (at least 30 of them), and the guard rails above within tolerance; when
   `../shared/data/eval` is absent the guard rails cannot be checked and the candidate is refused.
3. The policy page shows it beside the current model (agreement per label on the later decisions,
   guard rails, comments whose outcome would change). An admin activates it, or rolls back to the shipped
   model or any version that served before, in one step (also `POST /api/moderation/models/<id>/activate/`,
   `.../rollback/`); the change is in the admin log, shown on the policy page. The worker reads the active
   version at most every 5 seconds per process and builds it on the encoder it already has: no restart.
   Analyses scored by a site version store `<weights version>+site.<id>`, which the agreement page shows.
"""


if __name__ == "__main__":
    raise SystemExit(main())
