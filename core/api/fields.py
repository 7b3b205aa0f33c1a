"""Serializer building blocks every API view shares (blog's and moderation's): a mixin that
refuses fields a client may not set, and fields that refuse JSON of the wrong type instead of
coercing it."""
from __future__ import annotations

import copy
from collections.abc import Mapping

from rest_framework import serializers

UNKNOWN_FIELD_MESSAGE = "Unknown field: this endpoint does not accept it."


class ShallowCopiedFieldsMixin:
    """For output serializers, which only read: each instance gets shallow copies of the declared
    fields instead of DRF's deep copies (which build every field again from its constructor
    arguments: a tenth of a comment POST's CPU went there). A copy is then bound to this
    serializer (its name and parent are set on the copy) and only read. A nested serializer is
    still deep-copied: its own bound fields must not be shared. Put it before the serializer base."""

    def get_fields(self):
        return {name: copy.deepcopy(field) if isinstance(field, serializers.BaseSerializer) else copy.copy(field)
                for name, field in self._declared_fields.items()}


class RejectUnknownFieldsMixin:
    """Answer 400, naming each one, when a body carries fields this serializer does not accept.

    DRF silently drops unknown keys by default, so a client that posts `status` or `author` next
    to `text` is never told that it did not (and must not) work. Put the mixin before
    `serializers.Serializer` in the bases. Read-only fields count as unknown on input.
    """

    def to_internal_value(self, data):
        errors = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {key: [UNKNOWN_FIELD_MESSAGE] for key in data if key not in writable}
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if errors and isinstance(exc.detail, Mapping):
                raise serializers.ValidationError({**exc.detail, **errors}) from None
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


class StrictCharField(serializers.CharField):
    """A CharField that accepts only a JSON string (DRF's turns 12 or 1.5 into "12", "1.5")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """An IntegerField that accepts only a JSON integer (DRF's accepts "12", 12.0 and true)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)




class StrictBooleanField(serializers.BooleanField):
    """Only JSON true/false (DRF's accepts "yes", 1, "on")."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data
