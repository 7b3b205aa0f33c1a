"""The periodic site-model fit (beat, daily; does nothing unless an admin switched it on from the
policy page). Thin: the fit and its gates are services.site_model_fit; a candidate never serves
until an admin activates it."""
from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from moderation.adaptation.selectors import site_adaptation_periodic
from moderation.adaptation.services import site_model_fit

logger = logging.getLogger(__name__)


@shared_task(name="moderation.adaptation.adapt_to_site")
def adapt_to_site() -> int | None:
    """The new version's id, or None when switched off or when there are too few decisions."""
    if not site_adaptation_periodic():
        return None
    try:
        return site_model_fit().pk
    except ValidationError as exc:
        logger.info("Periodic site model fit skipped: %s", "; ".join(exc.messages))
        return None


# Beat sent it as "moderation.tasks.adapt_to_site" before the task was named after its module: a
# message already queued under that name still runs it. Until release 0.5, as for the pipeline's.
adapt_to_site_old_name = shared_task(name="moderation.tasks.adapt_to_site")(adapt_to_site.run)
