"""``detoxify:<type>``: Unitary's Detoxify models (Apache-2.0) through the ``detoxify`` library.

Weights come from two places, and both must be on the machine for an offline load:

1. the Detoxify checkpoint (``config`` + ``state_dict``, a few hundred MB): ``checkpoint=``
   (Parley's ``DETOXIFY_CHECKPOINT``), else torch hub's cache
   (``$TORCH_HOME/hub/checkpoints/<file name from detoxify.MODEL_URLS>``), else downloaded from
   GitHub releases when the network allows;
2. the Hugging Face config and tokenizer of the base model the checkpoint names (e.g.
   ``bert-base-uncased``), resolved by transformers from ``$HF_HOME/hub`` (set
   ``HF_HUB_OFFLINE=1`` on air-gapped hosts so nothing waits on the network).

When either is missing :class:`ModelUnavailable` is raised, and the registry falls back.
"""
from __future__ import annotations

import importlib.metadata
import logging
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch

from .base import TOXICITY_LABELS, ModelUnavailable, Scores, configure_torch_threads, file_sha256, plan_batches

logger = logging.getLogger(__name__)

DETOXIFY_TYPES: tuple[str, ...] = ("original", "unbiased", "multilingual", "original-small", "unbiased-small")

# Detoxify already renames the 2018 Jigsaw names, but older/custom checkpoints may not have gone
# through that, so map them here too.
LABEL_ALIASES: dict[str, str] = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "identity_hate": "identity_attack",
    "sexually_explicit": "sexual_explicit",
}
DOWNLOAD_TIMEOUT_S = 15.0
# The transformer family each released checkpoint is built on (a mismatch means
# DETOXIFY_CHECKPOINT does not hold the model PARLEY_TOXICITY_MODEL names).
EXPECTED_FAMILY: dict[str, str] = {
    "original": "bert",
    "unbiased": "roberta",
    "multilingual": "xlm-roberta",
    "original-small": "albert",
    "unbiased-small": "albert",
}
# What each released model was trained to read (Detoxify's README: the multilingual model on
# Jigsaw 2020's seven languages).
LANGUAGES: dict[str, tuple[str, ...]] = {
    "original": ("en",), "unbiased": ("en",), "original-small": ("en",), "unbiased-small": ("en",),
    "multilingual": ("en", "fr", "es", "it", "pt", "tr", "ru"),
}
# Model families whose position ids start after padding_idx (so usable positions = max - 2).
_OFFSET_POSITIONS = {"roberta", "xlm-roberta", "camembert"}


def hub_offline() -> bool:
    """True when the process must not touch the network for model files."""
    try:
        from huggingface_hub import constants

        if constants.HF_HUB_OFFLINE:
            return True
    except ImportError:
        pass
    return any(os.environ.get(var, "").upper() in {"1", "ON", "YES", "TRUE"}
               for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"))


def _download(url: str, dest: Path) -> None:
    """Download to torch hub's cache with a timeout (torch.hub has none, so it can hang)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=dest.parent, suffix=".partial")
    tmp_path = Path(name)
    try:
        with os.fdopen(fd, "wb") as tmp, urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            shutil.copyfileobj(response, tmp, length=1 << 20)
        # torch hub file names end in the first hex digits of the file's sha256: check them.
        expected = dest.stem.rsplit("-", 1)[-1]
        if expected and not file_sha256(tmp_path).startswith(expected):
            raise ModelUnavailable(f"downloaded {url} does not match its hash prefix {expected}")
        tmp_path.replace(dest)
    finally:
        tmp_path.unlink(missing_ok=True)


def resolve_checkpoint(model_type: str, checkpoint: str | os.PathLike | None) -> Path:
    """The local checkpoint file for ``model_type``, downloading only when allowed and needed."""
    if checkpoint:
        path = Path(checkpoint).expanduser()
        if not path.is_file():
            raise ModelUnavailable(f"checkpoint {path} does not exist")
        return path
    from detoxify.detoxify import MODEL_URLS

    url = MODEL_URLS[model_type]
    cached = Path(torch.hub.get_dir()) / "checkpoints" / os.path.basename(url)
    if cached.is_file():
        return cached
    if hub_offline():
        raise ModelUnavailable(f"no checkpoint given, {cached} not cached, and HF_HUB_OFFLINE is set")
    try:
        _download(url, cached)
    except (OSError, ValueError) as exc:  # URLError, timeouts, disk errors
        raise ModelUnavailable(f"could not download {url}: {exc}") from exc
    return cached


class DetoxifyClassifier:
    """Detoxify behind Parley's ToxicityClassifier interface.

    ``score`` does its own batching instead of ``Detoxify.predict`` (which pads a whole call to
    its longest text): texts are tokenized once, sorted by token count, cut into batches where
    padding costs least (:func:`~ml.classifiers.base.plan_batches`), padded per batch to
    that batch's longest, and put back in input order.
    """

    # Opt-in reduced precision (CPU only), PARLEY_QUANTIZE=int8 or bf16. Both change scores
    # slightly, so the stored model version says "+int8" / "+bf16" and analyses stay
    # distinguishable; neither is the default because Detoxify's real weights could not be
    # evaluated here (docs/PERFORMANCE.md has the measured speed and drift on bert-base's shape).
    # int8: dynamic quantization of the Linear layers (per-tensor activation scales).
    # bf16: weights and activations in bfloat16, logits back in fp32; only fast on CPUs with
    # native bf16 dot products (AVX512_BF16 / AMX), slower than fp32 elsewhere.
    QUANTIZE_ENV = "PARLEY_QUANTIZE"
    # Per-forward fixed cost in tokens' worth of BERT-base compute, for plan_batches: small,
    # because one token costs ~170 MFLOP; padding, not call overhead, is what batching must avoid.
    BATCH_OVERHEAD_TOKENS = 8

    def __init__(self, model_type: str, checkpoint: str | os.PathLike | None = None, device: str = "cpu",  # noqa: C901 - one story, read top to bottom; split when it grows
                 *, batch_size: int = 16) -> None:
        if model_type not in DETOXIFY_TYPES:
            raise ValueError(f"unknown Detoxify model type {model_type!r}; expected one of {DETOXIFY_TYPES}")
        self.name = f"detoxify:{model_type}"
        self.languages = LANGUAGES[model_type]
        self.device = torch.device(device)
        self.batch_size = batch_size
        path = resolve_checkpoint(model_type, checkpoint)
        configure_torch_threads()
        try:
            import detoxify

            # model_type only picks the download URL; with a path, the checkpoint's own config decides.
            loaded = detoxify.Detoxify(model_type, checkpoint=str(path), device=self.device)
        except ModelUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001 - missing HF files, bad checkpoint, transformers errors
            raise ModelUnavailable(f"could not load {path}: {type(exc).__name__}: {exc}") from exc
        self.model = loaded.model.eval()
        family = getattr(self.model.config, "model_type", "")
        if family != EXPECTED_FAMILY[model_type]:
            logger.warning("%s: checkpoint %s is a %r model, Detoxify's %s is %r; scores are stored under %s",
                           self.name, path, family, model_type, EXPECTED_FAMILY[model_type], self.name)
        self.tokenizer = loaded.tokenizer
        # Model output column -> Parley label (columns without a Parley name, e.g. the unbiased
        # model's identity-subgroup heads, are dropped).
        self._columns: list[tuple[int, str]] = []
        for index, class_name in enumerate(loaded.class_names):
            label = LABEL_ALIASES.get(class_name, class_name)
            if label in TOXICITY_LABELS:
                self._columns.append((index, label))
        if not self._columns:
            raise ModelUnavailable(f"{path}: none of its classes {loaded.class_names} are toxicity labels")
        self.labels = tuple(label for label in TOXICITY_LABELS if label in {lbl for _, lbl in self._columns})
        self.max_length = self._max_length()
        try:
            package_version = importlib.metadata.version("detoxify")
        except importlib.metadata.PackageNotFoundError:
            package_version = "unknown"
        # Analysis.toxicity_model_version holds 120 characters: cap the free-form file name.
        self.version = f"detoxify=={package_version}+{path.name[:64]}+sha256.{file_sha256(path)[:12]}"
        quantize = os.environ.get(self.QUANTIZE_ENV, "").strip().lower()
        if quantize and quantize not in {"0", "off", "none", "fp32"}:
            if quantize not in {"int8", "bf16"}:
                raise ValueError(f"{self.QUANTIZE_ENV}={quantize!r}: only 'int8' or 'bf16' is supported")
            if self.device.type != "cpu":
                logger.warning("%s=%s ignored on %s (CPU-only option)", self.QUANTIZE_ENV, quantize, self.device)
            elif quantize == "int8":
                from torch.ao.quantization import quantize_dynamic

                self.model = quantize_dynamic(self.model, {torch.nn.Linear}, dtype=torch.qint8).eval()
                self.version += "+int8"
            else:
                self.model = self.model.to(torch.bfloat16).eval()
                self.version += "+bf16"

    def _max_length(self) -> int:
        """Truncation length: the tokenizer's, capped by what the position embeddings allow
        (a tokenizer without ``model_max_length`` reports a huge number)."""
        config = self.model.config
        limit = getattr(config, "max_position_embeddings", 512)
        if getattr(config, "model_type", "") in _OFFSET_POSITIONS:
            limit -= 2
        return min(int(self.tokenizer.model_max_length), int(limit))

    def _pad(self, encoded: list[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
        width = max(len(e["input_ids"]) for e in encoded)
        pad_values = {"input_ids": self.tokenizer.pad_token_id or 0, "attention_mask": 0, "token_type_ids": 0}
        left = self.tokenizer.padding_side == "left"
        batch: dict[str, Any] = {}
        for key, pad_value in pad_values.items():
            if key not in encoded[0]:
                continue
            rows = []
            for e in encoded:
                padding = [pad_value] * (width - len(e[key]))
                rows.append(padding + e[key] if left else e[key] + padding)
            batch[key] = torch.tensor(rows, dtype=torch.long, device=self.device)
        return batch

    def score(self, texts: Sequence[str]) -> list[Scores]:
        if not texts:
            return []
        encodings = self.tokenizer(list(texts), truncation=True, max_length=self.max_length)
        encoded = [{key: encodings[key][i] for key in encodings.keys()} for i in range(len(texts))]
        batches = plan_batches([len(e["input_ids"]) for e in encoded], max_batch=self.batch_size,
                               overhead_tokens=self.BATCH_OVERHEAD_TOKENS)
        results: list[Scores | None] = [None] * len(texts)
        with torch.inference_mode():
            for chunk in batches:
                logits = self.model(**self._pad([encoded[i] for i in chunk]))[0]
                probs = torch.sigmoid(logits.float()).cpu().tolist()
                for i, row in zip(chunk, probs):
                    results[i] = {label: row[index] for index, label in self._columns}
        return results  # type: ignore[return-value]
