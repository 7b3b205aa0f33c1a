"""Authentication backends: django-axes' lockout check in front of Django's ModelBackend, which
answers permissions in one query; DRF token authentication reading the standing with the user."""
from __future__ import annotations

import functools

from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from core.compiled import CompiledLookup


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


class ModelBackend(DjangoModelBackend):
    """Django's ModelBackend, answering a user's permissions in one query instead of two.

    Django's asks for the user's own permissions, then their groups', on the first ``has_perm``
    of a request. Moderators get ``moderation.can_moderate`` through a group, so both queries ran
    on every queue page and API call. Here one UNION reads both, and the answer is kept on the
    user object for the rest of the request (as Django keeps its own). Superusers, the inactive,
    the anonymous and object permissions are Django's answer unchanged.
    tests/moderation/test_permissions.py holds it to Django's answer.
    """

    cache_attribute = "_parley_permissions"

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None or user_obj.is_superuser:
            return super().get_all_permissions(user_obj, obj)
        cached = getattr(user_obj, self.cache_attribute, None)
        if cached is None:
            fields = ("content_type__app_label", "codename")
            # order_by(): Permission's default ordering is not allowed inside a UNION on SQLite.
            own = Permission.objects.filter(user=user_obj).order_by().values_list(*fields)
            via_groups = Permission.objects.filter(group__user=user_obj).order_by().values_list(*fields)
            cached = {f"{app}.{codename}" for app, codename in own.union(via_groups)}
            setattr(user_obj, self.cache_attribute, cached)
        return cached


@functools.cache
def _token_lookup(model) -> CompiledLookup:
    """DRF's token model (or a project's own): its lookup with the user and their standing."""
    return CompiledLookup(model.objects.select_related("user", "user__standing"), field="key")


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token authentication, with the user's moderation standing in the same query:
    posting a comment checks it (blog.services.comment_create), and that lookup was a seventh of
    a POST's CPU. The query is compiled once per connection (core.compiled)."""

    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = _token_lookup(model).get(key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        token.user.standing_loaded_with_request = True  # fresh: read in this request's query
        return (token.user, token)
