"""Writes: notify a reader (in-app, and by email when they asked for it), withdraw what a reversed
decision told them, mark notifications read, and the reader's email setting. moderation.lifecycle
calls these where a comment's status changes, and nowhere else does."""
from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from blog.models import Comment, CommentReport

from .models import Notification, NotificationSettings
from .selectors import notification_email_enabled

logger = logging.getLogger(__name__)

MARK_READ_MAX_IDS = 500


def notification_send(*, user, kind: str, text: str, url: str = "", comment: Comment | None = None,
                      event_id: int | None = None) -> Notification | None:
    """Tell ``user``; an email follows once the transaction commits, if they turned email on.
    Nothing for an account that was deleted. ``comment`` and ``event_id`` say what it is about."""
    if user is None or not user.is_active:
        return None
    note = Notification.objects.create(user=user, kind=kind, text=text[:600], url=url[:400], comment=comment,
                                       event_id=event_id)
    if user.email and notification_email_enabled(user=user):
        address, subject, body = user.email, f"Parley: {note.get_kind_display()}", f"{text}\n\n{settings.PARLEY_SITE_URL}{url}"
        transaction.on_commit(lambda: _email(address, subject, body), robust=True)
    return note


def _email(address: str, subject: str, body: str) -> None:
    # The in-app notification is already stored: a mail server that is down loses only the copy.
    try:
        send_mail(subject, body, None, [address])
    except Exception:  # noqa: BLE001 - any backend failure means the same here
        logger.warning("Could not email a notification to %s", address, exc_info=True)


def _where(comment: Comment) -> str:
    return f"“{comment.article.title}”"


def _reply_text(comment: Comment) -> str:
    return f"{comment.author.get_username()} replied to your comment on {_where(comment)}: {comment.text[:200]}"


def reply_published(*, comment: Comment) -> None:
    """A reply was published: its parent's author hears of it once, however often the reply is
    edited and published again."""
    if not comment.parent_id:
        return
    parent = comment.parent
    if parent.author_id == comment.author_id or parent.status == Comment.Status.DELETED:
        return
    if Notification.objects.filter(comment=comment, kind=Notification.Kind.REPLY).exists():
        return
    notification_send(user=parent.author, kind=Notification.Kind.REPLY, text=_reply_text(comment),
                      url=comment.get_absolute_url(), comment=comment)


def decision_notify(*, comment: Comment, previous_status: str, new_status: str, moderator, reason: str = "",
                    tell_author: bool = True, event_id: int | None = None) -> None:
    """A moderator's decision: tells the comment's author (unless ``tell_author`` is False: an
    appeal's decision is told as such) and the readers whose open reports it settles."""
    if tell_author and previous_status != new_status and comment.author_id != moderator.pk:
        if new_status == Comment.Status.PUBLISHED:
            text = f"A moderator approved your comment on {_where(comment)}; it is published."
        else:
            text = f"A moderator rejected your comment on {_where(comment)}: {reason}"
        notification_send(user=comment.author, kind=Notification.Kind.DECISION, text=text,
                          url=comment.get_absolute_url(), comment=comment, event_id=event_id)
    for report in CommentReport.objects.filter(comment=comment, upheld__isnull=True).select_related("reporter"):
        if new_status == Comment.Status.REJECTED:
            text = f"Thank you: the comment you reported on {_where(comment)} was removed."
        else:
            text = f"A moderator looked at the comment you reported on {_where(comment)} and kept it published."
        notification_send(user=report.reporter, kind=Notification.Kind.REPORT, text=text,
                          url=comment.article.get_absolute_url(), comment=comment, event_id=event_id)


def appeal_decided_notify(*, comment: Comment, reinstated: bool, reason: str, event_id: int | None = None) -> None:
    if reinstated:
        text = f"Your appeal was accepted: your comment on {_where(comment)} is published."
    else:
        text = f"Your appeal was reviewed and the rejection of your comment on {_where(comment)} stands" + (
            f": {reason}" if reason else ".")
    notification_send(user=comment.author, kind=Notification.Kind.APPEAL, text=text, url=comment.get_absolute_url(),
                      comment=comment, event_id=event_id)


BACK_IN_WORDS = {
    Comment.Status.HELD: "is back under review: a moderator will decide it",
    Comment.Status.FAILED: "is back under review: a moderator will decide it",
    Comment.Status.PENDING: "is back under review",
    Comment.Status.PUBLISHED: "is published again",
    Comment.Status.REJECTED: "is rejected again, as it was before",
}


def decision_withdraw(*, comment: Comment, event_id: int | None, new_status: str, previous_status: str) -> None:
    """A moderator's decision was reversed: what it told the author and the reporters is no longer
    true, so those notices go; the author is told where their comment stands now (no moderator's
    name, no note: the reversal's reason is for the audit log only)."""
    if event_id is None:
        return
    told = Notification.objects.filter(comment=comment, event_id=event_id)
    author_was_told = told.filter(user_id=comment.author_id).exists()
    told.delete()
    if author_was_told and new_status != previous_status:
        notification_send(user=comment.author, kind=Notification.Kind.DECISION,
                          text=f"Your comment on {_where(comment)} {BACK_IN_WORDS[new_status]}.",
                          url=comment.get_absolute_url(), comment=comment)


def comment_text_forget(*, comment: Comment) -> None:
    """The comment was deleted: other readers' notifications about it keep no trace of its text."""
    Notification.objects.filter(comment=comment, kind=Notification.Kind.REPLY).exclude(user_id=comment.author_id).update(
        text=f"A reply to your comment on {_where(comment)} was deleted by its author.")


def author_forget(*, user) -> None:
    """The account was deleted: other readers' notifications about its comments lose its name and
    words (what a reply said lived on in the parent author's inbox)."""
    for note in Notification.objects.filter(comment__author=user, kind=Notification.Kind.REPLY).select_related(
            "comment__article"):
        note.text = f"A reader who has since deleted their account replied to your comment on {_where(note.comment)}."
        note.save(update_fields=["text"])


def notifications_mark_read(*, user, ids: list[int] | None = None) -> int:
    """Mark these (or, with None, all) of the reader's notifications read; returns how many changed."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        if len(ids) > MARK_READ_MAX_IDS:
            raise ValidationError({"ids": f"At most {MARK_READ_MAX_IDS} ids at once (got {len(ids)})."})
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


def notification_settings_set(*, user, email: bool) -> NotificationSettings:
    if not isinstance(email, bool):
        raise ValidationError({"email": "Must be true or false."})
    if email and not user.email:
        raise ValidationError({"email": "Add an email address to your account first."})
    obj, _ = NotificationSettings.objects.update_or_create(user=user, defaults={"email": email})
    return obj
