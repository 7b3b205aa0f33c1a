"""`manage.py load_demo` and blog/demo/: idempotent demo content, roles, and every kind of comment."""
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from taggit.models import Tag

from blog.demo import DEMO_ARTICLES, DEMO_COMMENT_KINDS, DEMO_COMMENTS, KINDS, SEED_ESSAYS, SEED_PAGES, ensure_roles
from blog.models import Article, AuthorProfile, Category, Comment

User = get_user_model()
FIXTURES = Path(__file__).parent / "fixtures"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo creates ~20 users with passwords; the default hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("load_demo", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def snapshot() -> dict:
    return {
        "users": sorted(User.objects.values_list("username", "password", "is_staff", "is_superuser")),
        "groups": sorted((g.name, sorted(g.permissions.values_list("codename", flat=True))) for g in Group.objects.all()),
        "memberships": sorted(User.groups.through.objects.values_list("user__username", "group__name")),
        "profiles": AuthorProfile.objects.count(),
        "categories": Category.objects.count(),
        "tags": Tag.objects.count(),
        "articles": sorted(Article.objects.values_list("slug", "title", "body", "published_at", "view_count", "like_count")),
        "comments": sorted(Comment.objects.values_list("id", "path", "depth", "parent_id", "status", "created_at", "text")),
    }


def test_running_load_demo_twice_changes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as first_enqueues:
        first_output = load_demo()
    first = snapshot()
    with django_capture_on_commit_callbacks(execute=False) as second_enqueues:
        second_output = load_demo()

    assert snapshot() == first
    assert len(first["comments"]) == len(DEMO_COMMENTS) >= 40
    assert len(first["articles"]) == len(DEMO_ARTICLES)
    # Each new comment is queued for classification once, after commit; nothing the second time.
    assert (len(first_enqueues), len(second_enqueues)) == (len(DEMO_COMMENTS), 0)
    assert f"{len(DEMO_COMMENTS)} comments created" in first_output
    assert "0 users, 0 articles and 0 comments created" in second_output


def test_demo_logins_have_their_roles_and_printed_passwords():
    output = load_demo()
    reader, moderator, admin = (User.objects.get(username=name) for name in ("reader", "moderator", "admin"))

    for user, password in ((reader, "reader-demo-pass"), (moderator, "moderator-demo-pass"), (admin, "admin-demo-pass")):
        assert user.check_password(password)
        assert f"{user.username} / {password}" in output

    assert not reader.has_perm("moderation.can_moderate") and not reader.is_staff
    assert moderator.has_perm("moderation.can_moderate")
    assert not moderator.has_perm("moderation.change_policy") and not moderator.is_staff
    assert list(moderator.groups.values_list("name", flat=True)) == ["Moderators"]
    assert admin.has_perm("moderation.can_moderate") and admin.has_perm("moderation.change_policy")
    assert admin.is_staff and admin.is_superuser
    assert list(admin.groups.values_list("name", flat=True)) == ["Policy admins"]


def test_ensure_roles_returns_the_two_groups_with_exactly_their_permissions():
    moderators, policy_admins = ensure_roles()
    assert moderators.name == "Moderators"
    assert set(moderators.permissions.values_list("codename", flat=True)) == {"can_moderate"}
    assert policy_admins.name == "Policy admins"
    assert set(policy_admins.permissions.values_list("codename", flat=True)) == {"can_moderate", "change_policy"}
    assert ensure_roles() == (moderators, policy_admins)


def test_every_kind_of_comment_appears_pending_and_threaded():
    load_demo()
    comments = list(Comment.objects.select_related("article"))
    kinds = [DEMO_COMMENT_KINDS.get(c.text) for c in comments]

    assert None not in kinds
    assert set(kinds) == set(KINDS)
    assert all(c.status == Comment.Status.PENDING for c in comments)
    # Replies, replies to replies, and deeper: stored with the service's depth and path.
    assert max(c.depth for c in comments) >= 3
    for c in comments:
        if c.parent_id:
            assert c.depth == c.parent.depth + 1 and c.path.startswith(c.parent.path + "/")
        assert c.created_at > c.article.published_at


def test_demo_articles_are_complete_opinion_pieces_by_star_bloggers():
    load_demo()
    for article in Article.objects.all():
        assert 4 <= len(article.paragraphs) <= 8
        assert article.stance_claim and article.stance_claim != article.title
        assert article.category is not None and article.tags.count() >= 2
        assert article.view_count > article.like_count > 0
        assert article.author.profile.is_star_blogger and article.author.profile.bio
    assert AuthorProfile.objects.filter(is_star_blogger=True).count() >= 2


def test_with_seeds_exits_2_naming_the_missing_folder_and_how_to_give_it(tmp_path):
    from django.core.management import CommandError

    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("load_demo", "--with-seeds", "--seeds-dir", str(tmp_path / "nowhere"), stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 2
    assert f"No seed directory at {tmp_path / 'nowhere'}: pass --seeds-dir DIR" in err.getvalue()
    assert Article.objects.count() == len(DEMO_ARTICLES)  # the demo itself is loaded


def test_the_seeds_folder_defaults_to_parley_seeds_dir(tmp_path, monkeypatch):
    from blog.demo import default_seeds_dir

    monkeypatch.setenv("PARLEY_SEEDS_DIR", str(tmp_path))
    assert default_seeds_dir() == tmp_path
    monkeypatch.delenv("PARLEY_SEEDS_DIR")
    assert default_seeds_dir().parts[-2:] == ("shared", "seeds")


def test_no_logins_prints_the_demo_content_line_but_no_passwords():
    output = load_demo("--no-logins")
    assert "Demo content:" in output and "reader-demo-pass" not in output
    assert "reader-demo-pass" in load_demo()


def test_with_seeds_imports_the_seed_page_and_essay_once(tmp_path):
    # Stand-ins in the seeds' format under the seeds' names: the suite never reads ../shared.
    shutil.copy(FIXTURES / "good_page.txt", tmp_path / SEED_PAGES[0])
    (tmp_path / SEED_ESSAYS[0].filename).write_text("First paragraph of the essay.\nSecond paragraph.\n", encoding="utf-8")

    output = load_demo("--with-seeds", "--seeds-dir", str(tmp_path))
    assert "imported 'Cities Should Put Pedestrians First' with 3 comments" in output
    essay = Article.objects.get(title=SEED_ESSAYS[0].title)
    assert essay.paragraphs == ["First paragraph of the essay.", "Second paragraph."]
    assert essay.stance_claim == SEED_ESSAYS[0].stance_claim
    before = snapshot()

    output = load_demo("--with-seeds", "--seeds-dir", str(tmp_path))
    assert output.count("already imported") == 2
    assert snapshot() == before
