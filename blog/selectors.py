"""Reads on the reader side. Who may see which comment is decided here and nowhere else."""
from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from core.compiled import CompiledLookup

from .models import DELETED_USERNAME_PREFIX, Article, AuthorProfile, Comment, CommentLike

User = get_user_model()


def visible_comments_q(viewer, prefix: str = "") -> Q:
    """Published comments for everyone; a reader also sees their own, whatever their status
    (except deleted ones, which have no text left to see)."""
    q = Q(**{f"{prefix}status": Comment.Status.PUBLISHED})
    if viewer is not None and viewer.is_authenticated:
        q |= Q(**{f"{prefix}author": viewer}) & ~Q(**{f"{prefix}status": Comment.Status.DELETED})
    return q


DELETED_USER = "deleted user"


def author_name(user) -> str:
    """How a comment's author is shown: their username, or "deleted user" once they deleted their account."""
    name = user.get_username()
    return DELETED_USER if name.startswith(DELETED_USERNAME_PREFIX) else name


def article_list(*, category_slug: str | None = None, tag_slug: str | None = None, q: str = "") -> QuerySet[Article]:
    """Articles, newest first; with ``q``, those matching it (title and text), best match first."""
    qs = (
        Article.objects.select_related("author__profile", "category")
        .prefetch_related("tags")
        .annotate(comment_count=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED)))
    )
    if category_slug:
        qs = qs.filter(category__slug=category_slug)
    if tag_slug:
        qs = qs.filter(tags__slug=tag_slug)
    if q.strip():
        return _article_search(qs, q.strip())
    return qs.order_by("-published_at", "-id")


# The longest search the page and the API take (both answer 400 beyond it, naming q).
SEARCH_MAX_LENGTH = 200
# What a search keeps of its text: words (hyphenated ones whole), double quotes (a phrase) and a
# minus just before a word (leave it out). PostgreSQL's websearch parser turns a run of bare
# operators ("-" x 33, "-(" x 40) into nested NOTs and fails with "tsquery stack too small";
# with one operator per word at most it never nests.
_SEARCH_TOKEN = re.compile(r'"|(?<![\w-])-(?=\w)|\w+(?:-\w+)*')


def search_text(q: str) -> str:
    """``q`` reduced to what the full-text search may see: words, phrases in double quotes and
    a leading minus, never more than one operator per word. "" when nothing searchable is left
    (the search then matches nothing)."""
    tokens = _SEARCH_TOKEN.findall(q[:SEARCH_MAX_LENGTH])
    out: list[str] = []
    for token in tokens:
        if out and out[-1] == "-":
            out[-1] += token
        else:
            out.append(token)
    if not any(re.search(r"\w", t) for t in out):
        return ""
    return " ".join(t for t in out if t != "-")


def _article_search(qs: QuerySet[Article], q: str) -> QuerySet[Article]:
    """PostgreSQL's full-text search (stemmed English, the title weighing more) on PostgreSQL;
    elsewhere (SQLite) articles with every word as a case-insensitive substring. Either way the
    text goes through ``search_text`` first, so any text is safe here (NUL is refused before
    this, a 400 from the views)."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector  # noqa: PLC0415 - the database vendor is known only at call time

        text = search_text(q)
        if not text:
            return qs.none()
        vector = SearchVector("title", weight="A", config="english") + SearchVector("body", weight="B", config="english")
        query = SearchQuery(text, search_type="websearch", config="english")
        # Matching is @@ (which honours "-word"); the rank only orders the matches.
        return (
            qs.annotate(document=vector, rank=SearchRank(vector, query))
            .filter(document=query)
            .order_by("-rank", "-published_at", "-id")
        )
    # Elsewhere (SQLite) the same words: each one in the title or the text, none of the excluded.
    words = search_text(q).replace('"', " ").split()
    if not any(not w.startswith("-") for w in words):
        return qs.none()
    for word in words:
        matches = Q(title__icontains=word.lstrip("-")) | Q(body__icontains=word.lstrip("-"))
        qs = qs.exclude(matches) if word.startswith("-") else qs.filter(matches)
    return qs.order_by("-published_at", "-id")


def article_get(*, slug: str) -> Article:
    """Raises Article.DoesNotExist."""
    return article_list().get(slug=slug)


def article_get_for_write(*, slug: str) -> Article:
    """The article alone, for posting a comment or a like. Raises Article.DoesNotExist.

    No comment count or tags: ``article_get``'s count of published comments grows with the
    thread, and every POST would pay for it (at thousands of comments, a third of the request).
    """
    return _article_by_slug.get(slug)


# Every comment POST reads its article: compiled once per connection, not per request.
_article_by_slug = CompiledLookup(Article.objects.all(), field="slug")


@dataclass(frozen=True)
class ThreadEntry:
    comment: Comment
    indent: int  # levels under visible ancestors, for display
    reply_to: str | None  # the parent's author, when the parent is shown elsewhere (not above)
    # The parent is one this viewer may not see (held, rejected, ...): its author is not named
    # (who wrote a rejected comment is not public), only that there was one.
    parent_hidden: bool = False


def comment_thread(*, article: Article, viewer) -> list[ThreadEntry]:
    """The comments this viewer may see, oldest thread first, replies under their parent.

    One query whatever the thread's size: `path` sorts the tree, and indentation counts only
    the ancestors this viewer can see, so a reply under a hidden comment is not misplaced.
    """
    # A deleted comment stays in the thread ("comment deleted") while it has replies to show.
    has_replies = Exists(Comment.objects.filter(visible_comments_q(viewer), parent=OuterRef("pk")))
    comments = list(
        article.comments.filter(visible_comments_q(viewer) | Q(has_replies, status=Comment.Status.DELETED))
        .select_related("author", "parent__author")
        .order_by("path")
    )
    shown_paths = {c.path for c in comments}
    entries = []
    for c in comments:
        segments = c.path.split("/")
        ancestors = ["/".join(segments[:i]) for i in range(1, len(segments))]
        indent = sum(1 for a in ancestors if a in shown_paths)
        reply_to, parent_hidden = None, c.parent is not None and c.parent.path not in shown_paths
        if c.parent is not None and not parent_hidden and c.parent.depth == c.depth:
            reply_to = DELETED_USER if c.parent.status == Comment.Status.DELETED else author_name(c.parent.author)
        entries.append(ThreadEntry(comment=c, indent=indent, reply_to=reply_to, parent_hidden=parent_hidden))
    return entries


def comment_get_visible(*, pk: int, viewer) -> Comment:
    """Raises Comment.DoesNotExist when the comment doesn't exist or this viewer may not see it."""
    return Comment.objects.select_related("article", "author").filter(visible_comments_q(viewer)).get(pk=pk)


def recent_comments(*, limit: int = 5) -> QuerySet[Comment]:
    return (
        Comment.objects.filter(status=Comment.Status.PUBLISHED)
        .select_related("article", "author")
        .order_by("-created_at", "-id")[:limit]
    )


def star_bloggers(*, limit: int = 6) -> QuerySet[AuthorProfile]:
    return AuthorProfile.objects.filter(is_star_blogger=True).select_related("user").order_by("display_name")[:limit]


def comments_by_author(*, author) -> QuerySet[Comment]:
    return Comment.objects.filter(author=author).select_related("article").order_by("-created_at", "-id")


def comment_ids_liked(*, user, comment_ids) -> set[int]:
    """Which of these comments the reader liked (for the liked state of their buttons)."""
    if not user.is_authenticated:
        return set()
    return set(CommentLike.objects.filter(user=user, comment_id__in=list(comment_ids)).values_list("comment_id", flat=True))
