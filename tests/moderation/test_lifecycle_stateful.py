"""The human-in-the-loop guarantee under any order of events (hypothesis' stateful testing).

Random sequences of post / worker verdict / edit / delete / a moderator opening a card and
deciding from it / undo / appeal / ban / a policy saved and re-applied / like, driven through the
services a person's request reaches, with the invariants checked after every step:

- a moderator's decision is always about the exact text their card showed;
- published text was vetted: scored as it stands now and passed, or approved by a moderator
  (no author edit after the comment became published);
- a banned author's edit or post never goes through;
- each moderator decision has exactly one audit entry;
- no notification stands for a decision that was reversed, and a reply notifies at most once;
- like counts equal their rows.

`make test` runs a bounded, derandomized number of examples; `make fuzz` a long random run
(PARLEY_FUZZ_EXAMPLES, PARLEY_FUZZ_RANDOM=1, tests/fuzzing.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule, run_state_machine_as_test

from blog import services as blog_services
from blog.models import Comment, CommentLike
from moderation import lifecycle, rules
from moderation.commenter import EDIT_ACTIONS
from moderation.models import Analysis, ModerationEvent, Policy
from moderation.policy import services as policy_services
from moderation.queue.decisions import AlreadyDecided, comment_decide
from moderation.queue.standing import author_standing_set
from moderation.queue.undo import NotReversible, comment_undo
from notifications.models import Notification
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.fuzzing import fuzz_settings
from tests.moderation.policy.helpers import _group
from tests.moderation.queue.helpers import scores

pytestmark = pytest.mark.django_db

TEXTS = st.sampled_from(["A fair point.", "You are an idiot.", "I will kill you.", "Agreed, mostly.", "Nonsense!"])
SCORES = st.fixed_dictionaries({
    "toxicity": st.sampled_from([0.01, 0.7, 0.99]),
    "insult": st.sampled_from([0.01, 0.6, 0.99]),
    "threat": st.sampled_from([0.01, 0.5, 0.95]),
})


@dataclass(frozen=True)
class CardSeen:
    status: str
    seen_event: int
    revision: str


class CommentLife(RuleBasedStateMachine):
    comments = Bundle("comments")

    def __init__(self):
        super().__init__()
        # Each example runs in a savepoint of the test's transaction and is rolled back after.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.article = ArticleFactory()
        self.author = UserFactory()
        self.reader = UserFactory()
        self.moderator = UserFactory()
        self.moderator.groups.add(_group("moderators", "can_moderate"))
        self.admin = UserFactory()
        self.admin.groups.add(_group("policy admins", "change_policy", "can_moderate"))
        self.parent = CommentFactory(author=self.reader, article=self.article, status="published")
        self.cards: dict[int, CardSeen] = {}
        self.decisions = 0
        self.banned = False

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _comment(self, cid: int) -> Comment:
        return Comment.objects.get(pk=cid)

    @rule(target=comments, reply=st.booleans(), text=TEXTS)
    def post(self, reply, text):
        try:
            comment = blog_services.comment_create(article=self.article, author=self.author, text=text,
                                                   parent=self.parent if reply else None)
        except ValidationError as exc:
            assert self.banned and "author" in exc.message_dict
            return multiple()
        assert not self.banned
        return comment.pk

    @rule(cid=comments, tox=SCORES)
    def worker_scores(self, cid, tox):
        comment = self._comment(cid)
        if comment.status != Comment.Status.PENDING or Analysis.objects.filter(comment=comment).exists():
            return
        policy = Policy.objects.get(is_active=True)
        s = scores(**tox)
        Analysis.objects.create(comment=comment, scores=s, toxicity_model="test", stance_article={},
                                stance_model="test", toxicity_ms=1.0, stance_ms=1.0)
        lifecycle.comment_worker_decided(comment=comment, verdict=rules.decide(s, policy.thresholds), scores=s,
                                         policy=policy)

    @rule(cid=comments, text=TEXTS)
    def author_edits(self, cid, text):
        before = self._comment(cid)
        try:
            blog_services.comment_edit(comment=before, author=self.author, text=text)
        except PermissionDenied:
            assert self.banned
        except ValidationError:
            pass
        else:
            assert not self.banned, "a banned author's edit went through"
            return
        after = self._comment(cid)
        assert (after.text, after.status) == (before.text, before.status)

    @rule(cid=comments)
    def author_deletes(self, cid):
        try:
            blog_services.comment_delete(comment=self._comment(cid), author=self.author)
        except (PermissionDenied, ValidationError):
            pass

    @rule(cid=comments)
    def moderator_opens_card(self, cid):
        comment = self._comment(cid)
        last = (ModerationEvent.objects.filter(comment=comment).exclude(action__in=(*EDIT_ACTIONS, "escalate"))
                .order_by("-id").values_list("id", flat=True).first())
        self.cards[cid] = CardSeen(comment.status, last or 0, lifecycle.text_revision(comment.text))

    @rule(cid=comments, action=st.sampled_from(["approve", "reject"]), pinned=st.booleans())
    def moderator_decides_from_card(self, cid, action, pinned):
        card = self.cards.get(cid)
        if card is None:
            return
        try:
            event = comment_decide(comment_id=cid, moderator=self.moderator, action=action, reason="Not civil.",
                                   expected_status=card.status, seen_event_id=card.seen_event,
                                   revision=card.revision if pinned else None)
        except AlreadyDecided:
            return
        self.decisions += 1
        assert lifecycle.text_revision(self._comment(cid).text) == card.revision, "decided text nobody saw"
        assert event.new_status == ("published" if action == "approve" else "rejected")

    @rule(cid=comments)
    def moderator_undoes(self, cid):
        try:
            comment_undo(comment_id=cid, moderator=self.moderator)
        except NotReversible:
            pass

    @rule(cid=comments)
    def author_appeals(self, cid):
        try:
            blog_services.comment_appeal(comment=self._comment(cid), author=self.author, note="Please look again.")
        except ValidationError:
            pass

    @rule(banned=st.booleans())
    def moderator_sets_standing(self, banned):
        try:
            author_standing_set(author=self.author, moderator=self.moderator, banned=banned)
        except ValidationError:
            pass
        self.banned = banned

    @rule(hold=st.sampled_from([0.3, 0.65, 0.9]))
    def admin_saves_and_reapplies(self, hold):
        thresholds = {label: dict(cut) for label, cut in Policy.objects.get(is_active=True).thresholds.items()}
        for label in ("toxicity", "insult", "threat"):
            thresholds[label] = {"hold": hold, "reject": 0.98}
        policy_services.policy_save(thresholds=thresholds, premoderate_all=False, on_failure="hold", note="",
                                    admin=self.admin, acknowledge_warnings=True)
        policy_services.held_reapply(admin=self.admin)

    @rule(cid=comments)
    def reader_toggles_like(self, cid):
        comment = self._comment(cid)
        try:
            if not blog_services.comment_like(comment=comment, user=self.reader):
                blog_services.comment_unlike(comment=comment, user=self.reader)
        except ValidationError:
            pass

    @invariant()
    def published_text_was_vetted(self):
        for comment in Comment.objects.filter(author=self.author, status="published"):
            events = list(ModerationEvent.objects.filter(comment=comment).order_by("id"))
            became = [e for e in events if e.new_status == "published" and e.previous_status != "published"]
            last_edit = max((e.pk for e in events if e.action in EDIT_ACTIONS), default=0)
            assert became and became[-1].pk > last_edit, f"comment {comment.pk} published after an unvetted edit"
            if became[-1].action == "auto_publish":
                assert Analysis.objects.filter(comment=comment).exists(), "published by the model without scores"

    @invariant()
    def a_moderators_rejection_is_undone_only_by_a_moderator(self):
        for comment in Comment.objects.filter(author=self.author, status="published"):
            verdict = lifecycle.standing_human_verdict(comment=comment)
            assert verdict in (None, "approve"), f"comment {comment.pk} published over a rejection"

    @invariant()
    def one_audit_entry_per_decision(self):
        n = ModerationEvent.objects.filter(actor=self.moderator, action__in=rules.HUMAN_DECISIONS).count()
        assert n == self.decisions

    @invariant()
    def notifications_match_the_record(self):
        reversed_ids = set(ModerationEvent.objects.filter(action="undo").values_list("reverses_id", flat=True))
        stale = Notification.objects.filter(event_id__in=reversed_ids)
        assert not stale.exists(), [n.text for n in stale]
        for comment_id in Comment.objects.filter(author=self.author).values_list("pk", flat=True):
            assert Notification.objects.filter(comment_id=comment_id, kind="reply").count() <= 1

    @invariant()
    def like_counts_equal_rows(self):
        for comment in Comment.objects.filter(article=self.article):
            assert comment.like_count == CommentLike.objects.filter(comment=comment).count()


def test_a_comments_life_keeps_its_promises_in_any_order():
    settings = fuzz_settings(default_examples=int(os.environ.get("PARLEY_LIFECYCLE_EXAMPLES", 100)))
    settings = type(settings)(settings, stateful_step_count=15)
    run_state_machine_as_test(CommentLife, settings=settings)
