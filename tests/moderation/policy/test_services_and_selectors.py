"""Saving, restoring, previewing and re-applying the threshold policy (moderation/policy/selectors.py, services.py)."""
from __future__ import annotations

import copy

import pytest
from django.core.exceptions import ValidationError

from blog.models import Comment
from moderation.models import ModerationEvent, Policy
from moderation.policy import reapply, selectors, services
from moderation.rules import DEFAULT_THRESHOLDS
from tests.factories import ArticleFactory, CommentFactory
from tests.moderation.policy.helpers import human, moderator, policy_admin, scored_comment, scores  # noqa: F401

pytestmark = pytest.mark.django_db


def thresholds(**changes):
    """The default thresholds with some labels changed: thresholds(toxicity=(0.4, 0.9))."""
    t = copy.deepcopy(DEFAULT_THRESHOLDS)
    for label, (hold, reject) in changes.items():
        t[label] = {"hold": hold, "reject": reject}
    return t


def save(policy_admin, **kw):
    values = {"thresholds": thresholds(), "premoderate_all": False, "on_failure": "hold", "note": "", **kw}
    return services.policy_save(**values, admin=policy_admin)


# --- versions ----------------------------------------------------------------------------------


def test_saving_creates_version_2_active_and_keeps_version_1_readable(policy_admin):
    v2 = save(policy_admin, thresholds=thresholds(toxicity=(0.5, 0.9)), note="stricter on toxicity")

    v1 = selectors.policy_get(version=1)
    assert (v2.version, v2.is_active, v2.created_by, v2.note) == (2, True, policy_admin, "stricter on toxicity")
    assert v2.thresholds["toxicity"] == {"hold": 0.5, "reject": 0.9}
    assert not v1.is_active and v1.thresholds == DEFAULT_THRESHOLDS
    assert selectors.policy_active() == v2
    assert [p.version for p in selectors.policy_list()] == [2, 1]


def test_restoring_copies_an_old_version_into_a_new_active_one(policy_admin):
    save(policy_admin, thresholds=thresholds(insult=(0.2, 0.4)), premoderate_all=True, on_failure="publish")

    v3 = services.policy_restore(version=1, admin=policy_admin)

    v1 = selectors.policy_get(version=1)
    assert (v3.version, v3.is_active, v3.note, v3.created_by) == (3, True, "restored from v1", policy_admin)
    assert (v3.thresholds, v3.premoderate_all, v3.on_failure) == (v1.thresholds, v1.premoderate_all, v1.on_failure)
    assert Policy.objects.filter(is_active=True).count() == 1


def test_restoring_a_version_that_does_not_exist_is_refused(policy_admin):
    with pytest.raises(ValidationError) as exc:
        services.policy_restore(version=99, admin=policy_admin)
    assert "no version 99" in str(exc.value)


@pytest.mark.parametrize(
    "changes, field, reason",
    [
        ({"thresholds": {**thresholds(), "rudeness": {"hold": 0.5, "reject": 0.9}}}, "thresholds", "Unknown label 'rudeness'"),
        ({"thresholds": thresholds(insult=(0.9, 0.5))}, "thresholds", "insult: hold 0.9 is above reject 0.5"),
        ({"thresholds": thresholds(threat=(0.5, 1.2))}, "thresholds", "threat.reject: 1.2 is outside 0..1"),
        ({"thresholds": {"toxicity": {"hold": 0.5, "reject": 0.9}}}, "thresholds", "Missing label 'insult'"),
        ({"on_failure": "explode"}, "on_failure", "Must be one of"),
        ({"premoderate_all": "yes"}, "premoderate_all", "true or false"),
    ],
)
def test_saving_a_bad_draft_is_refused_naming_the_field_and_reason(policy_admin, changes, field, reason):
    with pytest.raises(ValidationError) as exc:
        save(policy_admin, **changes)
    assert reason in " ".join(exc.value.message_dict[field])
    assert Policy.objects.count() == 1


def test_saving_never_redecides_comments(policy_admin, moderator):
    approved = scored_comment(status="held", tox=scores(toxicity=0.7))
    human(approved, "approve", moderator)
    rejected = scored_comment(status="published", tox=scores(toxicity=0.1))
    human(rejected, "reject", moderator)
    auto_held = scored_comment(status="held", tox=scores(toxicity=0.7))
    events_before = ModerationEvent.objects.count()

    # Under this draft the approved comment would be rejected and the auto-held one published.
    save(policy_admin, thresholds=thresholds(toxicity=(0.05, 0.6)))
    # Publishing what a moderator rejected needs the admin's word (see the acknowledgement tests).
    save(policy_admin, thresholds=thresholds(toxicity=(0.95, 0.99)), acknowledge_warnings=True)

    statuses = dict(Comment.objects.values_list("pk", "status"))
    assert statuses == {approved.pk: "published", rejected.pk: "rejected", auto_held.pk: "held"}
    assert ModerationEvent.objects.count() == events_before


# --- re-applying -------------------------------------------------------------------------------


@pytest.fixture
def pending_set(moderator):
    """Held comments of every kind, under v1 (toxicity hold 0.60, reject 0.97)."""
    premoderated = ArticleFactory(premoderate_comments=True)
    c = {
        "to_publish": scored_comment(status="held", tox=scores(toxicity=0.70)),
        "to_reject": scored_comment(status="held", tox=scores(toxicity=0.96)),
        "stays_held": scored_comment(status="held", tox=scores(toxicity=0.92)),
        "premoderated": scored_comment(status="held", tox=scores(toxicity=0.02), article=premoderated),
        "escalated": scored_comment(status="held", tox=scores(toxicity=0.70), escalated=True),
        "human_touched": scored_comment(status="held", tox=scores(toxicity=0.70)),
        "human_approved": scored_comment(status="held", tox=scores(toxicity=0.96)),
        "auto_published": scored_comment(status="published", tox=scores(toxicity=0.96)),
        "failed": CommentFactory(status="failed"),
    }
    human(c["human_touched"], "escalate", moderator)
    human(c["human_approved"], "approve", moderator)
    return c


def test_reapply_counts_first_then_redecides_only_automatic_holds_with_audit_entries(policy_admin, pending_set):
    v2 = save(policy_admin, thresholds=thresholds(toxicity=(0.80, 0.95)), note="looser holds, stricter rejects")
    before = dict(Comment.objects.values_list("pk", "status"))
    events_before = ModerationEvent.objects.count()

    plan = reapply.held_reapply_plan()

    to_publish = pending_set["to_publish"]
    listed = (reapply.ReapplyItem(to_publish.pk, to_publish.article_id, to_publish.text[:160], "every label is below its hold threshold"),)
    assert plan == reapply.ReapplyPlan(policy_version=2, candidates=4, published=1, rejected=1, stay_held=2,
                                         publishes=listed)
    assert dict(Comment.objects.values_list("pk", "status")) == before  # the count writes nothing
    assert ModerationEvent.objects.count() == events_before

    result = services.held_reapply(admin=policy_admin)

    assert result == reapply.ReapplyPlan(policy_version=2, candidates=4, published=1, rejected=1, stay_held=2,
                                           applied=True, publishes=listed)
    after = dict(Comment.objects.values_list("pk", "status"))
    changed = {name for name, c in pending_set.items() if after[c.pk] != before[c.pk]}
    assert changed == {"to_publish", "to_reject"}
    assert after[pending_set["to_publish"].pk] == "published"
    assert after[pending_set["to_reject"].pk] == "rejected"
    new_events = ModerationEvent.objects.filter(pk__gt=0).order_by("-id")[:2]
    assert {(e.comment_id, e.action, e.previous_status, e.new_status, e.policy_id, e.actor_id) for e in new_events} == {
        (pending_set["to_publish"].pk, "auto_publish", "held", "published", v2.pk, None),
        (pending_set["to_reject"].pk, "auto_reject", "held", "rejected", v2.pk, None),
    }
    assert ModerationEvent.objects.count() == events_before + 2
    rejected = Comment.objects.get(pk=pending_set["to_reject"].pk)
    assert "reject threshold 0.95" in rejected.status_reason
    assert "re-applied by admin" in ModerationEvent.objects.filter(comment=rejected).first().reason


def test_reapply_twice_changes_nothing_the_second_time(policy_admin, pending_set):
    save(policy_admin, thresholds=thresholds(toxicity=(0.80, 0.95)))
    services.held_reapply(admin=policy_admin)
    events = ModerationEvent.objects.count()

    assert reapply.held_reapply_plan().candidates == 2  # still held: stays_held, premoderated
    result = services.held_reapply(admin=policy_admin)

    assert (result.published, result.rejected, result.stay_held) == (0, 0, 2)
    assert ModerationEvent.objects.count() == events


# --- preview -----------------------------------------------------------------------------------

# Under v1 toxicity holds at 0.60 and rejects at 0.97, insult holds at 0.50; the draft moves
# toxicity to 0.40 / 0.90.
DRAFT = thresholds(toxicity=(0.40, 0.90))


@pytest.fixture
def preview_set(moderator):
    """Seven comments, oldest first; moderators decided five of them."""
    c = {
        "c1": scored_comment(text="fine", tox=scores(toxicity=0.10)),  # pub / pub
        "c2": scored_comment(text="borderline", tox=scores(toxicity=0.50)),  # pub -> held
        "c3": scored_comment(text="rude", status="held", tox=scores(toxicity=0.70)),  # held / held
        "c4": scored_comment(text="nasty", status="held", tox=scores(toxicity=0.93)),  # held -> rejected
        "c5": scored_comment(text="vile", status="rejected", tox=scores(toxicity=0.98)),  # rejected / rejected
        "c6": scored_comment(text="insulting", status="held", tox=scores(toxicity=0.20, insult=0.60)),  # held / held
        "c7": scored_comment(text="<script>alert(1)</script>", tox=scores(toxicity=0.45)),  # pub -> held
    }
    human(c["c1"], "approve", moderator)
    human(c["c2"], "reject", moderator)
    human(c["c3"], "reject", moderator, minutes_ago=10)
    human(c["c3"], "approve", moderator)  # the latest decision counts
    human(c["c4"], "reject", moderator)
    human(c["c6"], "reject", moderator)
    return c


def quality(preview, side, label):
    q = next(q for q in getattr(preview, f"quality_{side}") if q.label == label)
    return (q.true_positives, q.false_positives, q.false_negatives, q.true_negatives, q.precision, q.recall)


def test_preview_counts_each_bucket_under_the_active_policy_and_the_draft(preview_set):
    preview = selectors.policy_preview(draft=selectors.Draft(thresholds=DRAFT), n=1000)

    assert (preview.n_requested, preview.n, preview.active_version) == (1000, 7, 1)
    assert preview.counts_active == {"published": 3, "held": 3, "rejected": 1}
    assert preview.counts_draft == {"published": 1, "held": 4, "rejected": 2}


def test_preview_lists_the_comments_that_change_bucket_newest_first_with_the_rule(preview_set):
    preview = selectors.policy_preview(draft=selectors.Draft(thresholds=DRAFT), n=1000)

    c = preview_set
    assert [(x.comment_id, x.from_status, x.to_status) for x in preview.changed] == [
        (c["c7"].pk, "published", "held"),
        (c["c4"].pk, "held", "rejected"),
        (c["c2"].pk, "published", "held"),
    ]
    assert preview.changed[0].excerpt == "<script>alert(1)</script>"  # plain text; templates escape it
    assert preview.changed[1].rule == "toxicity 0.93 is at or above the reject threshold 0.90"
    assert preview.changed_total == 3
    assert preview.transitions == {"published → held": 2, "held → rejected": 1}


def test_preview_measures_precision_and_recall_against_moderators_latest_decisions(preview_set):
    preview = selectors.policy_preview(draft=selectors.Draft(thresholds=DRAFT), n=1000)

    assert preview.human_decisions == 5
    # (TP, FP, FN, TN, precision, recall); rejected by moderators: c2, c4, c6; approved: c1, c3
    assert quality(preview, "active", "overall") == (2, 1, 1, 1, 2 / 3, 2 / 3)
    assert quality(preview, "draft", "overall") == (3, 1, 0, 1, 0.75, 1.0)
    assert quality(preview, "active", "toxicity") == (1, 1, 2, 1, 0.5, 1 / 3)
    assert quality(preview, "draft", "toxicity") == (2, 1, 1, 1, 2 / 3, 2 / 3)
    assert quality(preview, "draft", "insult") == (1, 0, 2, 2, 1.0, 1 / 3)
    assert quality(preview, "draft", "threat") == (0, 0, 3, 2, None, 0.0)


def test_preview_takes_only_the_last_n_scored_comments(preview_set):
    preview = selectors.policy_preview(draft=selectors.Draft(thresholds=DRAFT), n=3)

    assert preview.n == 3  # c5, c6, c7
    assert preview.counts_active == {"published": 1, "held": 1, "rejected": 1}
    assert [x.comment_id for x in preview.changed] == [preview_set["c7"].pk]
    assert preview.human_decisions == 1  # c6


def test_preview_histograms_count_scores_in_005_bins_with_both_policies_cutoffs(preview_set):
    preview = selectors.policy_preview(draft=selectors.Draft(thresholds=DRAFT), n=1000)

    toxicity = next(h for h in preview.histograms if h.label == "toxicity")
    # 0.10, 0.20, 0.45, 0.50, 0.70, 0.93, 0.98: a score on an edge starts its bin
    assert {i: n for i, n in enumerate(toxicity.counts) if n} == {2: 1, 4: 1, 9: 1, 10: 1, 14: 1, 18: 1, 19: 1}
    assert (toxicity.active_hold, toxicity.active_reject, toxicity.draft_hold, toxicity.draft_reject) == (
        0.60, 0.97, 0.40, 0.90,
    )
    assert len(preview.histograms) == 7


def test_preview_applies_site_wide_premoderation_from_the_draft(preview_set):
    preview = selectors.policy_preview(
        draft=selectors.Draft(thresholds=thresholds(), premoderate_all=True), n=1000
    )

    assert preview.counts_draft == {"published": 0, "held": 6, "rejected": 1}
    assert {x.rule for x in preview.changed} == {"every comment is pre-moderated (site-wide policy)"}
    # Pre-moderation is not a judgement of the text: precision/recall are the thresholds' own.
    assert quality(preview, "draft", "overall") == quality(preview, "active", "overall")


def test_preview_runs_in_a_bounded_number_of_queries(preview_set, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # active policy, analyses, human decisions
        selectors.policy_preview(draft=selectors.Draft(thresholds=DRAFT), n=1000)


@pytest.mark.parametrize("n", [0, 20001])
def test_preview_refuses_n_out_of_range(n):
    with pytest.raises(ValidationError):
        selectors.policy_preview(draft=selectors.Draft(thresholds=DRAFT), n=n)


def test_saving_a_stricter_policy_moves_waiting_comments_up_the_queue(policy_admin):
    from tests.moderation.queue.helpers import queued_comment

    waiting = queued_comment(tox={"insult": 0.6})
    before = Comment.objects.get(pk=waiting.pk).queue_rank

    save(policy_admin, thresholds=thresholds(insult=(0.3, 0.7)), note="insults matter more")

    assert Comment.objects.get(pk=waiting.pk).queue_rank > before
