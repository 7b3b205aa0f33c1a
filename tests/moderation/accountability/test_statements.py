"""A statement of reasons for every restriction (DSA Art. 17), with the right automated flags,
none for a publish, shown to the author and in their data export; private notes never in it."""
from __future__ import annotations

import json

import pytest
from django.utils import timezone

from blog.models import Comment, CommentReport
from blog.services import user_export
from moderation.accountability.models import StatementOfReasons
from moderation.accountability.site_rules import DEFAULT_RULES, site_rule_save, site_rules_current
from moderation.accountability.tdb import statement_to_tdb
from moderation.queue.decisions import comment_decide
from moderation.queue.standing import author_standing_set
from notifications.models import Notification
from tests.factories import CommentFactory, UserFactory

from .helpers import client_for, moderator, site_admin, worker_decided  # noqa: F401

pytestmark = pytest.mark.django_db

PRIVATE = "PRIVATE-NOTE-never-for-the-author"


def only_statement(comment) -> StatementOfReasons:
    rows = list(StatementOfReasons.objects.filter(comment=comment))
    assert len(rows) == 1, rows
    return rows[0]


def test_worker_hold_gives_an_automated_statement_citing_the_threat_rule_with_the_marked_words(reader):
    comment = worker_decided(author=reader, tox={"threat": 0.5})
    assert comment.status == Comment.Status.HELD
    s = only_statement(comment)
    assert (s.kind, s.scope, s.automated_detection, s.automated_decision) == ("held", "comment", True, True)
    assert s.site_rule.code == "no-threats"
    assert s.phrase == "I will find you"
    assert "may contain a threat" in s.facts
    assert s.policy_version is not None and s.model_version == "parley-minilm 3"


def test_worker_rejection_gives_an_automated_statement_and_a_notification_linking_it(reader):
    comment = worker_decided(author=reader, tox={"threat": 0.95})
    assert comment.status == Comment.Status.REJECTED
    s = only_statement(comment)
    assert (s.kind, s.automated_detection, s.automated_decision) == ("rejected", True, True)
    note = Notification.objects.get(user=reader, kind=Notification.Kind.DECISION)
    assert note.url == f"/moderation/statements/{s.pk}/"
    assert "No threats" in note.text


def test_a_publish_and_an_approval_give_no_statement(reader, moderator):
    published = worker_decided(author=reader, tox={"threat": 0.01})
    assert published.status == Comment.Status.PUBLISHED
    held = worker_decided(author=reader, tox={"insult": 0.7}, label="insult", text="You fool.", phrase="fool")
    comment_decide(comment_id=held.pk, moderator=moderator, action="approve")
    assert not StatementOfReasons.objects.filter(comment=published).exists()
    assert StatementOfReasons.objects.filter(comment=held).count() == 1  # the hold's only


def test_moderator_rejection_of_a_held_comment_is_detected_automatically_but_decided_by_a_human(reader, moderator):
    held = worker_decided(author=reader, tox={"insult": 0.7}, label="insult", text="You fool.", phrase="fool")
    comment_decide(comment_id=held.pk, moderator=moderator, action="escalate", reason=PRIVATE)
    comment_decide(comment_id=held.pk, moderator=moderator, action="reject", reason="Insults other readers")
    s = StatementOfReasons.objects.filter(comment=held).order_by("-id").first()
    assert (s.kind, s.automated_detection, s.automated_decision, s.source) == ("rejected", True, False, "voluntary")
    assert "Insults other readers" in s.facts and PRIVATE not in s.facts


def test_moderator_rejection_of_an_unflagged_comment_is_fully_human(reader, moderator):
    comment = CommentFactory(author=reader, status=Comment.Status.HELD)
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Off topic", expected_status="held")
    s = only_statement(comment)
    assert (s.automated_detection, s.automated_decision) == (False, False)
    assert s.site_rule.code == "guidelines"  # a free-text reason: the fallback rule


def test_a_moderators_ready_made_reason_maps_to_its_rule(reader, moderator, site_admin):
    rule = next(r for r in site_rules_current() if r.code == "no-spam")
    site_rule_save(admin=site_admin, code="no-spam", title=rule.title, text=rule.text, category=rule.category,
                   reason_texts=["Spam or advertising"])
    comment = CommentFactory(author=reader, status=Comment.Status.HELD)
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Spam or advertising",
                   expected_status="held")
    s = only_statement(comment)
    assert (s.site_rule.code, s.site_rule.version) == ("no-spam", 2)


def test_reported_then_removed_says_so_and_is_human(reader, other_reader, moderator):
    comment = CommentFactory(author=reader, status=Comment.Status.PUBLISHED)
    CommentReport.objects.create(comment=comment, article=comment.article, reporter=other_reader, reason="rude")
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Rude to another reader")
    s = only_statement(comment)
    assert (s.kind, s.source, s.automated_detection, s.automated_decision) == ("removed_after_report", "report", False, False)
    assert statement_to_tdb(s)["source_type"] == "SOURCE_TYPE_OTHER_NOTIFICATION"


def test_ban_and_suspension_give_account_statements_without_the_private_note(reader, moderator):
    until = timezone.now() + timezone.timedelta(days=7)
    author_standing_set(author=reader, moderator=moderator, suspended_until=until, note=PRIVATE)
    author_standing_set(author=reader, moderator=moderator, banned=True, note=PRIVATE)
    author_standing_set(author=reader, moderator=moderator, premoderated=True, note=PRIVATE)  # restricts nothing yet
    rows = list(StatementOfReasons.objects.filter(author=reader).order_by("id"))
    assert [(s.kind, s.scope, s.automated_decision) for s in rows] == [("suspended", "account", False), ("banned", "account", False)]
    assert rows[0].end_date == until and rows[1].end_date is None
    assert Notification.objects.filter(user=reader, kind=Notification.Kind.DECISION).count() == 2
    dumped = json.dumps([statement_to_tdb(s) for s in rows]) + json.dumps(user_export(user=reader), default=str)
    assert PRIVATE not in dumped


def test_private_notes_never_reach_the_author_page_export_or_notification(reader, moderator):
    held = worker_decided(author=reader, tox={"insult": 0.7}, label="insult", text="You fool.", phrase="fool")
    comment_decide(comment_id=held.pk, moderator=moderator, action="escalate", reason=PRIVATE)
    comment_decide(comment_id=held.pk, moderator=moderator, action="reject", reason="Insult")
    author_standing_set(author=reader, moderator=moderator, banned=True, note=PRIVATE)
    client = client_for(reader)
    pages = [client.get(f"/moderation/statements/{s.pk}/").content.decode() for s in StatementOfReasons.objects.filter(author=reader)]
    pages.append(client.get("/my/comments/").content.decode())
    pages.append(json.dumps(user_export(user=reader), default=str))
    pages += list(Notification.objects.filter(user=reader).values_list("text", flat=True))
    assert all(PRIVATE not in p for p in pages)


def test_author_reads_the_statement_on_my_comments_and_reaches_the_appeal(reader):
    comment = worker_decided(author=reader, tox={"threat": 0.95})
    s = only_statement(comment)
    client = client_for(reader)
    mine = client.get("/my/comments/").content.decode()
    assert f"/moderation/statements/{s.pk}/" in mine and "Rule: No threats" in mine
    on_the_comment = client.get(comment.article.get_absolute_url()).content.decode()
    assert f"/moderation/statements/{s.pk}/" in on_the_comment and "Rule: No threats" in on_the_comment
    page = client.get(f"/moderation/statements/{s.pk}/").content.decode()
    assert "Found by automated means?" in page and "Yes: our automatic check flagged it." in page
    assert "Yes: our automatic check decided" in page
    assert f"/comments/{comment.pk}/appeal/" in page
    assert "I will find you" in page  # the marked words
    client.post(f"/comments/{comment.pk}/appeal/", {"note": "I was quoting a film."})
    after = client.get(f"/moderation/statements/{s.pk}/").content.decode()
    assert f"/comments/{comment.pk}/appeal/" not in after and "You asked for a review" in after


def test_statement_page_is_the_authors_only(reader, other_reader, moderator):
    s = only_statement(worker_decided(author=reader, tox={"threat": 0.95}))
    assert client_for(other_reader).get(f"/moderation/statements/{s.pk}/").status_code == 404
    assert client_for(moderator).get(f"/moderation/statements/{s.pk}/").status_code == 404
    assert client_for(None).get(f"/moderation/statements/{s.pk}/").status_code == 302


def test_data_export_holds_the_statements(reader):
    worker_decided(author=reader, tox={"threat": 0.95})
    exported = user_export(user=reader)["statements_of_reasons"]
    assert len(exported) == 1
    assert exported[0]["rule"]["code"] == "no-threats" and exported[0]["automated_decision"] is True
    assert exported[0]["appeal_url"].endswith("/appeal/")


def test_every_label_and_worker_rule_falls_under_exactly_one_default_rule():
    from ml.classifiers.base import TOXICITY_LABELS
    from moderation.rules import WORKER_RULES

    for key in [*TOXICITY_LABELS, *WORKER_RULES, "premoderation", "classification_failed"]:
        assert sum(key in r["matches"] for r in DEFAULT_RULES) == 1, key
    assert sum(bool(r.get("fallback")) for r in DEFAULT_RULES) == 1


def test_editing_a_rule_adds_a_version_and_old_statements_keep_the_old_words(reader, site_admin):
    s = only_statement(worker_decided(author=reader, tox={"threat": 0.95}))
    old = s.site_rule
    new = site_rule_save(admin=site_admin, code="no-threats", title="No threats, ever", text="Never threaten anyone.",
                         category=old.category)
    old.refresh_from_db()
    assert (new.version, new.is_current, old.is_current) == (old.version + 1, True, False)
    s.refresh_from_db()
    assert s.site_rule.title == "No threats" and new.matches == old.matches


def test_admins_edit_a_rule_in_the_django_admin_as_a_new_version():
    from moderation.accountability.models import SiteRule

    assert {r.code for r in site_rules_current()} == {r["code"] for r in DEFAULT_RULES}  # seeded by migration 0011
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = client_for(root)
    rule = SiteRule.objects.get(code="respect", is_current=True)
    page = client.get(f"/admin/moderation/siterule/{rule.pk}/change/")
    assert page.status_code == 200
    response = client.post(f"/admin/moderation/siterule/{rule.pk}/change/", {
        "code": "respect", "title": "Be kind", "text": "Argue with ideas, never with people.",
        "category": rule.category, "matches": json.dumps(rule.matches), "reason_texts": json.dumps(["Insulting"]),
    })
    assert response.status_code == 302, response.content[:2000]
    rule.refresh_from_db()
    new = SiteRule.objects.get(code="respect", is_current=True)
    assert (rule.is_current, rule.title, new.version, new.title, new.reason_texts) == (False, "Be respectful", 2, "Be kind", ["Insulting"])
    assert client.get(f"/admin/moderation/siterule/{rule.pk}/change/").status_code in (200, 403)  # retired: read-only
    assert "Be kind" in client_for(None).get("/moderation/site-rules/").content.decode()


@pytest.mark.parametrize("findings, language, expected", [
    ({"repeats": 3}, "en", "repeated_text"),
    ({"chars": 40, "top_char_share": 0.95}, "en", "one_character"),
    ({"link_share": 0.9, "account_age_hours": 2}, "en", "links_from_new_account"),
    ({}, "fi", "unread_language"),
])
def test_each_worker_rule_reason_is_read_back_as_its_rule(findings, language, expected):
    from moderation.accountability.site_rules import site_rule_key_for
    from moderation.rules import worker_rule_reasons

    [reason] = worker_rule_reasons(language=language, model_name="parley-minilm", findings=findings)
    assert site_rule_key_for(event_reason=reason, explanation={}, scores=None, thresholds=None) == expected


def test_classification_failure_and_premoderation_holds_are_automatic_decisions_without_detection(reader):
    from moderation import lifecycle, rules
    from moderation.models import Policy

    policy = Policy.objects.get(is_active=True)
    failed = CommentFactory(author=reader, status=Comment.Status.PENDING)
    lifecycle.comment_worker_failed(comment=failed, to=Comment.Status.FAILED,
                                    reason="classification failed after retries: boom", policy=policy)
    premoderated = CommentFactory(author=reader, status=Comment.Status.PENDING)
    lifecycle.comment_worker_decided(comment=premoderated, verdict=rules.Verdict(rules.HOLD, ["the author is on pre-moderation"]),
                                     scores=None, policy=policy)
    for comment in (failed, premoderated):
        s = only_statement(comment)
        assert (s.kind, s.automated_detection, s.automated_decision, s.site_rule.code) == ("held", False, True, "review-first")
