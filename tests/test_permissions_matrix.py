"""Who may do what, for every page and API endpoint in the URLconf.

MATRIX lists each route (as django.urls spells it) with each method it answers and the status
every kind of requester gets. test_every_route_has_a_matrix_entry walks get_resolver(): a new
endpoint without an entry here fails the suite until someone decides who may use it.

Then: a reader never sees another reader's pending or rejected comment anywhere, whatever page
or endpoint they try.
"""
from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from blog.models import Comment
from moderation.models import ModelVersion, Policy
from tests.conftest import PINNED_THRESHOLDS
from tests.factories import ArticleFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "reader", "other_reader", "moderator", "admin")

# Expected answers, in ROLES order. "L": redirected to the login page. "302": redirected
# elsewhere (the action was done). Numbers: that status.
PUBLIC = ("200",) * 5
SIGNED_IN_API = ("403", "201", "201", "201", "201")  # DRF: anonymous gets 403 (session auth first)
SIGNED_IN_FORM = ("L", "302", "302", "302", "302")
MODERATORS_API = ("403", "403", "403", "200", "200")
MODERATORS_PAGE = ("L", "403", "403", "200", "200")
MODERATORS_FORM = ("L", "403", "403", "302", "302")
ADMINS_API = ("403", "403", "403", "403", "200")
ADMINS_PAGE = ("L", "403", "403", "403", "200")
ADMINS_FORM = ("L", "403", "403", "403", "302")

THRESHOLD_FORM = {f"{label}__{k}": v for label, cut in PINNED_THRESHOLDS.items() for k, v in cut.items()}

# (method, route) -> (body, expected per role). Bodies are JSON for /api/, form data otherwise.
MATRIX: dict[tuple[str, str], tuple[dict | None, tuple[str, ...]]] = {
    # --- reader pages
    ("GET", ""): (None, PUBLIC),
    ("GET", "category/<slug:category_slug>/"): (None, PUBLIC),
    ("GET", "tag/<uslug:tag_slug>/"): (None, PUBLIC),
    ("GET", "articles/<slug:slug>/"): (None, PUBLIC),
    ("POST", "articles/<slug:slug>/comment/"): ({"text": "A fair point."}, SIGNED_IN_FORM),
    ("POST", "articles/<slug:slug>/like/"): ({}, SIGNED_IN_FORM),
    ("POST", "comments/<int:pk>/like/"): ({}, SIGNED_IN_FORM),
    ("GET", "comments/<int:pk>/report/"): (None, ("L", "200", "200", "200", "200")),
    ("POST", "comments/<int:pk>/report/"): ({"reason": "spam"}, SIGNED_IN_FORM),
    ("GET", "my/comments/"): (None, ("L", "200", "200", "200", "200")),
    # --- the author's own comment (<pk>: the reader's held comment, which nobody else can see)
    ("GET", "comments/<int:pk>/edit/"): (None, ("L", "200", "404", "404", "404")),
    ("POST", "comments/<int:pk>/edit/"): ({"text": "Edited, politely."}, ("L", "302", "404", "404", "404")),
    ("GET", "comments/<int:pk>/delete/"): (None, ("L", "200", "404", "404", "404")),
    ("POST", "comments/<int:pk>/delete/"): ({}, ("L", "302", "404", "404", "404")),
    ("GET", "comments/<int:pk>/appeal/"): (None, ("L", "200", "404", "404", "404")),
    ("POST", "comments/<int:pk>/appeal/"): ({"note": "Please look again."}, ("L", "400", "404", "404", "404")),
    ("POST", "comments/<int:pk>/nudge/leave/"): ({}, ("L", "302", "404", "404", "404")),
    ("GET", "comments/<int:pk>/outcome/"): (None, ("L", "200", "404", "404", "404")),
    ("GET", "my/account/"): (None, ("L", "200", "200", "200", "200")),
    ("GET", "my/account/export/"): (None, ("L", "200", "200", "200", "200")),
    ("POST", "my/account/delete/"): ({"confirm": "on"}, SIGNED_IN_FORM),
    # --- notifications
    ("GET", "notifications/"): (None, ("L", "200", "200", "200", "200")),
    ("POST", "notifications/read/"): ({}, SIGNED_IN_FORM),
    # <pk> here names no one's notification: 404 for all (a reader opening only their own: tests/notifications).
    ("GET", "notifications/<int:pk>/open/"): (None, ("L", "404", "404", "404", "404")),
    ("POST", "notifications/settings/"): ({"email": "on"}, SIGNED_IN_FORM),
    ("GET", "api/notifications/"): (None, ("403", "200", "200", "200", "200")),
    ("POST", "api/notifications/read/"): ({}, ("403", "200", "200", "200", "200")),
    # --- accounts
    ("GET", "accounts/login/"): (None, PUBLIC),
    ("POST", "accounts/logout/"): ({}, ("302",) * 5),
    ("GET", "accounts/register/"): (None, ("200", "302", "302", "302", "302")),  # signed in: sent home
    # --- API schema and docs
    ("GET", "api/schema/"): (None, PUBLIC),
    ("GET", "api/docs/"): (None, PUBLIC),
    # --- reader API
    ("GET", "api/articles/"): (None, PUBLIC),
    ("GET", "api/articles/<slug:slug>/"): (None, PUBLIC),
    ("POST", "api/articles/<slug:slug>/like/"): (None, SIGNED_IN_API),
    ("GET", "api/articles/<slug:slug>/comments/"): (None, PUBLIC),
    ("POST", "api/articles/<slug:slug>/comments/"): ({"text": "A fair point."}, SIGNED_IN_API),
    ("GET", "api/comments/<int:pk>/"): (None, PUBLIC),
    ("POST", "api/comments/<int:pk>/like/"): (None, SIGNED_IN_API),
    ("POST", "api/comments/<int:pk>/report/"): ({"reason": "spam"}, SIGNED_IN_API),
    ("DELETE", "api/articles/<slug:slug>/like/"): (None, ("403", "200", "200", "200", "200")),
    ("DELETE", "api/comments/<int:pk>/like/"): (None, ("403", "200", "200", "200", "200")),
    ("PATCH", "api/comments/<int:pk>/"): ({"text": "Edited, politely."}, ("403", "200", "404", "404", "404")),
    ("DELETE", "api/comments/<int:pk>/"): (None, ("403", "204", "404", "404", "404")),
    ("POST", "api/comments/<int:pk>/appeal/"): ({"note": "Please look again."}, ("403", "400", "404", "404", "404")),
    ("POST", "api/comments/<int:pk>/nudge/"): ({"answer": "left"}, ("403", "400", "404", "404", "404")),
    ("GET", "api/me/export/"): (None, ("403", "200", "200", "200", "200")),
    ("DELETE", "api/me/"): (None, ("403", "204", "204", "204", "204")),
    ("POST", "api/auth/token/"): ({"username": "carol", "password": "correct horse battery staple"}, PUBLIC),
    # --- moderation API
    ("GET", "api/moderation/queue/"): (None, MODERATORS_API),
    ("POST", "api/moderation/comments/<int:comment_id>/decision/"): ({"action": "approve"}, MODERATORS_API),
    ("POST", "api/moderation/bulk/"): ({"ids": ["HELD"], "action": "approve"}, MODERATORS_API),
    ("GET", "api/moderation/audit/"): (None, MODERATORS_API),
    ("POST", "api/moderation/authors/<str:username>/standing/"): ({"premoderated": True}, MODERATORS_API),
    ("GET", "api/moderation/discussions/"): (None, MODERATORS_API),
    ("GET", "api/moderation/policy/"): (None, ADMINS_API),
    ("POST", "api/moderation/policy/"): ({"thresholds": PINNED_THRESHOLDS}, ("403", "403", "403", "403", "201")),
    ("POST", "api/moderation/policy/preview/"): ({"thresholds": PINNED_THRESHOLDS}, ADMINS_API),
    ("POST", "api/moderation/policy/reapply/"): ({}, ADMINS_API),
    ("POST", "api/moderation/policy/<int:version>/restore/"): ({}, ("403", "403", "403", "403", "201")),
    ("GET", "api/moderation/viewpoint-audit/"): (None, ADMINS_API),
    # Nobody decided the held comment: nothing to undo (409) for those allowed to ask.
    ("POST", "api/moderation/comments/<int:comment_id>/undo/"): (None, ("403", "403", "403", "409", "409")),
    ("GET", "api/moderation/reasons/"): (None, MODERATORS_API),
    ("POST", "api/moderation/reasons/"): ({"text": "Spam", "use_for": "reject"}, ("403", "403", "403", "403", "201")),
    ("GET", "api/moderation/agreement/"): (None, MODERATORS_API),
    # Accountability (issue 23). The export without ?since= is refused by name (400) once allowed.
    ("GET", "api/moderation/statements/export/"): (None, ("403", "403", "403", "403", "400")),
    ("GET", "api/moderation/transparency/"): (None, ADMINS_API),
    # <version_id>: the shipped model's version, already serving: activating or rolling back to it
    # changes nothing, so the admin's 200 says only that they may.
    ("GET", "api/moderation/models/"): (None, ADMINS_API),
    ("GET", "api/moderation/models/<int:version_id>/"): (None, ADMINS_API),
    ("POST", "api/moderation/models/<int:version_id>/activate/"): ({}, ADMINS_API),
    ("POST", "api/moderation/models/<int:version_id>/rollback/"): ({}, ADMINS_API),
    # --- moderation pages
    ("GET", "moderation/"): (None, MODERATORS_PAGE),
    ("GET", "moderation/queue/poll/"): (None, MODERATORS_PAGE),
    ("POST", "moderation/comments/<int:comment_id>/decide/"): ({"action": "approve"}, MODERATORS_FORM),
    ("POST", "moderation/bulk/"): ({"ids": "HELD", "action": "approve"}, MODERATORS_FORM),
    ("POST", "moderation/authors/<str:username>/standing/"): ({"action": "premoderate"}, MODERATORS_FORM),
    ("GET", "moderation/audit-log/"): (None, MODERATORS_PAGE),
    ("POST", "moderation/audit-log/<int:event_id>/reverse/"): ({}, MODERATORS_FORM),
    ("GET", "moderation/agreement/"): (None, MODERATORS_PAGE),
    ("GET", "moderation/discussions/"): (None, MODERATORS_PAGE),
    ("GET", "moderation/policy/"): (None, ADMINS_PAGE),
    ("POST", "moderation/policy/"): ({**THRESHOLD_FORM, "on_failure": "hold", "action": "save"}, ADMINS_FORM),
    ("GET", "moderation/policy/versions/"): (None, ADMINS_PAGE),
    ("GET", "moderation/policy/versions/<int:version>/"): (None, ADMINS_PAGE),
    ("POST", "moderation/policy/versions/<int:version>/restore/"): ({}, ADMINS_FORM),
    ("GET", "moderation/policy/reapply/"): (None, ADMINS_PAGE),
    ("POST", "moderation/policy/reapply/"): ({"confirm": "yes"}, ADMINS_FORM),
    ("POST", "moderation/discussions/<int:article_id>/premoderation/"): ({"premoderate": "on"}, ADMINS_FORM),
    ("GET", "moderation/viewpoints/"): (None, ADMINS_PAGE),
    ("GET", "moderation/audit/"): (None, ("301",) * 5),  # the viewpoint audit's old address
    # --- accountability pages (issue 23). <pk> is carol's published comment: nobody's statement
    # (404 to all signed in: a statement is its author's only) and no notice (400 naming it).
    ("GET", "moderation/statements/<int:pk>/"): (None, ("L", "404", "404", "404", "404")),
    ("GET", "moderation/site-rules/"): (None, PUBLIC),
    ("GET", "moderation/comments/<int:pk>/report-illegal/"): (None, ("L", "200", "200", "200", "200")),
    ("POST", "moderation/comments/<int:pk>/report-illegal/"): ({"law": "§ 185 StGB", "explanation": "An insult.", "confirm": "on"}, SIGNED_IN_FORM),
    ("GET", "moderation/notices/"): (None, MODERATORS_PAGE),
    ("POST", "moderation/notices/<int:pk>/decide/"): ({"legality": "not_assessed"}, ("L", "403", "403", "400", "400")),
    ("GET", "moderation/transparency/"): (None, ADMINS_PAGE),
    ("GET", "moderation/transparency/report.csv"): (None, ADMINS_PAGE),
    ("POST", "moderation/transparency/publish/"): ({"public": "on"}, ADMINS_FORM),
    ("GET", "moderation/transparency/public/"): (None, ("404", "404", "404", "404", "200")),  # until an admin publishes it
    ("POST", "moderation/policy/models/<int:version_id>/activate/"): ({}, ADMINS_FORM),
    ("POST", "moderation/policy/models/<int:version_id>/rollback/"): ({}, ADMINS_FORM),
    ("POST", "moderation/policy/models/schedule/"): ({}, ADMINS_FORM),
    # --- operators: by address or token, never by role (tests/ops/)
    ("GET", "healthz"): (None, PUBLIC),
    ("GET", "readyz"): (None, ("503",) * 5),  # no worker beats on this run's queue here
    ("GET", "metrics"): (None, PUBLIC),  # the test client is loopback; anyone else needs the token
}

# The Django admin is its own world (staff only, its own login): see test_django_admin_is_staff_only.
EXCLUDED_PREFIXES = ("admin/",)


def _routes(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _routes(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern)


def test_every_route_has_a_matrix_entry():
    routes = {r for r in _routes(get_resolver().url_patterns) if not r.startswith(EXCLUDED_PREFIXES)}
    in_matrix = {route for _, route in MATRIX}
    assert routes - in_matrix == set(), "new endpoints: decide who may use them and add them to MATRIX"
    assert in_matrix - routes == set(), "MATRIX lists routes that no longer exist"


# --- the world every matrix case runs in -------------------------------------------------------


def _group(name, *codenames):
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(Permission.objects.filter(content_type__app_label="moderation", codename__in=codenames))
    return group


@pytest.fixture
def world(db):
    carol = UserFactory(username="carol")
    users = {
        "anonymous": None,
        "reader": UserFactory(username="alice"),
        "other_reader": UserFactory(username="bob"),
        "moderator": UserFactory(username="mod"),
        "admin": UserFactory(username="adm"),
    }
    users["moderator"].groups.add(_group("Moderators", "can_moderate"))
    users["admin"].groups.add(_group("Policy admins", "can_moderate", "change_policy"))
    article = ArticleFactory(author=carol)
    article.tags.add("cities")
    published = CommentFactory(article=article, author=carol, text="Published by carol.")
    held = CommentFactory(article=article, author=carol, text="Held for review.", status=Comment.Status.HELD)
    own = CommentFactory(article=article, author=users["reader"], text="Alice's own, held.", status=Comment.Status.HELD)
    old = Policy.objects.get(is_active=True)
    Policy.objects.filter(pk=old.pk).update(is_active=False)
    Policy.objects.create(version=old.version + 1, thresholds=PINNED_THRESHOLDS, is_active=True)
    return {
        "users": users,
        "kwargs": {
            "slug": article.slug, "category_slug": "news", "tag_slug": "cities", "pk": published.pk,
            "comment_id": held.pk, "username": "carol", "version": old.version, "article_id": article.pk,
            "event_id": 999_999, "version_id": _shipped_model_version().pk,
        },
        "held": held,
        "own": own,
    }


def _shipped_model_version() -> ModelVersion:
    # Migration 0010 adds it; a transactional test's flush removes it, as it does the default policy.
    version, _ = ModelVersion.objects.get_or_create(kind="shipped", defaults={"is_active": True})
    return version


def _url(route: str, kwargs: dict) -> str:
    url = "/" + route
    for key, value in kwargs.items():
        for converter in ("slug", "uslug", "int", "str"):
            url = url.replace(f"<{converter}:{key}>", str(value))
    assert "<" not in url, url
    return url


# Routes about one's own comment: <pk> is the reader's (alice's) held comment there, so the
# reader is its author and everyone else is not.
OWN_ROUTES = {
    route for _, route in MATRIX
    if route.startswith(("comments/<int:pk>/edit", "comments/<int:pk>/delete", "comments/<int:pk>/appeal",
                         "comments/<int:pk>/nudge", "comments/<int:pk>/outcome", "api/comments/<int:pk>/appeal",
                         "api/comments/<int:pk>/nudge"))
} | {"api/comments/<int:pk>/"}


def _request(client: Client, method: str, route: str, body, world):
    kwargs = world["kwargs"]
    if route in OWN_ROUTES and method != "GET" or route in OWN_ROUTES - {"api/comments/<int:pk>/"}:
        kwargs = {**kwargs, "pk": world["own"].pk}
    url = _url(route, kwargs)
    held = world["held"].pk
    if method == "GET":
        return client.get(url)
    if route.startswith("api/"):
        body = json.loads(json.dumps(body or {}).replace('"HELD"', str(held)))
        call = {"POST": client.post, "PATCH": client.patch, "DELETE": client.delete}[method]
        return call(url, json.dumps(body), content_type="application/json")
    body = {k: (held if v == "HELD" else v) for k, v in (body or {}).items()}
    return client.post(url, body)


def _outcome(response) -> str:
    if response.status_code == 302:
        return "L" if response["Location"].startswith("/accounts/login/") else "302"
    return str(response.status_code)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method, route", list(MATRIX), ids=[f"{m} /{r}" for m, r in MATRIX])
def test_permissions_matrix(world, method, route, role):
    body, expected = MATRIX[(method, route)]
    client = Client()
    if world["users"][role] is not None:
        client.force_login(world["users"][role])

    response = _request(client, method, route, body, world)

    assert _outcome(response) == expected[ROLES.index(role)], response.content[:500]


def test_a_moderator_cannot_change_the_policy(world):
    client = Client()
    client.force_login(world["users"]["moderator"])
    before = list(Policy.objects.values_list("version", "is_active", "thresholds"))
    loose = {label: {"hold": 0.99, "reject": 1.0} for label in PINNED_THRESHOLDS}
    r = client.post("/api/moderation/policy/", json.dumps({"thresholds": loose}), content_type="application/json")
    assert r.status_code == 403
    r = client.post("/moderation/policy/", {**THRESHOLD_FORM, "toxicity__hold": "0.99", "on_failure": "hold", "action": "save"})
    assert r.status_code == 403
    assert client.post(f"/api/moderation/policy/{world['kwargs']['version']}/restore/").status_code == 403
    assert list(Policy.objects.values_list("version", "is_active", "thresholds")) == before


def test_django_admin_is_staff_only(world):
    for role, user in world["users"].items():
        client = Client()
        if user is not None:
            client.force_login(user)
        for url in ("/admin/", "/admin/blog/comment/", "/admin/moderation/policy/", "/admin/auth/user/"):
            r = client.get(url)
            assert r.status_code == 302 and r["Location"].startswith("/admin/login/"), (role, url)
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/blog/comment/").status_code == 200


# --- other readers' unpublished comments stay invisible ---------------------------------------

SECRET_PENDING = "SECRET-PENDING-7f3a"
SECRET_REJECTED = "SECRET-REJECTED-91bc"
SECRET_HELD = "SECRET-HELD-c0de"


@pytest.fixture
def hidden(world):
    article_slug = world["kwargs"]["slug"]
    from blog.models import Article

    article = Article.objects.get(slug=article_slug)
    bob = world["users"]["other_reader"]
    return {
        "article": article,
        "comments": [
            CommentFactory(article=article, author=bob, text=SECRET_PENDING, status=Comment.Status.PENDING),
            CommentFactory(article=article, author=bob, text=SECRET_REJECTED, status=Comment.Status.REJECTED,
                           status_reason="REASON-for-bob-only"),
            CommentFactory(article=article, author=bob, text=SECRET_HELD, status=Comment.Status.HELD),
        ],
    }


def _reader_get_routes():
    return [r for (m, r), (_, exp) in MATRIX.items() if m == "GET" and exp[1] == "200"]


@pytest.mark.parametrize("viewer", ["anonymous", "reader"])
def test_no_page_or_endpoint_shows_another_readers_unpublished_comments(world, hidden, viewer):
    client = Client()
    if world["users"][viewer] is not None:
        client.force_login(world["users"][viewer])
    routes = _reader_get_routes()
    assert "api/articles/<slug:slug>/comments/" in routes and "articles/<slug:slug>/" in routes
    for route in routes:
        body = _request(client, "GET", route, None, world).content.decode()
        for secret in (SECRET_PENDING, SECRET_REJECTED, SECRET_HELD, "REASON-for-bob-only"):
            assert secret not in body, (route, secret)
    for c in hidden["comments"]:
        assert client.get(f"/api/comments/{c.pk}/").status_code == 404
        assert client.get(f"/comments/{c.pk}/report/").status_code in (404, 302)


def test_comment_counts_and_the_sidebar_count_published_comments_only(world, hidden):
    client = Client()
    client.force_login(world["users"]["reader"])
    [item] = [a for a in client.get("/api/articles/").json()["results"] if a["slug"] == hidden["article"].slug]
    assert item["comment_count"] == 1  # carol's published comment; held/pending/rejected are not counted
    assert client.get(f"/api/articles/{hidden['article'].slug}/").json()["comment_count"] == 1
    page = client.get(f"/articles/{hidden['article'].slug}/").content.decode()
    assert SECRET_PENDING not in page  # the recent-comments sidebar included


def test_a_reader_cannot_act_on_or_reply_to_another_readers_unpublished_comment(world, hidden):
    api = Client()
    api.force_login(world["users"]["reader"])
    slug = hidden["article"].slug
    for c in hidden["comments"]:
        assert api.post(f"/api/comments/{c.pk}/like/").status_code == 404
        r = api.post(f"/api/comments/{c.pk}/report/", json.dumps({"reason": "x"}), content_type="application/json")
        assert r.status_code == 404
        r = api.post(f"/api/articles/{slug}/comments/", json.dumps({"text": "reply", "parent": c.pk}),
                     content_type="application/json")
        assert r.status_code == 400 and "parent" in r.json()
        assert api.post(f"/comments/{c.pk}/like/").status_code == 404
        assert api.post(f"/articles/{slug}/comment/", {"text": "reply", "parent": c.pk}).status_code == 400
    assert Comment.objects.filter(text="reply").count() == 0


def test_the_author_does_see_their_own_unpublished_comments(world, hidden):
    client = Client()
    client.force_login(world["users"]["other_reader"])
    thread = client.get(f"/api/articles/{hidden['article'].slug}/comments/").json()
    texts = {c["text"]: c for c in thread}
    assert {SECRET_PENDING, SECRET_REJECTED, SECRET_HELD} <= set(texts)
    assert texts[SECRET_REJECTED]["status_reason"] == "REASON-for-bob-only"
    assert SECRET_PENDING in client.get("/my/comments/").content.decode()
