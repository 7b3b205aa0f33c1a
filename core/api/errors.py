"""API-wide plumbing: every client error is a 400 naming the field and the reason, never a 500."""
from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from core.params import BadParameter


class RequestBodyTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "Request body too large (see DATA_UPLOAD_MAX_MEMORY_SIZE)."
    default_code = "request_too_large"


def exception_handler(exc, context):
    # DRF reads JSON bodies through request.body, which refuses one over DATA_UPLOAD_MAX_MEMORY_SIZE
    # (Django would answer a bare 400 page); an API client gets JSON and 413.
    if isinstance(exc, RequestDataTooBig):
        exc = RequestBodyTooLarge()
    if isinstance(exc, BadParameter):  # core.params.int_param on a query parameter
        exc = exceptions.ValidationError({exc.name: [exc.reason]})
    # Services raise Django's ValidationError (they know nothing of DRF); present it as DRF does.
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {field: [m for e in errors for m in e.messages] for field, errors in exc.error_dict.items()}
        else:
            detail = {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return drf_exception_handler(exc, context)
