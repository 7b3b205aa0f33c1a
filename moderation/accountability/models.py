"""The accountability sub-domain's data, defined with the rest of the app's models in
moderation/models.py (one models module per app, no import circle) and named here for its code."""
from moderation.models import (  # noqa: F401
    TDB_CATEGORIES,
    IllegalContentNotice,
    SiteRule,
    StatementOfReasons,
    TransparencySettings,
)
