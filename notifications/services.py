"""Writes: notify a reader (in-app, and by email when they asked for it), mark notifications read,
and the reader's email setting. moderation calls ``comment_status_notify`` and
``appeal_decided_notify`` where a comment's status changes."""
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


def notification_send(*, user, kind: str, text: str, url: str = "") -> Notification | None:
    """Tell ``user``; an email follows once the transaction commits, if they turned email on.
    Nothing for an account that was deleted."""
    if user is None or not user.is_active:
        return None
    note = Notification.objects.create(user=user, kind=kind, text=text[:600], url=url[:400])
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


def comment_status_notify(*, comment: Comment, previous_status: str, new_status: str, moderator=None,
                          reason: str = "", tell_author: bool = True) -> None:
    """A comment's status changed. A reply just published tells the parent's author; a moderator's
    decision tells the comment's author (unless ``tell_author`` is False: an appeal's decision is
    told as such) and the readers whose open reports it settles."""
    if new_status == Comment.Status.PUBLISHED and previous_status != Comment.Status.PUBLISHED and comment.parent_id:
        parent = comment.parent
        if parent.author_id != comment.author_id and parent.status != Comment.Status.DELETED:
            notification_send(
                user=parent.author, kind=Notification.Kind.REPLY,
                text=f"{comment.author.get_username()} replied to your comment on {_where(comment)}: "
                     f"{comment.text[:200]}",
                url=comment.get_absolute_url(),
            )
    if moderator is None:
        return
    if tell_author and previous_status != new_status and comment.author_id != moderator.pk:
        if new_status == Comment.Status.PUBLISHED:
            text = f"A moderator approved your comment on {_where(comment)}; it is published."
        else:
            text = f"A moderator rejected your comment on {_where(comment)}: {reason}"
        notification_send(user=comment.author, kind=Notification.Kind.DECISION, text=text, url=comment.get_absolute_url())
    for report in CommentReport.objects.filter(comment=comment, upheld__isnull=True).select_related("reporter"):
        if new_status == Comment.Status.REJECTED:
            text = f"Thank you: the comment you reported on {_where(comment)} was removed."
        else:
            text = f"A moderator looked at the comment you reported on {_where(comment)} and kept it published."
        notification_send(user=report.reporter, kind=Notification.Kind.REPORT, text=text, url=comment.article.get_absolute_url())


def appeal_decided_notify(*, comment: Comment, reinstated: bool, reason: str) -> None:
    if reinstated:
        text = f"Your appeal was accepted: your comment on {_where(comment)} is published."
    else:
        text = f"Your appeal was reviewed and the rejection of your comment on {_where(comment)} stands" + (
            f": {reason}" if reason else ".")
    notification_send(user=comment.author, kind=Notification.Kind.APPEAL, text=text, url=comment.get_absolute_url())


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
