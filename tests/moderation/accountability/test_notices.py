"""Notice of illegal content (DSA Art. 16): a reader names the law and says why; the notice has
its own tab for moderators; a legality decision besides the moderation decision; the reporter
is told the outcome; the author gets a statement whose ground is the law."""
from __future__ import annotations

import pytest

from blog.models import Comment
from moderation.accountability.models import IllegalContentNotice, StatementOfReasons
from notifications.models import Notification
from tests.factories import CommentFactory

from .helpers import client_for, moderator  # noqa: F401

pytestmark = pytest.mark.django_db


def test_notice_through_to_the_reporters_notice_and_the_authors_statement(reader, other_reader, moderator):
    comment = CommentFactory(author=reader, text="Mr X stole from the till, everyone knows it.")
    article_page = client_for(other_reader).get(comment.article.get_absolute_url()).content.decode()
    assert f"/moderation/comments/{comment.pk}/report-illegal/" in article_page
    sent = client_for(other_reader).post(f"/moderation/comments/{comment.pk}/report-illegal/", {
        "law": "Defamation, § 186 StGB", "explanation": "It accuses a named person of theft without any basis.", "confirm": "on"})
    assert sent.status_code == 302

    tab = client_for(moderator).get("/moderation/notices/").content.decode()
    assert "Defamation, § 186 StGB" in tab and "accuses a named person" in tab
    notice = IllegalContentNotice.objects.get(comment=comment)
    decided = client_for(moderator).post(f"/moderation/notices/{notice.pk}/decide/", {
        "legality": "illegal", "legal_ground": "§ 186 StGB (defamation)", "remove": "on",
        "reason": "It states as fact an accusation of a crime against a named person."})
    assert decided.status_code == 302

    comment.refresh_from_db()
    notice.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    assert (notice.legality, notice.legal_ground, notice.removed) == ("illegal", "§ 186 StGB (defamation)", True)
    told = Notification.objects.get(user=other_reader, kind=Notification.Kind.REPORT)
    assert "found illegal under § 186 StGB (defamation)" in told.text and "it was removed" in told.text
    s = StatementOfReasons.objects.get(comment=comment)
    assert (s.kind, s.source, s.ground, s.legal_ground) == ("removed_after_report", "illegal_notice", "illegal", "§ 186 StGB (defamation)")
    assert (s.automated_detection, s.automated_decision) == (False, False)
    page = client_for(reader).get(f"/moderation/statements/{s.pk}/").content.decode()
    assert "Legal ground" in page and "§ 186 StGB (defamation)" in page
    assert "/moderation/notices/" in client_for(moderator).get("/moderation/").content.decode()


def test_not_illegal_keeps_the_comment_and_tells_the_reporter(reader, other_reader, moderator):
    comment = CommentFactory(author=reader)
    client_for(other_reader).post(f"/moderation/comments/{comment.pk}/report-illegal/", {
        "law": "Hate speech law", "explanation": "I dislike it.", "confirm": "on"})
    notice = IllegalContentNotice.objects.get(comment=comment)
    client_for(moderator).post(f"/moderation/notices/{notice.pk}/decide/", {"legality": "not_illegal"})
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PUBLISHED
    assert not StatementOfReasons.objects.filter(comment=comment).exists()
    told = Notification.objects.get(user=other_reader, kind=Notification.Kind.REPORT)
    assert "found not illegal" in told.text and "stays published" in told.text


@pytest.mark.parametrize("data, field", [
    ({"law": "", "explanation": "why", "confirm": "on"}, "law"),
    ({"law": "x", "explanation": "", "confirm": "on"}, "explanation"),
    ({"law": "x", "explanation": "why"}, "confirm"),
])
def test_a_notice_needs_the_law_the_reason_and_good_faith(reader, other_reader, data, field):
    comment = CommentFactory(author=reader)
    response = client_for(other_reader).post(f"/moderation/comments/{comment.pk}/report-illegal/", data)
    assert response.status_code == 400
    assert not IllegalContentNotice.objects.exists()


def test_own_comment_and_a_second_open_notice_are_refused(reader, other_reader):
    comment = CommentFactory(author=reader)
    data = {"law": "x", "explanation": "why", "confirm": "on"}
    assert client_for(reader).post(f"/moderation/comments/{comment.pk}/report-illegal/", data).status_code == 400
    assert client_for(other_reader).post(f"/moderation/comments/{comment.pk}/report-illegal/", data).status_code == 302
    second = client_for(other_reader).post(f"/moderation/comments/{comment.pk}/report-illegal/", data)
    assert second.status_code == 400 and "already sent a notice" in second.content.decode()


@pytest.mark.parametrize("data, field", [
    ({"legality": "illegal"}, "legal_ground"),
    ({"legality": "maybe"}, "legality"),
    ({"legality": "not_assessed", "remove": "on"}, "reason"),
])
def test_a_legality_decision_needs_its_ground(reader, other_reader, moderator, data, field):
    comment = CommentFactory(author=reader)
    client_for(other_reader).post(f"/moderation/comments/{comment.pk}/report-illegal/", {"law": "x", "explanation": "why", "confirm": "on"})
    notice = IllegalContentNotice.objects.get()
    response = client_for(moderator).post(f"/moderation/notices/{notice.pk}/decide/", data)
    assert response.status_code == 400 and field in response.content.decode()
    notice.refresh_from_db()
    assert notice.decided_at is None
