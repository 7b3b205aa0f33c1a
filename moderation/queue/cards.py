"""What one review-queue card shows: label chips against the cut-offs, reports with their
reporters' records, the author's record, the marked phrase, the revision a decision is pinned to,
why it is held and where it ranks. Built by moderation.queue.selectors."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.utils import timezone

from blog.models import Comment
from moderation import lifecycle, rules
from moderation.models import Appeal, ModerationEvent
from moderation.queue.cursor import Cursor


def two_places(x: float | None) -> str:
    """``x`` as the template filter ``floatformat:2`` shows it (round half up on the decimal
    repr), without the filter's cost: a page of 25 cards shows 500 of these figures and the
    filter was a fifth of the page's time."""
    if x is None:
        return ""
    return str(Decimal(repr(float(x))).quantize(_CENT, rounding=ROUND_HALF_UP))


_CENT = Decimal("0.01")


@dataclass(frozen=True)
class LabelChip:
    label: str
    score: float
    hold: float | None
    reject: float | None

    @property
    def score_text(self) -> str:
        return two_places(self.score)

    @property
    def hold_text(self) -> str:
        return two_places(self.hold)

    @property
    def reject_text(self) -> str:
        return two_places(self.reject)

    @property
    def level(self) -> str:
        """'reject' at or above the reject cut-off, 'hold' at or above hold, 'near' within 80%
        of hold, 'low' below that, 'none' when the active policy has no cut-off for it."""
        if self.hold is None or self.reject is None:
            return "none"
        if self.score >= self.reject:
            return "reject"
        if self.score >= self.hold:
            return "hold"
        return "near" if self.score >= 0.8 * self.hold else "low"


@dataclass(frozen=True)
class AuthorRecord:
    published: int = 0
    rejected: int = 0
    held: int = 0
    banned: bool = False
    suspended_until: datetime | None = None
    premoderated: bool = False

    @property
    def suspended(self) -> bool:
        return self.suspended_until is not None and self.suspended_until > timezone.now()


@dataclass(frozen=True)
class ReportLine:
    reporter: str
    reason: str
    created_at: datetime
    upheld: bool | None
    reporter_weight: float

    @property
    def reporter_weight_text(self) -> str:
        return two_places(self.reporter_weight)


@dataclass
class Card:
    """One comment as the queue shows it. Derived values are cached: a card template reads each
    several times."""

    comment: Comment
    labels: list[LabelChip]
    reports: list[ReportLine]
    rule: ModerationEvent | None  # the latest audit entry that set its status: "why it is here"
    escalation: ModerationEvent | None
    author_record: AuthorRecord
    priority: float
    revisions: list = field(default_factory=list)  # CommentRevision, oldest first
    author_told: str = ""  # for a rejected comment: the very sentence its author reads
    rank_reason: str = ""  # "threat 0.93": why it is where it is (moderation.queue.ranking.rank_reason)

    @property
    def analysis(self):
        return getattr(self.comment, "analysis", None)

    @cached_property
    def explanation(self) -> dict:
        """The worker's {label, score, phrase, start, end} (moderation.pipeline.scoring), or {} when
        the offsets no longer match the text (the author edited it) or there is none."""
        e = (self.analysis.explanation if self.analysis is not None else None) or {}
        start, end, text = e.get("start"), e.get("end"), self.comment.text
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            return {}
        if e.get("phrase") and text[start:end] != e["phrase"]:
            return {}
        return e

    @cached_property
    def text_parts(self) -> tuple[str, str, str]:
        """The text as (before, marked phrase, after): the card marks the phrase (escaped, <mark>)."""
        e, text = self.explanation, self.comment.text
        if not e:
            return text, "", ""
        return text[: e["start"]], text[e["start"]: e["end"]], text[e["end"]:]

    @cached_property
    def why_held(self) -> str:
        """'may contain a threat: "break both your legs"', in the moderators' plain words ('' without one)."""
        e = self.explanation
        return rules.reason_in_words(label=e["label"], phrase=e["phrase"]) if e.get("label") else ""

    @property
    def seen_event_id(self) -> int:
        return self.rule.pk if self.rule else 0

    @cached_property
    def revision(self) -> str:
        """The text this card shows, pinned: a decision sent with it is refused if the author has
        edited since (moderation.queue.decisions.CommentChanged)."""
        return lifecycle.text_revision(self.comment.text)

    @cached_property
    def cursor(self) -> str:
        return Cursor.of(self.comment).encode()

    @cached_property
    def open_report_count(self) -> int:
        return sum(1 for r in self.reports if r.upheld is None)

    @cached_property
    def waiting(self) -> bool:
        """In the queue proper: undecided, or published with open reports."""
        return rules.comment_waiting(status=self.comment.status, open_reports=self.open_report_count)

    @property
    def can_approve(self) -> bool:  # publish, dismiss the reports, or reinstate a rejected one
        return self.waiting or self.comment.status == "rejected"

    @property
    def appeal(self) -> Appeal | None:
        """The author's appeal of this rejected comment, when there is one."""
        return getattr(self.comment, "appeal", None)  # reverse one-to-one, select_related

    @property
    def can_reject(self) -> bool:  # or uphold the rejection of an appealed one
        return self.comment.status != "rejected" or bool(self.appeal and self.appeal.is_open)

    @property
    def can_escalate(self) -> bool:
        return self.waiting and not self.comment.escalated
