"""Issue 19 in the browser (Debian's headless Chromium through Playwright): two people at once.

A moderator has a held card open; its author edits the comment in their own session; the
moderator's approve is refused and the card shows the new text. And a rejection undone from the
card leaves the author's bell without the rejection.
"""
from __future__ import annotations

import shutil

import pytest
from django.db import connections

from blog.models import Comment
from tests.factories import UserFactory
from tests.moderation.queue.helpers import moderator, queued_comment  # noqa: F401 - fixtures
from tests.test_browser import ARTIFACTS, CHROMIUM, _log_in, queue_keys_ready
from tests.test_browser_reader import _login, browser  # noqa: F401 - browser is a fixture

pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True),
]

EDITED = "I will kill you and your whole family."


def _reader_logs_in(browser, base: str, username: str, next_url: str):
    page = browser.new_context().new_page()  # a session of its own, beside the moderator's
    _login(page, base, username, next_url)
    return page


def test_an_approval_of_text_the_author_changed_meanwhile_is_refused_and_shows_the_new_text(
        live_server, browser, moderator):  # noqa: F811
    rosa = UserFactory(username="rosa")
    held = queued_comment(text="You are an idiot.", tox={"insult": 0.8, "toxicity": 0.7}, author=rosa)
    mod = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _log_in(mod, live_server.url, "/moderation/?tab=held")
    mod.wait_for_selector(f".mod-card[data-id='{held.pk}']")

    author = _reader_logs_in(browser, live_server.url, "rosa", f"/comments/{held.pk}/edit/")
    author.fill("textarea[name=text]", EDITED)
    author.click("main form button[type=submit]")
    author.wait_for_load_state()
    assert Comment.objects.get(pk=held.pk).text == EDITED

    queue_keys_ready(mod)
    mod.locator(f".mod-card[data-id='{held.pk}']").click()
    mod.keyboard.press("a")
    card = mod.locator(f".mod-card[data-id='{held.pk}']")
    card.locator(".card-message", has_text="edited").wait_for(timeout=10_000)
    assert EDITED in card.locator(".mod-text").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    mod.screenshot(path=str(ARTIFACTS / "approve_refused_after_edit.png"), full_page=False)
    assert Comment.objects.get(pk=held.pk).status != Comment.Status.PUBLISHED
    assert not held.moderation_events.filter(action="approve").exists()
    connections.close_all()  # the ORM calls made while Playwright's loop ran had a connection of their own


def test_a_rejection_undone_leaves_the_authors_bell_without_it(live_server, browser, moderator):  # noqa: F811
    rosa = UserFactory(username="rosa")
    held = queued_comment(text="You are an idiot.", tox={"insult": 0.8, "toxicity": 0.7}, author=rosa)
    mod = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _log_in(mod, live_server.url, "/moderation/?tab=held")
    card = mod.locator(f".mod-card[data-id='{held.pk}']")
    card.wait_for()
    card.locator(".decide-form[data-action='reject'] input[name=reason]").fill("Please keep it civil.")
    card.locator(".decide-form[data-action='reject'] button[type=submit]").click()
    mod.wait_for_selector(f"#card-{held.pk}.decided .undo-bar button.undo")
    assert "rejected your comment" in rosa.notifications.get().text
    mod.click(f"#card-{held.pk} .undo-bar button.undo")
    mod.wait_for_selector(f"#card-{held.pk}:not(.decided)")
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.HELD

    author = _reader_logs_in(browser, live_server.url, "rosa", "/notifications/")
    inbox = author.locator("main").inner_text()
    assert "rejected" not in inbox and "back under review" in inbox
    assert author.locator(".bell-count").count() == 0 or author.locator(".bell-count").inner_text() == "1"
    connections.close_all()
