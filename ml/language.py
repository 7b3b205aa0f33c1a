"""Which language a comment is written in, so text a model cannot read is never published unread.

py3langid (BSD, ships its model in the wheel; nothing is downloaded) names the language. Its guess on
a few words of Latin-script text is weak ("lol" reads as Sesotho, "Nice one mate!" as Pidgin), and
holding short English comments would bury moderators, so a comment gets a language only when the
evidence is clear:

* letters of a non-Latin script (Han, Cyrillic, Arabic, ...) make up most of its letters: the script
  decides, and py3langid picks among the languages written in it;
* Latin-script text of at least ``MIN_LATIN_WORDS`` words: English when English is py3langid's top
  guess among widely written Latin-script languages; another language when that language has a
  normalised probability of at least ``MIN_PROBABILITY`` and English under ``MAX_ENGLISH_FOR_OTHER``
  ("Eres un idiota y un mentiroso, cállate" is Spanish at 0.79, English slang stays English).
Otherwise the answer is ``UNDETERMINED`` and the comment is read as the model's own language.
Knows nothing of Django.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

UNDETERMINED = "und"
MIN_LATIN_WORDS = 3
MIN_PROBABILITY = 0.6  # of the top language among LATIN_LANGUAGES (English must also score under 5 %)
MAX_ENGLISH_FOR_OTHER = 0.05
# Latin-script languages with a large written web presence; a narrower set keeps py3langid from
# naming a rare language for short English text.
LATIN_LANGUAGES = ("en", "es", "fr", "de", "it", "pt", "nl", "sv", "da", "no", "fi", "pl", "cs", "sk", "hu",
                   "ro", "hr", "sl", "tr", "id", "ms", "tl", "vi", "ca", "eu", "gl", "et", "lv", "lt", "sq",
                   "sw", "af", "la", "eo", "ga", "cy", "is")
NAMES = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "it": "Italian", "pt": "Portuguese",
         "nl": "Dutch", "ru": "Russian", "uk": "Ukrainian", "zh": "Chinese", "ja": "Japanese", "ko": "Korean",
         "ar": "Arabic", "hi": "Hindi", "tr": "Turkish", "pl": "Polish", "sv": "Swedish", "fa": "Persian",
         "he": "Hebrew", "el": "Greek", "th": "Thai", "vi": "Vietnamese", "id": "Indonesian", "bg": "Bulgarian",
         "sr": "Serbian", "ur": "Urdu", "bn": "Bengali", "ta": "Tamil", UNDETERMINED: "undetermined"}


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, or "und"
    probability: float  # py3langid's normalised probability; 1.0 when the script alone decided

    @property
    def name(self) -> str:
        return language_name(self.code)


def language_name(code: str) -> str:
    return NAMES.get(code, code)


@functools.lru_cache(maxsize=1)
def _identifiers():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    everything = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    latin = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    latin.set_languages(list(LATIN_LANGUAGES))
    return everything, latin


def _script_share(text: str) -> tuple[int, int]:
    """(letters, letters outside the Latin script)."""
    letters = other = 0
    for ch in text:
        if ch.isalpha():
            letters += 1
            if "LATIN" not in unicodedata.name(ch, ""):
                other += 1
    return letters, other


_WORD = re.compile(r"[^\W\d_]{2,}")


def detect_language(text: str) -> Language:
    """The comment's language, or ``UNDETERMINED`` when the evidence is too thin (see the module doc)."""
    letters, other = _script_share(text)
    if letters == 0:
        return Language(UNDETERMINED, 0.0)
    everything, latin = _identifiers()
    if other * 2 > letters:
        code, _ = everything.classify(text)
        return Language(code, 1.0)
    if len(_WORD.findall(text)) < MIN_LATIN_WORDS:
        return Language(UNDETERMINED, 0.0)
    ranked = dict(latin.rank(text))
    code = max(ranked, key=ranked.get)
    probability = float(ranked[code])
    if code == "en" or (probability >= MIN_PROBABILITY and ranked.get("en", 0.0) < MAX_ENGLISH_FOR_OTHER):
        return Language(code, probability)
    return Language(UNDETERMINED, probability)
