"""Every page a reader, a moderator and an admin can reach, on a 390 px phone in headless Chromium
(Debian's package, driven by Playwright): nothing scrolls sideways (the signed-in header wraps
instead of running off the screen), and the My comments table breaks no word mid-letter.

The accounts are the demo's names ("moderator", "admin"), whose header is the widest."""
from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth.models import Permission
from django.db import connections

from blog.models import Comment, CommentReport
from notifications.services import notification_send
from tests.factories import ArticleFactory, CategoryFactory, CommentFactory, UserFactory
from tests.moderation.queue.helpers import queued_comment
from tests.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS

pytestmark = [
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian's chromium is not installed (.ci/run installs it)"),
    pytest.mark.django_db(transaction=True),
]

PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"


def _world():
    """A reader with comments in every state, a moderator, an admin, and content for each page."""
    category = CategoryFactory(name="Transport", slug="transport")
    article = ArticleFactory(title="Make drivers pay to enter the city centre at rush hour", category=category)
    article.tags.add("congestion charge")
    reader = UserFactory(username="reader", password=PASSWORD)
    moderator = UserFactory(username="moderator", password=PASSWORD)
    moderator.user_permissions.add(Permission.objects.get(codename="can_moderate"))
    admin = UserFactory(username="admin", password=PASSWORD, is_staff=True, is_superuser=True)
    other = UserFactory(username="someone_else")
    published = CommentFactory(article=article, author=reader, status=Comment.Status.PUBLISHED,
                               text="I cycle this route daily and " + "unbrokenwordwithoutspaces" * 6)
    CommentFactory(article=article, author=reader, status=Comment.Status.PENDING, text="Posted a minute ago.")
    queued_comment(text="You are a pathetic idiot and " + "verylongwordwithoutanyspaces" * 8,
                   tox={"insult": 0.9}, article=article, author=reader)
    rejected = queued_comment(text="Shut up, you moron.", tox={"insult": 0.99}, article=article, author=reader)
    theirs = CommentFactory(article=article, author=other, status=Comment.Status.PUBLISHED, text="A different view.")
    CommentReport.objects.create(comment=theirs, reporter=moderator, reason="Personal attack")
    for user in (reader, moderator, admin):
        notification_send(user=user, kind="decision", text="Your comment was published.",
                          url=published.get_absolute_url())
    return {"article": article, "published": published, "rejected": rejected, "theirs": theirs}


def _reader_pages(w) -> list[str]:
    a = w["article"]
    return [
        "/", "/?q=drivers", f"/category/{a.category.slug}/", "/tag/congestion-charge/", a.get_absolute_url(),
        "/my/comments/", "/my/account/", "/notifications/",
        f"/comments/{w['theirs'].pk}/report/",
    ]


def _own_comment_pages(w) -> list[str]:
    return [f"/comments/{w['published'].pk}/edit/", f"/comments/{w['published'].pk}/delete/",
            f"/comments/{w['rejected'].pk}/appeal/"]


MODERATOR_PAGES = ["/moderation/", "/moderation/?tab=reported", "/moderation/?tab=rejected", "/moderation/?tab=failed",
                   "/moderation/?tab=published", "/moderation/?tab=appeals", "/moderation/audit-log/",
                   "/moderation/discussions/", "/moderation/agreement/"]
ADMIN_PAGES = ["/moderation/viewpoints/", "/moderation/policy/", "/moderation/policy/versions/", "/moderation/policy/versions/1/",
               "/moderation/policy/reapply/"]
ANONYMOUS_PAGES = ["/accounts/login/", "/accounts/register/"]


def _too_wide(page, base: str, urls: list[str]) -> dict[str, object]:
    wide = {}
    for url in urls:
        try:
            response = page.goto(base + url)
        except Exception as exc:  # noqa: BLE001 - Chromium refuses an error page with no body
            wide[url] = str(exc).splitlines()[0]
            continue
        if response is None or response.status != 200:
            wide[url] = f"HTTP {response.status if response else 'none'}"
            continue
        scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        # A mobile browser zooms out to fit what overflows, so innerWidth can grow to match: the
        # screen's own width is the bar.
        if scroll > min(inner, PHONE["width"]):
            wide[url] = (scroll, inner)
    return wide


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def test_no_page_scrolls_sideways_on_a_390px_phone_for_a_reader_a_moderator_or_an_admin(live_server):
    from playwright.sync_api import sync_playwright

    w = _world()
    reader_pages = _reader_pages(w)
    walks = {
        "anonymous": (None, ANONYMOUS_PAGES + reader_pages[:5]),
        "reader": ("reader", reader_pages + _own_comment_pages(w)),
        "moderator": ("moderator", reader_pages + MODERATOR_PAGES),
        "admin": ("admin", reader_pages + MODERATOR_PAGES + ADMIN_PAGES + ["/admin/", "/admin/blog/comment/"]),
    }
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    wide, broken_words = {}, []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for role, (username, urls) in walks.items():
                context = browser.new_context(viewport=PHONE, is_mobile=True, device_scale_factor=3)
                page = context.new_page()
                if username:
                    _log_in(page, live_server.url, username)
                for url, size in _too_wide(page, live_server.url, urls).items():
                    wide[f"{role} {url}"] = size
                if role == "reader":
                    page.goto(live_server.url + "/my/comments/")
                    ARTIFACTS.mkdir(exist_ok=True)
                    page.screenshot(path=str(ARTIFACTS / "my_comments_on_a_phone.png"), full_page=True)
                    # A status word ("Posted", "Published") fits on one line: its box is one line high.
                    broken_words = page.evaluate("""() => [...document.querySelectorAll('main table .badge, main table th')]
                        .filter(el => el.getClientRects().length > 1 || el.scrollWidth > el.clientWidth + 1)
                        .map(el => el.textContent.trim())""")
                context.close()
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        connections.close_all()
    assert wide == {}, f"pages wider than a 390 px screen, or not reachable (scrollWidth, innerWidth): {wide}"
    assert broken_words == [], f"words broken mid-letter on My comments: {broken_words}"
