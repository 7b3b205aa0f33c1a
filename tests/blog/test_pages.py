"""The reader's pages: what a visitor and a logged-in reader see and can do."""
import pytest
from django.urls import reverse

from blog import services
from blog.models import Comment, CommentReport
from tests.factories import ArticleFactory, AuthorProfileFactory, CommentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_seed_page_sections(client):
    author = AuthorProfileFactory(display_name="Prof. Lin", bio="Professor of Warren Wilson College.", is_star_blogger=True).user
    article = ArticleFactory(author=author, title="China Should Help Russia", body="First para.\n\nSecond para.")
    article.tags.add("economic", "allies")
    CommentFactory(article=article, text="Great post.")

    page = client.get(article.get_absolute_url()).content.decode()

    for expected in ["China Should Help Russia", "Prof. Lin", "Professor of Warren Wilson College.", "News",
                     "economic", "Popularity 0", "Viewed 1 times", "<p>First para.</p>", "<p>Second para.</p>",
                     "Like 0", "Share", "Comments (1)", "Reply", "Report", "Great post.",
                     "You need to login to comment", "Recent comments", "Star blogger"]:
        assert expected in page, expected


def test_view_count_counts_once_per_visitor_session(client):
    article = ArticleFactory()
    for _ in range(3):
        client.get(article.get_absolute_url())
    article.refresh_from_db()
    assert article.view_count == 1


def test_comment_text_is_escaped_and_keeps_line_breaks(client):
    article = ArticleFactory()
    CommentFactory(article=article, text="<script>alert('x')</script>\nsecond line")

    page = client.get(article.get_absolute_url()).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>second line" in page


def test_anonymous_visitor_is_sent_to_login_to_comment(client):
    article = ArticleFactory()
    response = client.post(reverse("blog:comment_post", args=[article.slug]), {"text": "hello"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Comment.objects.exists()


def test_reader_posts_a_comment_and_sees_it_awaiting_moderation(client, reader):
    article = ArticleFactory()
    client.force_login(reader)

    response = client.post(reverse("blog:comment_post", args=[article.slug]), {"text": "I disagree, politely."}, follow=True)

    page = response.content.decode()
    assert "I disagree, politely." in page and "awaiting moderation" in page
    assert Comment.objects.get().status == Comment.Status.PENDING


def test_pending_comment_is_hidden_from_other_readers_and_visitors(client, reader, other_reader):
    article = ArticleFactory()
    services.comment_create(article=article, author=reader, text="my secret draft")

    assert "my secret draft" not in client.get(article.get_absolute_url()).content.decode()
    client.force_login(other_reader)
    assert "my secret draft" not in client.get(article.get_absolute_url()).content.decode()


def test_reader_replies_under_the_parent(client, reader):
    article = ArticleFactory()
    parent = CommentFactory(article=article, text="Parent comment")
    client.force_login(reader)

    page = client.get(article.get_absolute_url() + f"?reply_to={parent.pk}").content.decode()
    assert 'id="reply-form"' in page

    client.post(reverse("blog:comment_post", args=[article.slug]), {"text": "A reply", "parent": parent.pk})
    reply = Comment.objects.get(text="A reply")
    assert reply.parent == parent and reply.depth == 1
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.index("Parent comment") < page.index("A reply")
    assert f'class="comment indent-1 comment-pending" id="comment-{reply.pk}"' in page


def test_empty_comment_is_refused_with_the_reason(client, reader):
    article = ArticleFactory()
    client.force_login(reader)
    response = client.post(reverse("blog:comment_post", args=[article.slug]), {"text": "   "})
    assert response.status_code == 400
    assert "Must not be empty." in response.content.decode() or "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_rejected_comment_shows_to_its_author_with_the_reason(client, reader, other_reader):
    article = ArticleFactory()
    CommentFactory(article=article, author=reader, text="rude words", status=Comment.Status.REJECTED,
                   status_reason="insult 0.97 is at or above the reject threshold 0.95")
    client.force_login(reader)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "rude words" in page and "insult 0.97 is at or above the reject threshold 0.95" in page
    client.force_login(other_reader)
    assert "rude words" not in client.get(article.get_absolute_url()).content.decode()


def test_report_asks_for_a_reason_and_counts_once_per_reader(client, reader):
    comment = CommentFactory()
    client.force_login(reader)
    url = reverse("blog:comment_report", args=[comment.pk])

    assert "Why should a moderator look at it?" in client.get(url).content.decode()
    assert client.post(url, {"reason": ""}).status_code == 400
    client.post(url, {"reason": "personal attack"})
    client.post(url, {"reason": "again"})

    assert CommentReport.objects.filter(comment=comment).count() == 1
    comment.refresh_from_db()
    assert comment.report_count == 1


def test_like_counts_once_per_reader(client, reader):
    article = ArticleFactory()
    client.force_login(reader)
    for _ in range(2):
        client.post(reverse("blog:article_like", args=[article.slug]))
    article.refresh_from_db()
    assert article.like_count == 1


def test_thread_page_reads_in_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    def queries_for(n_comments):
        article = ArticleFactory()
        parent = None
        for i in range(n_comments):
            parent = CommentFactory(article=article, parent=parent if i % 3 else None, text=f"c{i}")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(3) == queries_for(60)


def test_articles_list_by_category_and_tag(client):
    a = ArticleFactory(title="Nuclear now")
    a.tags.add("energy")
    ArticleFactory(title="Rent control works")
    assert "Nuclear now" in client.get(reverse("blog:tag", args=["energy"])).content.decode()
    assert "Rent control works" not in client.get(reverse("blog:tag", args=["energy"])).content.decode()
    assert "Nuclear now" in client.get(reverse("blog:category", args=["news"])).content.decode()


def test_recent_comments_show_only_published(client):
    CommentFactory(text="visible recent")
    CommentFactory(text="pending recent", status=Comment.Status.PENDING)
    page = client.get(reverse("blog:article_list")).content.decode()
    assert "visible recent" in page and "pending recent" not in page


def test_my_comments_lists_every_status(client, reader):
    CommentFactory(author=reader, text="one", status=Comment.Status.PENDING)
    CommentFactory(author=reader, text="two", status=Comment.Status.REJECTED, status_reason="threat")
    client.force_login(reader)
    page = client.get(reverse("blog:my_comments")).content.decode()
    assert "awaiting moderation" in page and "rejected" in page and "threat" in page


def test_register_then_comment(client):
    article = ArticleFactory()
    response = client.post(reverse("register"), {"username": "newbie", "password": "a-long-unusual-passphrase"})
    assert response.status_code == 302
    client.post(reverse("blog:comment_post", args=[article.slug]), {"text": "hi"})
    assert Comment.objects.get().author.username == "newbie"


def test_register_refuses_a_weak_password(client):
    response = client.post(reverse("register"), {"username": "newbie", "password": "123"})
    assert response.status_code == 400 and "too short" in response.content.decode()


def test_register_link_keeps_where_the_reader_was_going(client):
    article = ArticleFactory()
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="/accounts/register/?next={article.get_absolute_url()}"' in page
    login = client.get(f"/accounts/login/?next={article.get_absolute_url()}").content.decode()
    assert f'href="/accounts/register/?next={article.get_absolute_url()}"' in login

    response = client.post(f"/accounts/register/?next={article.get_absolute_url()}",
                           {"username": "newcomer", "password": "a long enough passphrase 42"})

    assert response.status_code == 302 and response["Location"] == article.get_absolute_url()


def test_a_reader_cannot_report_their_own_comment_and_sees_no_report_button(client):
    reader = UserFactory()
    own = CommentFactory(author=reader, status="published")
    theirs = CommentFactory(article=own.article, status="published")
    client.force_login(reader)
    page = client.get(own.article.get_absolute_url()).content.decode()
    assert f"/comments/{own.pk}/report/" not in page and f"/comments/{theirs.pk}/report/" in page

    response = client.post(f"/comments/{own.pk}/report/", {"reason": "testing"})

    assert response.status_code == 403
    assert "You cannot report your own comment" in response.content.decode()
    assert client.get(f"/comments/{own.pk}/report/").status_code == 403
    assert not own.reports.exists()
