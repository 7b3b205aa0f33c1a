"""/api/auth/token/: a token for a username and password, within the login limits."""
from __future__ import annotations

import math

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled
from rest_framework.parsers import FormParser, MultiPartParser

from core.api.fields import RejectUnknownFieldsMixin
from core.api.parsers import JSONBodyParser
from core.ratelimit import login_attempt_begin, login_attempt_end


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
