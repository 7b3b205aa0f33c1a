"""The one classifier interface Parley's worker talks to.

Classifiers know nothing of Django: text in, scores out. Every backend takes a batch
and returns one ``Scores`` mapping per input, in input order; batching, length
bucketing and padding live inside the backend, never in the Celery task.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

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


@runtime_checkable
class ToxicityClassifier(Protocol):
    name: str  # e.g. "detoxify:original", "jigsaw-bilstm"
    version: str  # weights/package version, stored with every analysis
    labels: tuple[str, ...]  # the subset of TOXICITY_LABELS this model predicts

    def score(self, texts: Sequence[str]) -> list[Scores]: ...


@runtime_checkable
class StanceClassifier(Protocol):
    name: str
    version: str
    labels: tuple[str, ...]  # STANCE_LABELS

    def score(self, pairs: Sequence[tuple[str, str]]) -> list[Scores]:
        """Score (text, target) pairs: the stance of ``text`` toward ``target``
        (the article's claim, or the parent comment). Probabilities sum to 1."""
        ...


class ModelUnavailable(RuntimeError):
    """The weights for a requested model cannot be loaded on this machine."""
