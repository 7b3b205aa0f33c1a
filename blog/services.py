"""Writes on the reader side. Views, API views and commands call these; tests call them directly.

Every function validates its input and raises django.core.exceptions.ValidationError keyed by
the field at fault, so the web form and the API can both answer 400 with the field and reason.
"""
from __future__ import annotations

import logging
import re
import unicodedata

from confusable_homoglyphs import confusables
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.db.models import F
from django.utils import timezone
from rest_framework.authtoken.models import Token

from moderation import facade as moderation
from ops import metrics

from .models import (
    DELETED_USERNAME_PREFIX,
    Article,
    ArticleLike,
    AuthorProfile,
    Comment,
    CommentLike,
    CommentReport,
    CommentRevision,
)

User = get_user_model()
log = logging.getLogger(__name__)

PATH_SEGMENT_WIDTH = 10


# Characters that show nothing, besides whitespace and the format characters (Unicode category
# Cf: zero-width space and joiners, word joiner, BOM, soft hyphen): the Hangul fillers and the
# blank Braille pattern. A text of only these is an invisible comment.
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def _clean_text(value: str, *, field: str, max_length: int) -> str:
    """Plain text as typed, minus what can never be stored or shown safely."""
    if not isinstance(value, str):
        raise ValidationError({field: "Must be a string."})
    if "\x00" in value:
        raise ValidationError({field: "Must not contain NUL characters."})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError({field: "Must be valid Unicode text (no lone surrogates)."}) from None
    if not value.strip():
        raise ValidationError({field: "Must not be empty."})
    if all(ch.isspace() or ch in _INVISIBLE or unicodedata.category(ch) == "Cf" for ch in value):
        raise ValidationError({field: "Must not be only invisible characters."})
    if len(value) > max_length:
        raise ValidationError({field: f"Must be at most {max_length} characters (got {len(value)})."})
    return value.replace("\r\n", "\n")


_comment_id_sequence: dict[str, str | None] = {}  # database alias -> blog_comment.id's sequence


def _comment_id_next() -> int | None:
    """The next comment id from PostgreSQL's sequence, so that the path (which ends in the id) goes
    in with the INSERT instead of an UPDATE after it: on PostgreSQL a POST's write is one statement
    instead of BEGIN, INSERT, UPDATE, COMMIT, and the row is written once (the UPDATE wrote it
    again with all its index entries). None on other databases: they insert, then set the path.
    A number taken by a comment that then fails to insert is a gap in the ids, nothing more."""
    connection = connections[router.db_for_write(Comment)]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        if connection.alias not in _comment_id_sequence:
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [Comment._meta.db_table, Comment._meta.pk.column])
            _comment_id_sequence[connection.alias] = cursor.fetchone()[0]
        if (sequence := _comment_id_sequence[connection.alias]) is None:
            return None  # an id column without a sequence: insert, then set the path
        cursor.execute("SELECT nextval(%s)", [sequence])
        return cursor.fetchone()[0]


def comment_create(*, article: Article, author, text: str, parent: Comment | None = None) -> Comment:
    """Store a reader's comment or reply as pending and queue it for classification once the
    transaction has committed. Replies deeper than the thread cap are shown at the cap."""
    text = _clean_text(text, field="text", max_length=settings.PARLEY_COMMENT_MAX_LENGTH)
    standing = moderation.author_standing_get(user=author)
    if standing is not None and not standing.can_post():
        if standing.banned:
            raise ValidationError({"author": "You are banned from commenting."})
        raise ValidationError({"author": f"You are suspended from commenting until {standing.suspended_until:%Y-%m-%d %H:%M} UTC."})
    if parent is not None and parent.article_id != article.pk:
        raise ValidationError({"parent": "The parent comment belongs to another article."})

    max_depth = settings.PARLEY_THREAD_MAX_DEPTH
    if parent is None:
        prefix = ""
    elif parent.depth < max_depth:
        prefix = parent.path + "/"
    else:  # parent is at the cap: display this reply beside it, under the same ancestor
        prefix = parent.path.rpartition("/")[0]
        prefix = prefix + "/" if prefix else ""
    fields = {"article": article, "author": author, "parent": parent, "text": text,
              "depth": 0 if parent is None else min(parent.depth + 1, max_depth)}
    if (pk := _comment_id_next()) is not None:
        # The path is known before the insert: one statement, atomic on its own.
        comment = Comment.objects.create(pk=pk, path=prefix + str(pk).zfill(PATH_SEGMENT_WIDTH), **fields)
    else:
        with transaction.atomic():
            comment = Comment.objects.create(**fields)
            comment.path = prefix + str(comment.pk).zfill(PATH_SEGMENT_WIDTH)
            comment.save(update_fields=["path"])
    # Committed by now, unless the caller's transaction is still open: then it runs after that commits.
    moderation.comment_enqueue_on_commit(comment_id=comment.pk)
    metrics.comment_posted()
    return comment


# Editable whatever its age while it waits for a moderator.
EDITABLE_ALWAYS = (Comment.Status.PENDING, Comment.Status.HELD, Comment.Status.FAILED)


def comment_editable_until(comment: Comment):
    """When the author's edit and delete window closes (None: open while it waits)."""
    if comment.status in EDITABLE_ALWAYS:
        return None
    return comment.created_at + timezone.timedelta(minutes=settings.PARLEY_EDIT_WINDOW_MINUTES)


def comment_can_change(*, comment: Comment, user) -> bool:
    """May ``user`` edit or delete ``comment`` now? (For showing the links; the services check again.)"""
    if not user.is_authenticated or comment.author_id != user.pk or comment.status == Comment.Status.DELETED:
        return False
    until = comment_editable_until(comment)
    return until is None or timezone.now() < until


def _own_comment_locked(*, comment_id: int, user, verb: str) -> Comment:
    """The comment, locked, if ``user`` wrote it and the window is open; else PermissionDenied or
    ValidationError naming why."""
    comment = Comment.objects.select_for_update(of=("self",)).select_related("article").get(pk=comment_id)
    if comment.author_id != user.pk:
        raise PermissionDenied(f"You can only {verb} your own comments.")
    if comment.status == Comment.Status.DELETED:
        raise ValidationError({"comment": "This comment was deleted."})
    until = comment_editable_until(comment)
    if until is not None and timezone.now() >= until:
        raise ValidationError({"comment": f"Comments can be {verb}ed within {settings.PARLEY_EDIT_WINDOW_MINUTES} "
                                          f"minutes of posting (or while awaiting moderation); this window closed at "
                                          f"{until:%Y-%m-%d %H:%M} UTC."})
    return comment


def comment_edit(*, comment: Comment, author, text: str) -> Comment:
    """The author replaces their comment's text, within the edit window. The old text is kept as a
    revision (moderators see the history). The comment is scored and decided again by the worker,
    like a new one, unless a human had ruled against it (then it waits for a moderator); a banned
    or suspended author may not edit (PermissionDenied naming why)."""
    text = _clean_text(text, field="text", max_length=settings.PARLEY_COMMENT_MAX_LENGTH)
    with transaction.atomic():
        comment = _own_comment_locked(comment_id=comment.pk, user=author, verb="edit")
        if text == comment.text:
            raise ValidationError({"text": "The text is unchanged."})
        nudged = moderation.comment_was_nudged(comment=comment)
        CommentRevision.objects.create(comment=comment, text=comment.text, status=comment.status)
        comment.text = text
        comment.edited_at = timezone.now()
        moderation.comment_edited(comment=comment, nudged=nudged)  # saves; the one writer of its status
    return comment


def comment_delete(*, comment: Comment, author) -> Comment:
    """The author deletes (or, answering the nudge, withdraws) their comment, within the edit
    window. Its text and edit history go; the row stays, so its replies keep their place under
    "comment deleted", and the audit log keeps the moderation record."""
    with transaction.atomic():
        comment = _own_comment_locked(comment_id=comment.pk, user=author, verb="delete")
        nudged = moderation.comment_was_nudged(comment=comment)
        moderation.comment_deleted(comment=comment, nudged=nudged)
    return comment


def comment_nudge_leave(*, comment: Comment, author) -> None:
    """The author leaves their held or rejected comment as it is, for a moderator to decide."""
    moderation.comment_nudge_leave(comment=comment, author=author)


def comment_appeal(*, comment: Comment, author, note: str):
    """Ask once for a moderator to look again at a rejected comment."""
    return moderation.comment_appeal(comment=comment, author=author, note=note)


def comment_like(*, comment: Comment, user) -> bool:
    """Like a published comment once; returns False when this reader had already liked it."""
    if not comment.is_public:
        raise ValidationError({"comment": "Only published comments can be liked."})
    return _like_once(CommentLike, field="comment", liked=comment, user=user)


def _like_once(like_model, *, field: str, liked, user) -> bool:
    """Store one like of ``liked`` (an article or a comment) by ``user`` and count it; False when
    they had liked it already (the unique (user, object) row says so, even under a double click).

    The row and its count change in one transaction, so like_count equals the rows whatever
    runs at once (counted after the insert committed, and an unlike in between skipping a count
    it saw at 0, one reader's 16 threads once ended at 1 with no row)."""
    try:
        with transaction.atomic():
            like_model.objects.create(**{field: liked}, user=user)
            type(liked).objects.filter(pk=liked.pk).update(like_count=F("like_count") + 1)
    except IntegrityError:
        return False
    return True


def _unlike(like_model, *, field: str, liked, user) -> bool:
    """Take back this reader's like; False when there was none. Counted down only for a row
    this call deleted, in the same transaction (see _like_once), so never below the rows."""
    with transaction.atomic():
        deleted, _ = like_model.objects.filter(**{field: liked}, user=user).delete()
        if deleted:
            # like_count__gt=0: counts that drifted before the row and count moved together never go below 0.
            type(liked).objects.filter(pk=liked.pk, like_count__gt=0).update(like_count=F("like_count") - 1)
    return bool(deleted)


def comment_unlike(*, comment: Comment, user) -> bool:
    return _unlike(CommentLike, field="comment", liked=comment, user=user)


def article_unlike(*, article: Article, user) -> bool:
    return _unlike(ArticleLike, field="article", liked=article, user=user)


OWN_COMMENT_REPORT_REFUSED = "You cannot report your own comment; you can edit or delete it instead."


def comment_can_report(*, comment: Comment, user) -> bool:
    """A reader reports other people's comments, never their own (the page shows no Report
    button on them; the form and the API answer 403)."""
    return comment.author_id != user.pk


def comment_report(*, comment: Comment, reporter, reason: str) -> tuple[CommentReport, bool]:
    """Report a comment to the moderators. One report per reader per comment: reporting again
    returns the first report and changes nothing. PermissionDenied for one's own comment."""
    if not comment_can_report(comment=comment, user=reporter):
        raise PermissionDenied(OWN_COMMENT_REPORT_REFUSED)
    reason = _clean_text(reason, field="reason", max_length=settings.PARLEY_REPORT_REASON_MAX_LENGTH).strip()
    if not comment.is_public and comment.author_id != reporter.pk:
        raise ValidationError({"comment": "This comment is not published."})
    existing = CommentReport.objects.filter(comment=comment, reporter=reporter).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            report = CommentReport.objects.create(comment=comment, reporter=reporter, reason=reason)
            Comment.objects.filter(pk=comment.pk).update(report_count=F("report_count") + 1)
    except IntegrityError:  # the same reader's second click raced the first
        return CommentReport.objects.get(comment=comment, reporter=reporter), False
    moderation.comment_reported(comment_id=comment.pk)
    return report, True


def article_like(*, article: Article, user) -> bool:
    """Like an article once; returns False when this reader had already liked it."""
    return _like_once(ArticleLike, field="article", liked=article, user=user)


def article_register_view(*, article: Article, visitor: str) -> bool:
    """Count a view once per visitor per article per day ("Viewed N times").

    ``visitor`` is the reader's id, or the client's address for the anonymous: nothing is
    stored in a session, so a GET without cookies makes no session row, and a script that
    drops its cookies still counts once a day per address. Remembered in the cache until the
    day is over; if the cache is down the view is not counted (a counter must not fail a page).
    """
    day = timezone.now().date().isoformat()
    try:
        first = cache.add(f"viewed:{article.pk}:{day}:{visitor}", 1, timeout=86400)
    except Exception:  # noqa: BLE001 - the cache being down costs a view, not the page
        log.warning("View counter unavailable; view of article %s not counted", article.pk, exc_info=True)
        return False
    if not first:
        return False
    Article.objects.filter(pk=article.pk).update(view_count=F("view_count") + 1)
    article.view_count += 1
    return True


# The names a person may choose: Django's own rule (letters of any script, digits, @.+-_).
# ":" is never allowed, so it can mark accounts no one chose (blog.importing's "imported:").
USERNAME_RE = re.compile(r"^[\w.@+-]{3,150}$")


def _clean_username(username: str) -> str:
    """The name as the login form will read it (NFKC: fullwidth "ｍｏｄｅｒａｔｏｒ" is
    "moderator"), refused when it mixes alphabets or uses look-alike letters ("аdmin" with a
    Cyrillic а): a reader must not be able to pass for someone else."""
    name = unicodedata.normalize("NFKC", username)
    if not USERNAME_RE.match(name) or name != name.strip():
        raise ValidationError({"username": "Use 3-150 letters, digits and @/./+/-/_ only."})
    if confusables.is_dangerous(name):
        raise ValidationError(
            {"username": "Mixes alphabets or uses letters that look like others; choose a name in one alphabet."}
        )
    return name


def user_register(*, username: str, password: str, email: str = ""):
    username = _clean_username(username)
    if username.lower().startswith(DELETED_USERNAME_PREFIX):
        raise ValidationError({"username": f"Usernames cannot start with '{DELETED_USERNAME_PREFIX}'."})
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    user = User(username=username, email=email)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    return user


def user_export(*, user) -> dict:
    """Everything the reader wrote on Parley, as JSON-ready data (their download)."""
    comments = Comment.objects.filter(author=user).select_related("article").prefetch_related("revisions").order_by("created_at", "id")
    return {
        "username": user.get_username(),
        "email": user.email,
        "date_joined": user.date_joined.isoformat(),
        "comments": [
            {"id": c.pk, "article": c.article.slug, "parent": c.parent_id, "text": c.text, "status": c.status,
             "created_at": c.created_at.isoformat(), "edited_at": c.edited_at.isoformat() if c.edited_at else None,
             "earlier_versions": [{"text": r.text, "replaced_at": r.created_at.isoformat()} for r in c.revisions.all()]}
            for c in comments
        ],
        "reports": [
            {"comment": r.comment_id, "reason": r.reason, "created_at": r.created_at.isoformat()}
            for r in CommentReport.objects.filter(reporter=user).order_by("created_at", "id")
        ],
        "appeals": moderation.appeals_by_author(user=user),
        "statements_of_reasons": moderation.statements_by_author(user=user),
        "liked_articles": list(ArticleLike.objects.filter(user=user).values_list("article__slug", flat=True)),
        "liked_comments": list(CommentLike.objects.filter(user=user).values_list("comment_id", flat=True)),
    }


def user_delete(*, user, remove_comments: bool = False) -> None:
    """Delete the reader's account. Their comments stay, shown as by "deleted user" (with
    ``remove_comments`` their text goes too, as a deleted comment's does); the audit log keeps the
    moderation record, which holds no personal data once the account is anonymous. The row itself
    stays (comments and audit entries point at it) without name, email, password or profile."""
    if not isinstance(remove_comments, bool):
        raise ValidationError({"remove_comments": "Must be true or false."})
    with transaction.atomic():
        if remove_comments:
            for comment in Comment.objects.select_for_update(of=("self",)).filter(author=user).exclude(status=Comment.Status.DELETED):
                moderation.comment_account_erased(comment=comment)
            CommentReport.objects.filter(reporter=user).update(reason="(removed by its author)")
            moderation.appeals_forget_notes(user=user)
        moderation.author_forget(user=user)
        AuthorProfile.objects.filter(user=user).delete()
        user.notifications.all().delete()  # notifications' own app: reached through the relation
        Token.objects.filter(user=user).delete()
        user.username = f"{DELETED_USERNAME_PREFIX}{user.pk}"
        user.email = ""
        user.first_name = user.last_name = ""
        user.is_active = False
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
