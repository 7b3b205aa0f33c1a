"""Model spec -> loaded classifier, once per process.

Celery prefork workers import this in each child; the caches below are per process, so every
worker process loads its models once and reuses them for every batch.
"""
from __future__ import annotations

import logging
import threading

from .base import ModelUnavailable, StanceClassifier, ToxicityClassifier

logger = logging.getLogger(__name__)

BILSTM_SPEC = "jigsaw-bilstm"
DETOXIFY_PREFIX = "detoxify:"

_lock = threading.Lock()
_toxicity_cache: dict[tuple[str, str | None], ToxicityClassifier] = {}


def _load_uncached(spec: str, checkpoint: str | None) -> ToxicityClassifier:
    if spec == BILSTM_SPEC:
        from .bilstm import JigsawBiLSTM
        from .detoxify_backend import configure_torch_threads

        configure_torch_threads()
        return JigsawBiLSTM()
    if spec.startswith(DETOXIFY_PREFIX):
        from .detoxify_backend import DETOXIFY_TYPES, DetoxifyClassifier

        model_type = spec[len(DETOXIFY_PREFIX):]
        if model_type not in DETOXIFY_TYPES:
            raise ValueError(f"unknown Detoxify type in toxicity model spec {spec!r}; "
                             f"expected one of {', '.join(DETOXIFY_PREFIX + t for t in DETOXIFY_TYPES)}")
        try:
            return DetoxifyClassifier(model_type, checkpoint=checkpoint)
        except ModelUnavailable as exc:
            # Logged once per process: the fallback result is cached under this spec.
            logger.warning("Detoxify weights for %s unavailable (%s); falling back to %s", spec, exc, BILSTM_SPEC)
            return load_toxicity_classifier(BILSTM_SPEC)
    raise ValueError(f"unknown toxicity model spec {spec!r}; expected {BILSTM_SPEC!r} or "
                     f"'{DETOXIFY_PREFIX}<type>' with type one of {', '.join(_detoxify_types())}")


def _detoxify_types() -> tuple[str, ...]:
    from .detoxify_backend import DETOXIFY_TYPES

    return DETOXIFY_TYPES


def load_toxicity_classifier(spec: str, *, checkpoint: str | None = None) -> ToxicityClassifier:
    """The toxicity classifier for ``spec`` (``"detoxify:<type>"`` or ``"jigsaw-bilstm"``).

    A Detoxify spec whose weights cannot be loaded returns the ``jigsaw-bilstm`` model instead
    (check ``.name`` to see which one you got) after one warning. Unknown specs raise
    ValueError. Results are cached per (spec, checkpoint) for the life of the process.
    """
    spec = spec.strip()
    checkpoint = checkpoint or None  # "" from an unset env var means "no checkpoint"
    key = (spec, checkpoint)
    with _lock:  # not held while loading: the fallback path re-enters this function
        cached = _toxicity_cache.get(key)
    if cached is not None:
        return cached
    classifier = _load_uncached(spec, checkpoint)
    with _lock:
        # Two threads may race to load the same key (Celery's prefork pool never does); keep the
        # first result so all callers share one instance.
        return _toxicity_cache.setdefault(key, classifier)


def clear_caches() -> None:
    """Forget loaded models (tests; a worker never needs this)."""
    with _lock:
        _toxicity_cache.clear()
        _stance_cache.clear()


# --------------------------------------------------------------------------------------------
# Stance (ml/classifiers/stance.py, owned by another engineer)
# --------------------------------------------------------------------------------------------

_stance_cache: list[StanceClassifier] = []


def load_stance_classifier() -> StanceClassifier:
    """The stance classifier, loaded once per process. Imported lazily so that toxicity-only
    code paths (and their tests) never import the stance model's dependencies."""
    with _lock:
        if _stance_cache:
            return _stance_cache[0]
    from .stance import load_default_stance_classifier

    classifier = load_default_stance_classifier()
    with _lock:
        if not _stance_cache:
            _stance_cache.append(classifier)
        return _stance_cache[0]
