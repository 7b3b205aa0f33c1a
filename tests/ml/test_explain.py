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


@pytest.mark.parametrize("phrase, trimmed", [
    ("and I will break both", "I will break both"),
    ("a pathetic idiot and", "pathetic idiot"),
    ("Eres un idiota y un", "Eres un idiota"),
    ("et le pire des idiots et", "pire des idiots"),
    ("the", "the"),  # all filler: left as it was
    ("break both your legs", "break both your legs"),
])
def test_the_marked_phrase_neither_starts_nor_ends_on_a_filler_word(phrase, trimmed):
    from ml.explain import _WORD, _spans, trim_fillers

    words = _spans(_WORD, phrase)
    first, last = trim_fillers(phrase, words, 0, len(words) - 1)
    assert phrase[words[first][0]:words[last][1]] == trimmed
