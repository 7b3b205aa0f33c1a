"""Parley's own toxicity model on real sentences, with the shipped weights (no database, no stub)."""
from __future__ import annotations

import logging
import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

from ml.classifiers import registry  # noqa: E402
from ml.classifiers.base import ModelUnavailable, ToxicityClassifier  # noqa: E402
from ml.classifiers.minilm_toxicity import LABELS, SENTENCE_LABELS, MiniLMToxicity, deobfuscate, sentences  # noqa: E402


@pytest.fixture(scope="module")
def model() -> MiniLMToxicity:
    return MiniLMToxicity.from_dir()


def test_it_is_a_toxicity_classifier_with_detoxify_label_names(model):
    assert isinstance(model, ToxicityClassifier)
    assert model.name == "parley-minilm"
    assert model.labels == LABELS
    assert model.languages == ("en",)
    assert model.version.split("-")[0] == model.meta["weights_sha256_10"]


@pytest.mark.parametrize("text", [
    "I will wait for you outside the council offices and break both your legs. I know where you live.",
    "Margaret, I know which house is yours. I am going to come round one night and smash your skull in with a brick.",
    "Keep writing lies like this and someone will put a bullet in you.",
])
def test_threats_score_as_threats(model, text):
    [scores] = model.score([text])
    assert scores["threat"] >= 0.5, scores


@pytest.mark.parametrize("text", [
    "Being a Muslim woman is wonderful.",
    "I am a proud gay man and I agree with this article.",
    "My neighbour is Black and she runs the food bank.",
    "As a Jewish reader I found this piece fair.",
    "Our new doctor is transgender and very kind.",
])
def test_naming_an_identity_group_is_not_toxic(model, text):
    [scores] = model.score([text])
    assert scores["toxicity"] < 0.3 and scores["identity_attack"] < 0.3, scores


def test_attacks_on_a_group_are_identity_attacks(model):
    [scores] = model.score(["Women are lazy and hysterical and should not be allowed to vote."])
    assert scores["identity_attack"] >= 0.5, scores


@pytest.mark.parametrize("text", [
    "I respectfully disagree: the numbers in this article do not support its conclusion.",
    "Oh wonderful, another tax. Exactly what struggling families needed.",
    "This band absolutely killed it last night.",
])
def test_disagreement_and_figures_of_speech_are_not_toxic(model, text):
    [scores] = model.score([text])
    assert max(scores.values()) < 0.3, scores


@pytest.mark.parametrize("plain, hidden", [
    ("you are an idiot", "you are an 1d10t"),
    ("what an idiot", "what an id!ot"),
    ("fuck you", "f u c k you"),
])
def test_look_alike_spellings_score_like_the_plain_word(model, plain, hidden):
    [a, b] = model.score([plain, hidden])
    assert b["toxicity"] >= 0.5 and b["toxicity"] == pytest.approx(a["toxicity"], abs=0.15), (a, b)


def test_deobfuscate_leaves_ordinary_numbers_and_words_alone():
    assert deobfuscate("In 2024, 5 people came at 7:30") == "In 2024, 5 people came at 7:30"
    assert deobfuscate("you 1d10t") == "you idiot"
    assert deobfuscate("s h u t up") == "shut up"


def test_an_insult_at_the_end_of_a_long_comment_is_read(model):
    long_text = "The council's budget has many line items worth discussing. " * 40 + "You are a pathetic idiot."
    [scores] = model.score([long_text])
    assert scores["insult"] >= 0.5, scores


GROUP_ATTACK = ("Why are we taking energy advice from foreigners? Immigrants are a plague on this country: they "
                "breed like rats, take our jobs and then lecture us. Send every last one of them back.")
DEMO_THREAT = ("Margaret, I know which house is yours. I am going to come round one night and smash your skull in "
               "with a brick, and nobody will stop me.")


def test_a_group_attack_inside_a_longer_comment_is_read_by_its_sentence(model):
    # Read whole, the demo's group attack scores identity_attack 0.12, under the shipped 0.17 hold
    # line: the sentence that does the harm is diluted by the ones around it.
    whole = MiniLMToxicity(model.model, model.tokenizer, version=model.version, calibration=model.calibration,
                           sentence_labels=())
    [attack_whole, threat_whole] = whole.score([GROUP_ATTACK, DEMO_THREAT])
    [attack, threat] = model.score([GROUP_ATTACK, DEMO_THREAT])
    assert attack_whole["identity_attack"] < 0.17 <= attack["identity_attack"], (attack_whole, attack)
    # The other labels keep the whole reading their cut-offs were tuned on: the demo's threat stays
    # held for a moderator rather than crossing the 0.90 reject line by its sentence.
    for label in set(LABELS) - set(SENTENCE_LABELS):
        assert attack[label] == pytest.approx(attack_whole[label], abs=1e-6)
        assert threat[label] == pytest.approx(threat_whole[label], abs=1e-6)


def test_sentences_are_split_at_their_ends_and_fragments_are_not_read_alone():
    text = 'Yes. I think so! He said "stop." Then he left.\nA new line here'
    assert sentences(text) == ["I think so!", 'He said "stop."', "Then he left.", "A new line here"]
    assert sentences("One sentence, read whole already.") == []
    assert sentences("Version 2.5 of the plan is fine") == []


def test_batches_score_like_single_comments(model):
    texts = ["ok", "You are a stupid idiot.", "Thanks for the article!", "word " * 300]
    batch = model.score(texts)
    for text, scores in zip(texts, batch):
        [alone] = model.score([text])
        for label in LABELS:
            assert scores[label] == pytest.approx(alone[label], abs=1e-4)


def test_missing_weights_fall_back_to_the_bilstm_with_one_warning(tmp_path, monkeypatch, caplog):
    from ml.classifiers import minilm_toxicity

    monkeypatch.setattr(minilm_toxicity, "DEFAULT_WEIGHTS_DIR", tmp_path)
    registry.clear_caches()
    try:
        with pytest.raises(ModelUnavailable):
            MiniLMToxicity.from_dir(tmp_path)
        with caplog.at_level(logging.WARNING, logger="ml.classifiers.registry"):
            first = registry.load_toxicity_classifier("parley-minilm")
            again = registry.load_toxicity_classifier("parley-minilm")
        assert first is again and first.name == "jigsaw-bilstm"
        warnings = [r for r in caplog.records if "falling back" in r.getMessage()]
        assert len(warnings) == 1 and "parley-minilm" in warnings[0].getMessage()
    finally:
        registry.clear_caches()
