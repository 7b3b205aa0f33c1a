"""The author's side of a statement of reasons (issue 23) in headless Chromium, end to end: a real
Celery worker with the real toxicity model rejects the comment (under a policy whose reject
cut-offs are low enough that any sane model rejects it), the author opens "My comments", reads
the statement (rule, automated detection and decision, redress) and reaches the appeal from it."""
from __future__ import annotations

import pytest

from blog.models import Comment
from moderation.models import Policy, StatementOfReasons
from tests.factories import ArticleFactory, UserFactory
from tests.test_browser import ARTIFACTS
from tests.test_browser_reader import _login, browser, pytestmark  # noqa: F401 - fixture and marks

HOSTILE = "You are a pathetic idiot and I will break your legs"


@pytest.mark.integration
def test_author_rejected_by_the_worker_reads_the_statement_and_reaches_the_appeal(live_server, browser, celery_worker):  # noqa: F811
    policy = Policy.objects.get(is_active=True)
    # Every label rejects at 0.2: the test is about the statement, not about where the cut-offs sit.
    Policy.objects.filter(pk=policy.pk).update(thresholds={k: {"hold": 0.1, "reject": 0.2} for k in policy.thresholds})
    article = ArticleFactory(title="Cities should ban cars from their centres")
    UserFactory(username="rosa")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server.url, "rosa", article.get_absolute_url())
    page.fill("#comment-form textarea", HOSTILE)
    page.click("#comment-form button[type=submit]")
    comment = Comment.objects.get(text=HOSTILE)
    page.locator(f"#comment-{comment.pk} .reject-reason").wait_for(timeout=90_000)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.REJECTED
    statement = StatementOfReasons.objects.get(comment=comment)
    assert statement.automated_decision and statement.automated_detection

    page.goto(f"{live_server.url}/my/comments/")
    page.click("a.statement-link")
    page.wait_for_url(f"**/moderation/statements/{statement.pk}/")
    assert "Yes: our automatic check decided" in page.locator(".statement-automated").inner_text()
    assert "Yes" in page.locator(".statement-detection").inner_text()
    assert statement.site_rule.title in page.locator(".statement-rule").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "statement_of_reasons.png"), full_page=True)
    page.click(".statement-redress a.appeal-link")
    page.wait_for_url(f"**/comments/{comment.pk}/appeal/")
    assert page.locator("form").count() >= 1
