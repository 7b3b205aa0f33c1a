"""The moderators' API under /api/moderation/ (moderation/queue/api/views.py): queue, decisions,
bulk, audit, authors' standing, and its OpenAPI description."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from blog.models import Comment, CommentReport
from moderation.models import AuthorStanding, ModerationEvent
from moderation.queue import selectors
from moderation.queue.api.serializers import RuleOutputSerializer
from moderation.queue.decisions import comment_decide
from tests.factories import ArticleFactory, UserFactory
from tests.moderation.queue.helpers import moderator, queued_comment, second_moderator  # noqa: F401

pytestmark = pytest.mark.django_db

QUEUE_PATHS = {
    "/api/moderation/queue/": {"get"},
    "/api/moderation/comments/{comment_id}/decision/": {"post"},
    "/api/moderation/bulk/": {"post"},
    "/api/moderation/audit/": {"get"},
    "/api/moderation/authors/{username}/standing/": {"post"},
    "/api/moderation/comments/{comment_id}/undo/": {"post"},
    "/api/moderation/reasons/": {"get", "post"},
}


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def decision_url(comment_id: int) -> str:
    return f"/api/moderation/comments/{comment_id}/decision/"


# --- who may call what -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "method,url,body",
    [
        ("get", "/api/moderation/queue/", None),
        ("post", "/api/moderation/comments/{id}/decision/", {"action": "approve"}),
        ("post", "/api/moderation/bulk/", {"ids": ["{id}"], "action": "approve"}),
        ("get", "/api/moderation/audit/", None),
        ("post", "/api/moderation/authors/alice/standing/", {"banned": True}),
    ],
)
def test_endpoints_refuse_the_anonymous_and_readers_and_serve_moderators(method, url, body, reader, moderator):
    comment = queued_comment(tox={"insult": 0.7})
    url = url.replace("{id}", str(comment.pk))
    if body and "ids" in body:
        body = {**body, "ids": [comment.pk]}

    def call(user):
        return getattr(api(user), method)(url, body, format="json")

    assert call(None).status_code in (401, 403)
    assert call(reader).status_code == 403
    assert Comment.objects.get(pk=comment.pk).status == "held"
    assert not AuthorStanding.objects.exists()
    assert call(moderator).status_code == 200


def test_session_clients_need_the_csrf_token(moderator):
    comment = queued_comment(tox={"insult": 0.7})
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(moderator)
    assert client.post(decision_url(comment.pk), {"action": "approve"}, format="json").status_code == 403
    client.get("/moderation/")  # sets the csrftoken cookie, as the queue page does
    token = client.cookies["csrftoken"].value
    assert client.post(decision_url(comment.pk), {"action": "approve"}, format="json", HTTP_X_CSRFTOKEN=token).status_code == 200


# --- the queue ---------------------------------------------------------------------------------


def test_queue_lists_cards_ranked_with_labels_stance_rule_and_reports(moderator):
    article = ArticleFactory(title="Ban cars")
    mild = queued_comment(tox={"insult": 0.55}, article=article, stance="favor")
    toxic = queued_comment(text="<b>idiot</b>", tox={"insult": 0.9}, article=article, stance="against", parent=mild,
                           parent_stance="against")
    CommentReport.objects.create(comment=toxic, reporter=UserFactory(username="dave"), reason="insult")

    data = api(moderator).get("/api/moderation/queue/").json()

    assert data["counts"] == {"held": 2, "reported": 0, "failed": 0, "published": 0, "rejected": 0, "appeals": 0}
    assert not any(data["counts_capped"].values())  # exact counts
    assert [c["id"] for c in data["results"]] == [toxic.pk, mild.pk]
    card = data["results"][0]
    assert card["text"] == "<b>idiot</b>"  # plain text as typed; clients escape it
    assert card["article"]["title"] == "Ban cars" and card["parent"]["id"] == mild.pk
    insult = next(chip for chip in card["labels"] if chip["label"] == "insult")
    assert insult == {"label": "insult", "score": 0.9, "hold": 0.5, "reject": 0.95, "level": "hold"}
    assert card["stance"] == {"article": "against", "parent": "against"}
    assert card["rule"]["reason"] == "insult 0.90 is at or above the hold threshold 0.50"
    assert card["rule"]["actor"] is None and card["rule"]["policy_version"] == 1
    # The card's audit entry is a plain dict (fast), shaped exactly as its documented serializer.
    assert card["rule"] == RuleOutputSerializer(card["rule"]).data
    assert card["rule"]["created_at"].endswith("Z") or "+" in card["rule"]["created_at"]
    assert card["models"]["toxicity"] == "detoxify:original"
    assert card["reports"][0]["reporter"] == "dave" and card["reports"][0]["reporter_weight"] == 0.5
    assert card["author"]["published"] == 0 and card["author"]["waiting"] == 1


def test_queue_filters_and_bad_filters(moderator):
    a = queued_comment(tox={"insult": 0.9}, stance="against")
    b = queued_comment(tox={"threat": 0.5}, stance="favor", created_at=timezone.now() - timedelta(days=2))
    client = api(moderator)

    def ids(**params):
        response = client.get("/api/moderation/queue/", params)
        assert response.status_code == 200, response.json()
        return [c["id"] for c in response.json()["results"]]

    assert ids(label="insult", min_score=0.8) == [a.pk]
    assert ids(label="threat") == [b.pk]  # what the label flagged, at or past its hold cut-off
    assert ids(min_score=0.8) == [a.pk]  # any label
    assert ids(stance="favor") == [b.pk]
    assert ids(article=a.article_id) == [a.pk]
    assert ids(author=b.author.username) == [b.pk]
    assert ids(date_to=(timezone.now() - timedelta(days=1)).date().isoformat()) == [b.pk]
    assert ids(tab="rejected") == []
    for params, field in [({"tab": "nope"}, "tab"), ({"min_score": -0.5}, "min_score"), ({"cursor": "zzz"}, "cursor"),
                          ({"label": "insult", "min_score": 2}, "min_score"), ({"page_size": 1000}, "page_size")]:
        response = client.get("/api/moderation/queue/", params)
        assert response.status_code == 400 and field in response.json(), params


def test_following_next_walks_every_card_once_without_offset_at_fixed_cost(moderator):
    article = ArticleFactory()
    comments = [queued_comment(tox={"insult": 0.5 + (i % 5) * 0.08}, article=article) for i in range(17)]
    client = api(moderator)
    client.get("/api/moderation/queue/?tab=rejected")  # the moderator's permissions are cached from here on
    url, seen, costs = "/api/moderation/queue/?page_size=4", [], []
    while url:
        with CaptureQueriesContext(connection) as ctx:
            data = client.get(url).json()
        assert not [q for q in ctx.captured_queries if "OFFSET" in q["sql"].upper()]
        costs.append(len(ctx.captured_queries))
        seen += [c["id"] for c in data["results"]]
        url = data["next"]
    assert sorted(seen) == sorted(c.pk for c in comments) and len(seen) == len(set(seen))
    assert len(costs) == 5 and len(set(costs[:-1])) == 1  # every full page costs the same


def test_a_tab_past_the_count_cap_gives_the_cap_and_says_it_is_capped(moderator, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 2)
    for _ in range(3):
        queued_comment(tox={"insult": 0.7})
    queued_comment(tox={"insult": 0.99})

    data = api(moderator).get("/api/moderation/queue/").json()

    assert data["counts"] == {"held": 2, "reported": 0, "failed": 0, "published": 0, "rejected": 1, "appeals": 0}
    assert data["counts_capped"] == {"held": True, "reported": False, "failed": False, "published": False,
                                     "rejected": False, "appeals": False}
    assert len(data["results"]) == 3  # the cards are all there; only the counting stops


def test_a_queue_request_with_a_session_is_eight_queries_five_of_them_its_content(moderator, django_assert_max_num_queries):
    for i in range(30):
        c = queued_comment(tox={"insult": 0.5 + (i % 5) * 0.08})
        if i % 6 == 0:
            CommentReport.objects.create(comment=c, reporter=UserFactory(), reason="x")
    client = APIClient()
    client.force_login(moderator)
    # session, user, the permissions (one query); cards, reports, audit entries, policy, counts
    with django_assert_max_num_queries(8):
        assert client.get("/api/moderation/queue/?stance=neutral&label=insult&min_score=0.5").status_code == 200


# --- decisions ---------------------------------------------------------------------------------


def test_approve_reject_escalate_answer_the_new_status(moderator):
    a, r, e = (queued_comment(tox={"insult": 0.7}) for _ in range(3))
    client = api(moderator)

    approved = client.post(decision_url(a.pk), {"action": "approve"}, format="json")
    rejected = client.post(decision_url(r.pk), {"action": "reject", "reason": "Insults."}, format="json")
    escalated = client.post(decision_url(e.pk), {"action": "escalate", "expected_status": "held"}, format="json")

    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert rejected.json()["status"] == "rejected" and rejected.json()["moderator"] == "mod"
    assert escalated.json() | {"event": 0} == {"id": e.pk, "status": "held", "escalated": True, "event": 0,
                                              "action": "escalate", "moderator": "mod"}
    event = ModerationEvent.objects.get(pk=rejected.json()["event"])
    assert (event.actor, event.reason, event.new_status) == (moderator, "Insults.", "rejected")


def test_second_decision_is_409_with_who_decided(moderator, second_moderator):
    comment = queued_comment(tox={"insult": 0.7})
    seen = ModerationEvent.objects.filter(comment=comment).latest("id").pk
    body = {"action": "reject", "reason": "no", "expected_status": "held", "seen_event": seen}
    assert api(second_moderator).post(decision_url(comment.pk), {**body, "action": "approve"}, format="json").status_code == 200

    response = api(moderator).post(decision_url(comment.pk), body, format="json")

    assert response.status_code == 409
    assert response.json()["decided_by"] == "mod2" and response.json()["status"] == "published"
    assert "already decided by mod2" in response.json()["detail"]
    assert ModerationEvent.objects.filter(comment=comment, actor__isnull=False).count() == 1


@pytest.mark.parametrize(
    "body,field",
    [
        ({"action": "delete"}, "action"),
        ({"action": "reject"}, "reason"),
        ({"action": "reject", "reason": ""}, "reason"),
        ({"action": "approve", "reason": 5}, "reason"),
        ({"action": "approve", "status": "published"}, "status"),  # not a field a client may set
        ({"action": "approve", "expected_status": "gone"}, "expected_status"),
        ({}, "action"),
    ],
)
def test_bad_decisions_are_400_naming_the_field(moderator, body, field):
    comment = queued_comment(tox={"insult": 0.7})
    response = api(moderator).post(decision_url(comment.pk), body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert Comment.objects.get(pk=comment.pk).status == "held"


def test_deciding_a_comment_that_no_longer_exists_is_400_saying_so(moderator):
    response = api(moderator).post(decision_url(987654), {"action": "approve"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"comment": ["Comment 987654 does not exist."]}


def test_bulk_answers_one_result_per_id(moderator, second_moderator):
    a, b = queued_comment(tox={"insult": 0.7}), queued_comment(tox={"insult": 0.7})
    comment_decide(comment_id=b.pk, moderator=second_moderator, action="reject", reason="x")

    response = api(moderator).post("/api/moderation/bulk/", {"ids": [a.pk, b.pk], "action": "approve"}, format="json")

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {"id": a.pk, "ok": True, "status": "published", "error": "", "decided_by": None}
    assert results[1]["ok"] is False and results[1]["decided_by"] == "mod2" and results[1]["status"] == "rejected"
    bad = api(moderator).post("/api/moderation/bulk/", {"ids": ["1"], "action": "escalate"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"ids", "action"}


# --- audit -------------------------------------------------------------------------------------


def test_audit_filters_by_comment_and_moderator_and_pages(moderator, second_moderator):
    a, b = queued_comment(tox={"insult": 0.7}), queued_comment(tox={"insult": 0.7})
    comment_decide(comment_id=a.pk, moderator=moderator, action="reject", reason="Rude.")
    comment_decide(comment_id=b.pk, moderator=second_moderator, action="approve")
    client = api(moderator)

    by_comment = client.get("/api/moderation/audit/", {"comment": a.pk}).json()["results"]
    assert [(e["action"], e["actor"]) for e in by_comment] == [("reject", "mod"), ("auto_hold", None)]
    assert by_comment[0]["previous_status"] == "held" and by_comment[0]["policy_version"] == 1
    assert by_comment[0]["scores"]["insult"] == 0.7
    by_moderator = client.get("/api/moderation/audit/", {"moderator": "mod2"}).json()["results"]
    assert [e["comment"] for e in by_moderator] == [b.pk]
    assert client.get("/api/moderation/audit/", {"comment": "x"}).status_code == 400


def test_audit_has_no_way_to_change_an_entry(moderator):
    assert api(moderator).post("/api/moderation/audit/", {}, format="json").status_code == 405
    assert api(moderator).delete("/api/moderation/audit/").status_code == 405


# --- standing ----------------------------------------------------------------------------------


def test_standing_endpoint_bans_suspends_and_premoderates(moderator):
    UserFactory(username="jake")
    client = api(moderator)
    until = (timezone.now() + timedelta(days=2)).replace(microsecond=0)

    response = client.post("/api/moderation/authors/jake/standing/",
                           {"suspended_until": until.isoformat(), "premoderated": True, "note": "flame war"}, format="json")

    assert response.status_code == 200
    data = response.json()
    assert data["username"] == "jake" and data["premoderated"] is True and data["banned"] is False
    assert data["updated_by"] == "mod" and "flame war" in data["note"]
    lifted = client.post("/api/moderation/authors/jake/standing/", {"suspended_until": None}, format="json").json()
    assert lifted["suspended_until"] is None and lifted["premoderated"] is True
    assert client.post("/api/moderation/authors/nobody/standing/", {"banned": True}, format="json").status_code == 404
    bad = client.post("/api/moderation/authors/jake/standing/", {"banned": "yes", "role": "admin"}, format="json")
    assert bad.status_code == 400 and set(bad.json()) == {"banned", "role"}
    assert client.post("/api/moderation/authors/jake/standing/", {}, format="json").status_code == 400


# --- schema ------------------------------------------------------------------------------------


def test_queue_api_schema_is_valid_and_documents_every_endpoint_without_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        generator = SchemaGenerator(patterns=[path("api/moderation/", include("moderation.queue.api.urls"))])
        schema = generator.get_schema(request=None, public=True)
        warnings = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()

    validate_schema(schema)
    assert not warnings, warnings
    assert {url: set(ops) for url, ops in schema["paths"].items()} == QUEUE_PATHS
    page = schema["components"]["schemas"]["QueuePage"]
    assert {"counts", "counts_capped"} <= set(page["required"])
    assert "1,000" in page["properties"]["counts"]["description"]
    assert page["properties"]["counts_capped"]["additionalProperties"]["type"] == "boolean"
    decide = schema["paths"]["/api/moderation/comments/{comment_id}/decision/"]["post"]
    assert {"200", "400", "403", "409"} <= set(decide["responses"])
