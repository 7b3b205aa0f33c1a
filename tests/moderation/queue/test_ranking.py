"""The review queue's priority formula (moderation/queue/ranking.py), on plain numbers, and the
ranking service that stores it (moderation.queue.services.queue_rerank) on real rows."""
from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from blog.models import Comment, CommentReport
from blog.services import comment_report
from moderation.queue import ranking
from moderation.queue.ranking import label_position, queue_rank, reporter_weight
from tests.conftest import PINNED_THRESHOLDS as DEFAULT_THRESHOLDS
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.moderation.queue.helpers import queued_comment, scores

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def rank(*, tox=None, reports=(), heat=0, hours_ago=0.0, escalated=False, thresholds=DEFAULT_THRESHOLDS, raw=None):
    """``hours_ago``: when the comment entered the queue."""
    return queue_rank(
        scores=raw if raw is not None else scores(**(tox or {})),
        thresholds=thresholds,
        open_report_weights=list(reports),
        thread_comments_24h=heat,
        queued_at=NOW - timedelta(hours=hours_ago),
        now=NOW,
        escalated=escalated,
    )


# --- the formula -------------------------------------------------------------------------------


def test_a_more_toxic_comment_ranks_higher():
    assert rank(tox={"insult": 0.90}) > rank(tox={"insult": 0.60}) > rank(tox={"insult": 0.30}) > rank()


def test_position_against_thresholds_counts_not_the_raw_score():
    # threat holds at 0.30, toxicity at 0.60: threat 0.35 is past its hold, toxicity 0.50 is not.
    assert rank(tox={"threat": 0.35}) > rank(tox={"toxicity": 0.50})


def test_label_position_is_1_at_hold_and_2_at_reject():
    assert label_position(0.3, 0.6, 0.9) == pytest.approx(0.5)
    assert label_position(0.6, 0.6, 0.9) == pytest.approx(1.0)
    assert label_position(0.75, 0.6, 0.9) == pytest.approx(1.5)
    assert label_position(0.9, 0.6, 0.9) == pytest.approx(2.0)
    assert label_position(1.0, 0.6, 1.0) == pytest.approx(2.0)  # reject at 1.0: no division by zero
    assert label_position(0.0, 0.0, 0.5) == pytest.approx(1.0)  # hold at 0: everything is at hold


def test_several_labels_over_hold_rank_above_one():
    assert rank(tox={"insult": 0.6, "toxicity": 0.7}) > rank(tox={"insult": 0.6})


def test_a_more_reported_comment_ranks_higher():
    assert rank(reports=[0.5, 0.5]) > rank(reports=[0.5]) > rank()


def test_reporter_weight_is_laplace_smoothed_upheld_share():
    assert reporter_weight(upheld=0, resolved=0) == pytest.approx(0.5)  # nothing known
    assert reporter_weight(upheld=8, resolved=8) == pytest.approx(0.9)
    assert reporter_weight(upheld=0, resolved=8) == pytest.approx(0.1)  # never zero


def test_a_report_by_a_reliable_reporter_outweighs_one_by_an_unreliable_reporter():
    reliable = reporter_weight(upheld=8, resolved=8)
    unreliable = reporter_weight(upheld=0, resolved=8)
    assert rank(reports=[reliable]) > rank(reports=[unreliable])
    # Two reports from readers who were always wrong count less than one from a reader always right.
    assert rank(reports=[reliable]) > rank(reports=[unreliable, unreliable])


def test_an_older_comment_ranks_higher_than_the_same_comment_posted_later():
    assert rank(tox={"insult": 0.6}, hours_ago=5) > rank(tox={"insult": 0.6}, hours_ago=1)


def test_waiting_breaks_ties_among_equals_and_lifts_a_starving_comment_one_step():
    # Two days in the queue lift a barely-held insult over a fresh one a little past hold ...
    assert rank(tox={"insult": 0.5}, hours_ago=48) > rank(tox={"insult": 0.6})
    # ... but no wait lifts a mild comment over a threat, nor an insult at hold over one at reject.
    assert rank(tox={"insult": 0.5}, hours_ago=24 * 365) < rank(tox={"threat": 0.35})
    assert rank(tox={"insult": 0.5}, hours_ago=24 * 365) < rank(tox={"insult": 0.95})


def test_waiting_is_capped():
    assert rank(hours_ago=ranking.AGE_CAP_HOURS) == pytest.approx(rank(hours_ago=24 * 365 * 11))
    assert rank(hours_ago=24 * 365 * 11) - rank() == pytest.approx(ranking.AGE_WEIGHT * ranking.AGE_CAP_HOURS)


def test_threats_and_identity_attacks_weigh_more_than_profanity_at_the_same_position():
    assert rank(tox={"threat": 0.30}) > rank(tox={"insult": 0.50}) > rank(tox={"obscene": 0.60})
    assert rank(tox={"identity_attack": 0.30}) > rank(tox={"obscene": 0.97})  # hold beats reject, graver label


def test_a_comment_in_a_hotter_thread_ranks_higher():
    assert rank(heat=50) > rank(heat=5) > rank(heat=0)


def test_escalated_comments_rank_first():
    assert rank(escalated=True) > rank(tox={"severe_toxicity": 0.99}, reports=[0.9] * 5, heat=500, hours_ago=24 * 30)


def test_unscored_comments_rank_by_reports_heat_and_waiting():
    def unscored(reports=(), hours_ago=0.0):
        return queue_rank(scores=None, thresholds=DEFAULT_THRESHOLDS, open_report_weights=list(reports),
                          thread_comments_24h=0, queued_at=NOW - timedelta(hours=hours_ago), now=NOW)

    assert unscored(reports=[0.5]) == pytest.approx(rank(raw={}, reports=[0.5]), abs=1e-9)
    assert unscored(reports=[0.5]) > unscored()
    assert unscored(hours_ago=3) > unscored()


def test_labels_without_a_threshold_are_ignored():
    assert rank(raw={"made_up_label": 1.0}) == pytest.approx(rank(raw={}), abs=1e-9)


def test_a_fresh_comment_at_hold_is_worth_its_label_gravity_times_four_points_inside_its_class():
    assert rank(tox={"insult": 0.5}) == pytest.approx(ranking.CLASS_BAND * ranking.CLASS_HARMFUL + ranking.LABEL_WEIGHT * 1.0)
    assert rank(tox={"threat": 0.9}) == pytest.approx(ranking.CLASS_BAND * ranking.CLASS_GRAVE + ranking.LABEL_WEIGHT * 1.5 * 2.0)


# --- danger first: the severity class, then score, then waiting ----------------------------------


@pytest.mark.parametrize("grave", ["threat", "identity_attack", "severe_toxicity"])
def test_a_grave_label_at_hold_outranks_every_insult_whatever_its_score_reports_heat_and_age(grave):
    hold = DEFAULT_THRESHOLDS[grave]["hold"]
    worst_insult = rank(tox={"insult": 0.999, "obscene": 0.999, "toxicity": 0.999}, reports=[0.9] * 20,
                        heat=10_000, hours_ago=24 * 365)
    assert rank(tox={grave: hold}) > worst_insult


def test_a_report_ranks_with_the_insults_and_never_above_a_threat():
    threat_hold = DEFAULT_THRESHOLDS["threat"]["hold"]
    assert rank(reports=[0.9] * 10) < rank(tox={"threat": threat_hold})
    assert rank(reports=[0.5]) > rank(tox={"insult": 0.2})  # nothing past a cut-off: the class below
    # Inside the class the report's weight counts like a score.
    assert rank(tox={"insult": 0.6}, reports=[0.5]) > rank(tox={"insult": 0.6})


def test_an_escalated_comment_outranks_a_threat():
    assert rank(escalated=True) > rank(tox={"threat": 0.99, "identity_attack": 0.99}, reports=[0.9] * 5)


def test_a_label_below_its_hold_cut_off_does_not_set_the_class():
    threat_hold = DEFAULT_THRESHOLDS["threat"]["hold"]
    assert rank(tox={"threat": threat_hold * 0.9}) < rank(tox={"insult": 0.5})


def test_the_rank_reason_names_what_put_the_card_there():
    def reason(tox=None, reports=0, escalated=False, raw=None):
        return ranking.rank_reason(scores=raw if raw is not None else scores(**(tox or {})),
                                   thresholds=DEFAULT_THRESHOLDS, open_reports=reports, escalated=escalated)

    assert reason(tox={"threat": 0.93, "insult": 0.99}) == "threat 0.93"
    assert reason(tox={"identity_attack": 0.8}) == "identity attack 0.80"
    assert reason(tox={"insult": 0.81}, reports=2) == "insult 0.81 and 2 open reports"
    assert reason(reports=1) == "1 open report"
    assert reason(tox={"threat": 0.99}, escalated=True) == "escalated by a moderator"
    unscored = ranking.rank_reason(scores=None, thresholds=DEFAULT_THRESHOLDS, open_reports=0, escalated=False)
    assert unscored == "not scored; reports, thread activity and waiting time"
    assert reason(tox={"insult": 0.2}).startswith("no label past its cut-off (highest insult 0.20)")


# --- the stored rank, kept by the services -----------------------------------------------------

@pytest.mark.django_db
def test_a_reader_report_moves_the_comment_up_the_queue():
    comment = queued_comment(tox={"insult": 0.2}, status="published")
    before = comment.queue_rank

    comment_report(comment=comment, reporter=UserFactory(), reason="Personal attack")

    comment.refresh_from_db()
    # Nothing past a cut-off before; now a reader's report: up one class, plus the report's weight.
    assert comment.queue_rank == pytest.approx(before + ranking.CLASS_BAND + ranking.REPORT_WEIGHT * 0.5, abs=1e-3)  # the waiting term grows while the test runs


@pytest.mark.django_db
def test_reporter_with_upheld_history_moves_a_comment_further_than_a_new_reporter():
    trusted, newcomer = UserFactory(username="trusted"), UserFactory(username="newcomer")
    for _ in range(4):  # four past reports, all upheld by moderators
        past = CommentFactory(status=Comment.Status.REJECTED)
        CommentReport.objects.create(comment=past, reporter=trusted, reason="abuse", upheld=True)
    article = ArticleFactory()
    a = queued_comment(status="published", article=article, created_at=NOW)
    b = queued_comment(status="published", article=article, created_at=NOW)

    comment_report(comment=a, reporter=trusted, reason="abuse")
    comment_report(comment=b, reporter=newcomer, reason="abuse")

    a.refresh_from_db()
    b.refresh_from_db()
    assert a.queue_rank - b.queue_rank == pytest.approx(ranking.REPORT_WEIGHT * (5 / 6 - 0.5), abs=1e-3)  # the waiting term grows while the test runs


class ScriptedToxicity:
    """Returns the scores a test scripted for each text: this tests the pipeline's ranking hook,
    not a model."""

    name, version, labels = "scripted", "1", tuple(DEFAULT_THRESHOLDS)

    def __init__(self, by_text):
        self.by_text = by_text

    def score(self, texts):
        return [scores(**self.by_text.get(t, {})) for t in texts]


class ScriptedStance:
    name, version, labels = "scripted-stance", "1", ("favor", "against", "neutral")

    def score(self, pairs):
        return [{"favor": 0.1, "against": 0.1, "neutral": 0.8} for _ in pairs]


@pytest.mark.django_db
def test_scoring_ranks_the_new_comment_and_reranks_its_heating_thread(monkeypatch, django_capture_on_commit_callbacks):
    from moderation.pipeline import scoring

    article = ArticleFactory()
    waiting = queued_comment(tox={"insult": 0.6}, article=article)
    rank_alone = waiting.queue_rank
    models = scoring.Models(toxicity=ScriptedToxicity({"You idiot": {"insult": 0.9}}), stance=ScriptedStance())
    new = [CommentFactory(article=article, status=Comment.Status.PENDING, text=t) for t in ("You idiot", "Nice", "Agreed")]

    scoring.comments_classify(comment_id=new[0].pk, batch_size=10, models=models)

    waiting.refresh_from_db()
    ranked = Comment.objects.get(pk=new[0].pk)
    assert ranked.status == Comment.Status.HELD
    # Four comments in the thread's last 24 h now instead of one.
    assert waiting.queue_rank == pytest.approx(rank_alone + ranking.HEAT_WEIGHT * (math.log2(5) - math.log2(2)), abs=1e-3)  # the waiting term grows while the test runs
    assert ranked.queue_rank > waiting.queue_rank  # more toxic, and the same heat


@pytest.mark.django_db
def test_scoring_a_batch_leaves_the_threads_unscored_backlog_alone():
    """The thread re-rank after a batch covers what moderators see (held, failed, reported),
    not the comments still waiting to be scored: those are ranked when they are scored, and
    re-ranking them made each batch cost as much as the whole backlog."""
    from moderation.pipeline import scoring

    article = ArticleFactory()
    held = queued_comment(tox={"insult": 0.6}, article=article)
    backlog = [CommentFactory(article=article, status=Comment.Status.PENDING, text=f"later {i}") for i in range(5)]
    Comment.objects.filter(pk__in=[c.pk for c in backlog]).update(queue_rank=-1.0)
    models = scoring.Models(toxicity=ScriptedToxicity({}), stance=ScriptedStance())
    first = CommentFactory(article=article, status=Comment.Status.PENDING, text="Nice")

    scoring.comments_classify(comment_id=first.pk, batch_size=1, models=models)

    assert Comment.objects.get(pk=first.pk).status == Comment.Status.PUBLISHED
    rank_before = held.queue_rank
    held.refresh_from_db()
    assert held.queue_rank > rank_before  # the thread heated up: the held comment moved
    assert set(Comment.objects.filter(pk__in=[c.pk for c in backlog]).values_list("queue_rank", flat=True)) == {-1.0}


@pytest.mark.django_db
def test_the_periodic_rerank_refreshes_the_waiting_term_of_the_queue():
    from moderation.pipeline.tasks import rerank_waiting_comments

    comment = queued_comment(tox={"insult": 0.6}, queued_at=datetime.now(UTC) - timedelta(hours=10))
    Comment.objects.filter(pk=comment.pk).update(queue_rank=0.0)  # as stored long ago

    assert rerank_waiting_comments() >= 1

    comment.refresh_from_db()
    fresh = queue_rank(scores=comment.analysis.scores, thresholds=DEFAULT_THRESHOLDS, open_report_weights=[],
                       thread_comments_24h=1, queued_at=datetime.now(UTC) - timedelta(hours=10), now=datetime.now(UTC))
    assert comment.queue_rank == pytest.approx(fresh, abs=1e-3)
