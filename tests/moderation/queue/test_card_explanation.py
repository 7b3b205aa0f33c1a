"""A card says what is wrong: the phrase behind the top label marked in the text, the "why held"
line in plain words, and the model names behind a details toggle."""
from __future__ import annotations

import pytest

from moderation.models import Analysis
from tests.moderation.queue.helpers import client_for, moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def explained(text: str, phrase: str, label: str = "threat", score: float = 0.8):
    comment = queued_comment(text=text, tox={label: score})
    start = text.index(phrase)
    Analysis.objects.filter(comment=comment).update(
        explanation={"label": label, "score": score, "phrase": phrase, "start": start, "end": start + len(phrase)})
    return comment


def test_card_marks_the_phrase_and_says_why_in_words(moderator):  # noqa: F811
    explained("Say that again and someone will break both your legs. Cheers.", "break both your legs")

    html = client_for(moderator).get("/moderation/").content.decode()

    assert 'someone will <mark class="why">break both your legs</mark>. Cheers.' in html
    assert "<strong>Why held:</strong> may contain a threat: &quot;break both your legs&quot;" in html
    # Model names are for whoever wants them, behind a toggle, not on the card's face.
    assert '<details class="models muted"><summary>Details</summary>' in html and "detoxify:original" in html


def test_the_marked_phrase_is_escaped(moderator):  # noqa: F811
    explained("Look: <script>alert(1)</script> you <b>die</b> tonight", "<b>die</b> tonight")

    html = client_for(moderator).get("/moderation/").content.decode()

    assert "<script>alert(1)" not in html and "<b>die</b>" not in html
    assert '<mark class="why">&lt;b&gt;die&lt;/b&gt; tonight</mark>' in html


def test_offsets_that_no_longer_match_the_text_mark_nothing(moderator):  # noqa: F811
    comment = explained("You idiot, honestly.", "idiot", label="insult")
    comment.text = "Edited: I was rude, sorry."
    comment.save(update_fields=["text"])

    html = client_for(moderator).get("/moderation/").content.decode()

    assert "<mark" not in html and "Why held" not in html and "Edited: I was rude, sorry." in html


def test_the_api_card_carries_the_explanation(moderator):  # noqa: F811
    explained("I will find you and hurt you.", "hurt you")

    card = client_for(moderator).get("/api/moderation/queue/").json()["results"][0]

    assert card["explanation"] == {"label": "threat", "phrase": "hurt you", "start": 20, "end": 28,
                                   "in_words": 'may contain a threat: "hurt you"'}
