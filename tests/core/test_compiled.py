"""core.compiled.CompiledLookup answers as queryset.get() does: the same row, the same
select_related objects (or their absence), the same exceptions; its SQL is compiled once."""
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from blog.models import Article
from core.compiled import CompiledLookup
from moderation.models import AuthorStanding
from tests.factories import ArticleFactory, UserFactory

pytestmark = pytest.mark.django_db


def _fields(obj) -> dict:
    return {k: v for k, v in vars(obj).items() if k != "_state"}


def test_it_returns_what_get_returns_with_the_related_objects():
    tokens = CompiledLookup(Token.objects.select_related("user", "user__standing"), field="key")
    plain, standing = UserFactory(), UserFactory()
    AuthorStanding.objects.create(user=standing, banned=True)
    for user in (plain, standing):
        key = Token.objects.create(user=user).key
        expected = Token.objects.select_related("user", "user__standing").get(key=key)
        with CaptureQueriesContext(connection) as ctx:
            token = tokens.get(key)
            got_standing = getattr(token.user, "standing", None)
        assert len(ctx.captured_queries) == 1  # the user and the standing came with the token
        assert _fields(token) == _fields(expected) and _fields(token.user) == _fields(expected.user)
        assert token._state.adding is False and token._state.db == expected._state.db
        if user is standing:
            assert got_standing.banned and got_standing.user is token.user
        else:
            assert got_standing is None


def test_a_missing_value_raises_does_not_exist():
    articles = CompiledLookup(Article.objects.all(), field="slug")
    ArticleFactory(slug="here")
    assert articles.get("here").slug == "here"
    with pytest.raises(Article.DoesNotExist):
        articles.get("not-here")


def test_each_thread_compiles_for_its_own_connection():
    articles = CompiledLookup(Article.objects.all(), field="slug")
    article = ArticleFactory()
    assert articles.get(article.slug).pk == article.pk
    first = articles._local.compiled
    assert articles.get(article.slug).pk == article.pk and articles._local.compiled is first  # compiled once
    other = []
    thread = threading.Thread(target=lambda: other.append(getattr(articles._local, "compiled", None)))
    thread.start()
    thread.join()
    assert other == [None]  # nothing shared across threads (each has its own connection)


def test_a_queryset_that_takes_other_parameters_is_refused():
    with pytest.raises(ValueError):
        CompiledLookup(Article.objects.filter(title="x"), field="slug").get("y")
