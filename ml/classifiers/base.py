"""The one classifier interface Parley's worker talks to.

Classifiers know nothing of Django: text in, scores out. Every backend takes a batch
and returns one ``Scores`` mapping per input, in input order; batching, length
bucketing and padding live inside the backend, never in the Celery task.
"""
from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

# label -> probability in [0, 1]
Scores = dict[str, float]

# Detoxify's label names, used everywhere in Parley (database, API, policy, UI).
TOXICITY_LABELS: tuple[str, ...] = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "threat",
    "insult",
    "identity_attack",
    "sexual_explicit",
)
STANCE_LABELS: tuple[str, ...] = ("favor", "against", "neutral")
# What a card, the discussions page and the viewpoint audit show when the stance model is not
# confident enough (ml/weights/stance/stance.json: shown_min_confidence); never a model output.
STANCE_UNCLEAR = "unclear"

# The Jigsaw 2018 competition's label names (its CSV columns, the BiLSTM's outputs) -> Parley's.
JIGSAW_TO_PARLEY: dict[str, str] = {
    "toxic": "toxicity",
    "severe_toxic": "severe_toxicity",
    "obscene": "obscene",
    "threat": "threat",
    "insult": "insult",
    "identity_hate": "identity_attack",
}


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a weights file, read in 1 MiB chunks; versions carry a prefix of it."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def torch_threads() -> int:
    """A sane intra-op thread count: ``PARLEY_TORCH_THREADS`` if set, else no more threads than
    the CPUs this process may run on (torch's default can exceed a container's CPU quota, and
    a Celery prefork pool multiplies it by the concurrency)."""
    import torch

    configured = os.environ.get("PARLEY_TORCH_THREADS")
    if configured:
        return max(1, int(configured))
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(torch.get_num_threads(), available))


def configure_torch_threads() -> None:
    """Apply :func:`torch_threads` once per process (every backend's loader calls it)."""
    import torch

    threads = torch_threads()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


@runtime_checkable
class ToxicityClassifier(Protocol):
    name: str  # e.g. "parley-minilm", "detoxify:original", "jigsaw-bilstm"
    version: str  # weights/package version, stored with every analysis
    labels: tuple[str, ...]  # the subset of TOXICITY_LABELS this model predicts
    languages: tuple[str, ...]  # ISO 639-1 codes the model was trained to read

    def score(self, texts: Sequence[str]) -> list[Scores]: ...


@runtime_checkable
class StanceClassifier(Protocol):
    name: str
    version: str
    labels: tuple[str, ...]  # STANCE_LABELS
    min_confidence: float  # top probability below which the stance shown is STANCE_UNCLEAR

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[Scores]:
        """Score (text, target) pairs: the stance of ``text`` toward ``target``
        (the article's claim, or the parent comment). Probabilities sum to 1."""
        ...


def stance_label(scores: Scores, *, min_confidence: float) -> str:
    """The one rule for which stance a comment is shown with: the top label when its probability
    reaches ``min_confidence``, else :data:`STANCE_UNCLEAR`. Every caller (the worker storing an
    Analysis, the evaluation) goes through it, so what is measured is what is shown."""
    top, p = max(scores.items(), key=lambda kv: kv[1])
    return top if p >= min_confidence else STANCE_UNCLEAR


class ModelUnavailable(RuntimeError):
    """The weights for a requested model cannot be loaded on this machine."""


def plan_batches(lengths: Sequence[int], *, max_batch: int, overhead_tokens: int) -> list[list[int]]:
    """Split inputs into padded batches that waste the least compute: indices grouped into batches.

    Every batch is padded to its longest member, so a fixed batch size over comments of 5 to 300
    words pads short ones to the long ones' width (measured: 1.8x to 2.1x the real tokens on
    log-uniform lengths). Instead, the inputs are sorted by length and cut where it is cheapest:
    a batch costs ``overhead_tokens`` (the per-forward fixed cost, in tokens' worth of compute)
    plus ``len(batch) * width``; an exact dynamic programme over the sorted lengths (O(n *
    max_batch), n is a worker claim of ~32) finds the cheapest cuts. Long comments end up in small
    batches (their matrices are big enough already), short ones in big batches.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    n = len(order)
    best = [0.0] + [float("inf")] * n  # best[j]: cheapest cost of the first j sorted inputs
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        width = lengths[order[j - 1]]  # the longest of order[i:j]
        for i in range(max(0, j - max_batch), j):
            cost = best[i] + overhead_tokens + (j - i) * width
            if cost < best[j]:
                best[j], cut[j] = cost, i
    batches = []
    j = n
    while j > 0:
        batches.append(order[cut[j]:j])
        j = cut[j]
    return batches[::-1]
