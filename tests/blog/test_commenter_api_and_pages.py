"""The commenter's side over the API and on the pages: clear 400/403 naming the reason, the
author's view of a rejected comment, liked state, search in the URL, reply after login, friendly
error pages, Register hidden when signed in, the moderator's card with the edit history."""
from __future__ import annotations

import json

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from blog import services
from blog.models import Comment
from tests.blog.test_commenter import THREAT, held_threat
from tests.factories import ArticleFactory, CommentFactory
from tests.moderation.queue.helpers import client_for, moderator, queued_comment  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def api(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def send(client, method, url, body=None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json")


def test_editing_someone_elses_comment_is_403_naming_why(reader, other_reader):
    comment = CommentFactory(author=reader)
    r = send(api(other_reader), "patch", f"/api/comments/{comment.pk}/", {"text": "Mine now."})
    assert r.status_code == 403 and "your own" in r.json()["detail"]
    r = send(api(other_reader), "delete", f"/api/comments/{comment.pk}/")
    assert r.status_code == 403


@override_settings(PARLEY_EDIT_WINDOW_MINUTES=15)
def test_editing_after_the_window_is_400_naming_the_window(reader):
    comment = CommentFactory(author=reader, created_at=timezone.now() - timezone.timedelta(hours=1))
    r = send(api(reader), "patch", f"/api/comments/{comment.pk}/", {"text": "Later thoughts."})
    assert r.status_code == 400 and "15 minutes" in r.json()["comment"][0]


def test_editing_answers_the_new_text_pending_and_refuses_other_fields(reader):
    comment = CommentFactory(author=reader)
    r = send(api(reader), "patch", f"/api/comments/{comment.pk}/", {"text": "Better.", "status": "published"})
    assert r.status_code == 400 and "status" in r.json()
    r = send(api(reader), "patch", f"/api/comments/{comment.pk}/", {"text": "Better."})
    assert r.status_code == 200 and r.json()["status"] == "pending" and r.json()["edited_at"]


def test_a_second_appeal_and_an_appeal_of_a_published_comment_are_400(reader):
    rejected = queued_comment(text="Awful.", tox={"insult": 0.99}, author=reader)
    published = CommentFactory(author=reader)
    r = send(api(reader), "post", f"/api/comments/{published.pk}/appeal/", {"note": "?"})
    assert r.status_code == 400 and "Only a rejected comment" in r.json()["comment"][0]
    assert send(api(reader), "post", f"/api/comments/{rejected.pk}/appeal/", {"note": "Please."}).status_code == 201
    r = send(api(reader), "post", f"/api/comments/{rejected.pk}/appeal/", {"note": "Please!"})
    assert r.status_code == 400 and "already appealed" in r.json()["comment"][0]


def test_the_author_reads_the_outcome_over_the_api_and_others_do_not(reader, other_reader):
    comment = held_threat(reader)
    body = api(reader).get(f"/api/comments/{comment.pk}/").json()
    assert body["status_reason"] == "it may contain a threat"
    assert body["outcome"]["phrase"] == "I will break your legs" and body["outcome"]["nudge"] is True
    assert api(other_reader).get(f"/api/comments/{comment.pk}/").status_code == 404


def test_unlike_over_the_api(reader):
    comment = CommentFactory()
    client = api(reader)
    assert client.post(f"/api/comments/{comment.pk}/like/").json() == {"liked": True, "like_count": 1}
    assert send(client, "delete", f"/api/comments/{comment.pk}/like/").json() == {"liked": False, "like_count": 0}
    article = comment.article
    client.post(f"/api/articles/{article.slug}/like/")
    assert send(client, "delete", f"/api/articles/{article.slug}/like/").json() == {"liked": False, "like_count": 0}


def test_search_over_the_api_and_on_the_page_with_the_query_in_the_url():
    ArticleFactory(title="Trams are the future", body="Rail.")
    ArticleFactory(title="Gardening", body="Tomatoes.")
    assert [a["title"] for a in Client().get("/api/articles/?q=trams").json()["results"]] == ["Trams are the future"]
    page = Client().get("/?q=tomatoes").content.decode()
    assert "Gardening" in page and "Trams are the future" not in page and 'value="tomatoes"' in page


def test_export_and_account_deletion_over_the_api(reader):
    CommentFactory(author=reader, text="Mine.")
    client = api(reader)
    r = client.get("/api/me/export/")
    assert r.status_code == 200 and r.json()["comments"][0]["text"] == "Mine."
    r = send(client, "delete", "/api/me/", {"remove_comments": "yes"})
    assert r.status_code == 400 and "remove_comments" in r.json()
    assert send(client, "delete", "/api/me/", {"remove_comments": False}).status_code == 204
    assert Client().get(f"/api/articles/{Comment.objects.get().article.slug}/comments/").json()[0]["author"] == "deleted user"


def test_the_authors_rejected_comment_has_no_reply_or_report_but_asks_for_a_review(reader):
    rejected = queued_comment(text="Awful.", tox={"insult": 0.99}, author=reader)
    page = api(reader).get(rejected.article.get_absolute_url()).content.decode()
    block = page[page.index(f'id="comment-{rejected.pk}"'):]
    block = block[: block.index("</div>\n", block.index("outcome"))]
    assert "Rejected: it may contain an insult." in page
    assert "Reply</a>" not in block and "Report</a>" not in block
    assert "Ask for a review" in page and "threshold" not in page


def test_the_held_comment_page_shows_the_marked_phrase_and_the_nudge(reader):
    comment = held_threat(reader)
    page = api(reader).get(comment.article.get_absolute_url()).content.decode()
    assert '<mark class="phrase">I will break your legs</mark>' in page
    assert "Edit and resubmit" in page and "Withdraw" in page and "Leave it for a moderator" in page


def test_a_liked_comment_shows_liked_and_offers_unlike(reader):
    comment = CommentFactory()
    services.comment_like(comment=comment, user=reader)
    page = api(reader).get(comment.article.get_absolute_url()).content.decode()
    assert "♥ Liked 1" in page and 'name="action" value="unlike"' in page
    api(reader).post(f"/comments/{comment.pk}/like/", {"action": "unlike"})
    comment.refresh_from_db()
    assert comment.like_count == 0


def test_the_confirmation_is_shown_beside_the_posted_comment(reader):
    article = ArticleFactory()
    client = api(reader)
    r = client.post(f"/articles/{article.slug}/comment/", {"text": "A fair point."}, follow=True)
    page = r.content.decode()
    comment = Comment.objects.get()
    at = page.index(f'id="comment-{comment.pk}"')
    assert at < page.index("Thanks for your comment!") < page.index('id="comment-form"')
    # One sentence says where it stands, not two saying the same thing.
    assert page.count("Being checked: only you can see it until it is published.") == 1
    assert "Only you can see this comment until it is published" not in page


def test_a_held_comments_reason_ends_its_sentence_before_only_you_can_see(reader):
    from tests.moderation.queue.helpers import queued_comment

    comment = queued_comment(text="You are a pathetic idiot.", tox={"insult": 0.9}, author=reader)
    page = api(reader).get(comment.article.get_absolute_url()).content.decode()
    reason = page[page.index('class="outcome-reason'):]
    reason = reason[:reason.index("</p>")]
    assert ". Only you can see this comment until it is published." in reason, reason
    assert '<ul class="messages">' not in page


def test_reply_while_logged_out_returns_to_the_reply_form_after_login(reader):
    comment = CommentFactory()
    page = Client().get(comment.article.get_absolute_url()).content.decode()
    assert f"next={comment.article.get_absolute_url()}%3Freply_to%3D{comment.pk}%23reply-form" in page
    client = Client()
    r = client.post(f"/accounts/login/?next={comment.article.get_absolute_url()}%3Freply_to%3D{comment.pk}%23reply-form",
                    {"username": reader.username, "password": "correct horse battery staple"})
    assert r["Location"] == f"{comment.article.get_absolute_url()}?reply_to={comment.pk}#reply-form"
    assert 'id="reply-form"' in client.get(r["Location"]).content.decode()


def test_register_is_hidden_and_redirects_when_signed_in(reader):
    client = api(reader)
    assert "Register" not in client.get("/").content.decode()
    assert client.get("/accounts/register/").status_code == 302


def test_404_and_403_are_friendly_pages_with_the_sites_navigation(reader, other_reader):
    page = Client().get("/articles/no-such-thing/")
    assert page.status_code == 404 and "We could not find that page" in page.content.decode()
    assert "Latest articles" in page.content.decode() and 'class="site-header"' in page.content.decode()
    mine = CommentFactory(author=reader)
    r = api(other_reader).get(f"/comments/{mine.pk}/edit/")
    assert r.status_code == 403 and "You are not allowed" in r.content.decode() and 'class="site-header"' in r.content.decode()
    r = api(reader).get("/moderation/")
    assert r.status_code == 403 and "You are not allowed" in r.content.decode()


def test_the_moderator_sees_the_edit_history_and_the_appeal_on_the_card(reader, moderator):  # noqa: F811
    comment = queued_comment(text="Awful first try.", tox={"insult": 0.99}, author=reader)
    services.comment_appeal(comment=comment, author=reader, note="I meant it kindly.")
    page = client_for(moderator).get("/moderation/?tab=appeals").content.decode()
    assert f'data-id="{comment.pk}"' in page and "I meant it kindly." in page and "Uphold rejection" in page
    held = held_threat(reader)
    services.comment_edit(comment=held, author=reader, text="Calmer words.")
    Comment.objects.filter(pk=held.pk).update(status="held")
    page = client_for(moderator).get("/moderation/?tab=held").content.decode()
    assert "Edited by the author 1 time" in page and THREAT in page


def test_the_nudge_rate_is_on_the_discussions_page(reader, moderator):  # noqa: F811
    comment = held_threat(reader)
    services.comment_edit(comment=comment, author=reader, text="Calmer words.")
    page = client_for(moderator).get("/moderation/discussions/").content.decode()
    assert 'class="nudge-rate">100 %' in page


def test_the_audit_log_shows_the_authors_edit_as_theirs(reader, moderator):  # noqa: F811
    comment = held_threat(reader)
    services.comment_edit(comment=comment, author=reader, text="Calmer words.")
    page = client_for(moderator).get(f"/moderation/audit-log/?comment={comment.pk}").content.decode()
    assert "nudged: the author rewrote it" in page and "the author" in page


def test_the_account_page_downloads_the_data_and_deletes_the_account(reader):
    CommentFactory(author=reader, text="Keep my words.")
    client = api(reader)
    r = client.get("/my/account/export/")
    assert r["Content-Disposition"].startswith("attachment") and json.loads(r.content)["comments"][0]["text"] == "Keep my words."
    assert client.post("/my/account/delete/", {}).status_code == 400  # not confirmed
    r = client.post("/my/account/delete/", {"confirm": "on"}, follow=True)
    assert "Your account was deleted." in r.content.decode()
    page = Client().get(Comment.objects.get().article.get_absolute_url()).content.decode()
    assert "deleted user" in page and "Keep my words." in page and reader.username not in page
