"""Which words of a comment drive its top label: occlusion with the model that scored it.

Score each sentence on its own and take the one the label rates highest; in that sentence, leave out
each run of three words and rescore the sentence; the runs whose absence matters most, and the span
between them, are the phrase a moderator (and the comment's author) is shown: "may contain a
threat: 'break both your legs'". Run by the worker on held and rejected comments only, never on the
POST path or a page view. Knows nothing of Django.

Every input is one sentence, never the whole comment: about one comment's worth of text for the
sentences and a few more for the runs. Leaving each sentence and each run out of the *whole* text
(the first version) cost up to 50 full-length forward passes per held comment, and was 63 % of a
worker's time in bench/drain.py (py-spy, 2026-12-06) with 15 % of comments held.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

MAX_SENTENCES = 12
MAX_WORDS = 40
MAX_PHRASE_WORDS = 8
WINDOW = 3  # words left out together
# Labels that say *what* is wrong come before the generic one when they are near the top.
SPECIFIC = ("threat", "identity_attack", "severe_toxicity", "insult", "obscene", "sexual_explicit")

# Words that carry no meaning of their own at a phrase's edge ("and I will break both" reads as
# "I will break both"; "Eres un idiota y un" as "Eres un idiota"): English, Spanish, French, German.
FILLER_WORDS = frozenset("""
a an the and or but nor so of to in on at by for with as than then
y e o u ni un una unos unas el la los las lo de del al que en con por
et ou le la les l un une des du de d au aux en que qui
und oder aber ein eine einen einem einer der die das den dem des zu im am
""".split())
_EDGE_PUNCTUATION = " ,;:.!?-\"'«»“”‘’()"
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*", re.UNICODE)
_WORD = re.compile(r"\S+")


def label_to_explain(scores: Mapping[str, float], thresholds: Mapping[str, Mapping[str, float]] | None = None) -> str:
    """The label a moderator should read first: the specific label furthest past its hold cut-off
    (or highest, without thresholds), else ``toxicity``."""
    def margin(label: str) -> float:
        cut = (thresholds or {}).get(label, {}).get("hold", 0.0)
        return scores[label] - cut

    crossed = [lab for lab in SPECIFIC if lab in scores and margin(lab) >= 0]
    if crossed:
        return max(crossed, key=margin)
    if thresholds is None:
        return max(scores, key=scores.get)
    return "toxicity" if "toxicity" in scores else max(scores, key=scores.get)


def _spans(pattern: re.Pattern, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    end = len(text) if end is None else end
    return [(start + m.start(), start + m.end()) for m in pattern.finditer(text[start:end]) if m.group().strip()]


def _is_filler(word: str) -> bool:
    return word.strip(_EDGE_PUNCTUATION).lower() in FILLER_WORDS


def trim_fillers(text: str, words: Sequence[tuple[int, int]], first: int, last: int) -> tuple[int, int]:
    """``first``..``last`` (indices into ``words``, spans of ``text``) without filler words at
    either edge; a phrase that is all filler is left as it was."""
    while first < last and _is_filler(text[words[first][0]:words[first][1]]):
        first += 1
    while last > first and _is_filler(text[words[last][0]:words[last][1]]):
        last -= 1
    return first, last


def _without(text: str, span: tuple[int, int]) -> str:
    return (text[:span[0]] + " " + text[span[1]:]).strip()


def explain(classifier, text: str, scores: Mapping[str, float], *,
            thresholds: Mapping[str, Mapping[str, float]] | None = None) -> dict:
    """``{"label", "score", "phrase", "start", "end"}`` (character offsets into ``text``), or ``{}``
    for an empty text. ``classifier`` is the ToxicityClassifier that produced ``scores``."""
    if not text.strip():
        return {}
    label = label_to_explain(scores, thresholds)
    sentences = _spans(_SENTENCE, text)[:MAX_SENTENCES]
    if len(sentences) > 1:
        alone = [s[label] for s in classifier.score([text[a:b] for a, b in sentences])]
        top = max(range(len(sentences)), key=alone.__getitem__)
        (s_start, s_end), base = sentences[top], float(alone[top])
    else:
        (s_start, s_end), base = (sentences[0] if sentences else (0, len(text))), float(scores[label])
    words = _spans(_WORD, text, s_start, s_end)[:MAX_WORDS]
    if not words:
        return {}
    # Leave out each run of WINDOW words: a threat lives in a phrase ("break both your legs"), and
    # leaving out one of its words barely moves the score while the others still carry it.
    width = min(WINDOW, len(words))
    runs = [(i, i + width - 1) for i in range(len(words) - width + 1)]
    sentence = text[s_start:s_end]
    drops = [base - s[label] for s in classifier.score(
        [_without(sentence, (words[i][0] - s_start, words[j][1] - s_start)) for i, j in runs])]
    best = max(range(len(runs)), key=drops.__getitem__)
    marked = [k for k, d in enumerate(drops) if d > 0 and d >= 0.6 * drops[best]] or [best]
    first, last = runs[min(marked)][0], runs[max(marked)][1]
    if last - first + 1 > MAX_PHRASE_WORDS:
        first = max(first, runs[best][0] - (MAX_PHRASE_WORDS - width) // 2)
        last = min(last, first + MAX_PHRASE_WORDS - 1)
    first, last = trim_fillers(text, words, first, last)
    start, end = words[first][0], words[last][1]
    phrase = text[start:end].strip(" ,;:.!?-\"'")
    start = text.find(phrase, start)
    return {"label": label, "score": round(float(scores[label]), 4), "phrase": phrase, "start": start,
            "end": start + len(phrase)}
