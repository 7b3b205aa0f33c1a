"""The review queue's order on a realistic mix, as a moderator wrote it down: escalated first,
then threats, identity attacks and severe toxicity (danger first: "ditch", severe toxicity past
its cut-off, is above every insult however reported), then insults, reported ones among them by how trusted their
reporters are, then mild profanity, and harmless pre-moderated comments last; an old imported
comment gets a small tie-breaking lift from its wait in the queue, never eleven years' worth.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from blog.models import Comment, CommentReport
from moderation.queue import selectors
from moderation.queue.decisions import comment_decide
from moderation.queue.services import queue_rerank
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.moderation.queue.helpers import moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db

WRITTEN_2015 = datetime(2015, 3, 14, 9, 0, tzinfo=UTC)

# (key, text, scores, how it got here). "imported": written in 2015, imported and scored three days
# ago; "reported N trusted|unknown": published, with N open reports by readers whose past reports
# were all upheld, or who have none; "premoderated": held whatever its scores.
COMMENTS = [
    ("escalated", "I know where you live and when you walk your dog.", {"threat": 0.45}, "escalated"),
    ("skull", "Say that again and I'll smash your skull in with a brick.", {"threat": 0.88, "toxicity": 0.85}, ""),
    ("kitchen", "Women like her belong in the kitchen, not in parliament.", {"identity_attack": 0.78, "toxicity": 0.70}, ""),
    ("rally", "If I ever see you at the rally I'll punch you.", {"threat": 0.50}, "imported"),
    ("legs", "Someone should break both your legs for writing this.", {"threat": 0.62, "toxicity": 0.55}, ""),
    ("moron", "You're a clueless moron, stop posting.", {"insult": 0.45}, "reported 3 trusted"),
    ("ditch", "Go rot in a ditch, you worthless piece of filth.", {"severe_toxicity": 0.50, "toxicity": 0.90, "insult": 0.70}, ""),
    ("idiot", "You are a pathetic idiot and everyone knows it.", {"insult": 0.85, "toxicity": 0.80}, ""),
    ("sheep", "Anyone who believes this is a brain-dead sheep.", {"insult": 0.62}, "imported"),
    ("dumbest", "This is the dumbest take I've read all year.", {"insult": 0.40}, "reported 2 unknown"),
    ("bloody", "This bloody council can't fix a pothole.", {"obscene": 0.60}, "imported"),
    ("hell", "What the hell is this garbage?", {"obscene": 0.65, "toxicity": 0.62}, ""),
    ("rubbish", "Honestly this is a bit rubbish.", {"toxicity": 0.60}, ""),
    ("tram", "Great point about the tram lines.", {}, "imported premoderated"),
    ("thanks", "Thanks, I learned something today.", {}, "premoderated"),
]
# What a moderator wants to see first, top to bottom.
EXPECTED = ["escalated", "skull", "kitchen", "rally", "legs", "ditch", "moron", "idiot", "sheep", "dumbest",
            "bloody", "hell", "rubbish", "tram", "thanks"]


def _trusted_reporter(name: str):
    reporter = UserFactory(username=name)
    for _ in range(4):  # four past reports, every one upheld by a moderator
        CommentReport.objects.create(comment=CommentFactory(status=Comment.Status.REJECTED), reporter=reporter,
                                     reason="abuse", upheld=True)
    return reporter


def test_the_queue_order_is_the_one_a_moderator_wrote_down(moderator):  # noqa: F811
    now = timezone.now()
    article = ArticleFactory()
    trusted = [_trusted_reporter(f"trusted{i}") for i in range(3)]
    ids = {}
    for key, text, tox, how in COMMENTS:
        fields = {"article": article, "rerank": False}
        if "imported" in how:
            fields.update(created_at=WRITTEN_2015, queued_at=now - timedelta(days=3))
        if "premoderated" in how or "escalated" in how:
            fields["status"] = Comment.Status.HELD
        if "reported" in how:
            fields["status"] = Comment.Status.PUBLISHED
        comment = queued_comment(text=text, tox=tox, **fields)
        if "reported" in how:
            n = int(how.split()[1])
            reporters = trusted[:n] if "trusted" in how else [UserFactory() for _ in range(n)]
            for reporter in reporters:
                CommentReport.objects.create(comment=comment, reporter=reporter, reason="abusive")
        ids[key] = comment.pk
    assert all(Comment.objects.get(pk=ids[k]).status == Comment.Status.HELD
               for k, _, _, how in COMMENTS if "reported" not in how)
    queue_rerank(comment_ids=list(ids.values()))
    comment_decide(comment_id=ids["escalated"], moderator=moderator, action="escalate", reason="a doxxing threat")

    by_pk = {pk: key for key, pk in ids.items()}
    ranked = Comment.objects.filter(pk__in=ids.values()).order_by("-queue_rank", "-id").values_list("pk", flat=True)
    assert [by_pk[pk] for pk in ranked] == EXPECTED

    # The held tab shows the same order, less the reported (published) ones, which have their own tab.
    held = selectors.review_queue(filters=selectors.QueueFilters(tab="held")).cards
    assert [by_pk[c.comment.pk] for c in held] == [k for k in EXPECTED if k not in ("moron", "dumbest")]
    reported = selectors.review_queue(filters=selectors.QueueFilters(tab="reported")).cards
    assert [by_pk[c.comment.pk] for c in reported] == ["moron", "dumbest"]
    # Each card says why it is where it is.
    reasons = {by_pk[c.comment.pk]: c.rank_reason for c in held}
    assert reasons["escalated"] == "escalated by a moderator"
    assert reasons["skull"] == "threat 0.88"
    assert reasons["kitchen"] == "identity attack 0.78"
    assert reasons["ditch"] == "severe toxicity 0.50"
    assert reasons["idiot"] == "insult 0.85"
