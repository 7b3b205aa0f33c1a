"""Moderators' final decisions become labelled examples (moderation.adaptation.labels): through the
real decision, undo, reversal, appeal and author-delete services, as the audit log records them."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.services import comment_delete
from moderation import commenter
from moderation.adaptation.labels import decision_labels, reason_labels
from moderation.models import ModerationEvent
from moderation.queue.decisions import comment_decide
from moderation.queue.undo import comment_undo, decision_reverse
from tests.factories import UserFactory
from tests.moderation.queue.helpers import moderator, queued_comment, second_moderator  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _examples():
    return {e.comment_id: e for e in decision_labels().examples}


def test_a_rejection_for_a_threat_labels_toxicity_and_threat_and_leaves_the_rest_unknown(moderator):  # noqa: F811
    c = queued_comment(text="I know where you live.", tox={"threat": 0.5})
    comment_decide(comment_id=c.pk, moderator=moderator, action="reject", reason="Threat of violence")

    [example] = decision_labels().examples
    assert example.rejected and example.moderator_id == moderator.pk
    assert example.labels["toxicity"] == 1 and example.labels["threat"] == 1
    assert example.labels["insult"] is None and example.labels["obscene"] is None
    assert example.decided_at == ModerationEvent.objects.get(comment=c, action="reject").created_at


def test_an_approval_says_no_label_applies(moderator):  # noqa: F811
    c = queued_comment(text="We murdered them 5-0 last night!", tox={"toxicity": 0.7})
    comment_decide(comment_id=c.pk, moderator=moderator, action="approve")

    assert set(_examples()[c.pk].labels.values()) == {0}


def test_an_undone_decision_is_left_out_and_the_one_after_it_counts(moderator):  # noqa: F811
    undone = queued_comment(text="Undone and left.", tox={"insult": 0.6})
    comment_decide(comment_id=undone.pk, moderator=moderator, action="reject", reason="Personal attack on another commenter")
    comment_undo(comment_id=undone.pk, moderator=moderator)
    redone = queued_comment(text="Undone, then approved.", tox={"insult": 0.6})
    comment_decide(comment_id=redone.pk, moderator=moderator, action="reject", reason="Personal attack on another commenter")
    comment_undo(comment_id=redone.pk, moderator=moderator)
    comment_decide(comment_id=redone.pk, moderator=moderator, action="approve")

    labels = decision_labels()
    assert undone.pk not in {e.comment_id for e in labels.examples}
    assert labels.left_out["undone, nothing standing"] == 1
    assert _examples()[redone.pk].rejected is False


def test_a_reversal_by_another_moderator_takes_the_decision_back(moderator, second_moderator):  # noqa: F811
    c = queued_comment(text="Reversed from the audit log.", tox={"insult": 0.6})
    event = comment_decide(comment_id=c.pk, moderator=moderator, action="approve")
    decision_reverse(event_id=event.pk, moderator=second_moderator, reason="that was an insult")
    comment_decide(comment_id=c.pk, moderator=second_moderator, action="reject", reason="Personal attack on another commenter")

    example = _examples()[c.pk]
    assert example.rejected and example.moderator_id == second_moderator.pk
    assert example.labels["insult"] == 1


def test_an_appeal_outcome_is_the_final_decision(moderator, second_moderator):  # noqa: F811
    reinstated = queued_comment(text="Harsh but fair criticism of the plan.", tox={"insult": 0.6})
    comment_decide(comment_id=reinstated.pk, moderator=moderator, action="reject", reason="Personal attack on another commenter")
    reinstated.refresh_from_db()
    commenter.appeal_create(comment=reinstated, author=reinstated.author, note="It was about the plan.")
    comment_decide(comment_id=reinstated.pk, moderator=second_moderator, action="approve")
    upheld = queued_comment(text="You are a worthless idiot.", tox={"insult": 0.9})
    comment_decide(comment_id=upheld.pk, moderator=moderator, action="reject", reason="Personal attack on another commenter")
    upheld.refresh_from_db()
    commenter.appeal_create(comment=upheld, author=upheld.author, note="Please.")
    comment_decide(comment_id=upheld.pk, moderator=second_moderator, action="reject", reason="Personal attack on another commenter")

    examples = _examples()
    assert examples[reinstated.pk].rejected is False and examples[reinstated.pk].moderator_id == second_moderator.pk
    assert examples[upheld.pk].rejected is True


def test_comments_deleted_by_their_author_are_left_out(moderator):  # noqa: F811
    c = queued_comment(text="Rejected, then deleted by its author.", tox={"insult": 0.6})
    comment_decide(comment_id=c.pk, moderator=moderator, action="reject", reason="Personal attack on another commenter")
    c.refresh_from_db()
    comment_delete(comment=c, author=c.author)

    labels = decision_labels()
    assert labels.examples == [] and labels.left_out == {"deleted by the author": 1}


def test_imported_comments_are_left_out(moderator):  # noqa: F811
    c = queued_comment(text="From an imported page.", tox={"insult": 0.6}, author=UserFactory(username="imported:kim"))
    comment_decide(comment_id=c.pk, moderator=moderator, action="reject", reason="Personal attack on another commenter")

    labels = decision_labels()
    assert labels.examples == [] and labels.left_out == {"imported": 1}


def test_spam_rejections_teach_no_toxicity_label(moderator):  # noqa: F811
    assert reason_labels("Spam or advertising") is None
    assert reason_labels("Attacks people for who they are") == ("identity_attack",)
    assert reason_labels("Obscene or sexually explicit") == ("obscene",)
    c = queued_comment(text="Buy cheap watches at example.com", tox={"toxicity": 0.1}, status="held")
    comment_decide(comment_id=c.pk, moderator=moderator, action="reject", reason="Spam or advertising")

    assert decision_labels().left_out == {"rejected as spam": 1}


def test_a_moderator_who_disagrees_with_the_others_far_more_is_left_out_and_shown(moderator, second_moderator):  # noqa: F811
    third = UserFactory(username="mod3")
    third.groups.set(moderator.groups.all())
    # mod and mod2 reject what scores high and approve what scores low; mod3 does the opposite.
    for i in range(24):
        for who in (moderator, second_moderator, third):
            high = i % 2 == 0
            c = queued_comment(text=f"comment {i} for {who.username}", tox={"insult": 0.9 if high else 0.55}, status="held")
            rejects = high if who != third else not high
            comment_decide(comment_id=c.pk, moderator=who, action="reject" if rejects else "approve",
                           reason="Personal attack on another commenter" if rejects else "")

    labels = decision_labels()
    figures = {m.username: m for m in labels.moderators}
    assert [m.username for m in labels.excluded_moderators] == ["mod3"]
    assert figures["mod3"].disagreement > 0.9 and figures["mod"].disagreement < 0.6
    assert {e.moderator_id for e in labels.examples} == {moderator.pk, second_moderator.pk}
    assert labels.left_out["by a moderator set aside"] == 24


def test_decisions_after_the_cutoff_are_not_read(moderator):  # noqa: F811
    c = queued_comment(text="Decided now.", tox={"insult": 0.6})
    comment_decide(comment_id=c.pk, moderator=moderator, action="approve")

    assert decision_labels(until=timezone.now() - timedelta(hours=1)).examples == []
    assert len(decision_labels(until=timezone.now()).examples) == 1
