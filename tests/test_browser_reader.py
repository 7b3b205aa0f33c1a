"""The reader's walk in headless Chromium (Debian's package, driven by Playwright), end to end:
the page, the API, real Redis, a real Celery worker with the real toxicity model.

Post a comment any sane model holds, see the nudge with the marked phrase in the same page view,
rewrite it into a civil comment and see it published without a reload; then a moderator rejects
it, the reader appeals, the appeal is decided, and the reader sees the notification. And one
unbroken 5,000-character word scrolls no page sideways at 1,280 or 390 px.
"""
from __future__ import annotations

import os
import shutil

import pytest
from django.db import connections

from blog.models import Comment
from moderation.models import Appeal
from moderation.queue.decisions import comment_decide
from tests.factories import ArticleFactory, CommentFactory, UserFactory
from tests.moderation.queue.helpers import moderator  # noqa: F401 - fixture
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True),
]

HOSTILE = "You are a pathetic idiot and I will break your legs"
CIVIL = "I disagree with you, and I think the evidence points the other way."
PASSWORD = "correct horse battery staple"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    connections.close_all()  # the ORM calls made between page actions had a connection of their own


def _login(page, base: str, username: str, next_url: str) -> None:
    page.goto(f"{base}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


@pytest.mark.integration
def test_reader_is_nudged_rewrites_is_published_then_appeals_and_is_notified(
        live_server, browser, celery_worker, moderator):  # noqa: F811
    article = ArticleFactory(title="Cities should ban cars from their centres")
    UserFactory(username="rosa")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server.url, "rosa", article.get_absolute_url())

    page.fill("#comment-form textarea", HOSTILE)
    page.click("#comment-form button[type=submit]")
    comment = Comment.objects.get(text=HOSTILE)
    box = page.locator(f"#comment-{comment.pk}")
    page.evaluate("window.parleySamePageView = true")  # gone if anything reloads the page

    # The worker holds (or rejects) it; the page learns it by polling and nudges.
    box.locator(".nudge").wait_for(timeout=90_000)
    assert "may" in box.locator(".outcome-reason").inner_text()
    marked = box.locator(".comment-text mark")
    if marked.count():  # the phrase the scoring marked, inside the comment's own text
        assert marked.first.inner_text() in HOSTILE
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "reader_nudged.png"), full_page=True)

    box.locator("button.nudge-edit").click()
    box.locator(".edit-form textarea").fill(CIVIL)
    box.locator(".edit-form button[type=submit]").click()
    box.locator("text=Published: everyone can read it now.").wait_for(timeout=90_000)
    assert page.evaluate("window.parleySamePageView") is True
    assert box.locator(".comment-text").inner_text() == CIVIL
    comment.refresh_from_db()
    assert comment.status == "published" and comment.revisions.get().text == HOSTILE
    assert comment.moderation_events.filter(action="nudge_edited").exists()

    # A moderator disagrees with the model: rejected. The reader asks for a review.
    comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason="Off topic.", expected_status="published")
    page.goto(live_server.url + article.get_absolute_url())
    assert "Rejected by a moderator: Off topic." in box.inner_text()
    assert box.locator("a:text-is('Reply')").count() == 0 and box.locator("a:text-is('Report')").count() == 0
    box.locator("a.appeal-link").click()
    page.fill("#id_note", "It is on topic: the article is about car traffic.")
    page.click("main form button[type=submit]")
    page.locator("text=a moderator will review your comment").wait_for()
    assert Appeal.objects.get(comment=comment).is_open

    comment_decide(comment_id=comment.pk, moderator=moderator, action="approve", reason="Fair enough.")
    page.goto(live_server.url + "/")
    # The automatic rejection's statement of reasons (issue 23), the moderator's rejection, then the
    # appeal's outcome.
    assert page.locator(".bell-count").inner_text() == "3"
    page.click("a.bell")
    assert "Your appeal was accepted" in page.locator(".notifications").inner_text()
    page.screenshot(path=str(ARTIFACTS / "reader_notified.png"), full_page=True)


@pytest.mark.parametrize("width", [1280, 390])
def test_a_5000_character_word_scrolls_no_page_sideways(live_server, browser, width):
    article = ArticleFactory()
    CommentFactory(article=article, text="x" * 5000)
    page = browser.new_page(viewport={"width": width, "height": 800})
    for url in ("/", article.get_absolute_url(), "/?q=cities"):
        page.goto(live_server.url + url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (url, width, overflow)
