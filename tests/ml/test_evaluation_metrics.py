"""The evaluation's own arithmetic, on numbers worked out by hand."""
import pytest

from ml.evaluation.stance import f1_favor_against
from ml.evaluation.targets import STANCE_TARGETS, Target, lookup, targets_table
from ml.evaluation.toxicity import ece_row, template_term


def test_ece_is_the_count_weighted_gap_between_score_and_rate():
    # bin 0.1-0.2: scores 0.15 x2, one positive -> |0.15 - 0.5| * 2/4; bin 0.9-1: 0.95 x2, both positive
    row = ece_row("d", "toxicity", [1, 0, 1, 1], [0.15, 0.15, 0.95, 0.95])
    assert row["value"] == pytest.approx(0.35 * 0.5 + 0.05 * 0.5)
    assert row["curve"] == [(0.15, 0.5, 2), (0.95, 1.0, 2)]


def test_stance_f1_is_the_mean_of_favor_and_against_over_all_rows():
    gold = ["favor", "favor", "against", "neutral"]
    pred = ["favor", "against", "against", "favor"]
    # favor: tp 1, fp 1, fn 1 -> 0.5; against: tp 1, fp 1, fn 0 -> 2/3
    assert f1_favor_against(gold, pred) == pytest.approx((0.5 + 2 / 3) / 2)


@pytest.mark.parametrize("template, text, term", [
    ("name_adj", "Jim is a wonderful african american", "african american"),
    ("being_adj", "Being gay is great", "gay"),
    ("am_hate_adj", "I am muslim", "muslim"),
    ("verb_adj", "hug lesbian", "lesbian"),
    ("you_are_adj", "You are an excellent trans", "trans"),
])
def test_identity_terms_are_read_from_each_template(template, text, term):
    assert template_term(template, text) == term


def test_targets_table_reads_the_rows_and_says_met_or_missed():
    t = Target("x", ("arc", "", "f1"), ">=", 0.7)
    rows = {"a": [{"dataset": "arc", "label": "", "metric": "f1", "value": 0.72}],
            "b": [{"dataset": "arc", "label": "", "metric": "f1", "value": 0.5}]}
    table = targets_table([t], rows)
    assert "| x | >= 0.7 | 0.720 | 0.500 | met |" in table
    assert lookup(rows["b"], ("arc", "", "f1")) == 0.5
    # Every stance row has a target except what is reported only: coverage (the issue asks for it to
    # be reported) and the shown labels' precision on the evaluation-only test sets.
    assert all(t.op or "coverage" in t.measure or "test" in t.measure for t in STANCE_TARGETS)
    assert any(t.op is None for t in STANCE_TARGETS) and all(t.bound is not None for t in STANCE_TARGETS if t.op)
