"""Importing saved readers'-blog pages (the format of /work/shared/seeds/003_*.txt) into Parley.

Two steps, kept apart so the parser can be tested without a database:

- ``parse_page(text)`` turns the text of a saved page into a ``ParsedPage`` or raises
  ``ImportFormatError(message, line_number)`` pointing at the line at fault;
- ``import_page(path_or_text, ...)`` stores a parsed page in one transaction: the blog's author
  with a bio, the category, tags, the article, and its comments, created pending through
  ``blog.services.comment_create`` so each is classified once the import has committed.

The page format, top to bottom::

    Readers' Blog                                      <- blog name (optional)
    China Should Help Russia ...                       <- title
    Popularity 8Viewed 2288 times 2015-4-4 02:11 |System category:News| tag1, tag2
    <body paragraphs, blank-line separated; may carry pasted Word style definitions>
    (Opinions of the writer ...) / Shake hands / Like 0 Share     <- end of the article
    Comment Comment (6 comments)
    Reply Report USER YYYY-M-D HH:MM                   <- one comment per header line
    <comment text, possibly several paragraphs>
    facelist doodle Doodle board / You need to login to comment Login | register
    <the author's bio>
    Recent comments / Star blogger / Contact us: ...   <- the rest of the page: ignored

Decisions a caller should know about:

- The page names no article author, only the blog. The author is an imported account named after
  the blog (``imported:readers-blog``) unless ``author_username`` is given. Commenters become
  imported accounts too (``imported:walker_jo``): whatever a page says, it never writes as an
  account of this site (docs/SECURITY.md).
- Tags whose slug would be empty (punctuation only) are dropped; others keep their letters.
- Page times carry no time zone; they are read in ``time_zone`` (default: settings.TIME_ZONE).
- Re-importing a page whose article (same title and publication time) is already stored raises
  ``PageAlreadyImported`` and changes nothing; the command reports it and moves on.
- Comments on the page are flat (the page does not show who answered whom), so they are stored
  as top-level comments in page order.
- A plain article (``is_plain_article``: no metadata line and no comment header anywhere, like the
  essay seed 000_*.txt) is imported as an article with no comments, through ``import_essay``: its
  title is ``title`` when given, else its first line (a line that reads as a heading is the title
  and leaves the body; a first line that is a paragraph stays in the body and its first sentence,
  shortened to TITLE_FROM_TEXT_MAX characters, names the article).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from .models import Article, AuthorProfile, Category, Comment
from .services import comment_create

User = get_user_model()


class PageImportError(Exception):
    """Base for everything that stops a page from being imported."""


class ImportFormatError(PageImportError):
    """The page text is not in the expected format; ``line_number`` is 1-based (0: whole file)."""

    def __init__(self, message: str, line_number: int) -> None:
        super().__init__(message, line_number)
        self.message = message
        self.line_number = line_number

    def __str__(self) -> str:
        return f"line {self.line_number}: {self.message}"


class PageAlreadyImported(PageImportError):
    """The page's article (same title and publication time) is already stored."""

    def __init__(self, article: Article) -> None:
        super().__init__(f"already imported as '{article.title}' ({article.slug})")
        self.article = article


@dataclass(frozen=True)
class ParsedComment:
    username: str
    created: datetime  # naive: the page's local time
    text: str
    line_number: int  # of its "Reply Report" header


@dataclass(frozen=True)
class ParsedPage:
    blog_name: str
    title: str
    popularity: int
    view_count: int
    published: datetime  # naive: the page's local time
    category: str
    tags: list[str]
    paragraphs: list[str]
    comments: list[ParsedComment] = field(default_factory=list)
    bio: str = ""
    declared_comment_count: int | None = None  # "Comment Comment (N comments)", when shown

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


# "Popularity 8Viewed 2288 times 2015-4-4 02:11 |System category:News| difficult, economic"
# The page glues "Viewed" to the popularity figure, so no space is required anywhere between tokens.
METADATA_RE = re.compile(
    r"^Popularity\s*(?P<popularity>\d+)\s*Viewed\s*(?P<views>\d+)\s*times?\s*"
    r"(?P<date>\S+)\s+(?P<time>\S+)"
    r"\s*(?:\|\s*System\s+category\s*:\s*(?P<category>[^|]*?)\s*\|)?"
    r"\s*(?P<tags>.*?)\s*$"
)
# A title may begin with the word "Popularity"; the metadata line goes on with a count or "Viewed".
METADATA_START_RE = re.compile(r"^Popularity(?:\s*\d|.*\bViewed\b)")
COMMENT_HEADER_RE = re.compile(r"^Reply\s+Report(?:\s+(?P<rest>.*?))?\s*$")
COMMENT_HEADER_REST_RE = re.compile(r"^(?P<user>\S+)\s+(?P<date>\S+)\s+(?P<time>\S+)$")
DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
# Django's default username rule (UnicodeUsernameValidator): comment authors become users.
USERNAME_RE = re.compile(r"^[\w.@+-]{1,150}$")
TAG_MAX_LENGTH = 100
COUNT_MAX = 2**31 - 1  # the largest PositiveIntegerField (view_count, like_count)
COMMENT_COUNT_RE = re.compile(r"^Comment\s+Comment\s*\((?P<count>\d+)\s+comments?\)$")

# Lines that end the article body: the page's furniture between the article and the comments.
# (A page may lack some of them; the first one seen ends the body.)
BODY_END_RE = re.compile(
    r"^(?:\(Opinions of the writer\b.*"
    r"|Shake hands$"
    r"|Friends who just made a statement\b.*"
    r"|Like\s+\d+\s+Share$"
    r"|Comment\s+Comment\s*\(\d+\s+comments?\)$"
    r"|Reply\s+Report\b.*"
    r"|facelist doodle\b.*"
    r"|You need to login to comment\b.*)"
)
# Lines after the comments: what follows is page furniture, never part of the last comment.
COMMENTS_END_RE = re.compile(
    r"^(?:facelist doodle\b.*"
    r"|You need to login to comment\b.*"
    r"|Recent comments$"
    r"|Star blogger$"
    r"|Contact us:.*"
    r"|Blog announcement:.*)"
)
LOGIN_PROMPT_RE = re.compile(r"^You need to login to comment\b")
BIO_END_RE = re.compile(r"^(?:Recent comments|Star blogger|Contact us:.*|Blog announcement:.*)$")

# Pasted Word documents leak their hidden style sheet into the text as one run such as
# "Normal 0 false false false EN-US ZH-CN X-NONE /* Style Definitions */ table.MsoNormalTable {...}".
# Nobody wrote that; it is removed from the body. Three shapes are recognised: the
# document-settings preamble (a run of Word's settings vocabulary after "Normal 0"), the
# "/* Style Definitions */" comment, and CSS rules whose declarations use mso-* properties.
_CSS_RULE = r"[\w.#:\-]+(?:\s*,\s*[\w.#:\-]+)*\s*\{[^{}]*\}"
MSO_STYLE_DEFINITIONS_RE = re.compile(r"/\*\s*Style\s+Definitions\s*\*/(?:\s*" + _CSS_RULE + r")*")
MSO_CSS_RULE_RE = re.compile(r"[\w.#:\-]+(?:\s*,\s*[\w.#:\-]+)*\s*\{[^{}]*\bmso-[^{}]*\}")
MSO_PREAMBLE_RE = re.compile(
    r"\bNormal\s+0(?:\s+(?:[\d.]+|pt|false|true|[A-Z]{2}-[A-Z]{2}|X-NONE|MicrosoftInternetExplorer4))+"
)


def _strip_word_debris(paragraph: str) -> str:
    text = MSO_STYLE_DEFINITIONS_RE.sub(" ", paragraph)
    text = MSO_CSS_RULE_RE.sub(" ", text)
    # Only a preamble with Word's true/false switches: "Normal 0" alone could be a reader's words.
    text = MSO_PREAMBLE_RE.sub(lambda m: " " if re.search(r"\b(?:false|true)\b", m.group()) else m.group(), text)
    if text == paragraph:
        return paragraph  # untouched: keep it verbatim, spacing included
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _parse_datetime(date: str, time: str, *, line_number: int, what: str) -> datetime:
    d, t = DATE_RE.match(date), TIME_RE.match(time)
    if not d or not t:
        raise ImportFormatError(f"{what}: cannot read '{date} {time}' as a date and time (expected YYYY-M-D HH:MM)", line_number)
    try:
        return datetime(int(d[1]), int(d[2]), int(d[3]), int(t[1]), int(t[2]))
    except ValueError as exc:
        raise ImportFormatError(f"{what}: '{date} {time}' is not a valid date and time ({exc})", line_number) from None


def _paragraphs(lines: list[tuple[int, str]]) -> list[str]:
    """Blank-line separated paragraphs; lines within one paragraph stay joined by newlines.
    Trailing whitespace (the page pads lines with no-break spaces) is dropped."""
    paragraphs: list[str] = []
    current: list[str] = []
    for _, line in lines:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def _parse_comment_header(rest: str | None, *, line_number: int) -> tuple[str, datetime]:
    if not rest:
        raise ImportFormatError(
            "'Reply Report' line has no user name and date (expected 'Reply Report USER YYYY-M-D HH:MM')", line_number
        )
    match = COMMENT_HEADER_REST_RE.match(rest)
    if not match:
        first = rest.split()[0]
        if DATE_RE.match(first):
            raise ImportFormatError(f"'Reply Report' line has no user name before the date '{rest}'", line_number)
        raise ImportFormatError(f"'Reply Report' line: cannot read '{rest}' as 'USER YYYY-M-D HH:MM'", line_number)
    username = match["user"]
    if DATE_RE.match(username):
        raise ImportFormatError(f"'Reply Report' line has no user name before the date '{rest}'", line_number)
    if not USERNAME_RE.match(username):
        raise ImportFormatError(
            f"comment author '{username}' is not a valid user name (letters, digits and @.+-_ only)", line_number
        )
    created = _parse_datetime(match["date"], match["time"], line_number=line_number, what=f"comment by {username}")
    return username, created


def _parse_header(nonblank: list[tuple[int, str]]) -> tuple[str, str, re.Match, int, datetime]:
    """[blog name,] title, metadata line: returns (blog name, title, metadata match, its line,
    the publication date)."""
    # The blog name is optional, so look for the metadata line among the first three non-blank lines.
    meta_index = next((i for i, (_, line) in enumerate(nonblank[:3]) if METADATA_START_RE.match(line)), None)
    if meta_index is None:
        where = nonblank[min(2, len(nonblank) - 1)][0]
        raise ImportFormatError(
            "no metadata line: expected 'Popularity N Viewed N times YYYY-M-D HH:MM |System category:X| tags' "
            "after the blog name and title",
            where,
        )
    meta_line_number, meta_line = nonblank[meta_index]
    if meta_index == 0:
        raise ImportFormatError("no title: the metadata line must follow the article's title", meta_line_number)
    title_line_number, title = nonblank[meta_index - 1]
    blog_name = nonblank[0][1] if meta_index == 2 else Article._meta.get_field("blog_name").default
    if len(title) > (limit := Article._meta.get_field("title").max_length):
        raise ImportFormatError(f"title is longer than {limit} characters", title_line_number)
    if len(blog_name) > Article._meta.get_field("blog_name").max_length:
        raise ImportFormatError("blog name is too long; is the title missing?", nonblank[0][0])

    meta = METADATA_RE.match(meta_line)
    if not meta:
        raise ImportFormatError(
            f"cannot read the metadata line '{meta_line}' (expected 'Popularity N Viewed N times YYYY-M-D HH:MM "
            "|System category:X| tag1, tag2')",
            meta_line_number,
        )
    published = _parse_datetime(meta["date"], meta["time"], line_number=meta_line_number, what="publication date")
    if len(meta["category"] or "") > Category._meta.get_field("name").max_length:
        raise ImportFormatError(f"category '{meta['category']}' is too long", meta_line_number)
    for tag in (t.strip() for t in meta["tags"].split(",") if t.strip()):  # django-taggit's name and slug hold 100
        if len(tag) > TAG_MAX_LENGTH or len(slugify(tag, allow_unicode=True)) > TAG_MAX_LENGTH:
            raise ImportFormatError(f"tag '{tag[:40]}…' is longer than {TAG_MAX_LENGTH} characters", meta_line_number)
    for what, value in (("popularity", meta["popularity"]), ("view count", meta["views"])):
        if int(value) > COUNT_MAX:
            raise ImportFormatError(f"{what} {value} is too large (at most {COUNT_MAX})", meta_line_number)
    return blog_name, title, meta, meta_line_number, published


def _parse_comments(tail: list[tuple[int, str]]) -> tuple[list[ParsedComment], int | None, int]:
    """Each comment starts at a "Reply Report" line and runs to the next one or to the furniture
    after the comments. Returns (comments, the count the page declares, where the furniture starts)."""
    comments: list[ParsedComment] = []
    declared: int | None = None
    header: tuple[int, str, datetime] | None = None
    text_lines: list[tuple[int, str]] = []
    furniture_at = len(tail)

    def finish() -> None:
        if header is None:
            return
        line_number, username, created = header
        body = "\n\n".join(_paragraphs(text_lines))
        if not body:
            raise ImportFormatError(f"the comment by {username} is empty", line_number)
        comments.append(ParsedComment(username=username, created=created, text=body, line_number=line_number))

    for i, (n, line) in enumerate(tail):
        stripped = line.strip()
        if (count := COMMENT_COUNT_RE.match(stripped)) and header is None:
            declared = int(count["count"])
            continue
        if match := COMMENT_HEADER_RE.match(stripped):
            finish()
            username, created = _parse_comment_header(match["rest"], line_number=n)
            header, text_lines = (n, username, created), []
            continue
        if COMMENTS_END_RE.match(stripped):
            furniture_at = i
            break
        if header is not None:
            text_lines.append((n, line))
    finish()
    return comments, declared, furniture_at


def _parse_bio(furniture: list[tuple[int, str]]) -> str:
    """The short line(s) after the login prompt, before "Recent comments" and the rest."""
    bio_lines: list[str] = []
    prompt = next((i for i, (_, line) in enumerate(furniture) if LOGIN_PROMPT_RE.match(line.strip())), None)
    if prompt is not None:
        for _, line in furniture[prompt + 1 :]:
            if BIO_END_RE.match(line.strip()):
                break
            if line.strip():
                bio_lines.append(line.strip())
    return "\n".join(bio_lines)


def parse_page(text: str) -> ParsedPage:
    """Parse the text of a saved readers'-blog page. Raises ImportFormatError(message, line)."""
    lines = list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n"), start=1))
    # The database stores no NUL character (PostgreSQL refuses one in any text).
    if nul := next((n for n, line in lines if "\x00" in line), None):
        raise ImportFormatError("contains a NUL character", nul)
    nonblank = [(n, line.strip()) for n, line in lines if line.strip()]
    if not nonblank:
        raise ImportFormatError("the file is empty", 1)
    blog_name, title, meta, meta_line_number, published = _parse_header(nonblank)

    # Body: from after the metadata line to the first end-of-article line (or the end of file).
    rest = [(n, line) for n, line in lines if n > meta_line_number]
    body_end = next((i for i, (_, line) in enumerate(rest) if BODY_END_RE.match(line.strip())), len(rest))
    paragraphs = [p for p in (_strip_word_debris(p) for p in _paragraphs(rest[:body_end])) if p]
    if not paragraphs:
        raise ImportFormatError("the article has no body text", meta_line_number + 1)

    # Anything between the end of the article and the first comment is furniture.
    tail = rest[body_end:]
    comments, declared, furniture_at = _parse_comments(tail)
    return ParsedPage(
        blog_name=blog_name,
        title=title,
        popularity=int(meta["popularity"]),
        view_count=int(meta["views"]),
        published=published,
        category=meta["category"] or "",
        tags=[t.strip() for t in meta["tags"].split(",") if t.strip()],
        paragraphs=paragraphs,
        comments=comments,
        bio=_parse_bio(tail[furniture_at:]),
        declared_comment_count=declared,
    )


def _unique_slug(text: str, *, fallback: str) -> str:
    max_length = Article._meta.get_field("slug").max_length
    base = slugify(text)[: max_length - 8].strip("-") or fallback
    slug, n = base, 2
    while Article.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# Imported people live in their own namespace: a page names whoever it likes ("admin",
# "Moderator"), and must never be stored as, or speak for, an account of this site. ":" is
# refused in every username a person can choose (registration, Django's validator), so
# "imported:admin" cannot collide with a real account and says where it came from.
IMPORTED_USERNAME_PREFIX = "imported:"


def imported_username(name: str) -> str:
    return (IMPORTED_USERNAME_PREFIX + name)[:150]


def _user(username: str):
    """The imported account for a name on a page (any case: one person per name across
    pages), created unable to log in: imported people never chose a password here."""
    username = imported_username(username)
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        user = User(username=username)
        user.set_unusable_password()
        user.save()
    return user


def _tag_names(names: list[str]) -> list[str]:
    """Tags that can have a page: django-taggit slugifies with allow_unicode, so 中国 keeps its
    letters (and its URL, blog/urls.py's <uslug:>), but "!!!" would have an empty slug."""
    return [name for name in names if slugify(name, allow_unicode=True)]


def _category(name: str) -> Category | None:
    if not name:
        return None
    existing = Category.objects.filter(name__iexact=name).first()
    if existing:
        return existing
    # NFKD can lengthen a name ("ﬃ" is "ffi"): the slug is cut to fit.
    slug = slugify(name)[: Category._meta.get_field("slug").max_length].strip("-") or f"category-{Category.objects.count() + 1}"
    category, _ = Category.objects.get_or_create(slug=slug, defaults={"name": name})
    return category


def author_for_blog(*, blog_name: str, username: str | None = None, bio: str = ""):
    """The article author for a blog, with a profile: the existing or new account ``username``
    when the operator names one (``import_page --author``), else the imported account
    ``imported:<slugify(blog_name)>`` (the page's own say never picks a real account). A bio
    from the page fills an empty profile bio; an edited one is kept."""
    if username:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = User(username=username)
            user.set_unusable_password()
            user.save()
    else:
        user = _user(slugify(blog_name) or "blog")
    profile, created = AuthorProfile.objects.get_or_create(user=user, defaults={"display_name": blog_name, "bio": bio})
    if not created and bio and not profile.bio:
        profile.bio = bio
        profile.save(update_fields=["bio"])
    return user


TITLE_FROM_TEXT_MAX = 120
_SENTENCE_END_RE = re.compile(r"[.!?…:;](?:\s|$)")


def is_plain_article(text: str) -> bool:
    """True for a bare article: text, but no page metadata line and no comment header anywhere
    (a page with a broken header is still a page, and gets the parser's error)."""
    lines = [line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")]
    return any(lines) and not any(METADATA_START_RE.match(line) or COMMENT_HEADER_RE.match(line) for line in lines)


def title_from_text(text: str) -> tuple[str, str]:
    """(title, body) of a plain article without a given title: see the module docstring."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    first, _, rest = text.strip().partition("\n")
    first = _strip_word_debris(first.strip())
    if len(first) <= TITLE_FROM_TEXT_MAX and not _SENTENCE_END_RE.search(first[-1:] + " ") and rest.strip():
        return first, rest
    sentence = first[: m.start() + 1] if (m := _SENTENCE_END_RE.search(first)) else first
    sentence = sentence.rstrip(".:;")
    if len(sentence) > TITLE_FROM_TEXT_MAX:
        sentence = sentence[: TITLE_FROM_TEXT_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return sentence, text


def import_plain_article(text: str, *, title: str | None = None, author_username: str | None = None) -> Article:
    """Store a plain article (no metadata, no comments) under ``title`` or one taken from its
    text; PageAlreadyImported when an article of that title is stored already."""
    if title is not None:
        title, body = title.strip(), text
        if not title:
            raise ImportFormatError("the title is empty", 0)
    else:
        title, body = title_from_text(text)
    if len(title) > (limit := Article._meta.get_field("title").max_length):
        raise ImportFormatError(f"title is longer than {limit} characters", 1)
    if not slugify(title):
        raise ImportFormatError(f"the title '{title[:40]}' has no letter or digit to make its address from; give --title", 1)
    blog_name = Article._meta.get_field("blog_name").default
    with transaction.atomic():
        author = author_for_blog(blog_name=blog_name, username=author_username)
        article, created = import_essay(body, title=title, author=author)
        if not created:
            raise PageAlreadyImported(article)  # leaving the block rolls back an author made for nothing
    return article


def import_page(
    path_or_text: str | Path,
    *,
    author_username: str | None = None,
    time_zone: str | None = None,
    title: str | None = None,
) -> Article:
    """Parse a saved page (a Path, or the page's text as a str) and store it in one transaction.

    Raises ImportFormatError for malformed input (nothing is stored) and PageAlreadyImported when
    an article with the same title and publication time exists. Comments are stored pending and
    queued for classification after the transaction commits. A plain article (is_plain_article)
    is stored with no comments, titled ``title`` or from its first line (import_plain_article);
    ``title`` is refused for a page, which names its own.
    """
    text = path_or_text.read_text(encoding="utf-8-sig") if isinstance(path_or_text, Path) else path_or_text
    if "\x00" in text:
        parse_page(text)  # names the line with the NUL character
    if is_plain_article(text):
        return import_plain_article(text, title=title, author_username=author_username)
    if title is not None:
        raise ImportFormatError("--title is for a plain article; this page names its own title", 1)
    page = parse_page(text)
    tz = ZoneInfo(time_zone or settings.TIME_ZONE)
    published_at = page.published.replace(tzinfo=tz)

    with transaction.atomic():
        existing = Article.objects.filter(title=page.title, published_at=published_at).first()
        if existing:
            raise PageAlreadyImported(existing)
        author = author_for_blog(blog_name=page.blog_name, username=author_username, bio=page.bio)
        article = Article.objects.create(
            blog_name=page.blog_name,
            title=page.title,
            slug=_unique_slug(page.title, fallback="article"),
            author=author,
            category=_category(page.category),
            body=page.body,
            stance_claim=page.title,
            published_at=published_at,
            view_count=page.view_count,
            like_count=page.popularity,
        )
        if tags := _tag_names(page.tags):
            article.tags.set(tags)
        for parsed in page.comments:
            try:
                comment = comment_create(article=article, author=_user(parsed.username), text=parsed.text)
            except ValidationError as exc:
                raise ImportFormatError(f"comment by {parsed.username}: {'; '.join(exc.messages)}", parsed.line_number) from None
            # The service stamps "now"; the page's time is the truth. The enqueue runs after
            # commit, so the worker sees this date.
            Comment.objects.filter(pk=comment.pk).update(created_at=parsed.created.replace(tzinfo=tz))
    return article


def import_essay(
    text: str,
    *,
    title: str,
    author,
    stance_claim: str = "",
    category: str = "",
    tags: list[str] | None = None,
    published_at: datetime | None = None,
) -> tuple[Article, bool]:
    """Store a bare article body (no page header, no comments) under ``title``; returns
    (article, created). Idempotent on the title's slug. Paragraphs are separated by blank lines
    or, when the text has none, one per line; pasted Word style sheets are removed."""
    slug = slugify(title)[: Article._meta.get_field("slug").max_length]
    existing = Article.objects.filter(slug=slug).first()
    if existing:
        return existing, False
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    lines = list(enumerate(text.split("\n"), start=1))
    if re.search(r"\S[^\S\n]*\n[^\S\n]*\n\s*\S", text):  # a blank line between paragraphs
        paragraphs = _paragraphs(lines)
    else:  # an essay pasted one paragraph per line
        paragraphs = [line.rstrip() for _, line in lines if line.strip()]
    paragraphs = [p for p in (_strip_word_debris(p) for p in paragraphs) if p]
    if not paragraphs:
        raise ImportFormatError("the essay has no text", 1)
    with transaction.atomic():
        article = Article.objects.create(
            title=title,
            slug=slug,
            author=author,
            category=_category(category),
            body="\n\n".join(paragraphs),
            stance_claim=stance_claim or title,
            **({"published_at": published_at} if published_at else {}),
        )
        if tags := _tag_names(tags or []):
            article.tags.set(tags)
    return article, True
