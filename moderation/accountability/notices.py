"""Notices of illegal content (DSA Art. 16): a reader names the law or ground and says why; a
moderator decides legality (illegal / not illegal / not assessed, with the legal ground) and,
separately, whether the comment comes down; every reporter of it is told the outcome (Art. 16(5)).
Removal goes through the review queue's own decision (queue.decisions.comment_decide), so the
audit log, the statement of reasons (source: the notice) and the author's notification follow."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from blog.models import Comment
from moderation.accountability.models import IllegalContentNotice
from moderation.permissions import CAN_MODERATE
from notifications.models import Notification
from notifications.services import notification_send

LAW_MAX = 300
EXPLANATION_MAX = 3000
Legality = IllegalContentNotice.Legality


def _text(value: object, *, field: str, limit: int, required: bool = True) -> str:
    if not isinstance(value, str) or "\x00" in value:
        raise ValidationError({field: "Must be plain text."})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: "Required."})
    if len(value) > limit:
        raise ValidationError({field: f"Must be at most {limit} characters (got {len(value)})."})
    return value


def illegal_notice_create(*, comment: Comment, reporter, law: str, explanation: str) -> IllegalContentNotice:
    """A reader's notice that ``comment`` is illegal. ValidationError (naming the field) for an
    empty or too long law or explanation, an own comment, a comment not shown to readers, or a
    second open notice of the same reader on it."""
    law = _text(law, field="law", limit=LAW_MAX)
    explanation = _text(explanation, field="explanation", limit=EXPLANATION_MAX)
    if comment.author_id == getattr(reporter, "pk", None):
        raise ValidationError({"comment": "You cannot report your own comment."})
    if comment.status != Comment.Status.PUBLISHED:
        raise ValidationError({"comment": "Only a published comment can be reported."})
    with transaction.atomic():
        if IllegalContentNotice.objects.filter(comment=comment, reporter=reporter, decided_at__isnull=True).exists():
            raise ValidationError({"comment": "You already sent a notice about this comment; a moderator will decide."})
        return IllegalContentNotice.objects.create(comment=comment, reporter=reporter, law=law, explanation=explanation)


def illegal_notices_open():
    """The queue's "Illegal content" tab: open notices, oldest first, with their comment."""
    return (IllegalContentNotice.objects.filter(decided_at__isnull=True)
            .select_related("comment__article", "comment__author", "reporter").order_by("created_at", "id"))


def illegal_notice_decide(*, notice_id: int, moderator, legality: str, legal_ground: str = "", remove: bool,
                          reason: str = "") -> list[IllegalContentNotice]:
    """Decide a notice, and every other open notice of the same comment with it: legality (with
    the legal ground when illegal), and whether the comment is removed (``reason``, shown to its
    author, then required). Tells each reporter the outcome. Returns the notices decided."""
    # The queue's one decision; the queue imports accountability (statements), so not at the top.
    from moderation.queue.decisions import comment_decide  # noqa: PLC0415

    if moderator is None or not moderator.is_authenticated or not moderator.has_perm(CAN_MODERATE):
        raise PermissionDenied("Only moderators may do this.")
    if legality not in Legality.values:
        raise ValidationError({"legality": f"Use one of: {', '.join(Legality.values)}."})
    legal_ground = _text(legal_ground, field="legal_ground", limit=500, required=legality == Legality.ILLEGAL)
    if not isinstance(remove, bool):
        raise ValidationError({"remove": "Must be true or false."})
    reason = _text(reason, field="reason", limit=500, required=remove)
    with transaction.atomic():
        notice = IllegalContentNotice.objects.select_for_update().filter(pk=notice_id).first()
        if notice is None:
            raise ValidationError({"notice": f"Notice {notice_id} does not exist."})
        if notice.decided_at is not None:
            raise ValidationError({"notice": f"Notice {notice_id} was already decided."})
        comment = notice.comment
        notices = list(IllegalContentNotice.objects.select_for_update().filter(comment=comment, decided_at__isnull=True)
                       .select_related("reporter"))
        removing = remove and comment.status != Comment.Status.REJECTED
        now = timezone.now()
        for n in notices:
            n.legality, n.legal_ground, n.removed = legality, legal_ground, removing
            n.decided_by, n.decided_at = moderator, now
            n.save(update_fields=["legality", "legal_ground", "removed", "decided_by", "decided_at"])
        if removing:
            comment_decide(comment_id=comment.pk, moderator=moderator, action="reject", reason=reason,
                           expected_status=comment.status)
        verdict = {Legality.ILLEGAL: f"found illegal under {legal_ground}", Legality.NOT_ILLEGAL: "found not illegal",
                   Legality.NOT_ASSESSED: "not assessed for legality"}[legality]
        outcome = "was removed" if removing else ("had already been removed" if remove else "stays published")
        for n in notices:
            notification_send(
                user=n.reporter, kind=Notification.Kind.REPORT,
                text=f"Your notice of illegal content about a comment on \u201c{comment.article.title}\u201d was decided: "
                     f"the comment was {verdict}, and it {outcome}."
                     + (" You may use an out-of-court dispute settlement body (Art. 21 DSA) if you disagree." ),
                url=comment.article.get_absolute_url(),
            )
    return notices
