"""Issue 19's findings, each as the person who hit it would see it: a comment's status changes only
through moderation.lifecycle, and what a moderator decides is the text they read."""
from __future__ import annotations

import json

import pytest
from django.test import Client

from blog import services as blog_services
from blog.models import Comment
from moderation import lifecycle, rules
from moderation.facade import comment_outcome_for_author
from moderation.models import Analysis, Appeal, ModerationEvent, Policy
from moderation.queue.decisions import comment_decide
from moderation.queue.standing import author_standing_set
from moderation.queue.undo import comment_undo, decision_reverse
from tests.factories import CommentFactory
from tests.moderation.policy.helpers import policy_admin  # noqa: F401 - fixtures
from tests.moderation.queue.helpers import client_for, moderator, queued_comment, scores  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

INSULT = {"insult": 0.8, "toxicity": 0.7}
THREAT_TEXT = "I will kill you and your whole family."


def worker_scores(comment: Comment, tox: dict[str, float]) -> ModerationEvent | None:
    """What the worker does once it has scored an edited comment: store the Analysis and decide
    through the lifecycle under the active policy (the models are not under test here)."""
    policy = Policy.objects.get(is_active=True)
    s = scores(**tox)
    Analysis.objects.create(comment=comment, scores=s, toxicity_model="test", stance_article={}, stance_model="test",
                            toxicity_ms=1.0, stance_ms=1.0)
    comment.refresh_from_db()
    verdict = rules.decide(s, policy.thresholds)
    return lifecycle.comment_worker_decided(comment=comment, verdict=verdict, scores=s, policy=policy)


def card_of(moderator_user, comment_id: int) -> dict:  # noqa: F811
    body = client_for(moderator_user).get("/api/moderation/queue/?tab=held").json()
    return next(c for c in body["results"] if c["id"] == comment_id)


def api(user) -> Client:
    return client_for(user)


def post_json(client: Client, url: str, body: dict, method: str = "post"):
    return getattr(client, method)(url, json.dumps(body), content_type="application/json")


# 1. A moderator's approval never publishes text the moderator never saw.

def test_approving_a_card_the_author_edited_since_is_refused_with_the_new_text(moderator, reader):  # noqa: F811
    held = queued_comment(text="You are an idiot.", tox=INSULT, author=reader)
    card = card_of(moderator, held.pk)
    blog_services.comment_edit(comment=held, author=reader, text=THREAT_TEXT)
    worker_scores(Comment.objects.get(pk=held.pk), {"threat": 0.8, "toxicity": 0.8})

    # An old client sends what the card gave: the status (still held) and the entry it showed.
    r = post_json(api(moderator), f"/api/moderation/comments/{held.pk}/decision/",
                  {"action": "approve", "expected_status": "held", "seen_event": card["rule"]["event"]})
    assert r.status_code == 409
    assert r.json()["changed"] == "text" and r.json()["text"] == THREAT_TEXT and "edited" in r.json()["detail"]
    # A client that sends the revision it read gets the same answer.
    r = post_json(api(moderator), f"/api/moderation/comments/{held.pk}/decision/",
                  {"action": "approve", "revision": card["revision"]})
    assert r.status_code == 409 and r.json()["revision"] == lifecycle.text_revision(THREAT_TEXT)
    assert Comment.objects.get(pk=held.pk).status == "held"
    # Deciding the text now shown works.
    r = post_json(api(moderator), f"/api/moderation/comments/{held.pk}/decision/",
                  {"action": "reject", "reason": "Threats are not allowed.", "revision": r.json()["revision"]})
    assert r.status_code == 200 and r.json()["status"] == "rejected"


def test_the_card_form_refuses_an_approval_of_edited_text(moderator, reader):  # noqa: F811
    held = queued_comment(text="You are an idiot.", tox=INSULT, author=reader)
    page = api(moderator).get("/moderation/?tab=held").content.decode()
    assert f'name="revision" value="{lifecycle.text_revision(held.text)}"' in page
    blog_services.comment_edit(comment=held, author=reader, text=THREAT_TEXT)
    worker_scores(Comment.objects.get(pk=held.pk), {"threat": 0.8})
    r = api(moderator).post(f"/moderation/comments/{held.pk}/decide/", {
        "action": "approve", "expected_status": "held", "revision": lifecycle.text_revision("You are an idiot."),
        "next": "/moderation/?tab=held",
    }, follow=True)
    page = r.content.decode()
    assert "The author edited comment" in page
    assert "I will kill you and your whole family." in page  # the card now shows the new text
    assert Comment.objects.get(pk=held.pk).status == "held"


def test_bulk_skips_a_comment_edited_since_and_says_so(moderator, reader):  # noqa: F811
    edited = queued_comment(text="You are an idiot.", tox=INSULT, author=reader)
    other = queued_comment(text="You fool.", tox=INSULT)
    old = {edited.pk: lifecycle.text_revision(edited.text), other.pk: lifecycle.text_revision(other.text)}
    blog_services.comment_edit(comment=edited, author=reader, text=THREAT_TEXT)
    worker_scores(Comment.objects.get(pk=edited.pk), {"threat": 0.8})
    r = post_json(api(moderator), "/api/moderation/bulk/", {
        "ids": [edited.pk, other.pk], "action": "approve", "revisions": {str(k): v for k, v in old.items()}})
    results = {x["id"]: x for x in r.json()["results"]}
    assert results[other.pk]["ok"] and not results[edited.pk]["ok"]
    assert "edited" in results[edited.pk]["error"]
    assert Comment.objects.get(pk=edited.pk).status == "held"
    # The page's bulk form sends each card's revision too.
    page = api(moderator).get("/moderation/?tab=held").content.decode()
    assert f'name="rev_{edited.pk}"' in page


# 2. A banned author does not publish by editing.

@pytest.mark.parametrize("standing", ["banned", "suspended"])
def test_a_banned_or_suspended_author_cannot_edit(moderator, reader, standing):  # noqa: F811
    from django.utils import timezone

    held = queued_comment(text="You are an idiot.", tox=INSULT, author=reader)
    published = queued_comment(text="Fine words.", author=reader)
    change = {"banned": True} if standing == "banned" else {"suspended_until": timezone.now() + timezone.timedelta(days=2)}
    author_standing_set(author=reader, moderator=moderator, **change)
    for comment in (held, published):
        r = post_json(api(reader), f"/api/comments/{comment.pk}/", {"text": "Nice and polite now."}, method="patch")
        assert r.status_code == 403 and standing in r.json()["detail"]
        assert Comment.objects.get(pk=comment.pk).text == comment.text
    assert Comment.objects.get(pk=held.pk).status == "held"


# 3. An edit never overrides a moderator's rejection.

def test_an_edit_of_a_comment_a_moderator_rejected_goes_to_a_moderator(moderator, reader, other_reader):  # noqa: F811
    published = queued_comment(text="You people are idiots.", author=reader)
    blog_services.comment_report(comment=published, reporter=other_reader, reason="rude")
    comment_decide(comment_id=published.pk, moderator=moderator, action="reject", reason="Insulting.")
    comment = Comment.objects.get(pk=published.pk)
    # The edit window is open for a rejected comment posted just now.
    blog_services.comment_edit(comment=comment, author=reader, text="You people are idiots!")
    comment.refresh_from_db()
    assert comment.status == "held"
    assert worker_scores(comment, {}) is None  # the model's "publish" does not override it
    assert Comment.objects.get(pk=comment.pk).status == "held"
    told = comment_outcome_for_author(comment=Comment.objects.get(pk=comment.pk))
    assert told.reason == "Held for review: edited after a moderator's rejection. A moderator will decide it."
    # Editing again does not slip it back to the model.
    blog_services.comment_edit(comment=Comment.objects.get(pk=comment.pk), author=reader, text="You people!")
    assert Comment.objects.get(pk=comment.pk).status == "held"


def test_an_edit_under_appeal_goes_to_a_moderator(reader):
    rejected = queued_comment(text="Horrible idiot.", tox={"insult": 0.99}, author=reader)
    assert rejected.status == "rejected"
    blog_services.comment_appeal(comment=rejected, author=reader, note="I was joking.")
    blog_services.comment_edit(comment=Comment.objects.get(pk=rejected.pk), author=reader, text="A polite text.")
    assert Comment.objects.get(pk=rejected.pk).status == "held"


def test_an_edit_of_an_approved_comment_is_scored_again(moderator, reader):  # noqa: F811
    held = queued_comment(text="You are an idiot.", tox=INSULT, author=reader)
    comment_decide(comment_id=held.pk, moderator=moderator, action="approve")
    blog_services.comment_edit(comment=Comment.objects.get(pk=held.pk), author=reader, text=THREAT_TEXT)
    assert Comment.objects.get(pk=held.pk).status == "pending"
    worker_scores(Comment.objects.get(pk=held.pk), {"threat": 0.8})
    assert Comment.objects.get(pk=held.pk).status == "held"


# 4. Undo puts everything back, the author's bell included.

def test_reject_then_undo_withdraws_the_authors_rejection_notice(moderator, reader):  # noqa: F811
    held = queued_comment(text="You are an idiot.", tox=INSULT, author=reader)
    comment_decide(comment_id=held.pk, moderator=moderator, action="reject", reason="Insulting.")
    assert "rejected your comment" in reader.notifications.get().text
    comment_undo(comment_id=held.pk, moderator=moderator)
    texts = list(reader.notifications.values_list("text", flat=True))
    assert not any("rejected" in t for t in texts)
    assert any("back under review" in t for t in texts)
    assert Comment.objects.get(pk=held.pk).status == "held"


def test_undoing_an_appeals_decision_reopens_the_appeal_and_withdraws_its_notice(moderator, reader):  # noqa: F811
    rejected = queued_comment(text="Horrible idiot.", tox={"insult": 0.99}, author=reader)
    blog_services.comment_appeal(comment=rejected, author=reader, note="Please look again.")
    comment_decide(comment_id=rejected.pk, moderator=moderator, action="approve")
    assert Appeal.objects.get(comment=rejected).outcome == "reinstated"
    comment_undo(comment_id=rejected.pk, moderator=moderator)
    appeal = Appeal.objects.get(comment=rejected)
    assert appeal.is_open and appeal.outcome == ""
    assert not reader.notifications.filter(kind="appeal").exists()


# 5. The author never sees a moderator's name or internal note.

def test_a_reversal_with_an_internal_note_is_never_shown_to_the_author(moderator, reader):  # noqa: F811
    held = queued_comment(text="You are an idiot.", tox=INSULT, author=reader)
    approve = comment_decide(comment_id=held.pk, moderator=moderator, action="approve")
    decision_reverse(event_id=approve.pk, moderator=moderator, reason="internal: likely sockpuppet")
    told = comment_outcome_for_author(comment=Comment.objects.get(pk=held.pk))
    assert "internal" not in told.reason and "mod" not in told.reason and "entry" not in told.reason
    assert told.reason.startswith("Held for review")
    page = api(reader).get("/my/comments/").content.decode()
    assert "sockpuppet" not in page and "reversed" not in page


# 6. Deleting your own comment is not a violation.

def test_my_comments_says_deleted_by_you(reader):
    comment = CommentFactory(author=reader, text="Changed my mind.")
    blog_services.comment_delete(comment=comment, author=reader)
    assert comment_outcome_for_author(comment=Comment.objects.get(pk=comment.pk)).reason == "Deleted by you."
    page = api(reader).get("/my/comments/").content.decode()
    assert "Deleted by you." in page and "discussion guidelines" not in page


# 7. "Leave it for a moderator" does what it says.

def test_leaving_a_rejected_comment_for_a_moderator_opens_an_appeal(moderator, reader):  # noqa: F811
    rejected = queued_comment(text="Horrible idiot.", tox={"insult": 0.99}, author=reader)
    assert comment_outcome_for_author(comment=rejected).nudge
    blog_services.comment_nudge_leave(comment=rejected, author=reader)
    assert Appeal.objects.get(comment=rejected).is_open
    body = client_for(moderator).get("/api/moderation/queue/?tab=appeals").json()
    assert rejected.pk in [c["id"] for c in body["results"]]
    told = comment_outcome_for_author(comment=Comment.objects.get(pk=rejected.pk))
    assert not told.nudge and told.appeal == "open"


# 8. The card quotes what the author was told.

def test_the_card_shows_the_sentence_the_author_read(moderator, reader):  # noqa: F811
    rejected = queued_comment(text="I will hurt you.", tox={"threat": 0.96}, author=reader)
    told = comment_outcome_for_author(comment=rejected).reason
    assert told == "Rejected: it may contain a threat."
    page = api(moderator).get("/moderation/?tab=rejected").content.decode()
    assert f"The author was told: “{told}”" in page
    assert "at or above the reject threshold" not in page.split("The author was told")[1][:200]


# 9. A reply notifies once, however often it is edited.

def test_an_edited_reply_notifies_its_parents_author_once(reader, other_reader):
    parent = CommentFactory(author=reader)
    reply = CommentFactory(author=other_reader, parent=parent, article=parent.article, status="pending", text="Agreed.")
    worker_scores(reply, {})
    for i in range(6):
        blog_services.comment_edit(comment=Comment.objects.get(pk=reply.pk), author=other_reader, text=f"Agreed, take {i}.")
        worker_scores(Comment.objects.get(pk=reply.pk), {})
    assert Comment.objects.get(pk=reply.pk).status == "published"
    assert reader.notifications.filter(kind="reply").count() == 1


# 10. A deleted account's words leave other readers' notifications.

def test_deleting_an_account_removes_its_words_from_other_readers_notifications(reader, other_reader):
    parent = CommentFactory(author=reader)
    reply = CommentFactory(author=other_reader, parent=parent, article=parent.article, status="pending",
                           text="My very personal reply.")
    worker_scores(reply, {})
    assert "My very personal reply." in reader.notifications.get().text
    blog_services.user_delete(user=other_reader, remove_comments=True)
    note = reader.notifications.get()
    assert "My very personal reply." not in note.text and "bob" not in note.text


def test_deleting_a_reply_removes_its_words_from_the_parents_authors_notification(reader, other_reader):
    parent = CommentFactory(author=reader)
    reply = CommentFactory(author=other_reader, parent=parent, article=parent.article, status="pending", text="Oops, sorry.")
    worker_scores(reply, {})
    blog_services.comment_delete(comment=Comment.objects.get(pk=reply.pk), author=other_reader)
    assert "Oops, sorry." not in reader.notifications.get().text


def test_the_lifecycle_refuses_a_transition_it_does_not_know(reader):
    comment = CommentFactory(author=reader, status="deleted", text="")
    with pytest.raises(lifecycle.IllegalTransition):
        lifecycle.comment_transition(comment, name="worker_decide", to="published", action="auto_publish")
    assert Comment.objects.get(pk=comment.pk).status == "deleted"


# 11. One click does not publish what the preview just warned about.

def test_saving_a_policy_that_would_publish_threats_needs_an_acknowledgement(policy_admin, reader):  # noqa: F811
    admin = policy_admin
    threat = queued_comment(text="I know where you park.", tox={"threat": 0.5}, author=reader)
    assert threat.status == "held"
    loose = {label: dict(cut) for label, cut in Policy.objects.get(is_active=True).thresholds.items()}
    loose["threat"] = {"hold": 0.8, "reject": 0.95}
    r = post_json(api(admin), "/api/moderation/policy/", {"thresholds": loose})
    assert r.status_code == 400
    assert "would publish 1 " in r.json()["acknowledge_warnings"][0] and f"#{threat.pk}" in r.json()["acknowledge_warnings"][0]
    assert Policy.objects.get(is_active=True).version == 1
    r = post_json(api(admin), "/api/moderation/policy/", {"thresholds": loose, "acknowledge_warnings": True})
    assert r.status_code == 201
    # Re-apply lists what it will publish before it does.
    dry = post_json(api(admin), "/api/moderation/policy/reapply/", {}).json()
    assert [item["comment_id"] for item in dry["publishes"]] == [threat.pk]
    page = api(admin).get("/moderation/policy/reapply/").content.decode()
    assert "It would publish these" in page and "I know where you park." in page
    assert Comment.objects.get(pk=threat.pk).status == "held"
