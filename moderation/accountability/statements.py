"""Statements of reasons (DSA Art. 17): one for every restriction of a comment or an account.

``statement_build`` is pure: the facts of one decision in, the statement's fields out (None for
anything that restricts nothing: a publish, an approval). ``statement_record`` is the one service
every decision point calls (the status write, the standing change); it reads what the builder
needs and stores the result. ``statements_for_author`` / ``statement_for_reader`` are what the
author reads, with the redress that applies *now* (the appeal link while an appeal is possible).

Never stored or shown: a moderator's private words (escalation reasons, standing notes, undo
reasons). The moderator's rejection reason is stored because the author is already shown it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse

from blog.models import Comment, CommentReport
from moderation import rules
from moderation.accountability import site_rules
from moderation.accountability.models import IllegalContentNotice, SiteRule, StatementOfReasons
from moderation.models import Analysis, Appeal, ModerationEvent

Kind, Scope, Source, Ground = (StatementOfReasons.Kind, StatementOfReasons.Scope, StatementOfReasons.Source,
                               StatementOfReasons.Ground)
Action = ModerationEvent.Action
AUTOMATIC = (Action.AUTO_HOLD, Action.AUTO_REJECT, Action.CLASSIFICATION_FAILED)
ACCOUNT_ACTIONS = ("banned", "suspended")


@dataclass(frozen=True)
class Decision:
    """What the builder reads about one decision (all plain values: no database)."""

    new_status: str = ""
    action: str = ""  # the audit entry's action; "" for an account decision
    by_moderator: bool = False
    reason: str = ""  # the reason the author is shown (a moderator's rejection reason, the worker's)
    explanation: dict = field(default_factory=dict)
    scores: dict | None = None
    thresholds: dict | None = None
    was_flagged_automatically: bool = False  # an earlier automatic hold or reject of this comment
    open_reports: int = 0
    illegal_notice: dict | None = None  # {"law", "legality", "legal_ground"} of a decided notice
    account_action: str = ""  # "banned" or "suspended"
    until: datetime | None = None


@dataclass(frozen=True)
class Draft:
    kind: str
    scope: str
    decision: str
    rule: SiteRule
    facts: str
    phrase: str
    automated_detection: bool
    automated_decision: bool
    source: str
    ground: str
    legal_ground: str = ""
    legal_explanation: str = ""
    end_date: datetime | None = None


def statement_build(*, decision: Decision, rules_current: list[SiteRule]) -> Draft | None:
    """The statement for one decision, or None when it restricts nothing. Pure."""
    d = decision
    if d.account_action:
        return _statement_build_for_account(d, rules_current)
    if d.new_status not in (Comment.Status.HELD, Comment.Status.REJECTED, Comment.Status.FAILED):
        return None  # published, pending, deleted by its author: nothing restricted by us
    automatic = d.action in AUTOMATIC
    notice = d.illegal_notice or None
    key = ""
    if d.action == Action.CLASSIFICATION_FAILED:
        key = site_rules.CLASSIFICATION_FAILED
    elif automatic or not d.by_moderator:
        key = site_rules.site_rule_key_for(event_reason=d.reason, explanation=d.explanation, scores=d.scores,
                                           thresholds=d.thresholds)
    rule = site_rules.site_rule_pick(rules_current, key=key, reason="" if automatic else d.reason)
    phrase = ((d.explanation or {}).get("phrase") or "") if key in rules.LABEL_IN_WORDS else ""
    detected = automatic and key not in ("", site_rules.PREMODERATION, site_rules.CLASSIFICATION_FAILED)
    kind, what = _statement_kind(d, notice)
    facts = _statement_facts(d, key=key, phrase=phrase, automatic=automatic, notice=notice)
    illegal = bool(notice and notice.get("legality") == "illegal")
    return Draft(
        kind=kind, scope=Scope.COMMENT, decision=what, rule=rule, facts=facts[:5000], phrase=phrase[:500],
        automated_detection=detected or (d.by_moderator and d.was_flagged_automatically),
        automated_decision=not d.by_moderator,
        source=Source.ILLEGAL_NOTICE if notice else Source.REPORT if (d.by_moderator and d.open_reports) else Source.VOLUNTARY,
        ground=Ground.ILLEGAL if illegal else Ground.INCOMPATIBLE,
        legal_ground=(notice.get("legal_ground") or notice.get("law", "")) if illegal else "",
        legal_explanation=d.reason if illegal else "",
    )


def _statement_build_for_account(d: Decision, rules_current: list[SiteRule]) -> Draft:
    if d.account_action not in ACCOUNT_ACTIONS:
        raise ValueError(f"Unknown account action {d.account_action!r}.")
    banned = d.account_action == "banned"
    return Draft(
        kind=Kind.BANNED if banned else Kind.SUSPENDED, scope=Scope.ACCOUNT,
        decision="Your account was banned: you can no longer post comments." if banned else
        f"Your account was suspended until {d.until:%Y-%m-%d %H:%M} UTC: you cannot post comments until then.",
        rule=site_rules.site_rule_pick(rules_current), facts="A moderator reviewed how your account has been used and "
        + ("banned it." if banned else "suspended it for a time."),
        phrase="", automated_detection=False, automated_decision=False, source=Source.VOLUNTARY,
        ground=Ground.INCOMPATIBLE, end_date=None if banned else d.until,
    )


def _statement_kind(d: Decision, notice: dict | None) -> tuple[str, str]:
    """The statement's kind and the sentence that says what was decided."""
    if d.new_status in (Comment.Status.HELD, Comment.Status.FAILED):
        return Kind.HELD, "Your comment is held for review: only you can see it until a moderator publishes it."
    if d.by_moderator and (d.open_reports or notice):
        return Kind.REMOVED_AFTER_REPORT, "Your comment was removed after a report: only you can see it."
    return Kind.REJECTED, "Your comment was rejected: only you can see it."


def _statement_facts(d: Decision, *, key: str, phrase: str, automatic: bool, notice: dict | None) -> str:
    """The facts and circumstances, in the words the author reads."""
    if key in rules.LABEL_IN_WORDS:
        facts = f"Our automatic check found that it {rules.LABEL_IN_WORDS[key]}" + (
            f"; the words that weighed most: \u201c{phrase}\u201d." if phrase else ".")
    elif d.action == Action.CLASSIFICATION_FAILED:
        facts = "Our automatic check could not read it, so a moderator will."
    elif automatic:
        facts = f"Our automatic check held it: {d.reason}." if d.reason else "Our automatic check held it."
    elif notice:
        facts = (f"A reader notified us that it is illegal under {notice['law']}. A moderator assessed it"
                 + (f" as illegal under {notice['legal_ground']}" if notice.get("legality") == "illegal" else "")
                 + f" and removed it: {d.reason}")
    elif d.open_reports:
        facts = f"A reader reported it and a moderator removed it: {d.reason}"
    else:
        facts = f"A moderator rejected it: {d.reason}"
    if d.by_moderator and d.was_flagged_automatically and not notice and not d.open_reports:
        facts += " It had first been held by our automatic check."
    return facts


def statement_record(*, comment: Comment | None = None, event: ModerationEvent | None = None, author=None,
                     account_action: str = "", until: datetime | None = None) -> StatementOfReasons | None:
    """Build and store the statement of reasons for one decision; None when it restricts nothing.

    Call it where the decision is written, once per decision, inside its transaction:
    ``statement_record(comment=comment, event=event)`` after a comment's status change (its audit
    entry) and ``statement_record(author=user, account_action="banned"|"suspended", until=...)``
    after a ban or suspension. Reads the comment's scores, open reports and decided notices (a
    few queries; none for a publish)."""
    if account_action:
        draft = statement_build(decision=Decision(account_action=account_action, until=until),
                                rules_current=site_rules.site_rules_current())
        policy = rules.policy_active()
        return _notify(_store(draft, author=author, comment=None, event=None, policy_version=policy.version))
    if comment is None or event is None:
        raise ValueError("statement_record needs comment and event, or author and account_action.")
    if event.new_status not in (Comment.Status.HELD, Comment.Status.REJECTED, Comment.Status.FAILED):
        return None
    analysis = Analysis.objects.filter(comment_id=comment.pk).first()
    notice = (IllegalContentNotice.objects.filter(comment_id=comment.pk, decided_at__isnull=False, removed=True)
              .order_by("-decided_at").values("law", "legality", "legal_ground").first())
    earlier = ModerationEvent.objects.filter(comment_id=comment.pk, id__lt=event.pk)
    decision = Decision(
        new_status=event.new_status, action=event.action, by_moderator=event.actor_id is not None,
        reason=event.reason, explanation=(analysis.explanation if analysis else {}) or {},
        scores=analysis.scores if analysis else event.scores,
        thresholds=event.policy.thresholds if event.policy_id else None,
        was_flagged_automatically=earlier.filter(action__in=(Action.AUTO_HOLD, Action.AUTO_REJECT)).exists(),
        open_reports=CommentReport.objects.filter(comment_id=comment.pk, upheld__isnull=True).count() if event.actor_id else 0,
        illegal_notice=notice,
    )
    draft = statement_build(decision=decision, rules_current=site_rules.site_rules_current())
    if draft is None:
        return None
    statement = _store(draft, author=comment.author, comment=comment, event=event,
                       policy_version=event.policy.version if event.policy_id else None,
                       model_version=f"{analysis.toxicity_model} {analysis.toxicity_model_version}" if analysis else "",
                       language=analysis.language if analysis else "", content_date=comment.created_at,
                       created_at=event.created_at)
    # A moderator's rejection is already told to the author (notifications.services.decision_notify,
    # which links the comment, where the statement shows); a hold is shown on the page at once.
    # The automatic rejection had no notification: it gets the statement's.
    if statement.kind == Kind.REJECTED and statement.automated_decision:
        _notify(statement)
    return statement


def _notify(statement: StatementOfReasons) -> StatementOfReasons:
    from notifications.models import Notification  # noqa: PLC0415 - notifications sit beside, loaded when a statement is sent
    from notifications.services import notification_send  # noqa: PLC0415 - notifications sit beside, loaded when a statement is sent

    where = "your account" if statement.scope == Scope.ACCOUNT else "your comment"
    notification_send(
        user=statement.author, kind=Notification.Kind.DECISION,
        text=f"{statement.decision} Rule: {statement.site_rule.title}. Read why, and how to ask for a review, "
             f"in the statement of reasons for {where}.",
        url=reverse("moderation:statement", args=[statement.pk]),
    )
    return statement


def _store(draft: Draft, *, author, comment, event, policy_version, model_version="", language="", content_date=None,
           created_at=None) -> StatementOfReasons:
    extra = {"created_at": created_at} if created_at else {}
    return StatementOfReasons.objects.create(
        author=author, comment=comment, event=event, kind=draft.kind, scope=draft.scope, decision=draft.decision,
        site_rule=draft.rule, facts=draft.facts, phrase=draft.phrase, automated_detection=draft.automated_detection,
        automated_decision=draft.automated_decision, source=draft.source, ground=draft.ground,
        legal_ground=draft.legal_ground[:500], legal_explanation=draft.legal_explanation, policy_version=policy_version,
        model_version=model_version[:200], language=language, content_date=content_date, end_date=draft.end_date, **extra,
    )


# --- what the author reads -------------------------------------------------------------------------

def _redress(s: StatementOfReasons, appeal: Appeal | None, comment_status: str | None) -> dict:
    """How to seek redress now: the appeal link while the comment can be appealed (rejected, not
    appealed yet), the appeal's state once it was, what happens next for a hold."""
    general = ("You may also use an out-of-court dispute settlement body certified under Art. 21 of the "
               "Digital Services Act, or go to court.")
    if s.scope == Scope.ACCOUNT:
        return {"text": "Write to the site's moderators if you think this is a mistake. " + general, "appeal_url": ""}
    if appeal is not None:
        state = "open: a moderator will decide" if appeal.is_open else appeal.get_outcome_display()
        return {"text": f"You asked for a review ({state}). {general}", "appeal_url": ""}
    if s.kind in (Kind.HELD,):
        return {"text": "A moderator will review it and you will be told the outcome. " + general, "appeal_url": ""}
    if comment_status == Comment.Status.REJECTED:
        return {"text": "You can ask once for a moderator to review this decision. " + general,
                "appeal_url": reverse("blog:comment_appeal", args=[s.comment_id])}
    return {"text": general, "appeal_url": ""}


def statement_as_dict(s: StatementOfReasons, *, appeal: Appeal | None = None, comment_status: str | None = None) -> dict:
    """The statement as its author reads it (and as their data export holds it)."""
    redress = _redress(s, appeal, comment_status)
    return {
        "id": s.pk, "puid": s.puid, "comment": s.comment_id, "kind": s.kind, "kind_display": s.get_kind_display(),
        "scope": s.scope, "scope_display": s.get_scope_display(), "decision": s.decision,
        "rule": {"code": s.site_rule.code, "version": s.site_rule.version, "title": s.site_rule.title, "text": s.site_rule.text},
        "facts": s.facts, "phrase": s.phrase,
        "automated_detection": s.automated_detection, "automated_decision": s.automated_decision,
        "source": s.get_source_display(), "ground": s.get_ground_display(), "legal_ground": s.legal_ground,
        "date": s.created_at.isoformat(), "end_date": s.end_date.isoformat() if s.end_date else None,
        "redress": redress["text"], "appeal_url": redress["appeal_url"],
    }


def statements_for_author(*, user, comments=None) -> list[dict]:
    """The user's statements (newest first), or those of these comments only: one query."""
    qs = (StatementOfReasons.objects.filter(author=user).select_related("site_rule", "comment__appeal")
          .order_by("-created_at", "-id"))
    if comments is not None:
        qs = qs.filter(comment_id__in=[c.pk for c in comments])
    out = []
    for s in qs:
        appeal = getattr(s.comment, "appeal", None) if s.comment_id else None
        out.append(statement_as_dict(s, appeal=appeal, comment_status=s.comment.status if s.comment_id else None))
    return out


def statement_latest_by_comment(*, user, comments) -> dict[int, dict]:
    """For each of these comments of ``user`` still restricted, its latest statement (one query)."""
    restricted = [c for c in comments if c.status in (Comment.Status.HELD, Comment.Status.REJECTED, Comment.Status.FAILED)]
    latest: dict[int, dict] = {}
    if restricted:
        for s in statements_for_author(user=user, comments=restricted):
            latest.setdefault(s["comment"], s)
    return latest


def statement_for_reader(*, statement_id: int, user) -> dict | None:
    """One statement for its author (None for anyone else: the caller answers 404)."""
    s = (StatementOfReasons.objects.select_related("site_rule", "comment__appeal")
         .filter(pk=statement_id, author_id=getattr(user, "pk", None)).first())
    if s is None:
        return None
    appeal = getattr(s.comment, "appeal", None) if s.comment_id else None
    return statement_as_dict(s, appeal=appeal, comment_status=s.comment.status if s.comment_id else None)


def statement_record_for_standing(*, author, banned: bool, suspended_until: datetime | None) -> list[StatementOfReasons]:
    """After a standing change: a statement for a new ban and for a new suspension (none for
    lifting one, or for pre-moderation, which restricts nothing the author posted yet)."""
    made = []
    if banned:
        made.append(statement_record(author=author, account_action="banned"))
    if suspended_until is not None:
        made.append(statement_record(author=author, account_action="suspended", until=suspended_until))
    return made
