"""The headline quality figures of each model, as ``manage.py evaluate_models --record`` last measured
them on this repository's weights; the policy page shows them beside the models that run.
"""
from __future__ import annotations

import json
from pathlib import Path

RECORDED_FILE = Path(__file__).resolve().parent / "recorded.json"


def recorded_quality() -> dict[str, dict[str, float]]:
    """model name -> {measure: value}; empty when nothing was recorded."""
    try:
        return json.loads(RECORDED_FILE.read_text())
    except (OSError, ValueError):
        return {}
