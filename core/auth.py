"""Authentication backends: django-axes' lockout check in front of Django's ModelBackend."""
from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for every login that comes with a request.

    The login page and the token API always pass the request (and so are counted and locked
    out). A call without one comes from our own code (Django's test client `login()`, a shell):
    axes would raise there, so this backend stands aside and ModelBackend decides.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with the user's moderation standing in the same query:
    posting a comment checks it (blog.services.comment_create), and that lookup was a tenth of
    a POST's CPU."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__standing").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user.standing_loaded_with_request = True  # fresh: read in this request's query
        return (token.user, token)
