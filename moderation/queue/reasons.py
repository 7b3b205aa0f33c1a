"""The site's own ready-made reasons for decisions, kept by its admins."""
from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError

from moderation.models import DecisionReason
from moderation.permissions import CHANGE_POLICY

logger = logging.getLogger(__name__)


# The site's admins (those who set the policy) keep the list; the Django admin also edits it.
MANAGE_REASONS = CHANGE_POLICY


def decision_reason_create(*, text: str, use_for: str, admin, position: int | None = None) -> DecisionReason:
    """Add one of the site's ready-made reasons (an admin's job: ``moderation.change_policy``).
    Raises ValidationError naming the field for an empty, too long or duplicate text."""
    if admin is None or not admin.is_authenticated or not admin.has_perm(MANAGE_REASONS):
        raise PermissionDenied("Only admins may change the site's reasons.")
    if use_for not in DecisionReason.UseFor.values:
        raise ValidationError({"use_for": f"Use one of: {', '.join(DecisionReason.UseFor.values)}."})
    text = (text or "").replace("\x00", "").strip() if isinstance(text, str) else ""
    if not text:
        raise ValidationError({"text": "A reason needs its words."})
    if len(text) > 200:
        raise ValidationError({"text": f"Must be at most 200 characters (got {len(text)})."})
    if DecisionReason.objects.filter(use_for=use_for, text__iexact=text).exists():
        raise ValidationError({"text": f"'{text}' is already a reason for {use_for}."})
    if position is None:
        position = (DecisionReason.objects.filter(use_for=use_for).order_by("-position")
                    .values_list("position", flat=True).first() or 0) + 1
    return DecisionReason.objects.create(text=text, use_for=use_for, position=position)
