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
