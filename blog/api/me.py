"""/api/me/ and /api/me/export/: the reader's own account, its deletion and their data."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from blog import services
from core.api.fields import RejectUnknownFieldsMixin, StrictBooleanField
from core.api.responses import BAD_INPUT

from .common import NOT_LOGGED_IN, ReaderApi


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
