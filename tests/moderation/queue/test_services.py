"""What moderators do to comments and authors (moderation.queue.decisions: comment_decide,
comments_bulk_decide, author_standing_set): the effects, the audit trail, and the race of two
moderators deciding the same comment."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from blog.models import Comment, CommentReport
from blog.services import comment_create, comment_report
from moderation.models import AuthorStanding, ModerationEvent, Policy
from moderation.pipeline import scoring
from moderation.queue.decisions import AlreadyDecided, comment_decide, comments_bulk_decide
from moderation.queue.standing import author_standing_set
from tests.factories import CommentFactory, UserFactory
from tests.moderation.queue.helpers import moderator, queued_comment, scores, second_moderator  # noqa: F401

pytestmark = pytest.mark.django_db


def human_events(comment) -> list[ModerationEvent]:
    return list(ModerationEvent.objects.filter(comment=comment, actor__isnull=False).order_by("id"))


# --- one decision ------------------------------------------------------------------------------


def test_approving_a_held_comment_publishes_it_and_records_who_why_scores_and_policy(moderator):
    comment = queued_comment(tox={"insult": 0.7})

    event = comment_decide(comment_id=comment.pk, moderator=moderator, action="approve", reason="banter between friends")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED and comment.status_reason == ""
    assert (event.actor, event.action, event.previous_status, event.new_status) == (moderator, "approve", "held", "published")
    assert event.reason == "banter between friends"
    assert event.scores["insult"] == 0.7
    assert event.policy == Policy.objects.get(is_active=True)
    assert event.created_at is not None


def test_rejecting_needs_a_reason_which_the_author_sees(moderator, reader):
    comment = queued_comment(tox={"insult": 0.7}, author=reader)
    with pytest.raises(ValidationError) as exc:
        comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="   ")
    assert "reason" in exc.value.message_dict

    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Please argue, don't insult.")

    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED and comment.status_reason == "Please argue, don't insult."
    from django.test import Client

    client = Client()
    client.force_login(reader)
    assert "Please argue, don&#x27;t insult." in client.get(comment.article.get_absolute_url()).content.decode()


def test_escalating_flags_the_comment_keeps_its_status_and_is_logged(moderator):
    comment = queued_comment(tox={"threat": 0.5})

    event = comment_decide(comment_id=comment.pk, moderator=moderator, action="escalate", reason="possible real threat")

    comment.refresh_from_db()
    assert comment.escalated and comment.status == Comment.Status.HELD
    assert (event.action, event.previous_status, event.new_status, event.reason) == ("escalate", "held", "held", "possible real threat")
    with pytest.raises(AlreadyDecided, match="already escalated by mod"):
        comment_decide(comment_id=comment.pk, moderator=moderator, action="escalate")
    # Deciding it clears the flag.
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Threats are not allowed.")
    comment.refresh_from_db()
    assert not comment.escalated


def test_unknown_actions_missing_comments_and_readers_are_refused(moderator, reader):
    comment = queued_comment(tox={"insult": 0.7})
    with pytest.raises(ValidationError) as exc:
        comment_decide(comment_id=comment.pk, moderator=moderator, action="delete")
    assert "action" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        comment_decide(comment_id=10**9, moderator=moderator, action="approve")
    assert exc.value.message_dict == {"comment": [f"Comment {10**9} does not exist."]}
    with pytest.raises(PermissionDenied):
        comment_decide(comment_id=comment.pk, moderator=reader, action="approve")
    assert human_events(comment) == []


def test_reports_are_upheld_by_a_reject_and_not_by_an_approve(moderator):
    kept, removed = queued_comment(), queued_comment()
    for c in (kept, removed):
        comment_report(comment=c, reporter=UserFactory(), reason="rude")

    comment_decide(comment_id=kept.pk, moderator=moderator, action="approve")  # dismisses the reports
    comment_decide(comment_id=removed.pk, moderator=moderator, action="reject", reason="Rude.")

    assert list(CommentReport.objects.filter(comment=kept).values_list("upheld", flat=True)) == [False]
    assert list(CommentReport.objects.filter(comment=removed).values_list("upheld", flat=True)) == [True]
    kept.refresh_from_db()
    assert kept.status == Comment.Status.PUBLISHED and human_events(kept)[0].previous_status == "published"


def test_an_upheld_report_raises_the_reporters_other_reports_in_the_queue(moderator):
    reporter = UserFactory(username="sharp-eyed")
    first, other = queued_comment(), queued_comment()
    comment_report(comment=first, reporter=reporter, reason="abuse")
    comment_report(comment=other, reporter=reporter, reason="abuse")
    other.refresh_from_db()
    before = other.queue_rank

    comment_decide(comment_id=first.pk, moderator=moderator, action="reject", reason="Abuse.")

    other.refresh_from_db()
    # The reporter's weight went from 1/2 (unknown) to 2/3 (one of one upheld).
    assert other.queue_rank == pytest.approx(before + 2.0 * (2 / 3 - 1 / 2), abs=1e-3)  # the waiting term grows while the test runs


def test_a_rejected_comment_can_be_reinstated_and_a_published_one_taken_down_when_asked_explicitly(moderator):
    rejected = queued_comment(tox={"insult": 0.99})
    published = queued_comment()
    with pytest.raises(AlreadyDecided):  # not waiting in the queue: say what you saw
        comment_decide(comment_id=rejected.pk, moderator=moderator, action="approve")

    comment_decide(comment_id=rejected.pk, moderator=moderator, action="approve", expected_status="rejected")
    comment_decide(comment_id=published.pk, moderator=moderator, action="reject", reason="Doxxing.", expected_status="published")

    rejected.refresh_from_db()
    published.refresh_from_db()
    assert (rejected.status, published.status) == ("published", "rejected")


def test_a_pending_comment_decided_by_a_human_keeps_that_decision_when_scored_later(moderator):
    comment = CommentFactory(status=Comment.Status.PENDING)
    comment_decide(comment_id=comment.pk, moderator=moderator, action="approve")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


# --- two moderators, one comment ---------------------------------------------------------------


def test_second_moderator_gets_already_decided_and_only_one_decision_is_recorded(moderator, second_moderator):
    comment = queued_comment(tox={"insult": 0.7})
    seen = ModerationEvent.objects.filter(comment=comment).latest("id").pk  # both loaded the card

    comment_decide(comment_id=comment.pk, moderator=second_moderator, action="approve", expected_status="held", seen_event_id=seen)
    with pytest.raises(AlreadyDecided) as exc:
        comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="no", expected_status="held", seen_event_id=seen)

    assert exc.value.by == "mod2" and exc.value.status == "published"
    assert "already decided by mod2" in str(exc.value)
    assert [e.actor for e in human_events(comment)] == [second_moderator]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED


@pytest.mark.parametrize("second_action", ["approve", "reject"])
def test_the_same_race_without_expected_status_is_still_caught(moderator, second_moderator, second_action):
    comment = queued_comment(tox={"insult": 0.7})
    comment_decide(comment_id=comment.pk, moderator=second_moderator, action="approve")
    with pytest.raises(AlreadyDecided):
        comment_decide(comment_id=comment.pk, moderator=moderator, action=second_action, reason="r")
    assert len(human_events(comment)) == 1


def test_a_reported_comment_dismissed_by_one_moderator_is_not_taken_down_by_the_next(moderator, second_moderator):
    comment = queued_comment()
    comment_report(comment=comment, reporter=UserFactory(), reason="rude")
    seen = ModerationEvent.objects.filter(comment=comment).latest("id").pk

    comment_decide(comment_id=comment.pk, moderator=second_moderator, action="approve", expected_status="published", seen_event_id=seen)
    # Same status as the card showed ("published"), but a human ruled after the card was loaded.
    with pytest.raises(AlreadyDecided, match="mod2"):
        comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="rude",
                       expected_status="published", seen_event_id=seen)
    assert len(human_events(comment)) == 1


@pytest.mark.django_db(transaction=True)
def test_two_moderators_deciding_at_the_same_instant_decide_once(moderator, second_moderator):
    """Real concurrency: on PostgreSQL the row lock makes the second wait, then see the first's
    decision; on SQLite (no row locks) the second's write fails on the database lock and is
    retried once the first has committed. Either way: one decision, and a clear answer."""
    comment = queued_comment(tox={"insult": 0.7})
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(user, action):
        from django.db import connections

        try:
            barrier.wait()
            comment_decide(comment_id=comment.pk, moderator=user, action=action, reason="r", expected_status="held")
            outcomes.append("ok")
        except AlreadyDecided:
            outcomes.append("already")
        except Exception as exc:  # noqa: BLE001
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=decide, args=(moderator, "approve")),
               threading.Thread(target=decide, args=(second_moderator, "reject"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(outcomes) == ["already", "ok"]
    assert len(human_events(comment)) == 1


# --- bulk --------------------------------------------------------------------------------------


def test_bulk_reject_decides_each_and_reports_the_ones_it_could_not(moderator, second_moderator):
    a, b, c = (queued_comment(tox={"insult": 0.7}) for _ in range(3))
    comment_decide(comment_id=b.pk, moderator=second_moderator, action="approve")

    results = comments_bulk_decide(comment_ids=[a.pk, b.pk, c.pk, a.pk, 10**9], moderator=moderator, action="reject", reason="Spam wave.")

    assert [(r.id, r.ok, r.status) for r in results] == [
        (a.pk, True, "rejected"), (b.pk, False, "published"), (c.pk, True, "rejected"), (10**9, False, None)
    ]
    assert results[1].decided_by == "mod2" and "does not exist" in results[3].error
    assert Comment.objects.get(pk=a.pk).status_reason == "Spam wave."
    assert ModerationEvent.objects.filter(actor=moderator, action="reject").count() == 2


def test_bulk_needs_a_known_action_a_reason_to_reject_and_a_sane_number_of_ids(moderator):
    a = queued_comment(tox={"insult": 0.7})
    for kwargs, field in [
        ({"action": "escalate"}, "action"),
        ({"action": "reject", "reason": ""}, "reason"),
        ({"action": "approve", "comment_ids": []}, "ids"),
        ({"action": "approve", "comment_ids": list(range(1, 200))}, "ids"),
    ]:
        with pytest.raises(ValidationError) as exc:
            comments_bulk_decide(**{"comment_ids": [a.pk], "moderator": moderator, **kwargs})
        assert field in exc.value.message_dict
    assert Comment.objects.get(pk=a.pk).status == "held"


# --- authors' standing -------------------------------------------------------------------------


def test_a_banned_author_can_no_longer_comment(moderator, article):
    author = UserFactory(username="troll")
    author_standing_set(author=author, moderator=moderator, banned=True, note="ban evasion")

    with pytest.raises(ValidationError, match="banned"):
        comment_create(article=article, author=author, text="I'm back")


def test_a_suspended_author_can_comment_again_after_the_date(moderator, article):
    author = UserFactory(username="hothead")
    until = timezone.now() + timedelta(days=3)
    author_standing_set(author=author, moderator=moderator, suspended_until=until)

    with pytest.raises(ValidationError, match="suspended"):
        comment_create(article=article, author=author, text="Let me speak")
    AuthorStanding.objects.filter(user=author).update(suspended_until=timezone.now() - timedelta(seconds=1))
    assert comment_create(article=article, author=author, text="Calmer now").pk


class CleanScores:
    name, version, labels = "scripted", "1", ("toxicity",)

    def score(self, texts):
        return [scores() for _ in texts]


class NeutralStance:
    name, version, labels = "scripted-stance", "1", ("favor", "against", "neutral")

    def score(self, pairs):
        return [{"favor": 0.1, "against": 0.1, "neutral": 0.8} for _ in pairs]


def test_a_premoderated_authors_next_comment_is_held_however_clean(moderator, article, django_capture_on_commit_callbacks):
    author = UserFactory(username="newbie")
    author_standing_set(author=author, moderator=moderator, premoderated=True)
    comment = comment_create(article=article, author=author, text="A perfectly polite remark.")

    scoring.comments_classify(comment_id=comment.pk, models=scoring.Models(toxicity=CleanScores(), stance=NeutralStance()))

    comment.refresh_from_db()
    assert comment.status == Comment.Status.HELD
    assert ModerationEvent.objects.get(comment=comment).reason == "the author is on pre-moderation"


def test_standing_changes_are_logged_with_who_when_and_why(moderator):
    author = UserFactory(username="henry")
    author_standing_set(author=author, moderator=moderator, premoderated=True, note="three holds this week")
    author_standing_set(author=author, moderator=moderator, premoderated=False, banned=True)

    standing = AuthorStanding.objects.get(user=author)
    assert standing.banned and not standing.premoderated and standing.updated_by == moderator
    assert "mod: on pre-moderation (three holds this week)" in standing.note
    assert "mod: banned; pre-moderation lifted" in standing.note
    entries = LogEntry.objects.filter(object_id=str(standing.pk)).order_by("id")
    assert [e.change_message for e in entries] == ["on pre-moderation (three holds this week)", "banned; pre-moderation lifted"]
    assert {e.user for e in entries} == {moderator}


def test_standing_changes_are_validated(moderator, reader):
    author = UserFactory(username="ivan")
    with pytest.raises(ValidationError):
        author_standing_set(author=author, moderator=moderator)  # nothing to change
    with pytest.raises(ValidationError) as exc:
        author_standing_set(author=author, moderator=moderator, suspended_until=timezone.now() - timedelta(days=1))
    assert "suspended_until" in exc.value.message_dict
    with pytest.raises(ValidationError):
        author_standing_set(author=moderator, moderator=moderator, banned=True)
    with pytest.raises(PermissionDenied):
        author_standing_set(author=author, moderator=reader, banned=True)
    assert not AuthorStanding.objects.filter(user=author).exists()
    # Setting what is already set changes (and logs) nothing.
    author_standing_set(author=author, moderator=moderator, banned=True)
    author_standing_set(author=author, moderator=moderator, banned=True)
    assert LogEntry.objects.count() == 1
