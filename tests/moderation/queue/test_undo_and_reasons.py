"""Every decision can be taken back: Undo (the moderator's own, for a few minutes, from the card,
the status line or POST /api/moderation/comments/<id>/undo/) and "Reverse" from the audit log (any
moderator, logged as an "undo" entry). Reject and escalate offer the site's own reasons, which
admins keep (admin, GET|POST /api/moderation/reasons/)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from rest_framework.test import APIClient

from blog.models import Comment, CommentReport
from moderation.models import DecisionReason, ModerationEvent
from moderation.queue import services, undo
from moderation.queue.decisions import comment_decide
from moderation.queue.undo import NotReversible, comment_undo, decision_reverse
from tests.factories import UserFactory
from tests.moderation.queue.helpers import client_for, moderator, queued_comment, second_moderator  # noqa: F401

pytestmark = pytest.mark.django_db


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_undo_puts_an_approved_comment_back_in_the_queue_with_its_reports_open(moderator):  # noqa: F811
    comment = queued_comment(tox={"insult": 0.4}, status="published")
    CommentReport.objects.create(comment=comment, reporter=UserFactory(), reason="abuse")
    services.queue_rerank(comment_ids=[comment.pk])
    rank_before = Comment.objects.get(pk=comment.pk).queue_rank
    comment_decide(comment_id=comment.pk, moderator=moderator, action="approve")
    assert CommentReport.objects.get(comment=comment).upheld is False

    response = api(moderator).post(f"/api/moderation/comments/{comment.pk}/undo/")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "published"
    assert CommentReport.objects.get(comment=comment).upheld is None  # in the Reported tab again
    comment.refresh_from_db()
    assert comment.queue_rank == pytest.approx(rank_before, abs=1e-2)
    undo = ModerationEvent.objects.filter(comment=comment).order_by("-id").first()
    assert (undo.action, undo.actor, undo.new_status) == ("undo", moderator, "published")
    assert "reversed approved by mod" in undo.reason
    assert undo.reverses.action == "approve"


def test_undo_of_a_reject_restores_held_and_clears_the_reason_the_author_saw(moderator):  # noqa: F811
    comment = queued_comment(tox={"insult": 0.7})
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Personal attack")

    comment_undo(comment_id=comment.pk, moderator=moderator)

    comment.refresh_from_db()
    assert (comment.status, comment.status_reason) == ("held", "")


def test_undoing_an_approve_of_an_escalated_comment_escalates_it_again(moderator, second_moderator):  # noqa: F811
    comment = queued_comment(tox={"threat": 0.5})
    comment_decide(comment_id=comment.pk, moderator=second_moderator, action="escalate", reason="legal")
    comment_decide(comment_id=comment.pk, moderator=moderator, action="approve")

    comment_undo(comment_id=comment.pk, moderator=moderator)

    comment.refresh_from_db()
    assert comment.status == "held" and comment.escalated
    assert comment.queue_rank > 1000


def test_a_card_shown_before_the_undone_decision_can_decide_again(moderator):  # noqa: F811
    comment = queued_comment(tox={"insult": 0.7})
    seen = ModerationEvent.objects.filter(comment=comment).latest("id").pk
    comment_decide(comment_id=comment.pk, moderator=moderator, action="approve")
    comment_undo(comment_id=comment.pk, moderator=moderator)

    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="abuse",
                   expected_status="held", seen_event_id=seen)

    assert Comment.objects.get(pk=comment.pk).status == "rejected"


def test_undo_is_for_your_own_decision_within_minutes_else_the_audit_log(moderator, second_moderator):  # noqa: F811
    comment = queued_comment(tox={"insult": 0.7})
    comment_decide(comment_id=comment.pk, moderator=moderator, action="approve")

    response = api(second_moderator).post(f"/api/moderation/comments/{comment.pk}/undo/")
    assert response.status_code == 409 and "audit log" in response.json()["detail"]
    with pytest.raises(NotReversible, match="minutes"):
        comment_undo(comment_id=comment.pk, moderator=moderator,
                     now=timezone.now() + timedelta(seconds=undo.UNDO_SECONDS + 1))
    other = queued_comment(tox={"insult": 0.7})
    assert api(moderator).post(f"/api/moderation/comments/{other.pk}/undo/").status_code == 409  # nothing to undo
    assert Comment.objects.get(pk=comment.pk).status == "published"


def test_only_the_latest_decision_can_be_reversed_and_each_reversal_is_logged(moderator, second_moderator):  # noqa: F811
    comment = queued_comment(tox={"insult": 0.7})
    escalation = comment_decide(comment_id=comment.pk, moderator=moderator, action="escalate", reason="unsure")
    rejection = comment_decide(comment_id=comment.pk, moderator=second_moderator, action="reject", reason="abuse")

    with pytest.raises(NotReversible, match="later decision"):
        decision_reverse(event_id=escalation.pk, moderator=moderator)
    undo = decision_reverse(event_id=rejection.pk, moderator=moderator, reason="not abuse, a quote")

    assert "reversed rejected by mod2" in undo.reason and "not abuse, a quote" in undo.reason
    assert Comment.objects.get(pk=comment.pk).status == "held"
    with pytest.raises(NotReversible, match="already reversed"):
        decision_reverse(event_id=rejection.pk, moderator=second_moderator)


def test_the_audit_log_has_a_reverse_button_that_reverses_and_logs(moderator):  # noqa: F811
    comment = queued_comment(tox={"insult": 0.7})
    event = comment_decide(comment_id=comment.pk, moderator=moderator, action="approve")
    client = client_for(moderator)

    page = client.get(f"/moderation/audit-log/?comment={comment.pk}").content.decode()
    assert f'action="/moderation/audit-log/{event.pk}/reverse/"' in page

    response = client.post(f"/moderation/audit-log/{event.pk}/reverse/", {"next": "/moderation/audit-log/"}, follow=True)
    assert "held again" in response.content.decode()
    assert Comment.objects.get(pk=comment.pk).status == "held"
    assert "decision undone" in client.get(f"/moderation/audit-log/?comment={comment.pk}").content.decode()
    api_entry = api(moderator).get("/api/moderation/audit/", {"comment": comment.pk}).json()["results"][0]
    assert (api_entry["action"], api_entry["reverses"]) == ("undo", event.pk)


def test_queue_page_offers_undo_reasons_and_lists_the_keys(moderator):  # noqa: F811
    queued_comment(tox={"insult": 0.7})

    html = client_for(moderator).get("/moderation/").content.decode()

    assert 'data-undo-url="/api/moderation/comments/0/undo/"' in html and 'data-reasons-url="/api/moderation/reasons/"' in html
    assert 'list="reasons-reject"' in html and 'list="reasons-escalate"' in html
    assert "<dt>u</dt>" in html and "Esc cancels" in html


def test_moderators_read_the_sites_reasons_and_admins_add_one(moderator):  # noqa: F811
    reasons = api(moderator).get("/api/moderation/reasons/").json()
    assert "Threat of violence" in reasons["reject"]  # the starting list (migration 0007)
    assert "Legal question (defamation, privacy)" in reasons["escalate"]

    body = {"text": "Doxxing: shares someone's address", "use_for": "reject"}
    assert api(moderator).post("/api/moderation/reasons/", body, format="json").status_code == 403

    admin = UserFactory(username="siteadmin")
    admin.user_permissions.add(Permission.objects.get(codename="change_policy", content_type__app_label="moderation"))
    response = api(admin).post("/api/moderation/reasons/", body, format="json")
    assert response.status_code == 201 and response.json()["reject"][-1] == body["text"]

    again = api(admin).post("/api/moderation/reasons/", body, format="json")
    assert again.status_code == 400 and "already" in again.json()["text"][0]
    bad = api(admin).post("/api/moderation/reasons/", {"text": "x", "use_for": "ban"}, format="json")
    assert bad.status_code == 400 and "use_for" in bad.json()
    assert DecisionReason.objects.filter(text=body["text"]).count() == 1
