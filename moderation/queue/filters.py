"""The review queue's filters, declared once. The page's form (``QueueFilterForm``, here) and the
API's query serializer (``QueueApi.FilterSerializer`` in api/views.py) are both built from
``FIELDS`` and turn what they cleaned into a ``selectors.QueueFilters`` with the same
``queue_filters`` (what a label and a minimum score mean: selectors.QueueFilters)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from rest_framework import serializers

from core.params import MAX_ID
from core.validators import validate_day
from ml.classifiers.base import STANCE_LABELS, TOXICITY_LABELS
from moderation.queue.selectors import TABS, QueueFilters


@dataclass(frozen=True)
class FilterField:
    name: str
    kind: str  # "choice", "float", "int", "text" or "date"
    label: str = ""  # on the page
    help: str = ""  # in the API's schema
    choices: tuple[tuple[str, str], ...] = ()
    blank: str = ""  # the page's "any" choice
    min_value: float | None = None
    max_value: float | None = None
    max_length: int | None = None

    def form_field(self) -> forms.Field:
        label = self.label or None
        if self.kind == "choice":
            choices = ([("", self.blank)] if self.blank else []) + list(self.choices)
            return forms.ChoiceField(choices=choices, required=False, label=label)
        if self.kind == "float":
            return forms.FloatField(min_value=self.min_value, max_value=self.max_value, required=False, label=label)
        if self.kind == "int":
            return forms.IntegerField(min_value=self.min_value, max_value=self.max_value, required=False, label=label)
        if self.kind == "text":
            return forms.CharField(max_length=self.max_length, required=False, label=label)
        return forms.DateField(required=False, label=label, widget=forms.DateInput(attrs={"type": "date"}),
                               validators=[validate_day])

    def serializer_field(self) -> serializers.Field:
        options: dict[str, Any] = {"required": False}
        if self.help:
            options["help_text"] = self.help
        if self.kind == "choice":
            return serializers.ChoiceField(choices=[value for value, _ in self.choices], **options)
        if self.kind == "float":
            return serializers.FloatField(min_value=self.min_value, max_value=self.max_value, **options)
        if self.kind == "int":
            return serializers.IntegerField(min_value=self.min_value, max_value=self.max_value, **options)
        if self.kind == "text":
            return serializers.CharField(max_length=self.max_length, **options)
        return serializers.DateField(validators=[validate_day], **options)


FIELDS = (
    FilterField("tab", "choice", choices=tuple(TABS.items()), help='Default "held".'),
    FilterField("label", "choice", choices=tuple((x, x) for x in TOXICITY_LABELS), blank="any label",
                help="Alone: comments this label flagged (at or past its hold cut-off). With min_score: "
                     "this label's score at least min_score."),
    FilterField("min_score", "float", label="score at least", help="The label's score, or any label's without one.",
                min_value=0.0, max_value=1.0),
    FilterField("stance", "choice", choices=tuple((x, x) for x in STANCE_LABELS), blank="any stance",
                help="Toward the article."),
    FilterField("article", "int", label="article id", min_value=1, max_value=MAX_ID),
    FilterField("author", "text", help="Username.", max_length=150),
    FilterField("date_from", "date", label="from", help="Posted on or after this day (UTC)."),
    FilterField("date_to", "date", label="to", help="Posted on or before this day (UTC)."),
)


def queue_filters(data: Mapping[str, Any]) -> QueueFilters:
    """What the form or the serializer cleaned, as the selectors' filters."""
    return QueueFilters(
        tab=data.get("tab") or "held",
        label=data.get("label") or "",
        min_score=data.get("min_score"),
        stance=data.get("stance") or "",
        article_id=data.get("article"),
        author=(data.get("author") or "").strip(),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


def with_filter_fields(cls):
    """Class decorator: put FIELDS first among a serializer's declared fields."""
    cls._declared_fields = {**{f.name: f.serializer_field() for f in FIELDS}, **cls._declared_fields}
    return cls


class QueueFilterForm(forms.Form):
    """The queue page's filter bar (GET)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {**{f.name: f.form_field() for f in FIELDS}, **self.fields}

    def filters(self) -> QueueFilters:
        return queue_filters(self.cleaned_data)
