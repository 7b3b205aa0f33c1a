"""Importing saved readers'-blog pages (the format of /work/shared/seeds/003_*.txt) into Parley.

Two steps, kept apart so the parser can be tested without a database:

- ``parse_page(text)`` turns the text of a saved page into a ``ParsedPage`` or raises
  ``ImportFormatError(message, line_number)`` pointing at the line at fault;
- ``import_page(path_or_text, ...)`` stores a parsed page in one transaction: the blog's author
  with a bio, the category, tags, the article, and its comments, created pending through
  ``blog.services.comment_create`` so each is classified once the import has committed.

The page format, top to bottom::

    Readers' Blog                                      <- blog name (optional)
    China Should Help Russia ...                       <- title
    Popularity 8Viewed 2288 times 2015-4-4 02:11 |System category:News| tag1, tag2
    <body paragraphs, blank-line separated; may carry pasted Word style definitions>
    (Opinions of the writer ...) / Shake hands / Like 0 Share     <- end of the article
    Comment Comment (6 comments)
    Reply Report USER YYYY-M-D HH:MM                   <- one comment per header line
    <comment text, possibly several paragraphs>
    facelist doodle Doodle board / You need to login to comment Login | register
    <the author's bio>
    Recent comments / Star blogger / Contact us: ...   <- the rest of the page: ignored

Decisions a caller should know about:

- The page names no article author, only the blog. The author is an imported account named after
  the blog (``imported:readers-blog``) unless ``author_username`` is given. Commenters become
  imported accounts too (``imported:walker_jo``): whatever a page says, it never writes as an
  account of this site (docs/SECURITY.md).
- Tags whose slug would be empty (punctuation only) are dropped; others keep their letters.
- Page times carry no time zone; they are read in ``time_zone`` (default: settings.TIME_ZONE).
- Re-importing a page whose article (same title and publication time) is already stored raises
  ``PageAlreadyImported`` and changes nothing; the command reports it and moves on.
- Comments on the page are flat (the page does not show who answered whom), so they are stored
  as top-level comments in page order.
- A plain article (``is_plain_article``: no metadata line and no comment header anywhere, like the
  essay seed 000_*.txt) is imported as an article with no comments, through ``import_essay``: its
  title is ``title`` when given, else its first line (a line that reads as a heading is the title
  and leaves the body; a first line that is a paragraph stays in the body and its first sentence,
  shortened to TITLE_FROM_TEXT_MAX characters, names the article).
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .models import Article, AuthorProfile, Category, Comment
from .page_format import (  # noqa: F401 - the importer's errors and parser, as callers know them
    COMMENT_HEADER_RE,
    METADATA_START_RE,
    ImportFormatError,
    PageAlreadyImported,
    PageImportError,
    ParsedPage,
    page_paragraphs,
    parse_page,
    strip_word_debris,
)
from .services import comment_create

User = get_user_model()


def _unique_slug(text: str, *, fallback: str) -> str:
    max_length = Article._meta.get_field("slug").max_length
    base = slugify(text)[: max_length - 8].strip("-") or fallback
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# Imported people live in their own namespace: a page names whoever it likes ("admin",
# "Moderator"), and must never be stored as, or speak for, an account of this site. ":" is
# refused in every username a person can choose (registration, Django's validator), so
# "imported:admin" cannot collide with a real account and says where it came from.
IMPORTED_USERNAME_PREFIX = "imported:"


def imported_username(name: str) -> str:
    return (IMPORTED_USERNAME_PREFIX + name)[:150]


def _user(username: str):
    """The imported account for a name on a page (any case: one person per name across
    pages), created unable to log in: imported people never chose a password here."""
    username = imported_username(username)
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        user = User(username=username)
        user.set_unusable_password()
        user.save()
    return user


def _tag_names(names: list[str]) -> list[str]:
    """Tags that can have a page: django-taggit slugifies with allow_unicode, so 中国 keeps its
    letters (and its URL, blog/urls.py's <uslug:>), but "!!!" would have an empty slug."""
    return [name for name in names if slugify(name, allow_unicode=True)]


def _category(name: str) -> Category | None:
    if not name:
        return None
    existing = Category.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    # NFKD can lengthen a name ("ﬃ" is "ffi"): the slug is cut to fit.
    slug = slugify(name)[: Category._meta.get_field("slug").max_length].strip("-") or f"category-{Category.objects.count() + 1}"
    category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    return category


def author_for_blog(*, blog_name: str, username: str | None = None, bio: str = ""):
    """The article author for a blog, with a profile: the existing or new account ``username``
    when the operator names one (``import_page --author``), else the imported account
    ``imported:<slugify(blog_name)>`` (the page's own say never picks a real account). A bio
    from the page fills an empty profile bio; an edited one is kept."""
    if username:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User(username=username)
            user.set_unusable_password()
            user.save()
    else:
        user = _user(slugify(blog_name) or "blog")
    profile, created = AuthorProfile.objects.get_or_create(user=user, defaults={"display_name": blog_name, "bio": bio})
    if not created and bio and not profile.bio:
        profile.bio = bio
        profile.save(update_fields=["bio"])
    return user


TITLE_FROM_TEXT_MAX = 120
_SENTENCE_END_RE = re.compile(r"[.!?…:;](?:\s|$)")


def is_plain_article(text: str) -> bool:
    """True for a bare article: text, but no page metadata line and no comment header anywhere
    (a page with a broken header is still a page, and gets the parser's error)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")]
    return any(lines) and not any(METADATA_START_RE.match(line) or COMMENT_HEADER_RE.match(line) for line in lines)


def title_from_text(text: str) -> tuple[str, str]:
    """(title, body) of a plain article without a given title: see the module docstring."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    first, _, rest = text.strip().partition("\n")
    first = strip_word_debris(first.strip())
    if len(first) <= TITLE_FROM_TEXT_MAX and not _SENTENCE_END_RE.search(first[-1:] + " ") and rest.strip():
        return first, rest
    sentence = first[: m.start() + 1] if (m := _SENTENCE_END_RE.search(first)) else first
    sentence = sentence.rstrip(".:;")
    if len(sentence) > TITLE_FROM_TEXT_MAX:
        sentence = sentence[: TITLE_FROM_TEXT_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return sentence, text


def import_plain_article(text: str, *, title: str | None = None, author_username: str | None = None) -> Article:
    """Store a plain article (no metadata, no comments) under ``title`` or one taken from its
    text; PageAlreadyImported when an article of that title is stored already."""
    if title is not None:
        title, body = title.strip(), text
        if not title:
            raise ImportFormatError("the title is empty", 0)
    else:
        title, body = title_from_text(text)
    if len(title) > (limit := Article._meta.get_field("title").max_length):
        raise ImportFormatError(f"title is longer than {limit} characters", 1)
    if not slugify(title):
        raise ImportFormatError(f"the title '{title[:40]}' has no letter or digit to make its address from; give --title", 1)
    blog_name = Article._meta.get_field("blog_name").default
    with transaction.atomic():
        author = author_for_blog(blog_name=blog_name, username=author_username)
        article, created = import_essay(body, title=title, author=author)
        if not created:
            raise PageAlreadyImported(article)  # leaving the block rolls back an author made for nothing
    return article


def import_page(
    path_or_text: str | Path,
    *,
    author_username: str | None = None,
    time_zone: str | None = None,
    title: str | None = None,
) -> Article:
    """Parse a saved page (a Path, or the page's text as a str) and store it in one transaction.

    Raises ImportFormatError for malformed input (nothing is stored) and PageAlreadyImported when
    an article with the same title and publication time exists. Comments are stored pending and
    queued for classification after the transaction commits. A plain article (is_plain_article)
    is stored with no comments, titled ``title`` or from its first line (import_plain_article);
    ``title`` is refused for a page, which names its own.
    """
    text = path_or_text.read_text(encoding="utf-8-sig") if isinstance(path_or_text, Path) else path_or_text
    if "\x00" in text:
        parse_page(text)  # names the line with the NUL character
    if is_plain_article(text):
        return import_plain_article(text, title=title, author_username=author_username)
    if title is not None:
        raise ImportFormatError("--title is for a plain article; this page names its own title", 1)
    page = parse_page(text)
    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    published_at = page.published.replace(tzinfo=tz)

    with transaction.atomic():
        existing = Article.objects.filter(title=page.title, published_at=published_at).first()
        if existing:
            raise PageAlreadyImported(existing)
        author = author_for_blog(blog_name=page.blog_name, username=author_username, bio=page.bio)
        article = Article.objects.create(
            blog_name=page.blog_name,
            title=page.title,
            slug=_unique_slug(page.title, fallback="article"),
            author=author,
            category=_category(page.category),
            body=page.body,
            stance_claim=page.title,
            published_at=published_at,
            view_count=page.view_count,
            like_count=page.popularity,
        )
        if tags := _tag_names(page.tags):
            article.tags.set(tags)
        for parsed in page.comments:
            try:
                comment = comment_create(article=article, author=_user(parsed.username), text=parsed.text)
            except ValidationError as exc:
                raise ImportFormatError(f"comment by {parsed.username}: {'; '.join(exc.messages)}", parsed.line_number) from None
            # The service stamps "now"; the page's time is the truth. The enqueue runs after
            # commit, so the worker sees this date.
            Comment.objects.filter(pk=comment.pk).update(created_at=parsed.created.replace(tzinfo=tz))
    return article


def import_essay(
    text: str,
    *,
    title: str,
    author,
    stance_claim: str = "",
    category: str = "",
    tags: list[str] | None = None,
    published_at: datetime | None = None,
) -> tuple[Article, bool]:
    """Store a bare article body (no page header, no comments) under ``title``; returns
    (article, created). Idempotent on the title's slug. Paragraphs are separated by blank lines
    or, when the text has none, one per line; pasted Word style sheets are removed."""
    slug = slugify(title)[: Article._meta.get_field("slug").max_length]
    existing = Article.objects.filter(slug=slug).first()
    if existing:
        return existing, False
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = list(enumerate(text.split("\n"), start=1))
    if re.search(r"\S[^\S\n]*\n[^\S\n]*\n\s*\S", text):  # a blank line between paragraphs
        paragraphs = page_paragraphs(lines)
    else:  # an essay pasted one paragraph per line
        paragraphs = [line.rstrip() for _, line in lines if line.strip()]
    paragraphs = [p for p in (strip_word_debris(p) for p in paragraphs) if p]
    if not paragraphs:
        raise ImportFormatError("the essay has no text", 1)
    with transaction.atomic():
        article = Article.objects.create(
            title=title,
            slug=slug,
            author=author,
            category=_category(category),
            body="\n\n".join(paragraphs),
            stance_claim=stance_claim or title,
            **({"published_at": published_at} if published_at else {}),
        )
        if tags := _tag_names(tags or []):
            article.tags.set(tags)
    return article, True
