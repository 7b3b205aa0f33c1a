"""Signals core sends so that the apps above it can react without core importing them (core sits
below the apps: pyproject.toml's import contracts)."""
from __future__ import annotations

from django.dispatch import Signal

# A write was refused by a rate limit; kwargs: scope ("comment", "like", "login", ...).
# ops counts it (ops/apps.py -> ops.metrics.rate_limited).
rate_limit_refused = Signal()
