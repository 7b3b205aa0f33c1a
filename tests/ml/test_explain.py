"""Occlusion explanations on a real model (the Jigsaw BiLSTM, fast): the marked words are the insult."""
import pytest

from ml.classifiers.bilstm import JigsawBiLSTM
from ml.explain import explain, label_to_explain


@pytest.fixture(scope="module")
def model():
    return JigsawBiLSTM()


def test_the_insulting_words_of_a_long_comment_are_marked(model):
    text = "Thanks for the article. The budget figures are interesting. But honestly you are a pathetic idiot."
    [scores] = model.score([text])
    out = explain(model, text, scores)
    assert "idiot" in out["phrase"] and text[out["start"]:out["end"]] == out["phrase"]
    assert "budget" not in out["phrase"]


def test_a_specific_label_past_its_cut_off_is_explained_before_toxicity():
    scores = {"toxicity": 0.9, "threat": 0.6, "insult": 0.2}
    assert label_to_explain(scores, {"toxicity": {"hold": 0.4}, "threat": {"hold": 0.3}, "insult": {"hold": 0.5}}) == "threat"
    assert label_to_explain(scores, {"toxicity": {"hold": 0.4}, "threat": {"hold": 0.7}, "insult": {"hold": 0.5}}) == "toxicity"


def test_empty_text_has_no_explanation(model):
    assert explain(model, "   ", {"toxicity": 0.1}) == {}
