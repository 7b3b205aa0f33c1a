"""What every reader API view shares: the base class (parsers, permissions) and the lookups that
answer 404 for what the requester may not see. Views are thin: fetch through the visibility check,
validate the body, then call blog.services / blog.selectors; a service's ValidationError keyed by
field is a 400 (core.api.errors)."""
from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from blog import selectors
from blog.models import Article, Comment
from core.api.parsers import JSONBodyParser


class ReaderApi(APIView):
    # Bodies are JSON only (any other content type is answered 415), so that field types are
    # JSON types: a form post would turn every value into a string.
    parser_classes = [JSONBodyParser]


def article_or_404(slug: str, *, for_write: bool = False) -> Article:
    get = selectors.article_get_for_write if for_write else selectors.article_get
    try:
        return get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def visible_comment_or_404(pk: int, user) -> Comment:
    try:
        return selectors.comment_get_visible(pk=pk, viewer=user)
    except Comment.DoesNotExist:
        raise Http404("No such comment.") from None


NOT_LOGGED_IN = OpenApiResponse(description="Authentication credentials were not provided (or CSRF failed).")
TOO_MANY = OpenApiResponse(
    description="Rate limit reached for this reader or address (core.ratelimit); retry after Retry-After seconds."
)


class LikeOutputSerializer(serializers.Serializer):
    """Whether the reader likes it now, and its like count after the like or unlike. Each resource
    subclasses it with its own ``Meta.ref_name`` (the schema names ArticleLike and CommentLike)."""

    liked = serializers.BooleanField()
    like_count = serializers.IntegerField()


def like_answer(output_serializer, liked_object, *, liked: bool, created: bool = False) -> Response:
    """A like or unlike's answer for an article or a comment: whether the reader likes it now and
    its count (read again: another reader may have liked it meanwhile); 201 for a new like."""
    liked_object.refresh_from_db(fields=["like_count"])
    data = output_serializer({"liked": liked, "like_count": liked_object.like_count}).data
    return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)
