"""Authentication backends: django-axes' lockout check in front of Django's ModelBackend."""
from __future__ import annotations

from axes.backends import AxesStandaloneBackend


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
