"""The API's request parser: JSON bodies only, so field types are JSON types."""
from __future__ import annotations

from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings


class JSONBodyParser(JSONParser):
    """DRF's JSON parser, but a malformed body is answered like any other bad input:
    400 {"non_field_errors": [reason]} rather than {"detail": ...}."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError as exc:
            raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc.detail)]}) from None
