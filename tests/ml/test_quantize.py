"""The models' precision setting (ml/classifiers/quantize.py): int8 is one setting away from fp32,
scores the same sentences the same way to the second decimal, and a typo in the setting is refused."""
from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import torch  # noqa: E402
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
    assert int8.version == fp32.version + "-int8s"  # "s": smoothed with the shipped statistics
    assert (fp32.meta["precision"], int8.meta["precision"]) == ("fp32", "int8")


def test_int8_scores_real_sentences_like_fp32(both):
    fp32, int8 = both
    for a, b in zip(fp32.score(SENTENCES), int8.score(SENTENCES)):
        for label in a:
            assert b[label] == pytest.approx(a[label], abs=0.1), (label, a, b)


def test_smoothing_moves_scale_into_the_weights_without_changing_the_fp32_result():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 8), nn.GELU(), nn.Sequential(nn.Linear(8, 4))).eval()
    x = torch.randn(5, 8)
    x[:, 3] *= 40  # an outlier channel, as after GELU in a transformer
    maxima = quantize.linear_input_maxima(model=model, run=lambda: model(x))
    assert set(maxima) == {"2.0"}  # nested layers; a top-level layer (an output head) is left alone
    smoothed = quantize._smoothed_copy(model, maxima)
    assert isinstance(smoothed[2][0], quantize.SmoothedLinear)
    with torch.inference_mode():
        assert torch.allclose(smoothed(x), model(x), atol=1e-5)
    q = quantize.model_quantize(model=model, precision="int8", input_maxima=maxima)
    assert not any(type(m) is nn.Linear for m in q.modules())
    assert type(model[2][0]) is nn.Linear  # the fp32 model is not changed


def test_statistics_for_another_model_are_refused():
    model = nn.Sequential(nn.Sequential(nn.Linear(8, 4))).eval()
    with pytest.raises(ValueError, match="not a Linear of this model's shape"):
        quantize.model_quantize(model=model, precision="int8", input_maxima={"0.0": torch.ones(16)})


def test_the_shipped_statistics_bring_int8_closer_to_fp32_on_real_sentences():
    from ml.classifiers.minilm_toxicity import DEFAULT_WEIGHTS_DIR

    fp32 = MiniLMToxicity.from_dir(precision="fp32")
    maxima = quantize.smoothing_read(DEFAULT_WEIGHTS_DIR)
    assert maxima, "int8_smoothing.safetensors is shipped beside the toxicity weights"
    plain = quantize.model_quantize(model=fp32.model, precision="int8")
    smoothed = quantize.model_quantize(model=fp32.model, precision="int8", input_maxima=maxima)
    with torch.inference_mode():
        ref = fp32.model(**_batch(fp32))
        err_plain = (plain(**_batch(fp32)) - ref).abs().mean()
        err_smoothed = (smoothed(**_batch(fp32)) - ref).abs().mean()
    assert err_smoothed < err_plain


def _batch(clf):
    enc = clf.tokenizer(SENTENCES, padding=True, return_tensors="pt")
    return {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}


def test_inside_sequences_each_row_is_quantised_on_its_own_real_tokens():
    torch.manual_seed(0)
    linear = quantize.model_quantize(model=nn.Sequential(nn.Linear(16, 4)).eval(), precision="int8")[0]
    x = torch.randn(3, 5, 16)
    x[0, 1] *= 50  # an outlier in one sequence sets one scale for all three without per-sequence scales
    lengths = [5, 3, 2]
    with quantize.sequences(lengths):
        batched = linear(x)
    for b, n in enumerate(lengths):
        assert torch.equal(batched[b, :n], linear(x[b, :n]))  # as if scored alone
        assert not batched[b, n:].any()  # padding rows: zeros, read by nothing
    assert not torch.equal(linear(x)[1, :3], batched[1, :3])  # one scale per batch: the outlier's


def test_a_comments_int8_scores_hardly_depend_on_its_batch(both):
    _, int8 = both
    texts = [*SENTENCES, "The council meeting ran long, " * 20 + "and nothing was decided."]
    alone = [int8.score([t])[0] for t in texts]
    batched = int8.score(texts)
    worst = max(abs(a[label] - b[label]) for a, b in zip(alone, batched) for label in a)
    # Not 0: the fp32 parts (attention, LayerNorm) round differently at another padded width, and a
    # rounding step can flip an int8 value. One scale per batch moved scores by ~0.01 here.
    assert worst < 0.002, worst


def test_one_model_can_run_at_another_precision_than_the_other(monkeypatch):
    monkeypatch.setenv("PARLEY_MODEL_PRECISION", "fp32")
    monkeypatch.setenv("PARLEY_TOXICITY_PRECISION", "int8")
    monkeypatch.delenv("PARLEY_STANCE_PRECISION", raising=False)
    assert (quantize.model_precision("toxicity"), quantize.model_precision("stance")) == ("int8", "fp32")
    monkeypatch.setenv("PARLEY_STANCE_PRECISION", "int4")
    with pytest.raises(ValueError, match="PARLEY_STANCE_PRECISION='int4'"):  # the setting that was read
        quantize.model_precision("stance")
    monkeypatch.setenv("PARLEY_TOXICITY_PRECISION", "  ")  # blank: the shared setting applies
    assert quantize.model_precision("toxicity") == "fp32"
