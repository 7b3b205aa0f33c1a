"""Validators shared by the pages' forms and the API's serializers (Django validators: DRF runs
them too and names the field), so a value is refused by one rule wherever it comes in."""
from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError

# Python's last day is 9999-12-31, and a filter "to this day, inclusive" reads up to the next
# midnight: date.max + 1 day is an OverflowError (a 500 on five moderator pages).
LAST_DAY = date.max - timedelta(days=1)


def validate_day(value: date) -> None:
    """A day a filter or a suspension may name: up to LAST_DAY."""
    if value is not None and value > LAST_DAY:
        raise ValidationError(f"Must be on or before {LAST_DAY.isoformat()}.", code="max_value")
