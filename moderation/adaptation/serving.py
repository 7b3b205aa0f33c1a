"""What the worker scores with: the shipped classifier, or the active site version built on it.

The worker asks once per batch (moderation.pipeline.scoring.load_models); the active version's id
is read from the database at most every ``ACTIVE_CHECK_SECONDS`` per process, so activating or
rolling back takes effect within seconds, with no restart. A site version is built once per
process and shares the shipped encoder (only its head differs). A version fitted on other weights
than those installed (the shipped model was updated since) is not served: the shipped model
scores instead, with one warning, until an admin fits and activates a new one.
"""
from __future__ import annotations

import logging
import threading
import time

from django.db import DatabaseError

from moderation.models import ModelVersion

logger = logging.getLogger(__name__)

ACTIVE_CHECK_SECONDS = 5.0
BASE_SPEC = "parley-minilm"

_lock = threading.Lock()
_active: dict = {"checked": -1e9, "row": None}
_built: dict[tuple[int, str], object] = {}
_warned: set[int] = set()


def _active_row() -> tuple | None:
    now = time.monotonic()
    with _lock:
        if now - _active["checked"] < ACTIVE_CHECK_SECONDS:
            return _active["row"]
    try:
        row = (ModelVersion.objects.filter(is_active=True, kind=ModelVersion.Kind.SITE, status=ModelVersion.Status.READY)
               .values_list("pk", "base_version").first())
    except DatabaseError:
        # The batch's own queries will fail and retry; until then the version known last serves.
        logger.warning("Could not read the active model version; keeping the one known last", exc_info=True)
        return _active["row"]
    with _lock:
        _active.update(checked=now, row=row)
    return row


def site_version_label(*, base_version: str, version_id: int) -> str:
    """The version string a site version's analyses store: the shipped weights' version plus the site
    version's id, so the agreement page tells them apart."""
    return f"{base_version}+site.{version_id}"


def toxicity_for_worker(*, base):
    """``base`` (the classifier loaded for PARLEY_TOXICITY_MODEL), or the active site version on it."""
    if getattr(base, "name", "") != BASE_SPEC:
        return base  # another model (or a fallback) runs: site versions adapt parley-minilm only
    row = _active_row()
    if row is None:
        return base
    version_id, base_version = row
    if base_version != base.version:
        if version_id not in _warned:
            _warned.add(version_id)
            logger.warning("Site model v%s was fitted on parley-minilm %s, but %s is installed: scoring with the "
                           "shipped model", version_id, base_version, base.version)
        return base
    key = (version_id, base.version)
    with _lock:
        built = _built.get(key)
    if built is None:
        from ml.adaptation import SiteHead, adapted_classifier  # noqa: PLC0415 - torch: the worker has it loaded already

        params = ModelVersion.objects.values_list("params", flat=True).get(pk=version_id)
        built = adapted_classifier(base, SiteHead.from_json(params),
                                   version=site_version_label(base_version=base.version, version_id=version_id))
        with _lock:
            built = _built.setdefault(key, built)
        logger.info("Scoring with site model v%s", version_id)
    return built


def serving_cache_clear() -> None:
    """Forget the active version now (tests; the next batch reads it again)."""
    with _lock:
        _active.update(checked=-1e9, row=None)
        _built.clear()
