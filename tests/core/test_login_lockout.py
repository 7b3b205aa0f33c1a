"""Guessing passwords is slow: 5 failures for one username from one address lock that pair out
for 15 minutes (django-axes), on the login page and the token API alike. Passwords are checked
by Django's validators when an account is made."""
from __future__ import annotations

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_lockout_settings_are_five_failures_for_fifteen_minutes_by_username_and_ip():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_sixth_login_is_refused_even_with_the_right_password(client):
    UserFactory(username="alice")
    statuses = [login(client, "alice", "guess").status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4  # the form again, with an error
    assert statuses[4] == 429  # the fifth failure locks the pair out
    assert not logged_in(client)

    response = login(client, "alice", PASSWORD)

    assert response.status_code == 429
    assert not logged_in(client)


def test_lockout_is_for_that_username_from_that_address_only(client):
    UserFactory(username="alice")
    UserFactory(username="bob")
    for _ in range(5):
        login(client, "alice", "guess")

    assert login(client, "bob", PASSWORD).status_code == 302  # another user, same address
    client.logout()
    other = type(client)(REMOTE_ADDR="198.51.100.20")
    assert login(other, "alice", PASSWORD).status_code == 302  # same user, another address


def test_a_successful_login_resets_the_count(client):
    UserFactory(username="alice")
    for _ in range(4):
        login(client, "alice", "guess")
    assert login(client, "alice", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "alice", "guess")
    assert login(client, "alice", PASSWORD).status_code == 302


def test_token_api_is_locked_out_after_five_failures_even_with_the_right_password():
    UserFactory(username="alice")
    client = APIClient()
    for _ in range(5):
        r = client.post("/api/auth/token/", {"username": "alice", "password": "guess"}, format="json")
        assert r.status_code == 400

    response = client.post("/api/auth/token/", {"username": "alice", "password": PASSWORD}, format="json")

    assert response.status_code in (400, 403, 429)
    assert "token" not in response.json()


def test_spoofed_forwarded_for_does_not_reset_the_lockout(client):
    UserFactory(username="alice")
    for i in range(5):
        client.post("/accounts/login/", {"username": "alice", "password": "guess"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{i}")
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD}, HTTP_X_FORWARDED_FOR="10.0.0.99")
    assert response.status_code == 429


def test_test_client_login_without_a_request_still_works(client):
    UserFactory(username="alice")
    assert client.login(username="alice", password=PASSWORD)


@pytest.mark.parametrize(
    "password, reason",
    [("short", "too short"), ("password123", "too common"), ("83749201937", "entirely numeric"), ("alice_x1", "similar")],
)
def test_registration_refuses_weak_passwords_naming_the_reason(client, password, reason):
    response = client.post("/accounts/register/", {"username": "alice", "password": password})
    assert response.status_code == 400
    assert reason in response.content.decode()
    assert not logged_in(client)
