"""/api/articles/<slug>/comments/ and /api/comments/<id>/...: the thread, posting, the author's edit,
delete, appeal and nudge answer, likes and reports. One class per operation, each with its own
nested InputSerializer (only the fields a client may set) and OutputSerializer."""
from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from blog import selectors, services
from blog.models import Comment
from core.api.fields import RejectUnknownFieldsMixin, StrictCharField, StrictIntegerField
from core.api.responses import BAD_INPUT, NOT_FOUND
from core.params import MAX_ID
from moderation import facade as moderation

from .common import (
    NOT_LOGGED_IN,
    TOO_MANY,
    LikeOutputSerializer,
    ReaderApi,
    article_or_404,
    like_answer,
    visible_comment_or_404,
)
from .serializers import CommentOutputSerializer, ThreadCommentOutputSerializer


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
        article = article_or_404(slug)
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
        article = article_or_404(slug, for_write=True)
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
        comment = visible_comment_or_404(pk, request.user)
        return Response(self.OutputSerializer(comment, context={"request": request}).data)

    @extend_schema(
        operation_id="comments_edit",
        request=EditInputSerializer,
        responses={200: OutputSerializer, 400: BAD_INPUT, 401: NOT_LOGGED_IN, 403: FORBIDDEN, 404: NOT_FOUND, 429: TOO_MANY},
        description="Edit your own comment within the edit window (PARLEY_EDIT_WINDOW_MINUTES after posting, "
        "or while it awaits moderation). It becomes pending and is scored again. 403: not yours; 400: window closed.",
    )
    def patch(self, request, pk: int):
        comment = visible_comment_or_404(pk, request.user)
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
        comment = visible_comment_or_404(pk, request.user)
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
        comment = visible_comment_or_404(pk, request.user)
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
        comment = visible_comment_or_404(pk, request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.comment_nudge_leave(comment=comment, author=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CommentLikeApi(ReaderApi):
    permission_classes = [IsAuthenticated]
    throttle_scope = "likes"

    class OutputSerializer(LikeOutputSerializer):
        """The comment's like count after this reader's like."""

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
        comment = visible_comment_or_404(pk, request.user)
        created = services.comment_like(comment=comment, user=request.user)
        return like_answer(self.OutputSerializer, comment, liked=True, created=created)

    @extend_schema(
        operation_id="comments_unlike", request=None,
        responses={200: OpenApiResponse(OutputSerializer, description="Unliked (or was not liked); the count after."),
                   401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN, 404: NOT_FOUND, 429: TOO_MANY},
    )
    def delete(self, request, pk: int):
        comment = visible_comment_or_404(pk, request.user)
        services.comment_unlike(comment=comment, user=request.user)
        return like_answer(self.OutputSerializer, comment, liked=False)


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
        comment = visible_comment_or_404(pk, request.user)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report, created = services.comment_report(
            comment=comment, reporter=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(
            self.OutputSerializer(report).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
