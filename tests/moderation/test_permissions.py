"""Moderator and admin checks in one query (moderation/permissions.py), answering exactly what
Django's ModelBackend answers."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from moderation.permissions import CAN_MODERATE, CHANGE_POLICY, user_has_perm, user_permissions_load
from tests.factories import UserFactory
from tests.moderation.queue.helpers import _group

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)  # no permission cache yet


@pytest.fixture
def users(db):
    via_group = UserFactory(username="grouped")
    via_group.groups.add(_group("moderators", "can_moderate"))
    direct = UserFactory(username="direct")
    direct.user_permissions.add(Permission.objects.get(codename="change_policy"))
    both = UserFactory(username="both")
    both.groups.add(_group("moderators", "can_moderate"))
    both.user_permissions.add(Permission.objects.get(codename="change_policy"))
    inactive = UserFactory(username="gone", is_active=False)
    inactive.groups.add(_group("moderators", "can_moderate"))
    superuser = UserFactory(username="root", is_superuser=True)
    return [via_group, direct, both, inactive, superuser, UserFactory(username="reader")]


def test_loaded_permissions_are_what_model_backend_answers(users):
    for user in users:
        loaded = fresh(user)
        user_permissions_load(loaded)
        expected = fresh(user)
        for perm in (CAN_MODERATE, CHANGE_POLICY, "blog.add_comment"):
            assert loaded.has_perm(perm) == expected.has_perm(perm), (user.username, perm)
        if user.is_active and not user.is_superuser:
            assert loaded.get_all_permissions() == ModelBackend().get_all_permissions(fresh(user))


def test_a_moderator_check_is_one_query_and_later_checks_are_free(users, django_assert_num_queries):
    user = fresh(users[2])
    with django_assert_num_queries(1):
        assert user_has_perm(user, CAN_MODERATE)
        assert user_has_perm(user, CHANGE_POLICY) and user.has_perm(CHANGE_POLICY)
        assert not user.has_perm("blog.delete_article")


def test_the_anonymous_have_no_permission(db):
    from django.contrib.auth.models import AnonymousUser

    assert not user_has_perm(AnonymousUser(), CAN_MODERATE)
    assert not user_has_perm(None, CAN_MODERATE)
