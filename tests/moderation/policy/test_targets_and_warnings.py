"""Thresholds by target (moderation/policy/targets.py) on hand-computed decisions, shown beside the
cut-offs in the policy editor, and the preview's warning box (page and API) when a draft would
publish a comment a moderator rejected or a threat / identity attack at today's hold cut-off."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from moderation.insights.agreement import Judged
from moderation.models import ModerationEvent
from moderation.policy.targets import label_target
from moderation.rules import DEFAULT_THRESHOLDS
from tests.moderation.policy.helpers import policy_admin, scored_comment  # noqa: F401 - fixtures
from tests.moderation.queue.helpers import client_for, moderator, scores  # noqa: F401

T = {"insult": {"hold": 0.5, "reject": 0.95}, "threat": {"hold": 0.3, "reject": 0.9}}
WHEN = datetime(2026, 11, 10, tzinfo=UTC)
# 18 rejected comments that only insult can hold, by insult score:
REJECTED_INSULTS = [0.20, 0.45, 0.50, 0.55, 0.60, 0.62, 0.64, 0.66, 0.68, 0.70, 0.72, 0.74, 0.76, 0.78, 0.80, 0.85, 0.90, 0.95]


def judged(insult: float, threat: float, rejected: bool, i: int) -> Judged:
    return Judged(comment_id=i, excerpt="", decided_at=WHEN, moderator_rejected=rejected, auto_status="held",
                  scores={"insult": insult, "threat": threat}, thresholds=T, model="m 1")


def fixture() -> list[Judged]:
    rows = [judged(0.10, 0.50, True, i) for i in range(2)]  # rejected, held by threat whatever insult's cut-off
    rows += [judged(s, 0.01, True, 10 + i) for i, s in enumerate(REJECTED_INSULTS)]
    rows += [judged(0.10, 0.01, False, 100 + i) for i in range(150)]  # approved
    rows += [judged(0.40, 0.01, False, 300 + i) for i in range(50)]  # approved
    return rows


def test_hold_target_is_the_highest_cut_off_that_still_holds_95_percent_of_rejections():
    # 20 rejected: 19 must be held. Threat holds 2, so insult must hold 17 of its 18: every one
    # but the lowest (0.20), i.e. a cut-off at the second lowest, 0.45.
    t = label_target("insult", fixture(), T)
    assert (t.rejected_n, t.hold_for_held_target, t.others_hold_enough) == (20, 0.45, False)


def test_publish_target_is_the_highest_cut_off_where_99_percent_of_the_published_were_approved():
    # Below 0.50: 200 approved + the rejected 0.20 and 0.45: 200 / 202 = 99.0 %. Below 0.55 the
    # rejected 0.50 joins them: 200 / 203 = 98.5 %.
    t = label_target("insult", fixture(), T)
    assert (t.hold_for_approved_target, t.published_n) == (0.50, 202)


def test_targets_for_another_label_and_when_there_is_nothing_to_go_on():
    # For threat, insult (hold 0.50) already holds 16 of the 20: threat must hold 3 of the other 4,
    # whose threat scores are 0.50, 0.50, 0.01, 0.01: only a cut-off at 0.01 does.
    assert label_target("threat", fixture(), T).hold_for_held_target == 0.01
    empty = label_target("insult", [], T)
    assert (empty.rejected_n, empty.hold_for_held_target, empty.hold_for_approved_target) == (0, None, None)
    assert label_target("insult", [judged(0.1, 0.5, True, 1)], T).others_hold_enough


@pytest.mark.django_db
def test_the_policy_editor_shows_each_labels_targets_with_the_sample_size(policy_admin, moderator):  # noqa: F811
    for i, s in enumerate((0.6, 0.7, 0.8)):
        c = scored_comment(text=f"insult {i}", status="held", tox=scores(insult=s))
        ModerationEvent.objects.create(comment=c, actor=moderator, action="reject", reason="r",
                                       previous_status="held", new_status="rejected")

    html = client_for(policy_admin).get("/moderation/policy/").content.decode()

    row = html[html.index('<tr data-label="insult">'):]
    row = row[:row.index("</tr>")]
    # 3 rejected, ceil(0.95 × 3) = 3 must be held: insult's cut-off at the lowest, 0.60.
    assert "to hold ≥ 95 % of what moderators rejected: <strong>≤ 0.60</strong> (n = 3 rejected)" in row
    assert "to publish at once only where ≥ 99 % was approved: no cut-off does (n = 0 published)" in row


@pytest.mark.django_db
def test_the_preview_warns_about_published_rejections_and_threats_on_the_page_and_in_the_api(policy_admin, moderator):  # noqa: F811
    threat = scored_comment(text="I will find you.", status="held", tox=scores(threat=0.35))
    rejected = scored_comment(text="You absolute clown.", status="held", tox=scores(insult=0.6))
    ModerationEvent.objects.create(comment=rejected, actor=moderator, action="reject", reason="r",
                                   previous_status="held", new_status="rejected")
    scored_comment(text="Nice piece.", status="published", tox=scores())
    draft = {**DEFAULT_THRESHOLDS, "threat": {"hold": 0.5, "reject": 0.9}, "insult": {"hold": 0.7, "reject": 0.95}}

    client = APIClient()
    client.force_authenticate(policy_admin)
    data = client.post("/api/moderation/policy/preview/", {"thresholds": draft}, format="json").json()

    assert data["warnings_total"] == 2
    why = {w["comment_id"]: w["reasons"] for w in data["warnings"]}
    assert why == {threat.pk: ["threat 0.35 is at or above its current hold cut-off 0.30"],
                   rejected.pk: ["a moderator rejected it"]}
    calm = client.post("/api/moderation/policy/preview/", {"thresholds": DEFAULT_THRESHOLDS}, format="json").json()
    assert calm["warnings_total"] == 0 and calm["warnings"] == []

    form = {"premoderate_all": "", "on_failure": "hold", "note": "", "n": "", "action": "preview", "publish_languages": ""}
    for label, cut in draft.items():
        form[f"{label}__hold"], form[f"{label}__reject"] = cut["hold"], cut["reject"]
    html = client_for(policy_admin).post("/moderation/policy/", form).content.decode()
    box = html[html.index('<div class="warning-box"'):]
    assert "this draft would publish 2 comments at once" in box
    assert html.index('<div class="warning-box"') < html.index('<table class="table counts">')  # at the top
    assert "I will find you." in box and "a moderator rejected it" in box
