"""What an admin reads in Django's admin: model names spelled right, objects named in words."""
import pytest
from django.test import Client

from notifications.models import NotificationSettings
from tests.factories import CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _admin_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_index_says_notification_settings_not_settingss():
    page = _admin_client().get("/admin/").content.decode()
    assert "Notification settings" in page and "settingss" not in page


def test_a_comment_is_named_by_its_author_and_words_not_by_ids():
    comment = CommentFactory(author=UserFactory(username="rosa"), text="Cities should charge drivers at rush hour, " * 3)
    settings_row = NotificationSettings.objects.create(user=comment.author)

    page = _admin_client().get(f"/admin/blog/comment/{comment.pk}/change/").content.decode()

    assert f"#{comment.pk} by rosa: “Cities should charge drivers at rush hour, Cities…”" in page
    assert f"Comment {comment.pk} by" not in page
    assert str(settings_row) == "Notification settings of rosa"
