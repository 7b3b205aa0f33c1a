"""/api/moderation/ endpoints for moderators (``moderation.can_moderate``): the review queue,
decisions one by one and in bulk, the audit log, and authors' standing.

One class per operation, each with a nested InputSerializer (only what a client may set;
unknown fields are refused by name) and OutputSerializer. Services raise Django's
ValidationError, which core.api.errors.exception_handler answers as 400 naming the field; a decision
somebody else already made is 409 with who made it.
"""
from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from blog.models import Comment
from core.api.fields import RejectUnknownFieldsMixin, StrictBooleanField, StrictCharField, StrictIntegerField
from core.api.parsers import JSONBodyParser
from core.api.responses import BAD_INPUT, forbidden
from core.params import MAX_ID
from moderation.permissions import CanModerate, HasPermission
from moderation.queue import audit_log, decisions, reasons, selectors, standing, undo
from moderation.queue.filters import queue_filters, with_filter_fields

from .serializers import AuditEventOutputSerializer, QueueCardOutputSerializer

TAG = ["moderation: queue"]
FORBIDDEN = forbidden("a moderator")
ALREADY_DECIDED = OpenApiResponse(
    description='Someone decided it first: {"detail": "Comment 7 was already decided by bob (...)", '
    '"decided_by": "bob", "status": "published"}; or the author edited it since the revision you sent: '
    'the same plus {"changed": "text", "text": "<the new text>", "revision": "<its revision>"}.'
)


class CanManageReasons(HasPermission):
    perm = reasons.MANAGE_REASONS
    message = "Only admins may change the site's reasons."


class ModeratorApi(APIView):
    permission_classes = [CanModerate]
    parser_classes = [JSONBodyParser]  # JSON bodies only, so field types are JSON types


def _already_decided(exc: decisions.AlreadyDecided) -> Response:
    body = {"detail": exc.message, "decided_by": exc.by, "status": exc.status}
    if isinstance(exc, decisions.CommentChanged):
        # The card shows the new text at once, pinned to its new revision.
        body.update(changed="text", text=exc.text, revision=exc.revision)
    return Response(body, status=status.HTTP_409_CONFLICT)


# --- the queue ---------------------------------------------------------------------------------


class QueueApi(ModeratorApi):
    """The review queue, highest priority first (moderation/queue/ranking.py), with the page's tab
    counts. Keyset-paginated: follow ``next`` (or pass a card's ``cursor``) for the cards after."""

    @with_filter_fields
    class FilterSerializer(serializers.Serializer):
        cursor = serializers.CharField(required=False, help_text="Opaque; from `next` or a card's `cursor`.")
        page_size = serializers.IntegerField(min_value=1, max_value=selectors.MAX_PAGE_SIZE, required=False, default=selectors.PAGE_SIZE)

        class Meta:
            ref_name = "QueueFilter"

        def validate(self, data):
            if data.get("cursor"):
                try:
                    data["cursor"] = selectors.Cursor.decode(data["cursor"])
                except ValueError:
                    raise serializers.ValidationError({"cursor": ["Invalid cursor."]}) from None
            return data

    class OutputSerializer(serializers.Serializer):
        counts = serializers.DictField(
            child=serializers.IntegerField(),
            help_text=f"Tab -> comments on it (same filters), counted up to {selectors.COUNT_CAP:,}: "
            "where `counts_capped` is true the tab holds more than this number.",
        )
        counts_capped = serializers.DictField(
            child=serializers.BooleanField(),
            help_text=f"Tab -> true when counting stopped at {selectors.COUNT_CAP:,} (show it as "
            f'"{selectors.COUNT_CAP:,}+"); false when `counts` is exact.',
        )
        next = serializers.CharField(allow_null=True)
        results = QueueCardOutputSerializer(many=True)

        class Meta:
            ref_name = "QueuePage"

    @extend_schema(
        tags=TAG, operation_id="moderation_queue_list", parameters=[FilterSerializer],
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        filters = queue_filters(d)
        page = selectors.review_queue(filters=filters, after=d.get("cursor"), limit=d["page_size"])
        next_url = None
        if page.next_cursor is not None:
            query = request.query_params.copy()
            query["cursor"] = page.next_cursor.encode()
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        counts = selectors.queue_counts(filters=filters)
        data = {
            "counts": {tab: c.n for tab, c in counts.items()},
            "counts_capped": {tab: c.capped for tab, c in counts.items()},
            "next": next_url,
            "results": page.cards,
        }
        return Response(self.OutputSerializer(data).data)


class BulkResultOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    ok = serializers.BooleanField()
    status = serializers.CharField(allow_null=True, help_text="The comment's status now; null if it does not exist.")
    error = serializers.CharField(allow_blank=True)
    decided_by = serializers.CharField(allow_null=True, help_text="Who decided it first, when ok is false.")

    class Meta:
        ref_name = "BulkDecisionResult"


# --- decisions ---------------------------------------------------------------------------------


class CommentDecisionApi(ModeratorApi):
    """Approve, reject (``reason`` is shown to the author) or escalate one comment. Send the
    status you saw (``expected_status``), the card's ``rule.event`` (``seen_event``) and its
    ``revision`` so that a decision someone made meanwhile, or an edit by the author since you
    read the text, is answered 409 (with the new text) instead of being overridden."""

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        action = serializers.ChoiceField(choices=decisions.DECISION_ACTIONS)
        reason = StrictCharField(required=False, default="", allow_blank=True, max_length=decisions.REASON_MAX_LENGTH)
        expected_status = serializers.ChoiceField(choices=Comment.Status.values, required=False)
        seen_event = StrictIntegerField(required=False, min_value=0, max_value=MAX_ID)
        revision = StrictCharField(required=False, max_length=64,
                                   help_text="The card's `revision`: the decision is for exactly the text you read.")

        class Meta:
            ref_name = "CommentDecisionInput"

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        escalated = serializers.BooleanField()
        event = serializers.IntegerField(help_text="The audit entry recording this decision.")
        action = serializers.CharField()
        moderator = serializers.CharField()

        class Meta:
            ref_name = "CommentDecision"

    @extend_schema(
        tags=TAG, operation_id="moderation_comment_decide", request=InputSerializer,
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN,
                   404: OpenApiResponse(description="No such comment."), 409: ALREADY_DECIDED},
    )
    def post(self, request: Request, comment_id: int) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        try:
            event = decisions.comment_decide(
                comment_id=comment_id, moderator=request.user, action=d["action"], reason=d["reason"],
                expected_status=d.get("expected_status"), seen_event_id=d.get("seen_event"),
                revision=d.get("revision"),
            )
        except decisions.AlreadyDecided as exc:
            return _already_decided(exc)
        comment = event.comment
        return Response(
            self.OutputSerializer(
                {"id": comment.pk, "status": comment.status, "escalated": comment.escalated, "event": event.pk,
                 "action": event.action, "moderator": request.user.get_username()}
            ).data
        )


class BulkDecisionApi(ModeratorApi):
    """Approve or reject several comments with one reason. Each is decided on its own: the
    answer is 200 with one result per id, ``ok: false`` and the reason for those that were
    already decided or do not exist."""

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        ids = serializers.ListField(
            child=StrictIntegerField(min_value=1, max_value=MAX_ID), min_length=1, max_length=decisions.BULK_MAX_IDS
        )
        action = serializers.ChoiceField(choices=decisions.BULK_ACTIONS)
        reason = StrictCharField(required=False, default="", allow_blank=True, max_length=decisions.REASON_MAX_LENGTH)
        revisions = serializers.DictField(
            child=StrictCharField(max_length=64), required=False, default=dict,
            help_text="Comment id -> the card's `revision`: a comment edited since is skipped (ok: false, saying so).",
        )

        class Meta:
            ref_name = "BulkDecisionInput"

        def validate_revisions(self, value):
            try:
                return {int(k): v for k, v in value.items()}
            except ValueError:
                raise serializers.ValidationError("Keys must be comment ids.") from None

    class OutputSerializer(serializers.Serializer):
        results = BulkResultOutputSerializer(many=True, help_text="One per distinct id, in the order sent.")

        class Meta:
            ref_name = "BulkDecision"

    @extend_schema(
        tags=TAG, operation_id="moderation_bulk_decide", request=InputSerializer,
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = serializer.validated_data
        results = decisions.comments_bulk_decide(
            comment_ids=d["ids"], moderator=request.user, action=d["action"], reason=d["reason"],
            revisions=d["revisions"],
        )
        return Response(self.OutputSerializer({"results": results}).data)


class CommentUndoApi(ModeratorApi):
    """Take back this comment's last decision: your own, within a few minutes
    (undo.UNDO_SECONDS). The comment returns to the status it had, its reports are open again,
    and the undo is in the audit log. 409 when it cannot be undone here (someone else's decision,
    too late, or nothing to undo): any moderator can still reverse it from the audit log."""

    class OutputSerializer(serializers.Serializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        escalated = serializers.BooleanField()
        event = serializers.IntegerField(help_text="The undo's audit entry; send it as seen_event next time.")

        class Meta:
            ref_name = "CommentUndo"

    @extend_schema(
        tags=TAG, operation_id="moderation_comment_undo", request=None,
        responses={200: OutputSerializer, 403: FORBIDDEN, 404: OpenApiResponse(description="No such comment."),
                   409: OpenApiResponse(description='Cannot be undone here: {"detail": "..."}.')},
    )
    def post(self, request: Request, comment_id: int) -> Response:
        if not Comment.objects.filter(pk=comment_id).exists():
            raise Http404("No such comment.")
        try:
            event = undo.comment_undo(comment_id=comment_id, moderator=request.user)
        except undo.NotReversible as exc:
            return Response({"detail": exc.message}, status=status.HTTP_409_CONFLICT)
        comment = event.comment
        return Response(self.OutputSerializer(
            {"id": comment.pk, "status": comment.status, "escalated": comment.escalated, "event": event.pk}).data)


# --- the site's reasons ------------------------------------------------------------------------


class ReasonsApi(ModeratorApi):
    """The site's ready-made reasons for rejecting and escalating, in the admins' order. Any
    moderator reads them; admins (``moderation.change_policy``) add one with POST."""

    def get_permissions(self):
        return [CanManageReasons()] if self.request.method == "POST" else super().get_permissions()

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        text = StrictCharField(max_length=200)
        use_for = serializers.ChoiceField(choices=["reject", "escalate"])
        position = StrictIntegerField(required=False, min_value=0, max_value=32767)

        class Meta:
            ref_name = "DecisionReasonInput"

    class OutputSerializer(serializers.Serializer):
        reject = serializers.ListField(child=serializers.CharField())
        escalate = serializers.ListField(child=serializers.CharField())

        class Meta:
            ref_name = "DecisionReasons"

    @extend_schema(tags=TAG, operation_id="moderation_reasons_list", responses={200: OutputSerializer, 403: FORBIDDEN})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(selectors.decision_reasons()).data)

    @extend_schema(
        tags=TAG, operation_id="moderation_reasons_add", request=InputSerializer,
        responses={201: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def post(self, request: Request) -> Response:
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reasons.decision_reason_create(admin=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(selectors.decision_reasons()).data, status=status.HTTP_201_CREATED)


# --- audit log ---------------------------------------------------------------------------------


class AuditLogApi(ModeratorApi):
    """Audit entries, newest first, for one comment and/or one moderator ("system" for the
    automatic decisions). Read-only: entries are never changed. Follow ``next`` for older ones."""

    class FilterSerializer(serializers.Serializer):
        comment = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)
        moderator = serializers.CharField(max_length=150, required=False, help_text='Username, or "system".')
        before = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text="Entries older than this id.")

        class Meta:
            ref_name = "AuditFilter"

    class OutputSerializer(serializers.Serializer):
        next = serializers.CharField(allow_null=True)
        results = AuditEventOutputSerializer(many=True)

        class Meta:
            ref_name = "AuditPage"

    @extend_schema(
        tags=TAG, operation_id="moderation_audit_list", parameters=[FilterSerializer],
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN},
    )
    def get(self, request: Request) -> Response:
        params = self.FilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        d = params.validated_data
        events, next_before = audit_log.audit_events(
            comment_id=d.get("comment"), moderator=d.get("moderator", ""), before_id=d.get("before")
        )
        next_url = None
        if next_before is not None:
            query = request.query_params.copy()
            query["before"] = str(next_before)
            next_url = request.build_absolute_uri(f"{request.path}?{query.urlencode()}")
        return Response(self.OutputSerializer({"next": next_url, "results": events}).data)


# --- authors' standing -------------------------------------------------------------------------


class AuthorStandingApi(ModeratorApi):
    """Ban or unban an author, suspend them until a time (null lifts it), put them on or off
    pre-moderation. Fields left out stay as they are; every change is logged (see
    moderation.queue.standing.author_standing_set)."""

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        banned = StrictBooleanField(required=False)
        suspended_until = serializers.DateTimeField(required=False, allow_null=True)
        premoderated = StrictBooleanField(required=False)
        note = StrictCharField(required=False, default="", allow_blank=True, max_length=standing.STANDING_NOTE_MAX_LENGTH)

        class Meta:
            ref_name = "AuthorStandingInput"

    class OutputSerializer(serializers.Serializer):
        username = serializers.CharField(source="user.username")
        banned = serializers.BooleanField()
        suspended_until = serializers.DateTimeField(allow_null=True)
        premoderated = serializers.BooleanField()
        note = serializers.CharField()
        updated_by = serializers.CharField(source="updated_by.username", allow_null=True)
        updated_at = serializers.DateTimeField()

        class Meta:
            ref_name = "AuthorStanding"

    @extend_schema(
        tags=TAG, operation_id="moderation_author_standing_set", request=InputSerializer,
        responses={200: OutputSerializer, 400: BAD_INPUT, 403: FORBIDDEN, 404: OpenApiResponse(description="No such user.")},
    )
    def post(self, request: Request, username: str) -> Response:
        try:
            author = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise Http404("No such user.") from None
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        d = dict(serializer.validated_data)
        record = standing.author_standing_set(
            author=author,
            moderator=request.user,
            banned=d.get("banned"),
            suspended_until=d.get("suspended_until", standing.UNCHANGED),
            premoderated=d.get("premoderated"),
            note=d.get("note", ""),
        )
        return Response(self.OutputSerializer(record).data)
