"""Notifications: a reply to your comment, a moderator's decision, the outcome of your report;
in-app always, by email only when the reader turned it on (Django's mail.outbox)."""
from __future__ import annotations

import json

import pytest
from django.core import mail
from django.test import Client

from blog import services as blog_services
from moderation import lifecycle, rules
from moderation.queue.decisions import comment_decide
from notifications import selectors, services
from notifications.models import Notification
from tests.factories import CommentFactory
from tests.moderation.queue.helpers import moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def test_a_published_reply_notifies_the_parents_author_in_app_and_not_by_email_by_default(reader, other_reader):
    top = CommentFactory(author=reader)
    reply = CommentFactory(author=other_reader, parent=top, article=top.article, status="pending", text="Good point!")
    lifecycle.comment_worker_decided(comment=reply, verdict=rules.Verdict("published"), scores=None, policy=None)
    [note] = selectors.notifications_for(user=reader)
    assert note.kind == "reply" and "replied to your comment" in note.text and "Good point!" in note.text
    assert selectors.notifications_unread_count(user=reader) == 1
    assert mail.outbox == []


def test_email_goes_out_once_the_reader_turned_it_on(reader, moderator, django_capture_on_commit_callbacks):  # noqa: F811
    services.notification_settings_set(user=reader, email=True)
    comment = queued_comment(text="Rude.", tox={"toxicity": 0.6}, author=reader)
    with django_capture_on_commit_callbacks(execute=True):
        comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Please keep it civil.")
    [email] = mail.outbox
    assert email.to == [reader.email] and "Please keep it civil." in email.body


def test_reporters_are_told_the_outcome_of_their_report(reader, other_reader, moderator):  # noqa: F811
    comment = CommentFactory(author=other_reader)
    blog_services.comment_report(comment=comment, reporter=reader, reason="spam")
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Spam.")
    [note] = selectors.notifications_for(user=reader)
    assert note.kind == "report" and "was removed" in note.text
    assert other_reader.notifications.get().kind == "decision"


def test_the_api_lists_and_marks_read(reader):
    Notification.objects.create(user=reader, kind="reply", text="One")
    Notification.objects.create(user=reader, kind="reply", text="Two")
    client = Client()
    client.force_login(reader)
    body = client.get("/api/notifications/").json()
    assert body["unread"] == 2 and [n["text"] for n in body["results"]] == ["Two", "One"]
    first = body["results"][1]["id"]
    r = client.post("/api/notifications/read/", json.dumps({"ids": [first]}), content_type="application/json")
    assert r.json() == {"marked": 1, "unread": 1}
    r = client.post("/api/notifications/read/", json.dumps({"ids": ["x"]}), content_type="application/json")
    assert r.status_code == 400 and "ids" in r.json()
    assert client.post("/api/notifications/read/", "{}", content_type="application/json").json() == {"marked": 1, "unread": 0}


def test_the_bell_shows_the_unread_count_on_reader_pages(reader):
    Notification.objects.create(user=reader, kind="reply", text="Hello")
    client = Client()
    client.force_login(reader)
    page = client.get("/").content.decode()
    assert 'class="bell-count">1<' in page
    page = client.get("/notifications/").content.decode()
    assert "Hello" in page


def test_email_needs_an_address(reader):
    reader.email = ""
    reader.save()
    with pytest.raises(Exception, match="email address"):
        services.notification_settings_set(user=reader, email=True)


def test_opening_a_notification_marks_it_read_and_the_bell_counts_one_fewer(reader, other_reader):
    comment = CommentFactory(author=reader)
    first = Notification.objects.create(user=reader, kind="reply", text="bob replied", url=comment.get_absolute_url())
    Notification.objects.create(user=reader, kind="reply", text="carol replied", url=comment.get_absolute_url())
    client = Client()
    client.force_login(reader)
    listing = client.get("/notifications/").content.decode()
    assert f'href="/notifications/{first.pk}/open/"' in listing and 'class="bell-count">2<' in listing

    response = client.get(f"/notifications/{first.pk}/open/")

    assert response.status_code == 302 and response["Location"] == comment.get_absolute_url()
    assert 'class="bell-count">1<' in client.get("/").content.decode()
    first.refresh_from_db()
    assert first.read_at is not None
    # Someone else's notification is not there to open.
    other = Notification.objects.create(user=other_reader, kind="reply", text="not yours")
    assert client.get(f"/notifications/{other.pk}/open/").status_code == 404
