"""Importing saved readers'-blog pages: blog/importing.py and `manage.py import_page`.

The fixtures under tests/blog/fixtures/ are written for these tests in the seed page's format
(never the seed files themselves: the suite must pass without ../shared)."""
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from blog.importing import ImportFormatError, PageAlreadyImported, import_page, parse_page
from blog.models import Article, Comment

FIXTURES = Path(__file__).parent / "fixtures"
GOOD = FIXTURES / "good_page.txt"
SECOND = FIXTURES / "second_page.txt"
BAD = FIXTURES / "bad_reply_no_user.txt"
User = get_user_model()

HEADER = "Readers' Blog\n\nA Title\n\nPopularity 1 Viewed 2 times 2024-1-2 03:04 |System category:News| a, b\n\n"


def run_import(*files: Path, **options) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_page", *map(str, files), stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


# parse_page: no database


def test_parse_reads_the_header_line_with_viewed_glued_to_the_popularity():
    page = parse_page(GOOD.read_text(encoding="utf-8"))
    assert page.blog_name == "Readers\u2019 Blog"
    assert page.title == "Cities Should Put Pedestrians First"
    assert (page.popularity, page.view_count) == (12, 345)
    assert page.published == datetime(2024, 3, 9, 8, 5)
    assert page.category == "Opinion"
    assert page.tags == ["pedestrians", "streets", "cities"]
    assert page.declared_comment_count == 3
    assert page.bio == "Urban planner and occasional cyclist."


def test_parse_keeps_the_article_paragraphs_and_drops_word_style_definitions():
    page = parse_page(GOOD.read_text(encoding="utf-8"))
    assert len(page.paragraphs) == 3
    assert page.paragraphs[0].startswith("Our streets were built for people")
    assert page.paragraphs[1].endswith("Some councillors call that a ** fantasy.")
    assert page.paragraphs[2] == "Start with one street, measure what happens, and let the results speak."
    for debris in ("Normal 0", "Style Definitions", "MsoNormalTable", "mso-", "Opinions of the writer", "Shake hands"):
        assert debris not in page.body


def test_parse_reads_comments_in_page_order_up_to_the_page_furniture():
    page = parse_page(GOOD.read_text(encoding="utf-8"))
    assert [(c.username, c.created, c.line_number) for c in page.comments] == [
        ("walker_jo", datetime(2024, 3, 9, 9, 15), 29),
        ("motorist77", datetime(2024, 3, 9, 11, 2), 31),
        ("KIyer", datetime(2024, 3, 10, 0, 7), 37),
    ]
    assert page.comments[1].text == (
        "This is the usual ** from people who never carry anything heavier than a latte.\n\n"
        "Second, buses here are useless after 7pm.\n\n"
        "Third, who pays?"
    )
    # The trailing no-break spaces go; the line break the reader typed stays.
    assert page.comments[2].text == '"who pays?"\nEveryone does, already, through the health bill.'


def test_parse_strips_a_style_block_pasted_in_the_middle_of_a_paragraph():
    text = HEADER + (
        "Before the paste. Normal 0 false false false EN-US X-NONE /* Style Definitions */ "
        "table.MsoNormalTable {mso-style-name:\"Table Normal\"; font-size:10.0pt;} After the paste.\n"
    )
    assert parse_page(text).body == "Before the paste. After the paste."


def test_parse_keeps_reader_text_that_merely_mentions_normal():
    text = HEADER + "Normal 0 to 60 times matter less than you think.\n"
    assert parse_page(text).body == "Normal 0 to 60 times matter less than you think."


def test_parse_accepts_a_page_without_blog_name_or_comments():
    page = parse_page("Just A Title\nPopularity 0 Viewed 0 times 2024-1-2 03:04\nOne paragraph.\n")
    assert page.title == "Just A Title"
    assert page.blog_name == Article._meta.get_field("blog_name").default
    assert (page.category, page.tags, page.comments) == ("", [], [])


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("Popularity 1 Viewed 2 times 2024-1-2 03:04\n\nBody.\n", 1, "no title"),
        ("Blog\n\nTitle\n\nBody without a metadata line.\n", 5, "no metadata line"),
        ("Blog\nTitle\nPopularity 1 Viewed 2 times 2024-13-40 03:04\nBody.\n", 3, "not a valid date"),
        ("Blog\nTitle\nPopularity one Viewed many times\nBody.\n", 3, "cannot read the metadata line"),
        (HEADER.rstrip("\n") + "\n", 6, "no body"),
        (HEADER + "Body.\nReply Report\nText.\n", 8, "no user name and date"),
        (HEADER + "Body.\nReply Report 2024-1-2 10:00\nText.\n", 8, "no user name"),
        (HEADER + "Body.\nReply Report bob yesterday 10:00\nText.\n", 8, "cannot read 'yesterday 10:00'"),
        (HEADER + "Body.\nReply Report bob 2024-2-30 10:00\nText.\n", 8, "not a valid date"),
        (HEADER + "Body.\nReply Report bob! 2024-1-2 10:00\nText.\n", 8, "not a valid user name"),
        (HEADER + "Body.\nReply Report bob 2024-1-2 10:00\n\n\nReply Report ann 2024-1-2 11:00\nHi.\n", 8, "empty"),
        (HEADER + "Body.\nReply Report bob 2024-1-2 10:00\nYou need to login to comment\n", 8, "empty"),
        # Found by tests/test_import_fuzz.py: each reached the database and crashed the command.
        (HEADER + "Body.\nReply Report bob 2024-1-2 10:00\nA\x00B\n", 9, "NUL"),
        ("Blog\nTitle\nPopularity 1 Viewed 99999999999999999999 times 2024-1-2 03:04\nBody.\n", 3, "too large"),
        ("Blog\nTitle\nPopularity 1 Viewed 2 times 2024-1-2 03:04 |System category:X| " + "t" * 101 + "\nBody.\n", 3, "longer than 100"),
    ],
)
def test_parse_rejects_malformed_pages_naming_the_line(text, line, fragment):
    with pytest.raises(ImportFormatError) as caught:
        parse_page(text)
    assert caught.value.line_number == line
    assert fragment in caught.value.message


# import_page and the command


@pytest.mark.django_db
def test_a_category_whose_slug_grows_past_its_field_is_imported():
    # NFKD turns "ﬃ" into "ffi": 80 characters of name made a 240-character slug (fuzz-found).
    article = import_page(HEADER.replace("News", "ﬃ" * 80) + "Body.\n")
    assert len(article.category.slug) <= 80


@pytest.mark.django_db
def test_import_stores_the_article_its_author_and_its_comments():
    out, err = run_import(GOOD)

    assert out.strip() == (
        f"{GOOD}: imported 'Cities Should Put Pedestrians First' (cities-should-put-pedestrians-first) with 3 comments"
    )
    assert err == ""
    article = Article.objects.get()
    assert article.title == article.stance_claim == "Cities Should Put Pedestrians First"
    assert article.blog_name == "Readers\u2019 Blog"
    assert article.published_at == datetime(2024, 3, 9, 8, 5, tzinfo=UTC)
    assert (article.view_count, article.like_count) == (345, 12)
    assert article.category.name == "Opinion"
    assert sorted(article.tags.names()) == ["cities", "pedestrians", "streets"]
    assert len(article.paragraphs) == 3 and "MsoNormalTable" not in article.body
    assert "a ** fantasy" in article.body

    # The page names no author: an imported account named after the blog, with the page's bio.
    assert article.author.username == "imported:readers-blog"
    assert article.author.profile.display_name == "Readers\u2019 Blog"
    assert article.author.profile.bio == "Urban planner and occasional cyclist."

    comments = list(article.comments.order_by("path"))
    assert [(c.author.username, c.created_at) for c in comments] == [
        ("imported:walker_jo", datetime(2024, 3, 9, 9, 15, tzinfo=UTC)),
        ("imported:motorist77", datetime(2024, 3, 9, 11, 2, tzinfo=UTC)),
        ("imported:KIyer", datetime(2024, 3, 10, 0, 7, tzinfo=UTC)),
    ]
    assert all(c.status == Comment.Status.PENDING and c.depth == 0 and c.parent is None for c in comments)
    assert [c.path for c in comments] == [str(c.pk).zfill(10) for c in comments]
    assert comments[1].text.count("\n\n") == 2 and comments[1].text.startswith("This is the usual ** from")
    assert not any(c.author.has_usable_password() for c in comments)


@pytest.mark.django_db
def test_import_queues_each_comment_for_classification_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_page(GOOD)
    assert len(callbacks) == 3


@pytest.mark.django_db
def test_import_never_writes_as_an_existing_account_of_the_same_name():
    # Issue 15: commenters are imported accounts, never this site's (see also
    # tests/test_security_findings_access_imports_input.py::test_an_imported_page_never_becomes_or_writes_as_existing_accounts).
    existing = User.objects.create_user(username="kiyer", password="x")
    article = import_page(GOOD)
    author = article.comments.get(text__startswith='"who pays?"').author
    assert author != existing and author.username == "imported:KIyer"
    assert not existing.comments.exists()


@pytest.mark.django_db
def test_import_options_set_the_author_and_the_time_zone_of_the_page():
    run_import(GOOD, author_username="pat", time_zone="Asia/Shanghai")
    article = Article.objects.get()
    assert article.author.username == "pat"
    assert article.published_at == datetime(2024, 3, 9, 8, 5, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_reimporting_a_page_is_reported_and_skipped_without_duplicates():
    run_import(GOOD)
    out, _ = run_import(GOOD)
    assert "skipped, already imported as 'Cities Should Put Pedestrians First'" in out
    assert (Article.objects.count(), Comment.objects.count()) == (1, 3)
    with pytest.raises(PageAlreadyImported):
        import_page(GOOD)


@pytest.mark.django_db
def test_malformed_file_exits_2_with_file_and_line_and_imports_nothing():
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_page", str(BAD), stdout=StringIO(), stderr=err)

    assert caught.value.returncode == 2
    assert err.getvalue().strip() == (
        f"{BAD}:13: 'Reply Report' line has no user name before the date '2024-6-1 11:00'"
    )
    assert (Article.objects.count(), Comment.objects.count()) == (0, 0)
    assert not User.objects.filter(username__endswith="parkfan").exists()


@pytest.mark.django_db
def test_a_bad_second_file_leaves_the_first_imported():
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_page", str(SECOND), str(BAD), stdout=StringIO(), stderr=err)

    assert caught.value.returncode == 2
    assert f"{BAD}:13:" in err.getvalue()
    assert list(Article.objects.values_list("title", flat=True)) == ["Libraries Deserve More Money"]
    assert list(Comment.objects.values_list("author__username", flat=True)) == ["imported:bookworm"]


@pytest.mark.django_db
def test_a_comment_the_service_refuses_stops_the_whole_page(settings):
    settings.PARLEY_COMMENT_MAX_LENGTH = 20
    with pytest.raises(ImportFormatError) as caught:
        import_page(GOOD)
    assert caught.value.line_number == 29
    assert "walker_jo" in caught.value.message and "at most 20 characters" in caught.value.message
    assert (Article.objects.count(), Comment.objects.count()) == (0, 0)


@pytest.mark.django_db
def test_unreadable_files_exit_2_with_the_file_name(tmp_path):
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes(b"Blog\nTitle\ncaf\xe9\n")
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_page", str(latin1), str(tmp_path / "missing.txt"), stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 2
    lines = err.getvalue().splitlines()
    assert lines[0].startswith(f"{latin1}:3: not UTF-8 text")
    assert lines[1].startswith(f"{tmp_path / 'missing.txt'}:0: cannot read the file")


# A plain article: no metadata line, no comments (the essay seed, 000_*.txt; a few lines of it here)

ESSAY = FIXTURES / "plain_essay.txt"

def _shared_essay() -> Path:
    from blog.demo import default_seeds_dir

    return default_seeds_dir() / "000_2a700f412a90e238.txt"


SHARED_ESSAY = _shared_essay()


@pytest.mark.django_db
def test_a_plain_article_imports_with_no_comments_titled_from_its_first_line():
    out = StringIO()
    call_command("import_page", str(ESSAY), stdout=out, stderr=StringIO())

    article = Article.objects.get()
    assert article.title == "From the birth of the People's Republic of China in 1949 to the disintegration of the Soviet Union in 1991…"
    assert article.comments.count() == 0
    assert article.body.startswith("From the birth of the People's Republic of China in 1949")  # the first line is text
    assert "imported" in out.getvalue() and "with 0 comments" in out.getvalue()


@pytest.mark.django_db
def test_a_plain_article_takes_the_title_given_and_is_skipped_when_imported_again():
    call_command("import_page", str(ESSAY), "--title", "China and Russia", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("import_page", str(ESSAY), "--title", "China and Russia", stdout=out, stderr=StringIO())

    article = Article.objects.get()
    assert article.title == "China and Russia" and article.comments.count() == 0
    assert "skipped" in out.getvalue()


@pytest.mark.django_db
def test_a_heading_on_the_first_line_is_the_title_and_leaves_the_body():
    article = import_page("A Short Heading\n\nThe first paragraph.\n\nThe second one.\n")
    assert (article.title, article.body) == ("A Short Heading", "The first paragraph.\n\nThe second one.")


def test_a_page_with_a_broken_header_is_still_refused_as_a_page():
    with pytest.raises(ImportFormatError) as caught:
        import_page("Blog\nTitle\nPopularity one Viewed many times\nBody.\n")
    assert "cannot read the metadata line" in caught.value.message


@pytest.mark.django_db
def test_title_is_refused_for_a_page_that_names_its_own():
    with pytest.raises(CommandError) as caught:
        call_command("import_page", str(GOOD), "--title", "Mine", stdout=StringIO(), stderr=(err := StringIO()))
    assert caught.value.returncode == 2 and "--title is for a plain article" in err.getvalue()
    assert Article.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.skipif(not SHARED_ESSAY.exists(), reason="../shared/seeds is not beside this checkout")
def test_the_essay_seed_itself_imports():
    article = import_page(SHARED_ESSAY)
    assert article.comments.count() == 0 and len(article.body) > 1000
