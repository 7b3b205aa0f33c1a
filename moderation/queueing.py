"""Handing comments to the classification worker. Imported by the reader side, so it must stay
light: no model code is imported here (readers never wait on a model)."""
from __future__ import annotations

import logging
import time

logger = logging.getLogger(__name__)

# After a failed publish, don't try again for a few seconds: each try can block up to the broker
# connection timeout, and the sweeper re-enqueues whatever was skipped meanwhile.
BROKER_RETRY_AFTER_SECONDS = 5.0
_broker_down_until = 0.0


def enqueue_classification(comment_id: int) -> bool:
    """Publish a classification task; returns False when the broker could not take it.

    Never raises: a reader's comment is already committed when this runs, and a lost enqueue
    (Redis down) is recovered by the periodic sweeper, which re-enqueues unscored comments.
    """
    global _broker_down_until
    from .tasks import classify_comment

    if time.monotonic() < _broker_down_until:
        logger.info("Broker recently unreachable; comment %s is left for the sweeper", comment_id)
        return False
    try:
        classify_comment.apply_async(args=[comment_id], retry=False)
    except Exception:  # noqa: BLE001 - any broker failure means the same thing here
        _broker_down_until = time.monotonic() + BROKER_RETRY_AFTER_SECONDS
        logger.warning("Could not enqueue classification of comment %s; the sweeper will retry", comment_id, exc_info=True)
        return False
    return True
