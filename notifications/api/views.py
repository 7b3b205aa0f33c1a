"""The reader's notifications over the API: GET /api/notifications/, POST /api/notifications/read/."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.fields import RejectUnknownFieldsMixin, StrictIntegerField
from core.api.parsers import JSONBodyParser
from core.params import MAX_ID
from notifications import selectors, services

NOT_LOGGED_IN = OpenApiResponse(description="Authentication credentials were not provided (or CSRF failed).")


class NotificationOutputSerializer(serializers.Serializer):
    """Something that happened to the reader's comment, appeal or report."""

    id = serializers.IntegerField()
    kind = serializers.CharField()
    text = serializers.CharField()
    url = serializers.CharField()
    created_at = serializers.DateTimeField()
    read = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Notification"

    def get_read(self, note) -> bool:
        return note.read_at is not None


class NotificationListApi(APIView):
    permission_classes = [IsAuthenticated]

    class OutputSerializer(serializers.Serializer):
        """The latest 50 notifications, newest first, and how many are unread."""

        unread = serializers.IntegerField()
        results = NotificationOutputSerializer(many=True)

        class Meta:
            ref_name = "NotificationList"

    @extend_schema(operation_id="notifications_list", responses={200: OutputSerializer, 401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN})
    def get(self, request):
        data = {"unread": selectors.notifications_unread_count(user=request.user),
                "results": list(selectors.notifications_for(user=request.user))}
        return Response(self.OutputSerializer(data).data)


class NotificationReadApi(APIView):
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONBodyParser]

    class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
        """Which notifications to mark read; absent: all of them."""

        ids = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=MAX_ID), required=False,
                                    max_length=services.MARK_READ_MAX_IDS)

        class Meta:
            ref_name = "NotificationRead"

    class OutputSerializer(serializers.Serializer):
        """How many changed, and how many are still unread."""

        marked = serializers.IntegerField()
        unread = serializers.IntegerField()

        class Meta:
            ref_name = "NotificationReadResult"

    @extend_schema(
        operation_id="notifications_read", request=InputSerializer,
        responses={200: OutputSerializer, 400: OpenApiResponse(description="Bad input, naming the field."),
                   401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN},
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data if request.data else {})
        serializer.is_valid(raise_exception=True)
        marked = services.notifications_mark_read(user=request.user, ids=serializer.validated_data.get("ids"))
        data = {"marked": marked, "unread": selectors.notifications_unread_count(user=request.user)}
        return Response(self.OutputSerializer(data).data)
