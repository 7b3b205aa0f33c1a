"""The shipped stance classifier (real weights from ml/weights/stance/), no database."""
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from ml.classifiers.base import STANCE_LABELS, StanceClassifier  # noqa: E402
from ml.classifiers.stance import load_default_stance_classifier  # noqa: E402

CLAIM = "We should ban smoking in public places"
FAVOR = "Smoking in parks harms children and should be banned."
AGAINST = "Banning smoking outdoors is government overreach."
OFF_TOPIC = "Does anyone know a good pizza place in Leeds?"


@pytest.fixture(scope="module")
def clf():
    return load_default_stance_classifier()


def top(scores):
    return max(scores, key=scores.get)


def test_protocol_and_metadata(clf):
    assert isinstance(clf, StanceClassifier)
    assert clf.labels == STANCE_LABELS
    assert clf.name and clf.version
    assert load_default_stance_classifier() is clf  # cached per process


@pytest.mark.parametrize(
    "text, target, expected",
    [
        (FAVOR, CLAIM, "favor"),
        (AGAINST, CLAIM, "against"),
        (OFF_TOPIC, CLAIM, "neutral"),
        ("Renewable energy is cheaper than coal now and creates jobs.",
         "We should subsidize renewable energy", "favor"),
        ("Subsidies for wind and solar waste taxpayers' money on unreliable power.",
         "We should subsidize renewable energy", "against"),
    ],
)
def test_clear_cases(clf, text, target, expected):
    assert top(clf.score([(text, target)])[0]) == expected


def test_probabilities_sum_to_one(clf):
    for s in clf.score([(FAVOR, CLAIM), (AGAINST, CLAIM), (OFF_TOPIC, CLAIM), ("", CLAIM)]):
        assert set(s) == set(STANCE_LABELS)
        assert all(0.0 <= v <= 1.0 for v in s.values())
        assert abs(sum(s.values()) - 1.0) < 1e-6


def test_batch_order_and_equals_single(clf):
    long_text = " ".join([AGAINST] * 40)  # longer than max_len: truncated, still scored
    pairs = [(long_text, CLAIM), (FAVOR, CLAIM), (OFF_TOPIC, CLAIM), (AGAINST, CLAIM), (FAVOR, "Atheism")]
    batch = clf.score(pairs)
    assert len(batch) == len(pairs)
    for pair, b in zip(pairs, batch):
        single = clf.score([pair])[0]
        for k in STANCE_LABELS:
            assert abs(single[k] - b[k]) < 1e-4
    assert clf.score([]) == []


# --- what the product shows: a label only where the model is confident --------------------------

FEE = "Cities should charge drivers a fee to enter their centres at busy times."
RENT = "Rent control harms renters in the long run."
WORK = "Employers should move to a four-day working week with no loss of pay."


def test_the_shipped_weights_carry_a_calibration_made_on_claims_they_never_saw(clf):
    calibration = clf.meta["shown_calibration"]
    assert set(calibration["dev_rows"]) == {"arc_nyt_comments", "ibm_argq30k", "perspectrum"}
    if clf.min_confidence <= 1.0:
        assert calibration["precision_unseen_dev"] >= 0.80
    else:
        # On unseen reader comments (ARC) no threshold is right 80 % of the time: nothing is shown.
        assert calibration["coverage_unseen_dev"] == 0.0
        assert calibration["if_sources_were_averaged"]["per_source"]["arc_nyt_comments"]["precision"] < 0.80


@pytest.mark.parametrize("text, claim", [
    # The demo's threats, under their articles' claims: never shown as agreeing with the article.
    ("Margaret Okafor, if this charge goes through I will wait for you outside the council offices and break "
     "both your legs. I know where you live.", FEE),
    ("Margaret, I know which house is yours. I am going to come round one night and smash your skull in with a "
     "brick, and nobody will stop me.", RENT),
    # Scorn for the article or its author takes the other side, or none the model is sure of.
    ("Priya Raman is a lazy, whining parasite, and this article is garbage written by someone too stupid to hold "
     "down a real job.", WORK),
    ("Honestly, this article is garbage.", WORK),
])
def test_threats_and_scorn_are_never_shown_as_favor(clf, text, claim):
    assert clf.label(clf.score([(text, claim)])[0]) in ("against", "unclear")


def test_a_clear_stance_is_shown_only_when_the_model_is_confident_enough(clf):
    [favor, against] = clf.score([(FAVOR, CLAIM), (AGAINST, CLAIM)])
    expected = ("favor", "against") if clf.min_confidence <= min(favor["favor"], against["against"]) else None
    shown = (clf.label(favor), clf.label(against))
    assert shown == expected or (expected is None and "unclear" in shown)
    assert clf.label({"favor": 0.999, "against": 0.0005, "neutral": 0.0005}) == (
        "favor" if clf.min_confidence <= 0.999 else "unclear")


def test_unseen_topic_figures_leave_out_claims_the_model_trained_on(clf, tmp_path):
    import csv

    from ml.evaluation import stance_split
    from ml.evaluation.stance import evaluate_unseen, to_markdown

    new_claims = [c for c in (f"Our town should build tram line number {i}" for i in range(40))
                  if stance_split.claim_in_dev(c)][:2]
    stance_dir = tmp_path / "stance"
    stance_dir.mkdir()
    with open(stance_dir / "trams_dev.csv", "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "target", "text", "stance"])
        for i, claim in enumerate(new_claims):
            w.writerow([f"a{i}", claim, "Trams are clean, quiet and carry far more people than buses.", "FAVOR"])
            w.writerow([f"b{i}", claim, "Trams cost a fortune and the money would do more for buses.", "AGAINST"])
    with open(stance_dir / "semeval2016_val.csv", "w", newline="") as fh:  # every target here was trained on
        csv.writer(fh).writerows([["id", "target", "text", "stance"], ["s", "Atheism", "God is great", "AGAINST"]])

    rows = evaluate_unseen(clf, tmp_path)
    table = to_markdown(rows)

    by = {(r["dataset"], r["metric"]): r for r in rows}
    assert by[("unseen_topic_dev:trams", "macro_f1_favor_against")]["n"] == 4
    assert by[("unseen_topic_dev:trams", "claims")]["value"] == 2
    assert by[("unseen_topic_dev:semeval2016", "macro_f1_favor_against")]["n"] == 0
    assert "| unseen_topic_dev:semeval2016 | 0 |  | n/a |" in table
    assert by[("unseen_topic_dev", "macro_f1_favor_against")]["n"] == 4
    assert ("unseen_topic_dev", "shown_coverage") in by


def test_precision_setting_is_fp32_or_int8(monkeypatch):
    from ml.classifiers.base import ModelUnavailable
    from ml.classifiers.quantize import DEFAULT_PRECISION
    from ml.classifiers.stance import stance_precision

    monkeypatch.delenv("PARLEY_MODEL_PRECISION", raising=False)
    assert stance_precision() == DEFAULT_PRECISION  # one setting for both models
    monkeypatch.setenv("PARLEY_MODEL_PRECISION", "FP32")
    assert stance_precision() == "fp32"
    monkeypatch.setenv("PARLEY_MODEL_PRECISION", "int4")
    with pytest.raises(ModelUnavailable, match="PARLEY_MODEL_PRECISION='int4': expected one of int8, fp32"):
        stance_precision()


def test_int8_weights_say_so_and_read_clear_cases_alike():
    from ml.classifiers.stance import DEFAULT_WEIGHTS_DIR, MiniLMStance, quantize_int8

    int8 = quantize_int8(MiniLMStance.from_dir(DEFAULT_WEIGHTS_DIR))
    assert int8.version.endswith("+int8s")  # smoothed with the statistics shipped beside the weights
    [favor, against] = int8.score([(FAVOR, CLAIM), (AGAINST, CLAIM)])
    assert (top(favor), top(against)) == ("favor", "against")
