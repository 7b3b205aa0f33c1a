"""Statements of reasons in the shape of the Commission's DSA Transparency Database (Art. 24(5)):
``statement_to_tdb`` maps one stored statement to the database's field names and allowed values,
``tdb_validate`` checks a record against the JSON Schema shipped in schema/ (written from the
database's public "API and Schema" page), ``statements_export`` yields the records of a period.

No personal data leaves: the database's documentation asks platforms to send none, so the facts
sent are built from the decision's kind, rule and check, never from the comment's words, the
marked phrase or a moderator's free text (those stay in the author's own statement).
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path

import jsonschema
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from moderation.accountability.models import StatementOfReasons

SCHEMA_PATH = Path(__file__).parent / "schema" / "tdb_statement.schema.json"

# The EU's 27 member states: the territorial scope of a comment hidden on a website served to all of them.
EU_COUNTRIES = ["AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT",
                "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"]

Kind, Source, Ground = StatementOfReasons.Kind, StatementOfReasons.Source, StatementOfReasons.Ground
VISIBILITY = {Kind.HELD: "DECISION_VISIBILITY_CONTENT_DISABLED", Kind.REJECTED: "DECISION_VISIBILITY_CONTENT_REMOVED",
              Kind.REMOVED_AFTER_REPORT: "DECISION_VISIBILITY_CONTENT_REMOVED"}
ACCOUNT = {Kind.SUSPENDED: "DECISION_ACCOUNT_SUSPENDED", Kind.BANNED: "DECISION_ACCOUNT_TERMINATED"}
SOURCE = {Source.VOLUNTARY: "SOURCE_VOLUNTARY", Source.REPORT: "SOURCE_TYPE_OTHER_NOTIFICATION",
          Source.ILLEGAL_NOTICE: "SOURCE_ARTICLE_16"}
FACTS = {
    Kind.HELD: "A reader's comment was hidden from other readers pending a moderator's review.",
    Kind.REJECTED: "A reader's comment was rejected and is visible to its author only.",
    Kind.REMOVED_AFTER_REPORT: "A published comment was removed after a notice, and is visible to its author only.",
    Kind.SUSPENDED: "The account may not post comments until the end date.",
    Kind.BANNED: "The account may no longer post comments.",
}


@lru_cache(maxsize=1)
def tdb_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def tdb_validate(record: dict) -> None:
    """Raise ValidationError naming each failing field when ``record`` breaks the shipped schema."""
    validator = jsonschema.Draft202012Validator(tdb_schema())
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        raise ValidationError({"record": [f"{'.'.join(str(p) for p in e.absolute_path) or '(record)'}: {e.message}" for e in errors]})


def _day(value: datetime | date) -> str:
    return (value.astimezone(UTC).date() if isinstance(value, datetime) else value).isoformat()


def _facts(s: StatementOfReasons) -> str:
    how = ("Detected and decided by automated means (the comment classifier and the site's thresholds)."
           if s.automated_detection and s.automated_decision else
           "Decided by automated means under the site's rules (no content detection)." if s.automated_decision else
           "Flagged by automated means, decided by a human moderator." if s.automated_detection else
           "Decided by a human moderator.")
    versions = f" Policy version {s.policy_version}." if s.policy_version else ""
    return f"{FACTS[s.kind]} {how} Site rule: {s.site_rule.title} (v{s.site_rule.version}).{versions}"


def statement_to_tdb(s: StatementOfReasons) -> dict:
    """One statement as the Transparency Database's API takes it (POST /api/v1/statement)."""
    record: dict = {}
    if s.kind in VISIBILITY:
        record["decision_visibility"] = [VISIBILITY[s.kind]]
    else:
        record["decision_account"] = ACCOUNT[s.kind]
        record["end_date_account_restriction"] = _day(s.end_date) if s.end_date else None
    record["account_type"] = "ACCOUNT_TYPE_PRIVATE"
    if s.ground == Ground.ILLEGAL:
        record["decision_ground"] = "DECISION_GROUND_ILLEGAL_CONTENT"
        record["illegal_content_legal_ground"] = (s.legal_ground or "not stated")[:500]
        record["illegal_content_explanation"] = (
            f"Assessed as illegal by a moderator after a notice under Art. 16 DSA, on the ground given. "
            f"It also breaks the site rule '{s.site_rule.title}'.")[:2000]
    else:
        record["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
        record["incompatible_content_ground"] = f"{s.site_rule.title} (site rule '{s.site_rule.code}', version {s.site_rule.version})"[:500]
        record["incompatible_content_explanation"] = s.site_rule.text[:2000]
        record["incompatible_content_illegal"] = "No"
    record["decision_ground_reference_url"] = f"{settings.PARLEY_SITE_URL.rstrip('/')}{reverse('moderation:site_rules')}#{s.site_rule.code}"
    record["content_type"] = ["CONTENT_TYPE_TEXT"]
    record["category"] = s.site_rule.category
    record["territorial_scope"] = list(EU_COUNTRIES)
    if s.language and len(s.language) == 2 and s.language.isalpha():
        record["content_language"] = s.language.upper()
    content_date = s.content_date or (s.comment.created_at if s.comment_id else s.author.date_joined)
    record["content_date"] = max(_day(content_date), "2000-01-01")
    record["application_date"] = max(_day(s.created_at), "2020-01-01")
    record["decision_facts"] = _facts(s)[:5000]
    record["source_type"] = SOURCE[s.source]
    record["automated_detection"] = "Yes" if s.automated_detection else "No"
    record["automated_decision"] = "AUTOMATED_DECISION_FULLY" if s.automated_decision else "AUTOMATED_DECISION_NOT_AUTOMATED"
    record["puid"] = s.puid
    return record


def parse_day(value: object, *, field: str) -> date:
    """A YYYY-MM-DD date from a command line or a query string; ValidationError naming ``field``."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError({field: "Required: a date as YYYY-MM-DD."})
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationError({field: f"'{value[:40]}' is not a date as YYYY-MM-DD."}) from None


def statements_export(*, since: date, until: date | None = None) -> Iterator[dict]:
    """The Transparency Database records of every statement made on or after ``since`` (and before
    ``until``, exclusive), oldest first, each validated against the shipped schema."""
    start = datetime.combine(since, time.min, tzinfo=UTC)
    qs = StatementOfReasons.objects.filter(created_at__gte=start).select_related("site_rule", "comment", "author")
    if until is not None:
        qs = qs.filter(created_at__lt=datetime.combine(until, time.min, tzinfo=UTC))
    for s in qs.order_by("created_at", "id").iterator(chunk_size=500):
        record = statement_to_tdb(s)
        tdb_validate(record)
        yield record
