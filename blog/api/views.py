"""The reader-side REST API: one class per operation, each with its own nested InputSerializer
(only the fields a client may set) and OutputSerializer.

Views are thin: fetch the object through the visibility check (404 when the requester may not
see it), validate the body, then call blog.services / blog.selectors. Services raise Django's
ValidationError keyed by field; core.api.errors.exception_handler turns it into a 400.
"""
from __future__ import annotations

import math

from django.conf import settings
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from blog import selectors, services
from blog.models import Article, Comment
from core.api.fields import RejectUnknownFieldsMixin, StrictBooleanField, StrictCharField, StrictIntegerField
from core.api.parsers import JSONBodyParser
from core.api.responses import BAD_INPUT, NOT_FOUND
from core.params import MAX_ID
from core.ratelimit import login_attempt_begin, login_attempt_end
from moderation import facade as moderation

from .serializers import ArticleSummaryOutputSerializer, CommentOutputSerializer, ThreadCommentOutputSerializer


class ReaderApi(APIView):
    # Bodies are JSON only (any other content type is answered 415), so that field types are
    # JSON types: a form post would turn every value into a string.
    parser_classes = [JSONBodyParser]


def _article_or_404(slug: str, *, for_write: bool = False) -> Article:
    get = selectors.article_get_for_write if for_write else selectors.article_get
    try:
        return get(slug=slug)
    except Article.DoesNotExist:
        raise Http404("No such article.") from None


def _visible_comment_or_404(pk: int, user) -> Comment:
    try:
        return selectors.comment_get_visible(pk=pk, viewer=user)
    except Comment.DoesNotExist:
        raise Http404("No such comment.") from None


NOT_LOGGED_IN = OpenApiResponse(description="Authentication credentials were not provided (or CSRF failed).")
TOO_MANY = OpenApiResponse(
    description="Rate limit reached for this reader or address (core.ratelimit); retry after Retry-After seconds."
)


# --- Articles -----------------------------------------------------------------------------------


class ArticleListApi(ReaderApi):
    permission_classes = [AllowAny]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    class FilterSerializer(serializers.Serializer):
        """Optional filters; unknown query parameters are ignored."""

        category = serializers.SlugField(required=False, help_text="Only articles in this category (its slug).")
        tag = serializers.SlugField(required=False, allow_unicode=True, help_text="Only articles with this tag (its slug).")
        q = serializers.CharField(required=False, max_length=selectors.SEARCH_MAX_LENGTH, allow_blank=True,
                                  help_text="Search the titles and text (full-text on PostgreSQL); best match first.")

    OutputSerializer = ArticleSummaryOutputSerializer

    @extend_schema(
        operation_id="articles_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), 400: BAD_INPUT, 404: OpenApiResponse(description="No such page.")},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        articles = selectors.article_list(
            category_slug=filters.validated_data.get("category"), tag_slug=filters.validated_data.get("tag"),
            q=filters.validated_data.get("q", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(articles, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class ArticleDetailApi(ReaderApi):
    permission_classes = [AllowAny]

    class OutputSerializer(ArticleSummaryOutputSerializer):
        """An article with its text and the author's bio box."""

        body = serializers.CharField(help_text="Plain text; blank lines separate paragraphs.")
        paragraphs = serializers.ListField(child=serializers.CharField())
        stance_claim = serializers.CharField(
            source="claim", help_text="The sentence comments are scored for or against (the title by default)."
        )

        class Meta:
            ref_name = "ArticleDetail"

    @extend_schema(operation_id="articles_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND})
    def get(self, request, slug: str):
        # No view counting here: a GET must be safe, and API clients carry no session to count once
        # per visitor (the web page counts views).
        article = _article_or_404(slug)
        return Response(self.OutputSerializer(article).data)


class ArticleLikeApi(ReaderApi):
    permission_classes = [IsAuthenticated]
    throttle_scope = "likes"  # core.ratelimit: per user and per IP, 429 with Retry-After

    class OutputSerializer(serializers.Serializer):
        """The article's popularity after this reader's like."""

        liked = serializers.BooleanField()
        like_count = serializers.IntegerField()

        class Meta:
            ref_name = "ArticleLike"

    @extend_schema(
        operation_id="articles_like",
        request=None,
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(OutputSerializer, description="Already liked by this reader; nothing changed."),
            401: NOT_LOGGED_IN,
            403: NOT_LOGGED_IN,
            404: NOT_FOUND,
            429: TOO_MANY,
        },
    )
    def post(self, request, slug: str):
        article = _article_or_404(slug, for_write=True)
        created = services.article_like(article=article, user=request.user)
        article.refresh_from_db(fields=["like_count"])
        data = self.OutputSerializer({"liked": True, "like_count": article.like_count}).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="articles_unlike", request=None,
        responses={200: OpenApiResponse(OutputSerializer, description="Unliked (or was not liked); the count after."),
                   401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN, 404: NOT_FOUND, 429: TOO_MANY},
    )
    def delete(self, request, slug: str):
        article = _article_or_404(slug, for_write=True)
        services.article_unlike(article=article, user=request.user)
        article.refresh_from_db(fields=["like_count"])
        return Response(self.OutputSerializer({"liked": False, "like_count": article.like_count}).data)


# --- Comments -----------------------------------------------------------------------------------


class ArticleCommentsApi(ReaderApi):
    """GET reads the thread, POST adds a comment: two operations on one path (clients rely on it),
    each with its own serializers."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scope = "comments"  # POST only (core.ratelimit counts writes)

    ThreadOutputSerializer = ThreadCommentOutputSerializer

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """A new comment or reply. Any other field (status, author, ...) is refused with 400."""

        text = StrictCharField(max_length=settings.PARLEY_COMMENT_MAX_LENGTH, trim_whitespace=False)
        parent = StrictIntegerField(
            required=False, allow_null=True, min_value=1, max_value=MAX_ID,
            help_text="The id of the comment this one answers; null or absent for a top-level comment.",
        )

        class Meta:
            ref_name = "CommentCreate"

    OutputSerializer = CommentOutputSerializer

    @extend_schema(
        operation_id="articles_comments_list",
        responses={200: ThreadOutputSerializer(many=True), 404: NOT_FOUND},
        description="The whole thread the requester may see, in display order: published comments, "
        "plus the requester's own in any status.",
    )
    def get(self, request, slug: str):
        article = _article_or_404(slug)
        entries = selectors.comment_thread(article=article, viewer=request.user)
        own = [e.comment for e in entries if request.user.is_authenticated and e.comment.author_id == request.user.pk]
        context = {"request": request, "thread": {e.comment.pk: e for e in entries},
                   "outcomes": moderation.comment_outcomes_for_author(comments=own)}
        return Response(self.ThreadOutputSerializer([e.comment for e in entries], many=True, context=context).data)

    @extend_schema(
        operation_id="articles_comments_create",
        request=InputSerializer,
        responses={
            201: OutputSerializer, 400: BAD_INPUT, 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN, 404: NOT_FOUND, 429: TOO_MANY,
        },
        description='Post a comment or a reply. It is stored as "pending" and published or held once scored.',
    )
    def post(self, request, slug: str):
        article = _article_or_404(slug, for_write=True)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = None
        if (parent_id := serializer.validated_data.get("parent")) is not None:
            try:
                parent = selectors.comment_get_visible(pk=parent_id, viewer=request.user)
            except Comment.DoesNotExist:
                raise serializers.ValidationError({"parent": ["No such comment."]}) from None
        comment = services.comment_create(
            article=article, author=request.user, text=serializer.validated_data["text"], parent=parent
        )
        return Response(self.OutputSerializer(comment, context={"request": request}).data, status=status.HTTP_201_CREATED)


FORBIDDEN = OpenApiResponse(description="Not logged in, or not allowed: the reason is in `detail` (e.g. not your comment).")


class CommentDetailApi(ReaderApi):
    """GET reads a comment (its author also gets `outcome`: what moderation made of it, in words;
    the page polls this for the nudge); PATCH edits and DELETE deletes one's own comment, within
    the edit window."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    throttle_scope = "comments"  # PATCH and DELETE (core.ratelimit counts writes)

    OutputSerializer = CommentOutputSerializer

    class EditInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """The comment's new text. It is scored and decided again, like a new comment."""

        text = StrictCharField(max_length=settings.PARLEY_COMMENT_MAX_LENGTH, trim_whitespace=False)

        class Meta:
            ref_name = "CommentEdit"

    @extend_schema(operation_id="comments_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND})
    def get(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        return Response(self.OutputSerializer(comment, context={"request": request}).data)

    @extend_schema(
        operation_id="comments_edit",
        request=EditInputSerializer,
        responses={200: OutputSerializer, 400: BAD_INPUT, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 404: NOT_FOUND, 429: TOO_MANY},
        description="Edit your own comment within the edit window (PARLEY_EDIT_WINDOW_MINUTES after posting, "
        "or while it awaits moderation). It becomes pending and is scored again. 403: not yours; 400: window closed.",
    )
    def patch(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        serializer = self.EditInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.comment_edit(comment=comment, author=request.user, text=serializer.validated_data["text"])
        return Response(self.OutputSerializer(comment, context={"request": request}).data)

    @extend_schema(
        operation_id="comments_delete", request=None,
        responses={204: OpenApiResponse(description="Deleted (its replies stay, under \"comment deleted\")."),
                   400: BAD_INPUT, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 404: NOT_FOUND, 429: TOO_MANY},
        description="Delete (or withdraw) your own comment within the edit window.",
    )
    def delete(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        services.comment_delete(comment=comment, author=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentAppealApi(ReaderApi):
    permission_classes = [IsAuthenticated]
    throttle_scope = "reports"

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """Why a moderator should look again (optional, short)."""

        note = StrictCharField(max_length=settings.PARLEY_APPEAL_NOTE_MAX_LENGTH, required=False, allow_blank=True)

        class Meta:
            ref_name = "CommentAppealCreate"

    class OutputSerializer(serializers.Serializer):
        """An author's appeal of their rejected comment."""

        comment = serializers.IntegerField(source="comment_id")
        note = serializers.CharField()
        created_at = serializers.DateTimeField()
        outcome = serializers.SerializerMethodField()

        class Meta:
            ref_name = "CommentAppeal"

        def get_outcome(self, appeal) -> str:
            """"open" until a moderator decides, then "reinstated" or "upheld"."""
            return appeal.outcome or "open"

    @extend_schema(
        operation_id="comments_appeal",
        request=InputSerializer,
        responses={201: OutputSerializer, 400: BAD_INPUT, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 404: NOT_FOUND, 429: TOO_MANY},
        description="Ask, once, for a moderator to review your rejected comment. 400: not rejected, or already appealed.",
    )
    def post(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        appeal = services.comment_appeal(comment=comment, author=request.user, note=serializer.validated_data.get("note", ""))
        return Response(self.OutputSerializer(appeal).data, status=status.HTTP_201_CREATED)


class CommentNudgeApi(ReaderApi):
    permission_classes = [IsAuthenticated]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """The author's answer to the nudge. Editing (PATCH) and withdrawing (DELETE) answer it too."""

        answer = serializers.ChoiceField(choices=[("left", "leave it for a moderator")])

        class Meta:
            ref_name = "CommentNudgeAnswer"

    @extend_schema(
        operation_id="comments_nudge_answer",
        request=InputSerializer,
        responses={204: OpenApiResponse(description="Recorded."), 400: BAD_INPUT, 401: NOT_LOGGED_IN,
                   403: FORBIDDEN, 404: NOT_FOUND},
        description="Leave a held or rejected comment for a moderator (recorded in the audit log).",
    )
    def post(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.comment_nudge_leave(comment=comment, author=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentLikeApi(ReaderApi):
    permission_classes = [IsAuthenticated]
    throttle_scope = "likes"

    class OutputSerializer(serializers.Serializer):
        """The comment's like count after this reader's like."""

        liked = serializers.BooleanField()
        like_count = serializers.IntegerField()

        class Meta:
            ref_name = "CommentLike"

    @extend_schema(
        operation_id="comments_like",
        request=None,
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(OutputSerializer, description="Already liked by this reader; nothing changed."),
            400: OpenApiResponse(description="Only published comments can be liked."),
            401: NOT_LOGGED_IN,
            403: NOT_LOGGED_IN,
            404: NOT_FOUND,
            429: TOO_MANY,
        },
    )
    def post(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        created = services.comment_like(comment=comment, user=request.user)
        comment.refresh_from_db(fields=["like_count"])
        data = self.OutputSerializer({"liked": True, "like_count": comment.like_count}).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        operation_id="comments_unlike", request=None,
        responses={200: OpenApiResponse(OutputSerializer, description="Unliked (or was not liked); the count after."),
                   401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN, 404: NOT_FOUND, 429: TOO_MANY},
    )
    def delete(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        services.comment_unlike(comment=comment, user=request.user)
        comment.refresh_from_db(fields=["like_count"])
        return Response(self.OutputSerializer({"liked": False, "like_count": comment.like_count}).data)


class CommentReportApi(ReaderApi):
    permission_classes = [IsAuthenticated]
    throttle_scope = "reports"

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """Why the comment should be looked at by a moderator."""

        reason = StrictCharField(max_length=settings.PARLEY_REPORT_REASON_MAX_LENGTH)

        class Meta:
            ref_name = "CommentReportCreate"

    class OutputSerializer(serializers.Serializer):
        """A reader's report of a comment (one per reader per comment)."""

        id = serializers.IntegerField()
        comment = serializers.IntegerField(source="comment_id")
        reason = serializers.CharField()
        created_at = serializers.DateTimeField()

        class Meta:
            ref_name = "CommentReport"

    @extend_schema(
        operation_id="comments_report",
        request=InputSerializer,
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(OutputSerializer, description="This reader already reported it: the first report, unchanged."),
            400: BAD_INPUT,
            401: NOT_LOGGED_IN,
            403: OpenApiResponse(description="Not logged in, or the comment is the reader's own: the reason is in `detail`."),
            404: NOT_FOUND,
            429: TOO_MANY,
        },
    )
    def post(self, request, pk: int):
        comment = _visible_comment_or_404(pk, request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.comment_report(
            comment=comment, reporter=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(
            self.OutputSerializer(report).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


# --- Authentication -------------------------------------------------------------------------------


class TokenObtainApi(ObtainAuthToken):
    """Exchange a username and password for an API token (400 on bad credentials)."""

    # DRF's authtoken view with the API's error shapes. Form bodies stay accepted here:
    # `curl -d username=... -d password=...` is how people get a token.

    parser_classes = [JSONBodyParser, FormParser, MultiPartParser]

    class InputSerializer(RejectUnknownFieldsMixin, AuthTokenSerializer):
        """A reader's credentials."""

        class Meta:
            ref_name = "TokenObtain"

    class OutputSerializer(serializers.Serializer):
        """An API token for this reader."""

        token = serializers.CharField(help_text='Send it as "Authorization: Token <token>".')

        class Meta:
            ref_name = "Token"

    serializer_class = InputSerializer

    @extend_schema(
        operation_id="auth_token_create",
        request=InputSerializer,
        responses={
            200: OutputSerializer,
            400: OpenApiResponse(description="Bad credentials or input."),
            429: OpenApiResponse(
                description="Too many failed logins from this address (core.ratelimit.LOGIN_FAILURES); "
                "retry after Retry-After seconds."
            ),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        request.data  # noqa: B018 - a malformed body is a 400 before any place is taken
        # Counted before the password is checked, given back unless it fails (core.ratelimit).
        wait = login_attempt_begin(request=request)
        if wait is not None:
            raise Throttled(wait=math.ceil(wait))
        response = None
        try:
            response = super().post(request, *args, **kwargs)
            return response
        finally:
            login_attempt_end(request=request, succeeded=response is not None and response.status_code == 200)


# --- Your data ------------------------------------------------------------------------------------


class MeApi(ReaderApi):
    permission_classes = [IsAuthenticated]

    class DeleteInputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """Optional: also remove the text of every comment (by default it stays, by "deleted user")."""

        remove_comments = StrictBooleanField(required=False, default=False)

        class Meta:
            ref_name = "AccountDelete"

    @extend_schema(
        operation_id="me_delete", request=DeleteInputSerializer,
        responses={204: OpenApiResponse(description="Account deleted; this token no longer works."),
                   400: BAD_INPUT, 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN},
    )
    def delete(self, request):
        serializer = self.DeleteInputSerializer(data=request.data if request.data else {})
        serializer.is_valid(raise_exception=True)
        services.user_delete(user=request.user, remove_comments=serializer.validated_data["remove_comments"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExportApi(ReaderApi):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        operation_id="me_export",
        responses={200: OpenApiResponse(description="Everything you wrote: comments (with earlier versions), reports, "
                                                    "appeals, likes, as JSON."),
                   401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN},
    )
    def get(self, request):
        response = Response(services.user_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="parley-export.json"'
        return response
