"""Demo content for Parley: role users, star bloggers, five opinion pieces and a threaded
discussion under each, written so that every kind of comment a moderator meets appears. The
texts are data in content.json beside this module; this module loads them.

``demo_load()`` is idempotent: users are keyed on username, categories and articles on slug,
comments on (article, author, text); running it again creates nothing and changes nothing
(passwords and flags are set only when a user is created). Comments are created pending through
``blog.services.comment_create``, so a running worker classifies them like any reader's comment.

``DEMO_COMMENT_KINDS`` maps each demo comment's text to the kind it was written as, so tests and
docs can compare what the models did with what the comment is. A kind describes the comment
toward what it answers: the article for a top-level comment, the parent for a reply.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from blog.importing import ImportFormatError, PageAlreadyImported, author_for_blog, import_essay, import_page
from blog.models import Article, AuthorProfile, Category, Comment
from blog.services import comment_create

User = get_user_model()

MODERATORS_GROUP = "Moderators"
POLICY_ADMINS_GROUP = "Policy admins"

KINDS = ("agree", "disagree_polite", "sarcastic", "off_topic", "insult", "obscene", "threat", "identity_attack")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


# The accounts a person uses to try the site; their passwords are printed by `load_demo`.
DEMO_LOGINS = (
    DemoLogin("reader", "reader-demo-pass", "reader: comments, likes, reports"),
    DemoLogin("moderator", "moderator-demo-pass", f"moderator: group '{MODERATORS_GROUP}' (moderation.can_moderate)"),
    DemoLogin(
        "admin",
        "admin-demo-pass",
        f"policy admin: group '{POLICY_ADMINS_GROUP}' (can_moderate, change_policy), staff and superuser",
    ),
)
# Every named author and commenter below shares this password, so a demo can log in as one and
# see, say, their rejected comment with its reason.
DEMO_NAMED_PASSWORD = "parley-demo-pass"


@dataclass(frozen=True)
class DemoAuthor:
    username: str
    display_name: str
    bio: str


CONTENT = Path(__file__).with_name("content.json")


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    title: str
    author: str
    category: str
    tags: tuple[str, ...]
    stance_claim: str
    published_at: datetime
    view_count: int
    like_count: int
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class DemoComment:
    key: str  # stable name, for replies to point at
    article: str  # the article's slug
    author: str
    kind: str
    text: str
    parent: str | None = None
    minutes_after: int = 0  # after the article's publication


def _content() -> dict:
    """The demo's people, articles and comments: data, kept in content.json beside this module."""
    return json.loads(CONTENT.read_text(encoding="utf-8"))


_DATA = _content()
STAR_BLOGGERS = tuple(DemoAuthor(**author) for author in _DATA["star_bloggers"])
DEMO_READERS = tuple(_DATA["readers"])
DEMO_ARTICLES = tuple(
    DemoArticle(
        **{**a, "tags": tuple(a["tags"]), "paragraphs": tuple(a["paragraphs"]),
           "published_at": datetime.fromisoformat(a["published_at"])}
    )
    for a in _DATA["articles"]
)
DEMO_COMMENTS = tuple(DemoComment(**c) for c in _DATA["comments"])

# Comment text -> the kind it was written as (see the module docstring).
DEMO_COMMENT_KINDS: dict[str, str] = {c.text: c.kind for c in DEMO_COMMENTS}
assert len(DEMO_COMMENT_KINDS) == len(DEMO_COMMENTS), "demo comment texts must be unique"
assert {c.kind for c in DEMO_COMMENTS} == set(KINDS)

# The seed documents that `load_demo --with-seeds` imports. The page carries its own title and
# metadata; the essay is a bare body, so its title and claim are given here.
SEED_PAGES = ("003_1038f898581a8cd7.txt",)


@dataclass(frozen=True)
class SeedEssay:
    filename: str
    title: str
    stance_claim: str
    category: str
    tags: tuple[str, ...]


SEED_ESSAYS = (
    SeedEssay(
        filename="000_2a700f412a90e238.txt",
        title="From the Soviet Union to Russia: China's Friendship with Its Northern Neighbour",
        stance_claim="China is Russia's most sincere partner.",
        category="News",
        tags=("china", "russia", "soviet union", "history"),
    ),
)
SEED_BLOG_NAME = "Readers’ Blog"  # as the seed page spells it, so both seeds share one author


def default_seeds_dir() -> Path:
    """PARLEY_SEEDS_DIR when set, else ../shared/seeds beside the checkout (where the project's
    shared material lives on the machine it was built on; a fresh clone has none)."""
    configured = os.environ.get("PARLEY_SEEDS_DIR", "").strip()
    return Path(configured) if configured else Path(settings.BASE_DIR).parent / "shared" / "seeds"


@dataclass
class DemoResult:
    users_created: int = 0
    articles_created: int = 0
    comments_created: int = 0
    comments_existing: int = 0
    seed_messages: list[str] = field(default_factory=list)
    seed_errors: list[str] = field(default_factory=list)


def ensure_roles() -> tuple[Group, Group]:
    """The "Moderators" and "Policy admins" groups with their permissions; returns (moderators,
    policy_admins). Permissions are added, never removed, so an admin's extra grants survive."""
    can_moderate = Permission.objects.get(content_type__app_label="moderation", codename="can_moderate")
    change_policy = Permission.objects.get(content_type__app_label="moderation", codename="change_policy")
    moderators, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    moderators.permissions.add(can_moderate)
    policy_admins, _ = Group.objects.get_or_create(name=POLICY_ADMINS_GROUP)
    policy_admins.permissions.add(can_moderate, change_policy)
    return moderators, policy_admins


def _user(*, username: str, password: str, result: DemoResult, **flags):
    user, created = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org", **flags})
    if created:
        # Only at creation: re-running the demo must not undo a password someone changed.
        user.set_password(password)
        user.save(update_fields=["password"])
        result.users_created += 1
    return user


def _demo_users(result: DemoResult) -> dict[str, object]:
    moderators, policy_admins = ensure_roles()
    logins = {login.username: login.password for login in DEMO_LOGINS}
    users = {
        "reader": _user(username="reader", password=logins["reader"], result=result),
        "moderator": _user(username="moderator", password=logins["moderator"], result=result),
        "admin": _user(username="admin", password=logins["admin"], result=result, is_staff=True, is_superuser=True),
    }
    users["moderator"].groups.add(moderators)
    users["admin"].groups.add(policy_admins)
    for blogger in STAR_BLOGGERS:
        user = _user(username=blogger.username, password=DEMO_NAMED_PASSWORD, result=result)
        AuthorProfile.objects.get_or_create(
            user=user, defaults={"display_name": blogger.display_name, "bio": blogger.bio, "is_star_blogger": True}
        )
        users[blogger.username] = user
    for username in DEMO_READERS:
        users[username] = _user(username=username, password=DEMO_NAMED_PASSWORD, result=result)
    return users


def _demo_articles(users: dict[str, object], result: DemoResult) -> dict[str, Article]:
    articles = {}
    for spec in DEMO_ARTICLES:
        category, _ = Category.objects.get_or_create(slug=spec.category.lower(), defaults={"name": spec.category})
        article, created = Article.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "title": spec.title,
                "author": users[spec.author],
                "category": category,
                "body": "\n\n".join(spec.paragraphs),
                "stance_claim": spec.stance_claim,
                "published_at": spec.published_at,
                "view_count": spec.view_count,
                "like_count": spec.like_count,
            },
        )
        if created:
            article.tags.set(list(spec.tags))
            result.articles_created += 1
        articles[spec.slug] = article
    return articles


def _demo_comments(users: dict[str, object], articles: dict[str, Article], result: DemoResult) -> None:
    stored: dict[str, Comment] = {}
    for spec in DEMO_COMMENTS:  # parents come before their replies
        article, author = articles[spec.article], users[spec.author]
        existing = Comment.objects.filter(article=article, author=author, text=spec.text).first()
        if existing:
            stored[spec.key] = existing
            result.comments_existing += 1
            continue
        parent = stored[spec.parent] if spec.parent else None
        comment = comment_create(article=article, author=author, text=spec.text, parent=parent)
        # Backdate to a plausible time after publication; the worker is enqueued after commit.
        created_at = article.published_at + timedelta(minutes=spec.minutes_after)
        Comment.objects.filter(pk=comment.pk).update(created_at=created_at)
        comment.created_at = created_at
        stored[spec.key] = comment
        result.comments_created += 1


def _load_seeds(seeds_dir: Path, result: DemoResult) -> None:
    if not seeds_dir.is_dir():
        result.seed_errors.append(
            f"No seed directory at {seeds_dir}: pass --seeds-dir DIR (or set PARLEY_SEEDS_DIR) to the folder "
            f"holding {', '.join((*SEED_PAGES, *(e.filename for e in SEED_ESSAYS)))}; the demo itself is loaded."
        )
        return
    for name in SEED_PAGES:
        path = seeds_dir / name
        if not path.is_file():
            result.seed_messages.append(f"{path}: not found; skipped.")
            continue
        try:
            article = import_page(path)
        except PageAlreadyImported as exc:
            result.seed_messages.append(f"{path}: {exc}; skipped.")
        except ImportFormatError as exc:
            result.seed_errors.append(f"{path}:{exc.line_number}: {exc.message}")
        else:
            result.seed_messages.append(f"{path}: imported '{article.title}' with {article.comments.count()} comments.")
    for essay in SEED_ESSAYS:
        path = seeds_dir / essay.filename
        if not path.is_file():
            result.seed_messages.append(f"{path}: not found; skipped.")
            continue
        try:
            with transaction.atomic():
                author = author_for_blog(blog_name=SEED_BLOG_NAME)
                article, created = import_essay(
                    path.read_text(encoding="utf-8-sig"),
                    title=essay.title,
                    author=author,
                    stance_claim=essay.stance_claim,
                    category=essay.category,
                    tags=list(essay.tags),
                )
        except ImportFormatError as exc:
            result.seed_errors.append(f"{path}:{exc.line_number}: {exc.message}")
            continue
        if created:
            result.seed_messages.append(f"{path}: imported '{article.title}'.")
        else:
            result.seed_messages.append(f"{path}: already imported as '{article.title}' ({article.slug}); skipped.")


def demo_load(*, with_seeds: bool = False, seeds_dir: Path | None = None) -> DemoResult:
    """Create (or find) the demo users, roles, articles and comments in one transaction; with
    ``with_seeds``, then import the seed documents, each in its own transaction."""
    result = DemoResult()
    with transaction.atomic():
        users = _demo_users(result)
        articles = _demo_articles(users, result)
        _demo_comments(users, articles, result)
    if with_seeds:
        _load_seeds(seeds_dir or default_seeds_dir(), result)
    return result
