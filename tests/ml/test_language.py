"""Language identification: the issue's examples are named, short English is not mistaken."""
import pytest

from ml.language import UNDETERMINED, detect_language


@pytest.mark.parametrize("text, code", [
    ("你这个白痴，滚出去，闭嘴吧，垃圾作者", "zh"),
    ("Eres un idiota y un mentiroso, cállate", "es"),
    ("Ты идиот, заткнись", "ru"),
    ("Das ist ein schlechter Artikel, du Idiot", "de"),
    ("I disagree with the author on this one", "en"),
    ("Yeah right lmao ur so dumb", "en"),
])
def test_languages_are_named(text, code):
    assert detect_language(text).code == code


@pytest.mark.parametrize("text", ["lol", "Good post", "x" * 5000, "12345", ""])
def test_too_little_evidence_is_undetermined(text):
    assert detect_language(text).code == UNDETERMINED


@pytest.mark.parametrize("text", ["Nice one mate!", "ur a moron get lost", "Cheers, great read", "gr8 article thx"])
def test_short_english_is_never_taken_for_another_language(text):
    assert detect_language(text).code in ("en", UNDETERMINED)


def test_a_latin_name_inside_english_keeps_it_english():
    assert detect_language("Margaret Okafor is wrong about the budget again").code == "en"
