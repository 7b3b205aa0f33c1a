"""Reads on the reader side. Who may see which comment is decided here and nowhere else."""
from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet

from .models import Article, AuthorProfile, Comment

User = get_user_model()


def visible_comments_q(viewer, prefix: str = "") -> Q:
    """Published comments for everyone; a reader also sees their own, whatever their status."""
    q = Q(**{f"{prefix}status": Comment.Status.PUBLISHED})
    if viewer is not None and viewer.is_authenticated:
        q |= Q(**{f"{prefix}author": viewer})
    return q


def article_list(*, category_slug: str | None = None, tag_slug: str | None = None) -> QuerySet[Article]:
    qs = (
        Article.objects.select_related("author__profile", "category")
        .prefetch_related("tags")
        .annotate(comment_count=Count("comments", filter=Q(comments__status=Comment.Status.PUBLISHED)))
    )
    if category_slug:
        qs = qs.filter(category__slug=category_slug)
    if tag_slug:
        qs = qs.filter(tags__slug=tag_slug)
    return qs.order_by("-published_at", "-id")


def article_get(*, slug: str) -> Article:
    """Raises Article.DoesNotExist."""
    return article_list().get(slug=slug)


def article_get_for_write(*, slug: str) -> Article:
    """The article alone, for posting a comment or a like. Raises Article.DoesNotExist.

    No comment count or tags: ``article_get``'s count of published comments grows with the
    thread, and every POST would pay for it (at thousands of comments, a third of the request).
    """
    return Article.objects.get(slug=slug)


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
    comments = list(
        article.comments.filter(visible_comments_q(viewer))
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
            reply_to = c.parent.author.get_username()
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
