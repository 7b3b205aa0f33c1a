"""Who may use the moderators' and admins' pages and API: the permission names, the page
decorator and DRF's permission classes. Each check is answered from one query a request
(core.auth.ModelBackend reads a user's own and group permissions together).
"""
from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required, permission_required
from rest_framework.permissions import BasePermission

CAN_MODERATE = "moderation.can_moderate"
CHANGE_POLICY = "moderation.change_policy"


def user_permissions_load(user) -> None:
    """Read ``user``'s permissions now (one query, kept for the request), so every check after
    this one is free. Nothing for the anonymous, the inactive and superusers: ``User.has_perm``
    answers those without a query."""
    if getattr(user, "is_authenticated", False) and user.is_active and not user.is_superuser:
        user.get_all_permissions()


def user_has_perm(user, perm: str) -> bool:
    """``user.has_perm(perm)`` for a signed-in user, in at most one query per request."""
    if not (user and user.is_authenticated):
        return False
    user_permissions_load(user)
    return user.has_perm(perm)


def page_needs(perm: str):
    """View decorator: the anonymous are sent to log in, signed-in users without ``perm`` get
    403 (permission_required alone would 403 the anonymous too)."""

    def decorator(view):
        checked = permission_required(perm, raise_exception=True)(view)

        @wraps(view)
        def wrapper(request, *args, **kwargs):
            user_permissions_load(request.user)
            return checked(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator


class HasPermission(BasePermission):
    """DRF permission class for one Django permission, in at most one query per request."""

    perm = ""

    def has_permission(self, request, view) -> bool:
        return user_has_perm(request.user, self.perm)


class CanModerate(HasPermission):
    perm = CAN_MODERATE
    message = "Only moderators may do this."


class CanChangePolicy(HasPermission):
    perm = CHANGE_POLICY
    message = "Only policy admins may do this."
