"""The accountability sub-domain's data, defined in moderation/models/accountability.py with the rest
of the app's models (Django finds an app's models in its models package) and named here for its code."""
from moderation.models.accountability import (  # noqa: F401
    TDB_CATEGORIES,
    IllegalContentNotice,
    SiteRule,
    StatementOfReasons,
    TransparencySettings,
)
