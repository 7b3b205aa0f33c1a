"""The policy, discussions and viewpoint-audit API (moderation/policy/api/views.py): who may call
what, what bad input is told, and what a preview answers."""
from __future__ import annotations

import copy

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from blog.models import Comment
from moderation.models import ModerationEvent, Policy
from moderation.rules import DEFAULT_THRESHOLDS
from tests.moderation.policy.helpers import human, moderator, policy_admin, scored_comment, scores  # noqa: F401

pytestmark = pytest.mark.django_db

POLICY = "/api/moderation/policy/"
PREVIEW = "/api/moderation/policy/preview/"
REAPPLY = "/api/moderation/policy/reapply/"
RESTORE = "/api/moderation/policy/1/restore/"
DISCUSSIONS = "/api/moderation/discussions/"
AUDIT = "/api/moderation/viewpoint-audit/"


def thresholds(**changes):
    t = copy.deepcopy(DEFAULT_THRESHOLDS)
    for label, (hold, reject) in changes.items():
        t[label] = {"hold": hold, "reject": reject}
    return t


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def users(reader, moderator, policy_admin):
    return {"anonymous": None, "reader": reader, "moderator": moderator, "admin": policy_admin}


@pytest.fixture
def admin_api(policy_admin):
    return client_for(policy_admin)


# --- permissions -------------------------------------------------------------------------------

ENDPOINTS = [
    # (method, url, body, who may: answer)
    ("get", POLICY, None, {"admin": 200}),
    ("post", POLICY, {"thresholds": thresholds(), "note": "same again"}, {"admin": 201}),
    ("post", PREVIEW, {"thresholds": thresholds()}, {"admin": 200}),
    ("post", RESTORE, {}, {"admin": 201}),
    ("post", REAPPLY, {}, {"admin": 200}),
    ("get", AUDIT, None, {"admin": 200}),
    ("get", DISCUSSIONS, None, {"admin": 200, "moderator": 200}),
]


@pytest.mark.parametrize("who", ["anonymous", "reader", "moderator", "admin"])
@pytest.mark.parametrize("method, url, body, allowed", ENDPOINTS, ids=[f"{m} {u}" for m, u, *_ in ENDPOINTS])
def test_permissions_matrix(users, who, method, url, body, allowed):
    client = client_for(users[who])

    response = getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)

    if who in allowed:
        assert response.status_code == allowed[who], response.content
    elif who == "anonymous":
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 403


def test_a_refused_moderator_changes_nothing(moderator):
    response = client_for(moderator).post(POLICY, {"thresholds": thresholds(toxicity=(0.1, 0.2))}, format="json")

    assert response.status_code == 403
    assert Policy.objects.count() == 1


# --- the policy --------------------------------------------------------------------------------


def test_get_shows_the_active_policy_and_every_version(admin_api, policy_admin):
    admin_api.post(POLICY, {"thresholds": thresholds(insult=(0.4, 0.9)), "note": "insults"}, format="json")

    body = admin_api.get(POLICY).json()

    assert body["active"]["version"] == 2 and body["active"]["is_active"]
    assert body["active"]["thresholds"]["insult"] == {"hold": 0.4, "reject": 0.9}
    assert body["active"]["created_by"] == "admin"
    assert [(v["version"], v["is_active"], v["note"]) for v in body["versions"]] == [
        (2, True, "insults"),
        (1, False, Policy.objects.get(version=1).note),
    ]


def test_post_saves_a_new_active_version(admin_api):
    response = admin_api.post(
        POLICY,
        {"thresholds": thresholds(threat=(0.2, 0.8)), "premoderate_all": True, "on_failure": "publish", "note": "why"},
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["premoderate_all"], body["on_failure"], body["note"]) == (2, True, "publish", "why")
    assert Policy.objects.get(is_active=True).thresholds["threat"] == {"hold": 0.2, "reject": 0.8}


@pytest.mark.parametrize(
    "body, field, reason",
    [
        ({"thresholds": {**thresholds(), "rudeness": {"hold": 0.1, "reject": 0.2}}}, "thresholds", "Unknown label 'rudeness'"),
        ({"thresholds": thresholds(insult=(0.9, 0.5))}, "thresholds", "insult: hold 0.9 is above reject 0.5"),
        ({"thresholds": thresholds(insult=(-0.1, 0.5))}, "thresholds", "insult.hold: -0.1 is outside 0..1"),
        ({"thresholds": thresholds(insult=(0.5, 1.5))}, "thresholds", "outside 0..1"),
        ({"thresholds": {**thresholds(), "insult": {"hold": "0.5", "reject": 0.9}}}, "thresholds", "insult.hold: must be a number"),
        ({"thresholds": {**thresholds(), "insult": {"hold": True, "reject": 0.9}}}, "thresholds", "must be a number"),
        ({"thresholds": {**thresholds(), "insult": [0.5, 0.9]}}, "thresholds", "exactly the keys"),
        ({"thresholds": "strict"}, "thresholds", "Must be an object"),
        ({"thresholds": {"toxicity": {"hold": 0.5, "reject": 0.9}}}, "thresholds", "Missing label 'insult'"),
        ({}, "thresholds", "required"),
        ({"thresholds": thresholds(), "premoderate_all": "yes"}, "premoderate_all", "valid boolean"),
        ({"thresholds": thresholds(), "on_failure": "explode"}, "on_failure", "not a valid choice"),
        ({"thresholds": thresholds(), "note": 12}, "note", "valid string"),
        ({"thresholds": thresholds(), "version": 7}, "version", "Unknown field"),
        ({"thresholds": thresholds(), "is_active": False}, "is_active", "Unknown field"),
    ],
)
def test_bad_input_is_a_400_with_the_reason(admin_api, body, field, reason):
    response = admin_api.post(POLICY, body, format="json")

    assert response.status_code == 400
    assert reason in " ".join(response.json()[field])
    assert Policy.objects.count() == 1


def test_a_body_that_is_not_an_object_is_a_400(admin_api):
    response = admin_api.post(POLICY, [1, 2], format="json")
    assert response.status_code == 400


def test_restore_answers_the_new_version(admin_api):
    admin_api.post(POLICY, {"thresholds": thresholds(insult=(0.1, 0.2))}, format="json")

    response = admin_api.post(RESTORE, {}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["version"], body["note"], body["is_active"]) == (3, "restored from v1", True)
    assert body["thresholds"] == DEFAULT_THRESHOLDS


def test_restoring_an_unknown_version_is_a_404(admin_api):
    assert admin_api.post("/api/moderation/policy/42/restore/", {}, format="json").status_code == 404
    assert admin_api.post(RESTORE, {"note": "x"}, format="json").status_code == 400  # nothing to set


# --- preview -----------------------------------------------------------------------------------


@pytest.fixture
def scored(moderator):
    keep = scored_comment(text="fine", tox=scores(toxicity=0.10))
    move = scored_comment(text="<b>borderline</b>", tox=scores(toxicity=0.50))
    held = scored_comment(text="rude", status="held", tox=scores(toxicity=0.70))
    human(move, "reject", moderator)
    human(held, "approve", moderator)
    return {"keep": keep, "move": move, "held": held}


def test_preview_answers_the_figures_as_json(admin_api, scored):
    response = admin_api.post(PREVIEW, {"thresholds": thresholds(toxicity=(0.40, 0.90)), "n": 10}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert (body["n_requested"], body["n"], body["active_version"]) == (10, 3, 1)
    assert body["counts_active"] == {"published": 2, "held": 1, "rejected": 0}
    assert body["counts_draft"] == {"published": 1, "held": 2, "rejected": 0}
    assert body["changed"] == [
        {
            "comment_id": scored["move"].pk,
            "article_id": scored["move"].article_id,
            "excerpt": "<b>borderline</b>",
            "from_status": "published",
            "to_status": "held",
            "rule": "toxicity 0.50 is at or above the hold threshold 0.40",
        }
    ]
    assert body["changed_total"] == 1 and body["transitions"] == {"published → held": 1}
    overall = {q["label"]: q for q in body["quality_draft"]}["overall"]
    assert (overall["true_positives"], overall["false_positives"], overall["precision"], overall["recall"]) == (1, 1, 0.5, 1.0)
    active = {q["label"]: q for q in body["quality_active"]}["overall"]
    assert (active["precision"], active["recall"]) == (0.0, 0.0)
    toxicity = {h["label"]: h for h in body["histograms"]}["toxicity"]
    assert sum(toxicity["counts"]) == 3 and toxicity["draft_hold"] == 0.4 and toxicity["active_hold"] == 0.6
    assert Policy.objects.count() == 1  # a preview saves nothing


def test_preview_of_part_of_the_labels_keeps_the_others_from_the_active_policy(admin_api, scored):
    response = admin_api.post(PREVIEW, {"thresholds": {"toxicity": {"hold": 0.4, "reject": 0.9}}}, format="json")

    assert response.status_code == 200
    assert response.json()["counts_draft"] == {"published": 1, "held": 2, "rejected": 0}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"thresholds": thresholds(), "n": 0}, "n"),
        ({"thresholds": thresholds(), "n": 20001}, "n"),
        ({"thresholds": thresholds(), "n": "100"}, "n"),
        ({"thresholds": thresholds(insult=(0.9, 0.1))}, "thresholds"),
        ({"thresholds": thresholds(), "save": True}, "save"),
    ],
)
def test_preview_bad_input_is_a_400(admin_api, body, field):
    response = admin_api.post(PREVIEW, body, format="json")
    assert response.status_code == 400 and field in response.json()


# --- re-apply ----------------------------------------------------------------------------------


def test_reapply_is_a_dry_run_until_confirmed(admin_api, moderator):
    auto = scored_comment(status="held", tox=scores(toxicity=0.70))
    decided = scored_comment(status="held", tox=scores(toxicity=0.70))
    human(decided, "escalate", moderator)
    admin_api.post(POLICY, {"thresholds": thresholds(toxicity=(0.8, 0.95))}, format="json")
    events = ModerationEvent.objects.count()

    dry = admin_api.post(REAPPLY, {}, format="json").json()

    listed = [{"comment_id": auto.pk, "article_id": auto.article_id, "excerpt": auto.text[:160],
               "reason": "every label is below its hold threshold"}]
    assert dry == {"applied": False, "policy_version": 2, "candidates": 1, "published": 1, "rejected": 0, "stay_held": 0,
                   "publishes": listed}
    assert Comment.objects.get(pk=auto.pk).status == "held"
    assert ModerationEvent.objects.count() == events

    done = admin_api.post(REAPPLY, {"confirm": True}, format="json").json()

    assert done == {"applied": True, "policy_version": 2, "candidates": 1, "published": 1, "rejected": 0, "stay_held": 0,
                    "publishes": listed}
    assert Comment.objects.get(pk=auto.pk).status == "published"
    assert Comment.objects.get(pk=decided.pk).status == "held"
    last = ModerationEvent.objects.filter(comment=auto).first()
    assert (last.action, last.policy.version, last.actor) == ("auto_publish", 2, None)


def test_reapply_confirm_must_be_a_json_boolean(admin_api):
    response = admin_api.post(REAPPLY, {"confirm": "yes"}, format="json")
    assert response.status_code == 400 and "confirm" in response.json()


# --- insights ----------------------------------------------------------------------------------


def test_discussions_json_ranks_articles_with_a_link_to_their_queue(moderator):
    held = scored_comment(status="held", tox=scores(toxicity=0.7), stance="against")

    response = client_for(moderator).get(DISCUSSIONS, {"limit": 5})

    assert response.status_code == 200
    [row] = response.json()
    assert (row["article_id"], row["held"], row["against"], row["max_toxicity"]) == (held.article_id, 1, 1, 0.7)
    assert (row["stance_shown"], row["stance_scored"]) == (1, 1)
    assert row["queue_url"] == f"/moderation/?article={held.article_id}"
    assert client_for(moderator).get(DISCUSSIONS, {"limit": 0}).status_code == 400


def test_viewpoint_audit_json(admin_api, moderator):
    scored_comment(stance="against", status="held", tox=scores(toxicity=0.3))
    scored_comment(stance="favor", status="published", tox=scores(toxicity=0.3))

    response = admin_api.get(AUDIT, {"label": "toxicity", "days": 30})

    assert response.status_code == 200
    body = response.json()
    assert body["label"] == "toxicity" and len(body["automatic"]) == 5 and len(body["human"]) == 5
    cells = {c["stance"]: c for c in body["automatic"][1]["cells"]}
    assert (cells["against"]["total"], cells["against"]["hold_rate"]) == (1, 1.0)
    assert (cells["favor"]["total"], cells["favor"]["hold_rate"]) == (1, 0.0)
    assert cells["neutral"]["hold_rate"] is None
    assert body["automatic_coverage"] == {"shown": 2, "total": 2, "share": 1.0}
    assert admin_api.get(AUDIT, {"label": "rudeness"}).status_code == 400


def test_stance_unclear_is_not_counted_and_the_json_says_for_what_share_a_stance_is_shown(admin_api, moderator):
    scored_comment(stance="against", status="held", tox=scores(toxicity=0.3))
    unclear = scored_comment(stance="unclear", status="held", tox=scores(toxicity=0.3))

    audit = admin_api.get(AUDIT, {"label": "toxicity", "days": 30}).json()
    [row] = [r for r in client_for(moderator).get(DISCUSSIONS).json() if r["article_id"] == unclear.article_id]

    assert audit["automatic_coverage"] == {"shown": 1, "total": 2, "share": 0.5}
    assert sum(c["total"] for b in audit["automatic"] for c in b["cells"]) == 1
    assert (row["favor"], row["against"], row["stance_shown"], row["stance_scored"]) == (0, 0, 0, 1)


# --- schema ------------------------------------------------------------------------------------


def test_these_endpoints_are_documented_without_warnings():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        generator = SchemaGenerator(patterns=[path("api/moderation/", include("moderation.policy.api.urls"))])
        schema = generator.get_schema(request=None, public=True)
        warnings = list(GENERATOR_STATS._warn_cache) + list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()

    validate_schema(schema)
    assert not warnings, warnings
    assert {url: set(ops) for url, ops in schema["paths"].items()} == {
        "/api/moderation/discussions/": {"get"},
        "/api/moderation/policy/": {"get", "post"},
        "/api/moderation/policy/preview/": {"post"},
        "/api/moderation/policy/reapply/": {"post"},
        "/api/moderation/policy/{version}/restore/": {"post"},
        "/api/moderation/viewpoint-audit/": {"get"},
        "/api/moderation/agreement/": {"get"},
    }


def test_saving_without_the_switches_keeps_the_active_policys(admin_api):
    admin_api.post(POLICY, {"thresholds": thresholds(), "premoderate_all": True, "on_failure": "publish"}, format="json")

    body = admin_api.post(POLICY, {"thresholds": thresholds(insult=(0.4, 0.9))}, format="json").json()

    assert (body["version"], body["premoderate_all"], body["on_failure"]) == (3, True, "publish")
