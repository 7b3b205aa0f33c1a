"""The Transparency Database export: every kind of statement validates against the schema shipped
in the repo; the command and the admin API write JSON lines; bad input is refused by name."""
from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from blog.models import Comment, CommentReport
from moderation.accountability.models import StatementOfReasons
from moderation.accountability.notices import illegal_notice_create, illegal_notice_decide
from moderation.accountability.tdb import statement_to_tdb, tdb_schema, tdb_validate
from moderation.queue.decisions import comment_decide
from moderation.queue.standing import author_standing_set
from tests.factories import CommentFactory

from .helpers import client_for, moderator, site_admin, worker_decided  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_kind(reader, other_reader, moderator):
    """One statement of each kind: worker-held, worker-rejected, moderator-rejected,
    reported-then-removed, removed on an illegal-content notice, suspended, banned."""
    worker_decided(author=reader, tox={"threat": 0.5})
    worker_decided(author=reader, tox={"threat": 0.95})
    held = CommentFactory(author=reader, status=Comment.Status.HELD)
    comment_decide(comment_id=held.pk, moderator=moderator, action="reject", reason="Off topic", expected_status="held")
    reported = CommentFactory(author=reader)
    CommentReport.objects.create(comment=reported, article=reported.article, reporter=other_reader, reason="rude")
    comment_decide(comment_id=reported.pk, moderator=moderator, action="reject", reason="Rude")
    noticed = CommentFactory(author=reader)
    notice = illegal_notice_create(comment=noticed, reporter=other_reader, law="§ 185 StGB (insult)", explanation="Calls a named person a criminal.")
    illegal_notice_decide(notice_id=notice.pk, moderator=moderator, legality="illegal", legal_ground="§ 185 StGB",
                          remove=True, reason="Unlawful insult of a named person")
    author_standing_set(author=reader, moderator=moderator, suspended_until=timezone.now() + timezone.timedelta(days=3))
    author_standing_set(author=reader, moderator=moderator, banned=True)
    return list(StatementOfReasons.objects.order_by("id"))


def test_every_kind_validates_against_the_shipped_schema(every_kind):
    kinds = {(s.kind, s.ground) for s in every_kind}
    assert kinds == {("held", "incompatible"), ("rejected", "incompatible"), ("removed_after_report", "incompatible"),
                     ("removed_after_report", "illegal"), ("suspended", "incompatible"), ("banned", "incompatible")}
    for s in every_kind:
        record = statement_to_tdb(s)
        tdb_validate(record)  # raises on any breach
        assert record["puid"] == f"parley-sor-{s.pk}"
    by_kind = {s.kind + s.ground: statement_to_tdb(s) for s in every_kind}
    assert by_kind["heldincompatible"]["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DISABLED"]
    assert by_kind["heldincompatible"]["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert by_kind["bannedincompatible"]["decision_account"] == "DECISION_ACCOUNT_TERMINATED"
    assert by_kind["suspendedincompatible"]["end_date_account_restriction"] is not None
    illegal = by_kind["removed_after_reportillegal"]
    assert (illegal["decision_ground"], illegal["source_type"], illegal["illegal_content_legal_ground"]) == (
        "DECISION_GROUND_ILLEGAL_CONTENT", "SOURCE_ARTICLE_16", "§ 185 StGB")
    assert illegal["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"


def test_the_export_sends_no_words_of_the_comment(every_kind):
    for s in every_kind:
        dumped = json.dumps(statement_to_tdb(s), ensure_ascii=False)
        if s.comment_id:
            assert s.comment.text not in dumped
        assert "I will find you" not in dumped and "Off topic" not in dumped


def test_the_schema_refuses_what_the_database_would():
    good = {"decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"], "decision_ground": "DECISION_GROUND_INCOMPATIBLE_CONTENT",
            "incompatible_content_ground": "rule", "incompatible_content_explanation": "why", "content_type": ["CONTENT_TYPE_TEXT"],
            "category": "STATEMENT_CATEGORY_VIOLENCE", "territorial_scope": ["DE"], "content_date": "2026-01-02",
            "application_date": "2026-01-03", "decision_facts": "facts", "source_type": "SOURCE_VOLUNTARY",
            "automated_detection": "Yes", "automated_decision": "AUTOMATED_DECISION_FULLY", "puid": "parley-sor-1"}
    tdb_validate(good)
    for broken in ({"automated_decision": "Yes"}, {"puid": "has space"}, {"category": "STATEMENT_CATEGORY_PIRACY"},
                   {"decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"}, {"application_date": "2026-1-3"},
                   {"territorial_scope": ["US"]}):
        with pytest.raises(ValidationError):
            tdb_validate({**good, **broken})
    without_decision = {k: v for k, v in good.items() if k != "decision_visibility"}
    with pytest.raises(ValidationError):
        tdb_validate(without_decision)
    assert tdb_schema()["$schema"].endswith("2020-12/schema")


def test_command_writes_json_lines_since_a_date(every_kind, tmp_path):
    out = tmp_path / "sor.jsonl"
    call_command("export_statements", "--since", (timezone.now() - timezone.timedelta(days=1)).date().isoformat(), "--output", str(out))
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(lines) == len(every_kind)
    for line in lines:
        tdb_validate(line)
    call_command("export_statements", "--since", (timezone.now() + timezone.timedelta(days=1)).date().isoformat(), "--output", str(out))
    assert out.read_text() == ""


@pytest.mark.parametrize("args, message", [
    (["--since", "yesterday"], "--since: 'yesterday' is not a date as YYYY-MM-DD."),
    (["--since", "2026-02-30"], "--since: '2026-02-30' is not a date"),
    (["--since", "2026-02-01", "--until", "2026-01-01"], "--until: must be after --since."),
])
def test_command_refuses_bad_dates_with_exit_2(args, message, tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("export_statements", *args, "--output", str(tmp_path / "x.jsonl"))
    assert caught.value.returncode == 2 and message in str(caught.value)
    assert not (tmp_path / "x.jsonl").exists()


def test_command_refuses_an_output_in_a_missing_directory(tmp_path):
    with pytest.raises(CommandError) as caught:
        call_command("export_statements", "--since", "2026-01-01", "--output", str(tmp_path / "nope" / "x.jsonl"))
    assert caught.value.returncode == 2


def test_api_is_admins_only_and_writes_json_lines(every_kind, reader, moderator, site_admin):
    url = f"/api/moderation/statements/export/?since={date.today() - timezone.timedelta(days=1)}"
    assert client_for(None).get(url).status_code == 403
    assert client_for(reader).get(url).status_code == 403
    assert client_for(moderator).get(url).status_code == 403
    response = client_for(site_admin).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/x-ndjson")
    lines = response.content.decode().splitlines()
    assert len(lines) == len(every_kind)
    for line in lines:
        tdb_validate(json.loads(line))


@pytest.mark.parametrize("query, field", [("", "since"), ("?since=soon", "since"), ("?since=2026-01-02&until=2026-01-01", "until")])
def test_api_names_the_bad_parameter(site_admin, query, field):
    response = client_for(site_admin).get(f"/api/moderation/statements/export/{query}")
    assert response.status_code == 400 and field in response.json()
