"""Which models decide comments now, how good they measured, and whether a fallback is running.

Read from the latest Analysis (what the worker actually ran, recorded with every comment), never by
loading a model in the web process: the admin sees a notice when it is not the configured model,
e.g. Detoxify's weights could not be had and Parley's own model scored instead.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings

from ml.classifiers.registry import model_languages, spec_model_name
from ml.evaluation.recorded import recorded_quality
from ml.language import language_name
from moderation.models import Analysis


@dataclass(frozen=True)
class ModelInUse:
    role: str  # "toxicity" or "stance"
    name: str  # what scored the latest comment ("" before any comment was scored)
    version: str
    configured: str  # what the settings ask for
    quality: dict[str, float] = field(default_factory=dict)  # measure -> value, from evaluate_models --record
    languages: str = ""

    @property
    def is_fallback(self) -> bool:
        return bool(self.name) and self.name != self.configured


def models_in_use() -> list[ModelInUse]:
    """The toxicity and stance models of the latest analysis, with their recorded quality. One query."""
    latest = (Analysis.objects.order_by("-id")
              .values("toxicity_model", "toxicity_model_version", "stance_model", "stance_model_version").first()) or {}
    quality = recorded_quality()
    toxicity = latest.get("toxicity_model", "")
    stance = latest.get("stance_model", "")
    return [
        ModelInUse(role="toxicity", name=toxicity, version=latest.get("toxicity_model_version", ""),
                   configured=spec_model_name(settings.PARLEY_TOXICITY_MODEL), quality=quality.get(toxicity, {}),
                   languages=", ".join(language_name(c) for c in model_languages(toxicity or settings.PARLEY_TOXICITY_MODEL))),
        ModelInUse(role="stance", name=stance, version=latest.get("stance_model_version", ""),
                   configured=stance, quality=quality.get(stance, {})),
    ]
