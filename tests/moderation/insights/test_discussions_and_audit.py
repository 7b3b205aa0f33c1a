"""Which discussions need a moderator, and whether stance changes how comments are decided
(moderation/insights/)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import CommentReport
from moderation.insights import discussions as insights_discussions
from moderation.insights.viewpoint_audit import viewpoint_audit
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.moderation.policy.helpers import event, human, moderator, scored_comment, scores  # noqa: F401

pytestmark = pytest.mark.django_db


# --- the need score ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "favor, against, expected",
    [(0, 0, 0.0), (10, 0, 0.0), (5, 5, 1.0), (3, 1, 0.5), (1, 3, 0.5)],
)
def test_polarization_is_1_at_an_even_split_and_0_when_one_sided(favor, against, expected):
    assert insights_discussions.polarization(favor=favor, against=against) == pytest.approx(expected)


def test_need_score_adds_the_weighted_reasons():
    figures = dict(held=2, open_reports=1, max_toxicity=0.5, comments_1h=4, comments_24h=10, favor=10, against=10)
    # 2 + 1.5 + 2.5 + 2 + 0.5 + 3 × 1.0 × min(1, 20/20)
    assert insights_discussions.need_score(**figures) == pytest.approx(11.5)


def test_polarization_counts_in_proportion_to_volume_up_to_20_comments():
    base = dict(held=0, open_reports=0, max_toxicity=0.0, comments_1h=0, comments_24h=0)
    assert insights_discussions.need_score(**base, favor=1, against=1) == pytest.approx(3 * 2 / 20)
    assert insights_discussions.need_score(**base, favor=20, against=20) == pytest.approx(3.0)


def test_a_held_comment_outranks_nothing_and_reports_outrank_holds():
    base = dict(max_toxicity=0.0, comments_1h=0, comments_24h=0, favor=0, against=0)
    assert insights_discussions.need_score(**base, held=0, open_reports=1) > insights_discussions.need_score(**base, held=1, open_reports=0) > 0


# --- discussions ranking -----------------------------------------------------------------------


@pytest.fixture
def discussions():
    now = timezone.now()
    quiet_backlog = ArticleFactory(title="Quiet backlog")
    for _ in range(2):
        CommentFactory(article=quiet_backlog, status="held", created_at=now - timedelta(days=20))
    CommentFactory(article=quiet_backlog, status="failed", created_at=now - timedelta(days=20))

    heated = ArticleFactory(title="Heated", premoderate_comments=True)
    hot = scored_comment(article=heated, tox=scores(insult=0.80), stance="favor", created_at=now - timedelta(minutes=30))
    scored_comment(article=heated, tox=scores(toxicity=0.10), stance="against", created_at=now - timedelta(minutes=20))
    CommentReport.objects.create(comment=hot, reporter=UserFactory(), reason="rude")
    CommentReport.objects.create(comment=hot, reporter=UserFactory(), reason="ok?", upheld=False)  # ruled on

    slow = ArticleFactory(title="Slow")
    scored_comment(article=slow, tox=scores(toxicity=0.30), stance="favor", created_at=now - timedelta(hours=5))
    scored_comment(article=slow, tox=scores(toxicity=0.90), stance="against", created_at=now - timedelta(days=3))

    ArticleFactory(title="Old news")  # nothing recent, nothing waiting: not listed
    CommentFactory(article=ArticleFactory(title="Old thread"), created_at=now - timedelta(days=30))
    return {"quiet": quiet_backlog, "heated": heated, "slow": slow}


def test_discussions_are_ranked_by_need_with_each_column(discussions):
    rows = insights_discussions.discussions_ranked()

    assert [r.title for r in rows] == ["Heated", "Quiet backlog", "Slow"]
    heated, quiet, slow = rows
    assert (heated.held, heated.open_reports, heated.comments_1h, heated.comments_24h) == (0, 1, 2, 2)
    assert (heated.favor, heated.against, heated.polarization) == (1, 1, 1.0)
    assert heated.max_toxicity == pytest.approx(0.80)
    assert heated.premoderated and heated.article_id == discussions["heated"].pk
    assert heated.need == pytest.approx(1.5 + 5 * 0.8 + 0.5 * 2 + 0.05 * 2 + 3 * 1.0 * 2 / 20)

    assert (quiet.held, quiet.open_reports, quiet.comments_24h, quiet.max_toxicity) == (3, 0, 0, 0.0)
    assert quiet.need == pytest.approx(3.0)

    # The 0.90 comment is three days old: it counts for stance (7 days), not for recent toxicity.
    assert (slow.held, slow.comments_1h, slow.comments_24h, slow.favor, slow.against) == (0, 0, 1, 1, 1)
    assert slow.max_toxicity == pytest.approx(0.30)
    assert slow.need == pytest.approx(5 * 0.3 + 0.05 + 3 * 1.0 * 2 / 20)


def test_discussions_are_aggregated_in_four_queries_without_joining_analyses(discussions, django_assert_num_queries):
    for i in range(5):  # more articles must not mean more queries
        scored_comment(article=ArticleFactory(title=f"More {i}"), status="held")
    with django_assert_num_queries(4) as ctx:  # waiting, last week's, open reports, the articles
        rows = insights_discussions.discussions_ranked()
    assert len(rows) == 8
    assert not [q["sql"] for q in ctx.captured_queries if "moderation_analysis" in q["sql"]]


def test_discussions_limit(discussions):
    assert [r.title for r in insights_discussions.discussions_ranked(limit=1)] == ["Heated"]


# --- viewpoint audit ---------------------------------------------------------------------------


@pytest.fixture
def audit_set(moderator):
    """At toxicity 0.2-0.4, four comments for the article (one held) and two against (both held);
    at 0.8-1.0 one against, rejected. Moderators approved a held favor one and rejected a held
    against one."""
    c = {}
    for i, status in enumerate(["held", "published", "published", "published"]):
        c[f"favor{i}"] = scored_comment(stance="favor", status=status, tox=scores(toxicity=0.30))
    for i in range(2):
        c[f"against{i}"] = scored_comment(stance="against", status="held", tox=scores(toxicity=0.35))
    c["vile"] = scored_comment(stance="against", status="rejected", tox=scores(toxicity=0.98))
    human(c["favor0"], "approve", moderator)
    human(c["against0"], "reject", moderator)
    return c


def cell(bins, low, stance):
    b = next(b for b in bins if b.low == pytest.approx(low))
    return b.cell(stance)


def test_viewpoint_audit_gives_hold_and_reject_rates_by_stance_within_toxicity_bins(audit_set):
    audit = viewpoint_audit()

    assert [b.label for b in audit.automatic] == ["0.0–0.2", "0.2–0.4", "0.4–0.6", "0.6–0.8", "0.8–1.0"]
    favor, against = cell(audit.automatic, 0.2, "favor"), cell(audit.automatic, 0.2, "against")
    assert (favor.total, favor.held, favor.published, favor.hold_rate) == (4, 1, 3, 0.25)
    assert (against.total, against.held, against.hold_rate, against.reject_rate) == (2, 2, 1.0, 0.0)
    assert cell(audit.automatic, 0.2, "neutral").total == 0
    assert cell(audit.automatic, 0.2, "neutral").hold_rate is None
    vile = cell(audit.automatic, 0.8, "against")
    assert (vile.total, vile.rejected, vile.reject_rate) == (1, 1, 1.0)


def test_viewpoint_audit_shows_how_much_more_often_disagreement_is_flagged_in_each_bin(audit_set):
    audit = viewpoint_audit()

    by_low = {round(b.low, 1): b for b in audit.automatic}
    assert by_low[0.2].gap == pytest.approx(1.0 - 0.25) and by_low[0.2].gap_points == 75.0
    assert by_low[0.8].gap is None  # nobody for the article up there: nothing to compare
    assert {round(b.low, 1): b.gap for b in audit.human}[0.2] == pytest.approx(1.0)


def test_viewpoint_audit_counts_moderators_decisions_separately(audit_set):
    audit = viewpoint_audit()

    favor, against = cell(audit.human, 0.2, "favor"), cell(audit.human, 0.2, "against")
    assert (favor.total, favor.published, favor.rejected, favor.reject_rate) == (1, 1, 0, 0.0)
    assert (against.total, against.published, against.rejected, against.reject_rate) == (1, 0, 1, 1.0)
    assert sum(c.total for b in audit.human for c in b.cells) == 2


def test_viewpoint_audit_counts_each_comment_once_by_its_latest_automatic_decision(audit_set):
    c = audit_set["against1"]
    event(c, "auto_publish", new_status="published", previous="held")  # re-applied later

    against = cell(viewpoint_audit().automatic, 0.2, "against")

    assert (against.total, against.held, against.published) == (2, 1, 1)


def test_viewpoint_audit_can_bin_by_the_highest_label_and_leaves_out_old_decisions(audit_set):
    scored_comment(stance="neutral", status="held", tox=scores(toxicity=0.05, identity_attack=0.5))

    by_toxicity = viewpoint_audit(label="toxicity")
    by_max = viewpoint_audit(label="max")
    assert cell(by_toxicity.automatic, 0.0, "neutral").held == 1
    assert cell(by_max.automatic, 0.4, "neutral").held == 1

    later = viewpoint_audit(since=timezone.now() + timedelta(minutes=1))
    assert sum(c.total for b in later.automatic + later.human for c in b.cells) == 0


def test_viewpoint_audit_is_one_query(audit_set, django_assert_num_queries):
    with django_assert_num_queries(1):
        viewpoint_audit()


# --- stance unclear: counted nowhere, shown as coverage ----------------------------------------


def test_discussions_count_only_confident_stances_and_say_how_many_have_one():
    article = ArticleFactory(title="Half clear")
    for stance in ("favor", "favor", "against", "unclear"):
        scored_comment(article=article, stance=stance, tox=scores(toxicity=0.1))

    [row] = insights_discussions.discussions_ranked()

    assert (row.favor, row.against, row.stance_shown, row.stance_scored) == (2, 1, 3, 4)
    assert row.stance_coverage_percent == 75
    assert insights_discussions.stance_coverage([row]) == (3, 4)


def test_viewpoint_audit_leaves_out_unclear_stances_and_reports_its_coverage(audit_set):
    for _ in range(3):
        scored_comment(stance="unclear", status="held", tox=scores(toxicity=0.30))

    audit = viewpoint_audit()

    assert sum(c.total for b in audit.automatic for c in b.cells) == 7  # the 7 confident ones only
    assert (audit.automatic_coverage.shown, audit.automatic_coverage.total) == (7, 10)
    assert audit.automatic_coverage.percent == 70
    assert (audit.human_coverage.shown, audit.human_coverage.total) == (2, 2)


def test_labels_stored_before_a_calibration_are_relabelled_from_their_probabilities(audit_set):
    from moderation.pipeline.scoring import stance_labels_reapply

    sure = scored_comment(stance="against", status="held", tox=scores(toxicity=0.3))  # against at 0.8
    changed = stance_labels_reapply(model_name="test", model_version="1", min_confidence=0.9)

    sure.refresh_from_db()
    assert changed == 8 and sure.stance_label == "unclear" and sure.analysis.stance_article_label == "unclear"
    assert sure.status == "held"
    assert viewpoint_audit().automatic_coverage.shown == 0
    assert stance_labels_reapply(model_name="test", model_version="1", min_confidence=0.9) == 0
