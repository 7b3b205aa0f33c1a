"""The commenter's side, at the service level: the outcome in plain words with the marked phrase,
the nudge and its answers in the audit log, edit and delete in a window, appeals decided in the
queue, unlike, search, export and account deletion."""
from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from blog import selectors, services
from blog.models import ArticleLike, Comment, CommentLike
from moderation import facade
from moderation.insights.nudges import nudge_outcomes
from moderation.models import Analysis, Appeal
from moderation.queue.decisions import comment_decide
from tests.factories import ArticleFactory, CommentFactory
from tests.moderation.queue.helpers import moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

THREAT = "You are a pathetic idiot and I will break your legs"


def held_threat(author) -> Comment:
    """As the worker leaves it: held on the threat label, with the marked phrase stored."""
    comment = queued_comment(text=THREAT, tox={"threat": 0.6, "toxicity": 0.2}, author=author)
    start = THREAT.index("I will break your legs")
    Analysis.objects.filter(comment=comment).update(explanation={
        "label": "threat", "score": 0.6, "phrase": "I will break your legs", "start": start, "end": start + 22})
    return comment


def test_a_held_comments_author_is_told_in_plain_words_with_the_marked_phrase(reader):
    comment = held_threat(reader)
    outcome = facade.comment_outcome_for_author(comment=comment)
    assert outcome.status == "held"
    assert outcome.reason == "Held for review: it may contain a threat."
    assert outcome.phrase == "I will break your legs"
    assert THREAT[outcome.start:outcome.end] == "I will break your legs"
    assert outcome.nudge and not outcome.can_appeal
    assert "threshold" not in outcome.reason


def test_a_moderators_rejection_is_told_with_the_moderators_own_reason(reader, moderator):  # noqa: F811
    comment = held_threat(reader)
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Threats are not allowed here.")
    comment.refresh_from_db()
    outcome = facade.comment_outcome_for_author(comment=comment)
    assert outcome.reason == "Rejected by a moderator: Threats are not allowed here."
    assert outcome.by_moderator and not outcome.nudge and outcome.can_appeal


def test_an_automatic_rejection_is_told_without_thresholds(reader):
    comment = queued_comment(text="Awful.", tox={"insult": 0.99}, author=reader)
    assert comment.status == "rejected"
    outcome = facade.comment_outcome_for_author(comment=comment)
    assert outcome.reason == "Rejected: it may contain an insult."


def test_editing_a_nudged_comment_rescores_it_and_records_the_rewrite(reader, django_capture_on_commit_callbacks, monkeypatch):
    comment = held_threat(reader)
    enqueued = []
    monkeypatch.setattr("moderation.facade.enqueue_classification", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_edit(comment=comment, author=reader, text="I disagree with you strongly.")
    comment.refresh_from_db()
    assert comment.status == "pending" and comment.text == "I disagree with you strongly." and comment.edited_at
    assert not Analysis.objects.filter(comment=comment).exists()  # scored again by the worker
    assert enqueued == [comment.pk]
    assert [r.text for r in comment.revisions.all()] == [THREAT]
    assert comment.moderation_events.filter(action="nudge_edited", actor__isnull=True).exists()
    assert nudge_outcomes().edited == 1 and nudge_outcomes().nudged == 1 and nudge_outcomes().rewrite_rate == 1.0


def test_withdrawing_and_leaving_are_recorded_as_answers_to_the_nudge(reader):
    withdrawn, left = held_threat(reader), held_threat(reader)
    services.comment_delete(comment=withdrawn, author=reader)
    services.comment_nudge_leave(comment=left, author=reader)
    assert withdrawn.moderation_events.filter(action="nudge_withdrawn").exists()
    assert left.moderation_events.filter(action="nudge_left").exists()
    result = nudge_outcomes()
    assert (result.nudged, result.edited, result.withdrawn, result.left) == (2, 0, 1, 1)
    with pytest.raises(ValidationError, match="no open nudge"):
        services.comment_nudge_leave(comment=left, author=reader)


def test_someone_elses_comment_cannot_be_edited_or_deleted(reader, other_reader):
    comment = CommentFactory(author=reader)
    with pytest.raises(PermissionDenied, match="your own"):
        services.comment_edit(comment=comment, author=other_reader, text="Hijacked.")
    with pytest.raises(PermissionDenied, match="your own"):
        services.comment_delete(comment=comment, author=other_reader)


@override_settings(PARLEY_EDIT_WINDOW_MINUTES=15)
def test_a_published_comment_is_editable_for_15_minutes_and_a_pending_one_always(reader):
    old = CommentFactory(author=reader, created_at=timezone.now() - timezone.timedelta(minutes=16))
    with pytest.raises(ValidationError, match="within 15 minutes"):
        services.comment_edit(comment=old, author=reader, text="Too late.")
    waiting = CommentFactory(author=reader, status="held", created_at=timezone.now() - timezone.timedelta(days=2))
    services.comment_edit(comment=waiting, author=reader, text="Still waiting, so still mine to fix.")
    assert services.comment_can_change(comment=CommentFactory(author=reader), user=reader)
    assert not services.comment_can_change(comment=old, user=reader)


def test_a_deleted_comment_with_replies_shows_comment_deleted_and_keeps_them(reader, other_reader):
    top = CommentFactory(author=reader, text="Top.")
    reply = CommentFactory(author=other_reader, parent=top, article=top.article, text="A reply.")
    lonely = CommentFactory(author=reader, article=top.article, text="Nobody answered.")
    services.comment_delete(comment=top, author=reader)
    services.comment_delete(comment=lonely, author=reader)
    thread = selectors.comment_thread(article=top.article, viewer=None)
    assert [(e.comment.pk, e.comment.status, e.comment.text) for e in thread] == [(top.pk, "deleted", ""), (reply.pk, "published", "A reply.")]
    assert thread[1].indent == 1  # still under the deleted comment
    assert top.moderation_events.filter(action="author_delete").exists()


def test_an_appeal_is_once_with_a_note_and_only_of_a_rejected_comment(reader, other_reader):
    rejected = queued_comment(text="Awful.", tox={"insult": 0.99}, author=reader)
    published = CommentFactory(author=reader)
    with pytest.raises(ValidationError, match="Only a rejected comment"):
        services.comment_appeal(comment=published, author=reader, note="")
    with pytest.raises(PermissionDenied):
        services.comment_appeal(comment=rejected, author=other_reader, note="")
    services.comment_appeal(comment=rejected, author=reader, note="It was a joke between friends.")
    with pytest.raises(ValidationError, match="already appealed"):
        services.comment_appeal(comment=rejected, author=reader, note="Again.")
    assert Appeal.objects.get(comment=rejected).note == "It was a joke between friends."
    assert facade.comment_outcome_for_author(comment=rejected).appeal == "open"


@pytest.mark.parametrize("action, status, outcome", [("approve", "published", "reinstated"), ("reject", "rejected", "upheld")])
def test_an_appeal_is_decided_through_the_queue_and_the_author_is_notified(reader, moderator, action, status, outcome):  # noqa: F811
    rejected = queued_comment(text="Awful.", tox={"insult": 0.99}, author=reader)
    services.comment_appeal(comment=rejected, author=reader, note="Please look again.")
    comment_decide(comment_id=rejected.pk, moderator=moderator, action=action, reason="Read it again: fine." if action == "approve" else "Still an insult.")
    rejected.refresh_from_db()
    appeal = Appeal.objects.get(comment=rejected)
    assert rejected.status == status and appeal.outcome == outcome and appeal.decided_by == moderator
    [note] = reader.notifications.all()
    assert note.kind == "appeal" and ("accepted" in note.text if outcome == "reinstated" else "Still an insult." in note.text)


def test_unlike_takes_the_like_back_once(reader):
    comment, article = CommentFactory(), ArticleFactory()
    services.comment_like(comment=comment, user=reader)
    services.article_like(article=article, user=reader)
    assert services.comment_unlike(comment=comment, user=reader) and not services.comment_unlike(comment=comment, user=reader)
    assert services.article_unlike(article=article, user=reader)
    comment.refresh_from_db(), article.refresh_from_db()
    assert comment.like_count == 0 and article.like_count == 0
    assert not CommentLike.objects.exists() and not ArticleLike.objects.exists()


def test_search_finds_articles_by_their_words():
    ArticleFactory(title="Trams are the future of cities", body="Light rail.")
    ArticleFactory(title="Gardening", body="Tomatoes grow best in sun.")
    assert [a.title for a in selectors.article_list(q="tram")] in (["Trams are the future of cities"], [])  # stemmed on PG
    assert [a.title for a in selectors.article_list(q="trams")] == ["Trams are the future of cities"]
    assert [a.title for a in selectors.article_list(q="tomatoes")] == ["Gardening"]
    assert list(selectors.article_list(q="submarine")) == []


def test_export_holds_everything_the_reader_wrote(reader):
    comment = CommentFactory(author=reader, text="My words.")
    services.comment_edit(comment=comment, author=reader, text="My better words.")
    data = services.user_export(user=reader)
    assert data["username"] == reader.username
    assert data["comments"][0]["text"] == "My better words."
    assert data["comments"][0]["earlier_versions"][0]["text"] == "My words."


@pytest.mark.parametrize("remove", [False, True])
def test_deleting_an_account_leaves_deleted_user_and_the_audit_record(reader, remove):
    comment = held_threat(reader)
    events = comment.moderation_events.count()
    services.user_delete(user=reader, remove_comments=remove)
    reader.refresh_from_db()
    comment.refresh_from_db()
    assert selectors.author_name(reader) == "deleted user"
    assert not reader.is_active and reader.email == "" and not reader.has_usable_password()
    # Removing the text is a status change like any other: one audit entry, with no personal data.
    assert comment.moderation_events.count() == events + (1 if remove else 0)
    if remove:
        assert comment.moderation_events.latest("id").reason == "the author deleted their account"
    assert comment.text == ("" if remove else THREAT)
    with pytest.raises(ValidationError):
        services.user_register(username=reader.username, password="correct horse battery staple")
