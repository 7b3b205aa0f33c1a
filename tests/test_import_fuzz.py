"""`manage.py import_page` fuzzed with generated seed-format files (hypothesis): tags, names,
dates, numbers, encodings and line endings. Each file is either imported as a page that renders
(the article, and each of its tags' pages, answer 200) or refused with `FILE:LINE: reason` on
stderr and exit status 2, nothing stored. Never a traceback, never a page that 500s.

A bounded derandomized run here; `make fuzz` runs PARLEY_FUZZ_EXAMPLES with a random seed.
"""
from __future__ import annotations

import re
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from blog.models import Article, Comment
from tests.fuzzing import fuzz_settings

# Text a page may hold, surrogates aside (a file cannot encode them): every script, punctuation,
# NUL and the other controls, invisible characters.
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
odd = st.sampled_from(
    ["中国", "!!!", "???", "Ελλάδα", "ａｄｍｉｎ", "аdmin", "Admin", "moderator", "\x00", "\u200b", "\ufeff", "<b>x</b>",
     "-", "_", "'", ",", "|", "x" * 120, "İ", "ß", "٣", "²", "   ", ""]
)
# Mostly well-formed values, so most pages get as far as the database and the page; the rest
# hostile, so the refusals are exercised too.
username = st.from_regex(r"[\w.@+-]{1,20}", fullmatch=True)
word = st.one_of(username, username, odd, any_text)
number = st.one_of(
    st.integers(min_value=0, max_value=10**6).map(str),
    st.integers(min_value=0, max_value=10**6).map(str),
    st.integers(min_value=0, max_value=10**30).map(str),
    st.sampled_from(["0", "٣", "²", "-1", "99999999999999999999"]),
)
valid_date = st.dates().map(lambda d: f"{d.year:04d}-{d.month}-{d.day}")
date = st.one_of(
    valid_date,
    valid_date,
    valid_date,
    st.builds(lambda y, m, d: f"{y}-{m}-{d}", st.integers(0, 10000), st.integers(0, 13), st.integers(0, 32)),
    st.sampled_from(["2024-2-30", "0001-1-1", "9999-12-31", "24-1-2", "２０２４-1-2", "٢٠٢٤-1-2"]),
)
valid_time = st.times().map(lambda t: f"{t.hour}:{t.minute:02d}")
time_ = st.one_of(
    valid_time, valid_time, valid_time,
    st.builds(lambda h, m: f"{h}:{m:02d}", st.integers(0, 25), st.integers(0, 61)), st.sampled_from(["03:04", "0:07", "x"]),
)


@st.composite
def seed_pages(draw) -> tuple[bytes, str]:
    blog = draw(st.one_of(st.just("Readers' Blog"), word))
    title = draw(st.one_of(word, any_text))
    tags = ", ".join(draw(st.lists(word, max_size=5)))
    category = draw(st.one_of(st.just("News"), word))
    meta = f"Popularity {draw(number)}Viewed {draw(number)} times {draw(date)} {draw(time_)} |System category:{category}| {tags}"
    body = draw(st.lists(st.one_of(st.just("A paragraph of the article."), any_text), min_size=draw(st.sampled_from([1, 1, 1, 0])), max_size=3))
    comments = draw(st.lists(st.tuples(word, date, time_, st.one_of(st.just("A comment."), any_text)), max_size=4))
    bio = draw(st.one_of(st.just("A bio."), any_text))
    lines = [blog, "", title, "", meta, ""]
    for paragraph in body:
        lines += [paragraph, ""]
    lines += ["Like 0 Share", f"Comment Comment ({len(comments)} comments)"]
    for user, d, t, text in comments:
        lines += [f"Reply Report {user} {d} {t}", text]
    lines += ["You need to login to comment Login | register", bio, "Recent comments"]
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8"] * 8 + ["utf-8-sig", "utf-16", "latin-1", "gb18030"]))
    text = newline.join(lines)
    data = text.encode(encoding, errors="replace")
    if draw(st.sampled_from([False] * 7 + [True])):  # now and then a stray invalid byte
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xff" + data[at:]
    return data, encoding


@pytest.fixture
def page_dir():
    with tempfile.TemporaryDirectory() as folder:
        yield Path(folder)


@pytest.mark.django_db
def test_every_generated_page_is_imported_and_renders_or_refused_with_file_line_and_exit_2(page_dir):
    client = Client()
    counter = iter(range(10**9))

    @fuzz_settings(default_examples=60)
    @given(seed_pages())
    def check(page):
        data, _ = page
        path = page_dir / f"page{next(counter)}.txt"
        path.write_bytes(data)
        before = set(Article.objects.values_list("pk", flat=True))
        out, err = StringIO(), StringIO()
        try:
            call_command("import_page", str(path), stdout=out, stderr=err)
        except CommandError as exc:
            assert exc.returncode == 2, exc
            assert re.fullmatch(rf"{re.escape(str(path))}:\d+: \S.*\n", err.getvalue()), err.getvalue()
            assert set(Article.objects.values_list("pk", flat=True)) == before
            return
        assert err.getvalue() == ""
        new = Article.objects.exclude(pk__in=before)
        if "skipped, already imported" in out.getvalue():
            assert not new.exists()
            return
        article = new.get()
        article.comments.update(status=Comment.Status.PUBLISHED)  # so the page shows them too
        response = client.get(article.get_absolute_url())
        assert response.status_code == 200, response.content[:300]
        for tag in article.tags.all():
            assert client.get(f"/tag/{tag.slug}/").status_code == 200

    check()
