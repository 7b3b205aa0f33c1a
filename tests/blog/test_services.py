"""Comment rules enforced by the service whatever the caller (web form, API, import)."""
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from blog import services
from moderation import facade
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_new_comment_is_pending_and_queued_after_commit(reader, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(facade, "enqueue_classification", queued.append)
    article = ArticleFactory()

    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(article=article, author=reader, text="hello")

    assert comment.status == "pending"
    assert queued == [comment.pk]


def test_rolled_back_comment_queues_nothing(reader, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import transaction

    queued = []
    monkeypatch.setattr(facade, "enqueue_classification", queued.append)
    article = ArticleFactory()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                services.comment_create(article=article, author=reader, text="hello")
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == [] and queued == []


@pytest.mark.parametrize(
    "text, reason",
    [("", "Must not be empty."), ("  \n\t ", "Must not be empty."), ("a\x00b", "Must not contain NUL characters."),
     ("x" * 5001, "Must be at most 5000 characters"), ("\ud800", "no lone surrogates")],
)
def test_bad_comment_text_is_refused_with_the_reason(reader, text, reason):
    with pytest.raises(ValidationError) as exc:
        services.comment_create(article=ArticleFactory(), author=reader, text=text)
    assert reason in " ".join(exc.value.message_dict["text"])


def test_reply_to_a_comment_on_another_article_is_refused(reader):
    other = CommentFactory()
    with pytest.raises(ValidationError) as exc:
        services.comment_create(article=ArticleFactory(), author=reader, text="hi", parent=other)
    assert "another article" in exc.value.message_dict["parent"][0]


@override_settings(PARLEY_THREAD_MAX_DEPTH=2)
def test_replies_beyond_the_depth_cap_attach_at_the_deepest_level(reader):
    article = ArticleFactory()
    root = services.comment_create(article=article, author=reader, text="0")
    d1 = services.comment_create(article=article, author=reader, text="1", parent=root)
    d2 = services.comment_create(article=article, author=reader, text="2", parent=d1)
    d3 = services.comment_create(article=article, author=reader, text="3", parent=d2)

    assert [c.depth for c in (root, d1, d2, d3)] == [0, 1, 2, 2]
    assert d3.parent == d2  # still answers d2 (stance toward the parent uses it)
    assert d3.path.rsplit("/", 1)[0] == d2.path.rsplit("/", 1)[0]  # displayed beside it


def test_comment_text_is_stored_as_typed(reader):
    text = "<b>bold?</b> & **censored** \n second line"
    comment = services.comment_create(article=ArticleFactory(), author=reader, text=text)
    comment.refresh_from_db()
    assert comment.text == text


def test_banned_or_suspended_author_cannot_comment(reader):
    from django.utils import timezone

    from moderation.models import AuthorStanding

    standing = AuthorStanding.objects.create(user=reader, banned=True)
    with pytest.raises(ValidationError, match="banned"):
        services.comment_create(article=ArticleFactory(), author=reader, text="hi")
    standing.banned = False
    standing.suspended_until = timezone.now() + timezone.timedelta(days=1)
    standing.save()
    with pytest.raises(ValidationError, match="suspended"):
        services.comment_create(article=ArticleFactory(), author=reader, text="hi")


def test_a_comment_is_stored_with_its_path_in_one_write(reader):
    """The path ends in the comment's own id, zero-padded; on PostgreSQL the id comes from the
    sequence first, so the row is inserted whole (no UPDATE after the INSERT)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from blog.models import Comment

    article = ArticleFactory()
    with CaptureQueriesContext(connection) as ctx:
        root = services.comment_create(article=article, author=reader, text="root")
    reply = services.comment_create(article=article, author=reader, text="reply", parent=root)

    for comment in (root, reply):
        stored = Comment.objects.get(pk=comment.pk)
        assert stored.path == comment.path and stored.path.endswith(str(comment.pk).zfill(services.PATH_SEGMENT_WIDTH))
    assert root.path == str(root.pk).zfill(10)
    assert reply.path == f"{root.path}/{str(reply.pk).zfill(10)}" and reply.depth == 1
    writes = [q["sql"].split()[0] for q in ctx.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE")]
    assert writes == (["INSERT"] if connection.vendor == "postgresql" else ["INSERT", "UPDATE"])


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_the_comment_is_committed_before_it_is_queued(reader, monkeypatch):
    from django.db import connection

    from blog.models import Comment

    seen = []
    monkeypatch.setattr(facade, "enqueue_classification",
                        lambda pk: seen.append((pk, connection.in_atomic_block, Comment.objects.filter(pk=pk).exists())))
    comment = services.comment_create(article=ArticleFactory(), author=reader, text="hello")
    assert seen == [(comment.pk, False, True)]
