"""The OpenAPI descriptions of the answers every API module gives alike (drf-spectacular): one
wording for a 400 and a 403, whichever resource answers it."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse

BAD_INPUT = OpenApiResponse(description='Bad input: {"field": ["reason", ...]}; unknown fields are named too.')
NOT_FOUND = OpenApiResponse(description="No such object, or the requester may not see it.")


def forbidden(who: str) -> OpenApiResponse:
    """403: not signed in, or not ``who`` (e.g. "a moderator")."""
    return OpenApiResponse(description=f"Not signed in, or not {who}.")
