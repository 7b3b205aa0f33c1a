"""Handing comments to the classification worker. Imported by the reader side, so it must stay
light: no model code is imported here (readers never wait on a model)."""
from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def enqueue_classification(comment_id: int) -> bool:
    """Publish a classification task; returns False when the broker could not take it.

    Never raises: a reader's comment is already committed when this runs, and a lost enqueue
    (Redis down) is recovered by the periodic sweeper, which re-enqueues unscored comments.
    """
    from .tasks import classify_comment

    try:
        classify_comment.delay(comment_id)
    except Exception:  # noqa: BLE001 - any broker failure means the same thing here
        logger.warning("Could not enqueue classification of comment %s; the sweeper will retry", comment_id, exc_info=True)
        return False
    return True
