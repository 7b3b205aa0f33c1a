"""The models' precision setting (ml/classifiers/quantize.py): int8 is one setting away from fp32,
scores the same sentences the same way to the second decimal, and a typo in the setting is refused."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from torch import nn  # noqa: E402

from ml.classifiers import quantize  # noqa: E402
from ml.classifiers.minilm_toxicity import MiniLMToxicity  # noqa: E402

SENTENCES = [
    "I respectfully disagree: the numbers in this article do not support its conclusion.",
    "You are a pathetic idiot and everyone here knows it.",
    "I know where you park your car every night. Think about that before you write again.",
    "As a homosexual man, I think the council got this one right.",
    "We murdered them 5-0 on Saturday.",
]


def test_the_setting_picks_the_precision_and_refuses_a_typo(monkeypatch):
    monkeypatch.setenv("PARLEY_MODEL_PRECISION", "fp32")
    assert quantize.model_precision() == "fp32"
    monkeypatch.setenv("PARLEY_MODEL_PRECISION", " INT8 ")
    assert quantize.model_precision() == "int8"
    monkeypatch.setenv("PARLEY_MODEL_PRECISION", "int4")
    with pytest.raises(ValueError, match="PARLEY_MODEL_PRECISION"):
        quantize.model_precision()
    monkeypatch.delenv("PARLEY_MODEL_PRECISION")
    assert quantize.model_precision() == quantize.DEFAULT_PRECISION


def test_fp32_leaves_the_model_alone_and_int8_quantises_every_linear_layer():
    model = nn.Sequential(nn.Linear(8, 8), nn.ReLU(), nn.Linear(8, 2)).eval()
    assert quantize.model_quantize(model=model, precision="fp32") is model
    q = quantize.model_quantize(model=model, precision="int8")
    assert not any(type(m) is nn.Linear for m in q.modules())
    assert isinstance(model[0], nn.Linear)  # the fp32 model is not changed in place


@pytest.fixture(scope="module")
def both():
    return MiniLMToxicity.from_dir(precision="fp32"), MiniLMToxicity.from_dir(precision="int8")


def test_the_int8_model_says_so_in_its_version(both):
    fp32, int8 = both
    assert int8.version == fp32.version + "-int8"
    assert (fp32.meta["precision"], int8.meta["precision"]) == ("fp32", "int8")


def test_int8_scores_real_sentences_like_fp32(both):
    fp32, int8 = both
    for a, b in zip(fp32.score(SENTENCES), int8.score(SENTENCES)):
        for label in a:
            assert b[label] == pytest.approx(a[label], abs=0.1), (label, a, b)
