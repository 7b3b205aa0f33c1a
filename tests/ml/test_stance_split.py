"""The unseen-topic split of the stance training data (ml/evaluation/stance_split.py), the confidence
rule behind every stance label the product shows, and its calibration (ml/evaluation/stance.py).
Runs on small CSVs written here: no ../shared needed."""
import csv
from pathlib import Path

import pytest

from ml.classifiers.base import STANCE_UNCLEAR, stance_label
from ml.evaluation import stance_split
from ml.evaluation.stance import calibrate_min_confidence, shown_precision_coverage


def write(path: Path, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "target", "text", "stance"])
        for i, (target, text, stance) in enumerate(rows):
            w.writerow([f"{path.stem}_{i}", target, text, stance])


@pytest.fixture
def data(tmp_path):
    claims = [f"We should ban thing number {i}" for i in range(60)]
    write(tmp_path / "stance" / "debate_train.csv", [(c, f"argument {j}", "FAVOR") for c in claims[:40] for j in range(3)])
    # An official dev file that repeats some training claims (as IAM's does) and adds new ones.
    write(tmp_path / "stance" / "debate_dev.csv",
          [(c.upper() + " ", "another argument", "AGAINST") for c in claims[30:60]])
    write(tmp_path / "stance" / "debate_test.csv", [("Never read by the split", "x", "FAVOR")])
    return tmp_path, claims


def test_a_claim_lands_on_one_side_only_whatever_file_or_spelling_it_comes_in(data):
    root, claims = data
    train, dev = stance_split.unseen_topic_split(root)

    train_claims = {stance_split.claim_key(t) for rows in train.values() for _, t, _ in rows}
    dev_claims = {stance_split.claim_key(t) for rows in dev.values() for _, t, _ in rows}
    assert train_claims and dev_claims and not train_claims & dev_claims
    assert train_claims | dev_claims == {stance_split.claim_key(c) for c in claims}
    assert set(train) | set(dev) == {"debate"}  # train and dev files are one source; the test file is not read
    # Deterministic: the same claims on the same side on every run and machine.
    assert stance_split.unseen_topic_split(root) == (train, dev)
    assert stance_split.claim_hash("We should ban  thing number 3!") == stance_split.claim_hash("we should ban thing number 3")


def test_the_unseen_topic_dev_leaves_out_claims_a_model_trained_on(data, tmp_path):
    root, claims = data
    _, dev = stance_split.unseen_topic_split(root)
    some_dev_claim = dev["debate"][0][1]
    weights = tmp_path / "weights"
    weights.mkdir()
    stance_split.write_claims_seen(weights, [some_dev_claim.lower()], note="test")

    _, dev_for_model = stance_split.unseen_topic_split(root, stance_split.read_claims_seen(weights))

    assert some_dev_claim not in {t for _, t, _ in dev_for_model["debate"]}
    assert len(dev_for_model["debate"]) < len(dev["debate"])


def test_the_shipped_stance_model_lists_the_claims_it_trained_on():
    seen = stance_split.read_claims_seen(Path(stance_split.__file__).parents[1] / "weights" / "stance")
    # SemEval's targets and a PERSPECTRUM training claim were in its training; a new claim was not.
    assert stance_split.claim_hash("Legalization of Abortion") in seen
    assert stance_split.claim_hash("The use of child performers should be banned") in seen
    assert stance_split.claim_hash("Our town should build a tram line to the airport") not in seen


@pytest.mark.parametrize("claim, negation", [
    ("We should abandon marriage", "We should not abandon marriage"),
    ("There must be a child curfews", "There must not be a child curfews"),
    ("Should we ban the production of generic drugs", "Should we not ban the production of generic drugs"),
    ("We don't need to hear from candidate's spouse", "We do need to hear from candidate's spouse"),
    ("Climate Change is a Real Concern", "Climate Change is not a Real Concern"),
    ("Intelligence tests bring more harm than good", "It is not true that intelligence tests bring more harm than good"),
    ("Atheism", None),
])
def test_counterfactual_claims_are_negated_by_rule(claim, negation):
    assert stance_split.negate_claim(claim) == negation


def test_a_stance_is_shown_only_at_the_calibrated_confidence():
    assert stance_label({"favor": 0.7, "against": 0.2, "neutral": 0.1}, min_confidence=0.6) == "favor"
    assert stance_label({"favor": 0.5, "against": 0.4, "neutral": 0.1}, min_confidence=0.6) == STANCE_UNCLEAR
    assert stance_label({"favor": 0.5, "against": 0.4, "neutral": 0.1}, min_confidence=0.0) == "favor"


def test_calibration_picks_the_lowest_threshold_that_stays_right_80_percent_of_the_time():
    def s(p, label):
        rest = (1 - p) / 2
        return {k: (p if k == label else rest) for k in ("favor", "against", "neutral")}
    # Confident pairs right, hesitant ones wrong half the time: precision reaches 0.8 near 0.6.
    scores = [s(0.9, "favor")] * 8 + [s(0.65, "against")] * 4 + [s(0.5, "favor")] * 8
    gold = ["favor"] * 8 + ["against"] * 3 + ["favor"] + ["favor"] * 4 + ["against"] * 4
    result = calibrate_min_confidence({"debate": (scores, gold)})

    assert 0.5 < result["min_confidence"] <= 0.65
    assert result["precision"] >= 0.8
    precision, coverage, shown = shown_precision_coverage(scores, gold, result["min_confidence"])
    assert (round(precision, 3), coverage, shown) == (round(11 / 12, 3), 12 / 20, 12)
