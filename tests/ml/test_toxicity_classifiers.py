"""Toxicity backends and the registry. No database: these are plain pytest functions."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from ml.classifiers import registry
from ml.classifiers.base import TOXICITY_LABELS, ModelUnavailable, ToxicityClassifier
from ml.classifiers.bilstm import JigsawBiLSTM
from ml.classifiers.detoxify_backend import DetoxifyClassifier

from .tiny_detoxify import make_tiny_detoxify_checkpoint, use_offline_hf_cache

STUPID = "You are a stupid idiot and I hope you die."
PATHETIC = "What a pathetic, worthless piece of garbage writing. Shut up."
KIND = "I enjoyed reading this post. It is very informative and would love to read more."
MIXED = [
    KIND,
    "ok",
    "",
    STUPID,
    " ".join(["this article is great but your comment is stupid"] * 20),  # > 100 words
    PATHETIC,
    "Thanks!",
]


@pytest.fixture(scope="module")
def bilstm() -> JigsawBiLSTM:
    return JigsawBiLSTM()


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory) -> tuple[Path, Path]:
    return make_tiny_detoxify_checkpoint(tmp_path_factory.mktemp("tiny_detoxify"))


@pytest.fixture(scope="module")
def tiny_detoxify(tiny_checkpoint) -> DetoxifyClassifier:
    checkpoint, hf_home = tiny_checkpoint
    with pytest.MonkeyPatch.context() as mp:
        use_offline_hf_cache(mp, hf_home)
        return DetoxifyClassifier("original", checkpoint=str(checkpoint))


@pytest.fixture
def fresh_registry():
    registry.clear_caches()
    yield registry
    registry.clear_caches()


def assert_same_scores(a: list[dict[str, float]], b: list[dict[str, float]], tol: float) -> None:
    assert len(a) == len(b)
    for left, right in zip(a, b):
        assert left.keys() == right.keys()
        for label in left:
            assert left[label] == pytest.approx(right[label], abs=tol), label


# --- jigsaw-bilstm ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "toxicity", "insult"),
    [(STUPID, 0.996, 0.918), (PATHETIC, 0.934, 0.550), (KIND, 0.004, None)],
)
def test_bilstm_gives_the_reference_keras_scores(bilstm, text, toxicity, insult):
    [scores] = bilstm.score([text])
    assert scores["toxicity"] == pytest.approx(toxicity, abs=0.002)
    if insult is not None:
        assert scores["insult"] == pytest.approx(insult, abs=0.002)


def test_bilstm_reports_detoxify_label_names(bilstm):
    assert isinstance(bilstm, ToxicityClassifier)
    assert bilstm.name == "jigsaw-bilstm"
    assert bilstm.version.startswith("toxic-comment-classifier==0.3.0+weights.sha256.")
    assert set(bilstm.labels) <= set(TOXICITY_LABELS)
    assert bilstm.labels == ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
    [scores] = bilstm.score([STUPID])
    assert tuple(scores) == bilstm.labels


def test_bilstm_scores_a_comment_the_same_alone_or_in_a_mixed_batch(bilstm):
    batch = bilstm.score(MIXED)
    alone = [bilstm.score([text])[0] for text in MIXED]
    assert_same_scores(batch, alone, tol=1e-5)


def test_bilstm_scores_the_same_with_onnxruntime_and_torch(bilstm):
    assert bilstm.runtime == "onnxruntime"
    assert bilstm.version.endswith("+onnxruntime." + __import__("onnxruntime").__version__)
    torch_path = JigsawBiLSTM(runtime="torch")
    assert "onnxruntime" not in torch_path.version
    assert_same_scores(bilstm.score(MIXED), torch_path.score(MIXED), tol=1e-5)


def test_bilstm_runs_on_one_thread_and_gives_the_process_its_threads_back():
    import torch

    bilstm = JigsawBiLSTM(runtime="torch")
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        seen = []
        original = bilstm.net.forward
        bilstm.net.forward = lambda ids: (seen.append(torch.get_num_threads()), original(ids))[1]
        try:
            bilstm.score(MIXED)
        finally:
            del bilstm.net.forward
        assert seen and set(seen) == {1}
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_bilstm_returns_scores_in_input_order(bilstm):
    forward = bilstm.score(MIXED)
    backward = bilstm.score(MIXED[::-1])
    assert_same_scores(forward, backward[::-1], tol=1e-5)
    assert forward[3]["toxicity"] > 0.9 > forward[0]["toxicity"]


def test_bilstm_scores_a_long_comment_on_its_last_100_words_like_keras(bilstm):
    words = [f"word{i}" for i in range(50)] + STUPID.split() * 20
    long_text = "nice calm " * 100 + " ".join(words)
    last_100 = " ".join(long_text.split()[-100:])
    assert_same_scores(bilstm.score([long_text]), bilstm.score([last_100]), tol=1e-6)


def test_bilstm_scores_an_empty_batch_as_an_empty_list(bilstm):
    assert bilstm.score([]) == []


# --- detoxify (tiny random-weight checkpoint, offline) ---------------------------------------


def test_detoxify_loads_a_local_checkpoint_offline_and_scores_every_label_in_0_1(tiny_detoxify):
    assert tiny_detoxify.name == "detoxify:original"
    assert tiny_detoxify.version.startswith("detoxify==0.5.4+toxic_tiny.ckpt+sha256.")
    assert tiny_detoxify.labels == ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack")
    results = tiny_detoxify.score(MIXED)
    assert len(results) == len(MIXED)
    for scores in results:
        assert tuple(scores) == tiny_detoxify.labels
        assert all(0.0 <= value <= 1.0 for value in scores.values())


def test_detoxify_scores_a_comment_the_same_alone_or_in_a_mixed_batch(tiny_detoxify):
    tiny_detoxify.batch_size = 3  # several length-sorted batches with different padding
    batch = tiny_detoxify.score(MIXED)
    alone = [tiny_detoxify.score([text])[0] for text in MIXED]
    assert_same_scores(batch, alone, tol=1e-5)
    # Random weights still tell texts apart, so the comparison above is not vacuous.
    assert len({round(s["toxicity"], 5) for s in alone}) > 3


def test_detoxify_returns_scores_in_input_order(tiny_detoxify):
    forward = tiny_detoxify.score(MIXED)
    backward = tiny_detoxify.score(MIXED[::-1])
    assert_same_scores(forward, backward[::-1], tol=1e-5)
    assert tiny_detoxify.score([]) == []


# The tiny random model's int8 drift says nothing about a real model's (bench/classify_throughput.py
# measures bert-base's shape), so only bf16's is bounded here.
@pytest.mark.parametrize("option, tol", [("int8", None), ("bf16", 0.05)])
def test_detoxify_reduced_precision_is_opt_in_and_says_so_in_its_version(tiny_checkpoint, tiny_detoxify, monkeypatch,
                                                                         option, tol):
    checkpoint, hf_home = tiny_checkpoint
    use_offline_hf_cache(monkeypatch, hf_home)
    monkeypatch.setenv(DetoxifyClassifier.QUANTIZE_ENV, option)
    reduced = DetoxifyClassifier("original", checkpoint=str(checkpoint))
    assert reduced.version == f"{tiny_detoxify.version}+{option}"
    assert "+" + option not in tiny_detoxify.version
    scores = reduced.score(MIXED)
    assert [tuple(s) for s in scores] == [tiny_detoxify.labels] * len(MIXED)
    assert all(0.0 <= v <= 1.0 for s in scores for v in s.values())
    if tol is not None:
        assert_same_scores(scores, tiny_detoxify.score(MIXED), tol=tol)


def test_detoxify_rejects_an_unknown_precision(tiny_checkpoint, monkeypatch):
    checkpoint, hf_home = tiny_checkpoint
    use_offline_hf_cache(monkeypatch, hf_home)
    monkeypatch.setenv(DetoxifyClassifier.QUANTIZE_ENV, "int4")
    with pytest.raises(ValueError, match="int8"):
        DetoxifyClassifier("original", checkpoint=str(checkpoint))


def test_detoxify_without_weights_offline_is_unavailable_not_a_hang(tmp_path, monkeypatch):
    use_offline_hf_cache(monkeypatch, tmp_path / "empty_hf_home")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # empty torch hub cache
    with pytest.raises(ModelUnavailable):
        DetoxifyClassifier("original")
    with pytest.raises(ModelUnavailable):
        DetoxifyClassifier("original", checkpoint=str(tmp_path / "missing.ckpt"))


# --- registry --------------------------------------------------------------------------------


def test_registry_loads_detoxify_from_a_checkpoint_path_once_per_process(fresh_registry, tiny_checkpoint, monkeypatch):
    checkpoint, hf_home = tiny_checkpoint
    use_offline_hf_cache(monkeypatch, hf_home)
    first = fresh_registry.load_toxicity_classifier("detoxify:original", checkpoint=str(checkpoint))
    assert first.name == "detoxify:original"
    assert fresh_registry.load_toxicity_classifier("detoxify:original", checkpoint=str(checkpoint)) is first


def test_registry_falls_back_to_parleys_model_with_one_warning_when_detoxify_weights_are_missing(
    fresh_registry, tmp_path, monkeypatch, caplog
):
    use_offline_hf_cache(monkeypatch, tmp_path / "empty_hf_home")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    caplog.set_level(logging.WARNING, logger=registry.__name__)
    missing = str(tmp_path / "nope.ckpt")

    first = fresh_registry.load_toxicity_classifier("detoxify:original", checkpoint=missing)
    second = fresh_registry.load_toxicity_classifier("detoxify:original", checkpoint=missing)

    assert first.name == "parley-minilm"
    assert second is first
    warnings = [r for r in caplog.records if "falling back to parley-minilm" in r.getMessage()]
    assert len(warnings) == 1
    assert "toxicity model detoxify:original unavailable" in warnings[0].getMessage()


@pytest.mark.parametrize("spec", ["perspective", "detoxify:huge", "jigsaw-lstm", ""])
def test_registry_rejects_an_unknown_model_spec(fresh_registry, spec):
    with pytest.raises(ValueError, match="unknown"):
        fresh_registry.load_toxicity_classifier(spec)
