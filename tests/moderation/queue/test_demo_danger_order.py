"""Danger first, on the demo as the real model scores it: in the held tab the two threats and
the group attack on immigrants come before every insult (moderation/queue/ranking.py: the
severity class decides, the score and the waiting time only order a class), and each card says
why it is where it is."""
import pytest

from blog.demo import DEMO_COMMENT_KINDS
from moderation.queue import selectors
from tests.moderation.test_demo_outcomes import scored_demo  # noqa: F401 - the demo, scored by parley-minilm

pytestmark = pytest.mark.django_db

GROUP_ATTACK = "Why are we taking energy advice from foreigners?"  # "... Immigrants ... breed like rats"


def _held_tab(scored_demo):  # noqa: F811
    cards = selectors.review_queue(filters=selectors.QueueFilters(tab="held"), limit=100).cards
    return [(DEMO_COMMENT_KINDS.get(c.comment.text, "other"), c) for c in cards]


def test_the_two_threats_rank_above_every_insult_and_say_so(scored_demo):  # noqa: F811
    held = _held_tab(scored_demo)
    kinds = [kind for kind, _ in held]
    threats = [i for i, kind in enumerate(kinds) if kind == "threat"]
    insults = [i for i, kind in enumerate(kinds) if kind == "insult"]
    assert len(threats) == 2 and insults, kinds
    assert max(threats) < min(insults), kinds
    assert all(held[i][1].rank_reason.startswith("threat ") for i in threats), [held[i][1].rank_reason for i in threats]


def test_the_threats_and_the_group_attack_are_the_top_three_above_every_insult(scored_demo):  # noqa: F811
    held = _held_tab(scored_demo)
    first_insult = next(i for i, (kind, _) in enumerate(held) if kind == "insult")
    above_insults = [c.comment.text for _, c in held[:first_insult]]
    threats = [c.comment.text for kind, c in held if kind == "threat"]
    group_attack = next(c.comment.text for _, c in held if c.comment.text.startswith(GROUP_ATTACK))
    assert set(threats) | {group_attack} <= set(above_insults), [
        (kind, c.rank_reason, c.comment.text[:40]) for kind, c in held]
    # Only grave cards come before them: they are in the top three ranks of danger.
    assert all(kind in ("threat", "identity_attack") for kind, _ in held[:first_insult])
