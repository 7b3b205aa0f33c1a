"""Moderation data, one module per sub-domain; every model and constant is importable from here
(``from moderation.models import Policy``), which is also where Django's app registry finds them.
The modules never import each other: a relation across them is named as a string ("moderation.Policy")."""
from moderation.models.accountability import (
    TDB_CATEGORIES,
    IllegalContentNotice,
    SiteRule,
    StatementOfReasons,
    TransparencySettings,
)
from moderation.models.adaptation import ModelVersion, SiteAdaptationSetting
from moderation.models.analysis import Analysis
from moderation.models.appeals import Appeal
from moderation.models.audit import ModerationEvent
from moderation.models.policy import Policy
from moderation.models.reasons import DecisionReason
from moderation.models.standing import AuthorStanding

__all__ = [
    "TDB_CATEGORIES",
    "Analysis",
    "Appeal",
    "AuthorStanding",
    "DecisionReason",
    "IllegalContentNotice",
    "ModelVersion",
    "ModerationEvent",
    "Policy",
    "SiteAdaptationSetting",
    "SiteRule",
    "StatementOfReasons",
    "TransparencySettings",
]
