"""The real moderator page in headless Chromium (Debian's package, driven by Playwright).

Skipped only where Chromium is not installed; `.ci/run` installs it, so CI always runs this.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

from blog.models import Comment
from tests.moderation.queue.helpers import moderator, queued_comment  # noqa: F401 - fixtures

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code, between page actions.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def test_moderator_presses_a_and_the_top_card_leaves_the_queue(live_server, browser_page, moderator):  # noqa: F811
    top = queued_comment(text="You are a pathetic idiot and everyone knows it.", tox={"toxicity": 0.93, "insult": 0.91})
    other = queued_comment(text="This is a bit rude, honestly.", tox={"toxicity": 0.62})
    assert top.status == other.status == Comment.Status.HELD
    page = browser_page

    page.goto(f"{live_server.url}/accounts/login/?next=/moderation/")
    page.fill("#id_username", "mod")
    page.fill("#id_password", "correct horse battery staple")
    page.click("button[type=submit]")
    page.wait_for_selector(f".mod-card[data-id='{top.pk}']")
    first_card = page.locator(".mod-card").first
    assert first_card.get_attribute("data-id") == str(top.pk)
    assert "insult" in first_card.inner_text() and "hold threshold" in first_card.inner_text()

    page.keyboard.press("a")
    page.wait_for_selector(f".mod-card[data-id='{top.pk}']", state="detached", timeout=10_000)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "moderator_approved_top_card.png"), full_page=True)
    top.refresh_from_db()
    assert top.status == Comment.Status.PUBLISHED
    assert top.moderation_events.filter(action="approve", actor__username="mod").exists()
    assert page.locator(f".mod-card[data-id='{other.pk}']").count() == 1
    # ORM calls made while Playwright's loop runs get a connection of their own: close it, or
    # the test database cannot be dropped at the end of the run.
    connections.close_all()
