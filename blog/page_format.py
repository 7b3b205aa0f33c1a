"""The saved readers'-blog page format, parsed without a database: ``parse_page(text)`` gives a
``ParsedPage`` or raises ``ImportFormatError(message, line_number)`` at the line at fault. The
format and the decisions it embodies are described in blog/importing.py, which stores a parsed page."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.utils.text import slugify

from .models import Article, Category


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


def strip_word_debris(paragraph: str) -> str:
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


def page_paragraphs(lines: list[tuple[int, str]]) -> list[str]:
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
        body = "\n\n".join(page_paragraphs(text_lines))
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
    paragraphs = [p for p in (strip_word_debris(p) for p in page_paragraphs(rest[:body_end])) if p]
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
