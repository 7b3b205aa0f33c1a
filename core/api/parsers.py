"""The API's request parser: JSON bodies only, so field types are JSON types, never deeper
than MAX_DEPTH levels, and no number that overflows a float."""
from __future__ import annotations

import math

from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings

# No API body nests more than a few levels (the policy's thresholds: object > label > cut).
# Python's json recurses per level: `{"a":` x 2,000 raised RecursionError, a 500 for anyone.
MAX_DEPTH = 32


def _too_deep(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (dict, list)):
            if depth > limit:
                return True
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def _overflowing_number(value) -> str | None:
    """The top-level key (or NON_FIELD_ERRORS_KEY) under which a number too big for a float
    sits: Python's json reads 1e400 as inf, which no field means and arithmetic turns into an
    OverflowError or a NaN."""
    stack = [(value, None)]
    while stack:
        item, key = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return key or api_settings.NON_FIELD_ERRORS_KEY
        if isinstance(item, dict):
            stack.extend((child, key if key is not None else str(name)) for name, child in item.items())
        elif isinstance(item, list):
            stack.extend((child, key) for child in item)
    return None


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, but a malformed body is answered like any other bad input:
    400 {"non_field_errors": [reason]} rather than {"detail": ...}; so is one nested deeper
    than MAX_DEPTH. The default parser of every API view (settings.REST_FRAMEWORK)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc.detail)]}) from None
        except RecursionError:
            data = None
        else:
            if not _too_deep(data, MAX_DEPTH):
                if (key := _overflowing_number(data)) is not None:
                    raise serializers.ValidationError({key: ["A number too large to be read (it overflows a float)."]})
                return data
        raise serializers.ValidationError(
            {api_settings.NON_FIELD_ERRORS_KEY: [f"JSON nested deeper than {MAX_DEPTH} levels."]}
        )
