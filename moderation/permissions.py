"""Who may use the moderators' and admins' pages, checked in one query.

Django's ModelBackend answers the first ``has_perm`` of a request with two queries (the user's
own permissions, then their groups'), and caches the union on the user object. Moderators get
``moderation.can_moderate`` through the Moderators group, so both queries run on every queue page
and API call. ``user_permissions_load`` fetches the same union in one query (a UNION of the two)
and puts it where ModelBackend looks first, so the decorator's check, DRF's permission class
and the templates' ``perms`` all answer from it. tests/moderation/test_permissions.py holds it to
ModelBackend's own answer for direct, group, superuser and inactive users.
"""
from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.models import Permission
from rest_framework.permissions import BasePermission

CAN_MODERATE = "moderation.can_moderate"
CHANGE_POLICY = "moderation.change_policy"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Where ModelBackend.get_all_permissions keeps a user's permissions for the rest of the request.
_CACHE = "_perm_cache"


def user_permissions_load(user) -> None:
    """Load ``user``'s permissions (their own and their groups') in one query, unless already
    loaded. Does nothing where ModelBackend would not answer from its cache anyway: anonymous,
    inactive and superusers (``User.has_perm`` answers those without a query), or a project
    that does not use ModelBackend."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_superuser:
        return
    if hasattr(user, _CACHE) or MODEL_BACKEND not in settings.AUTHENTICATION_BACKENDS:
        return
    fields = ("content_type__app_label", "codename")
    # order_by(): Permission's default ordering is not allowed inside a UNION on SQLite.
    own = Permission.objects.filter(user=user).order_by().values_list(*fields)
    via_groups = Permission.objects.filter(group__user=user).order_by().values_list(*fields)
    setattr(user, _CACHE, {f"{app}.{codename}" for app, codename in own.union(via_groups)})


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
