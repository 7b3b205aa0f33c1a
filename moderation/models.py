"""Moderation data: model scores for each comment, the versioned threshold policy, and the
append-only audit log of every decision (automatic or human).
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from blog.models import Comment


class Policy(models.Model):
    """One saved version of the moderation thresholds. Saving a change creates a new row;
    exactly one row is active. Decisions record the version they were made under.

    ``thresholds`` maps each toxicity label to ``{"hold": x, "reject": y}`` with 0 <= hold <= reject <= 1:
    a score at or above ``reject`` rejects, at or above ``hold`` holds for review, and a comment
    below ``hold`` on every label is published.
    """

    class OnFailure(models.TextChoices):
        HOLD = "hold", "hold for a moderator (Classification failed tab)"
        PUBLISH = "publish", "publish unscored"

    version = models.PositiveIntegerField(unique=True)
    thresholds = models.JSONField()
    premoderate_all = models.BooleanField(default=False, help_text="Hold every new comment site-wide.")
    on_failure = models.CharField(max_length=10, choices=OnFailure.choices, default=OnFailure.HOLD)
    is_active = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Worker rules (moderation.rules.WORKER_RULES) hold comments whatever their scores; an admin may
    # switch one off, and publish languages the toxicity model does not read anyway.
    rules_off = models.JSONField(default=list, blank=True, help_text="names of worker rules switched off")
    publish_languages = models.JSONField(
        default=list, blank=True, help_text="ISO 639-1 codes published even where the toxicity model cannot read them")

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "policies"
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_policy")]
        # `moderation.change_policy` (Django's default change permission) is the admins' right.

    def __str__(self) -> str:
        return f"Policy v{self.version}"


class Analysis(models.Model):
    """The models' scores for one comment. One row per comment: a task delivered twice, or a
    comment swept and re-enqueued, finds this row and scores nothing again."""

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="analysis")
    scores = models.JSONField(help_text="toxicity label -> probability, Detoxify's label names")
    toxicity_model = models.CharField(max_length=80)
    toxicity_model_version = models.CharField(max_length=120)
    stance_article = models.JSONField(help_text="favor/against/neutral -> probability, toward the article's claim")
    stance_article_label = models.CharField(max_length=10)
    stance_parent = models.JSONField(null=True, blank=True, help_text="toward the parent comment, for replies")
    stance_parent_label = models.CharField(max_length=10, blank=True)
    stance_model = models.CharField(max_length=80)
    stance_model_version = models.CharField(max_length=120)
    toxicity_ms = models.FloatField(help_text="this comment's share of its batch's toxicity scoring time")
    stance_ms = models.FloatField()
    batch_size = models.PositiveIntegerField(default=1)
    language = models.CharField(max_length=8, blank=True, help_text="ISO 639-1 code, 'und' when too short to tell")
    explanation = models.JSONField(
        default=dict, blank=True,
        help_text="held/rejected comments: {label, score, phrase, start, end}, the words that drive the label")
    # What the worker's spam rules read (moderation.rules.worker_rule_reasons), stored so that the
    # threshold preview and re-apply decide as the worker did: chars, top_char_share, link_share,
    # repeats (copies of the text in the window), account_age_hours.
    findings = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "analyses"

    def __str__(self) -> str:
        return f"Analysis of comment {self.comment_id}"


class ModerationEvent(models.Model):
    """The audit log: who (a moderator, or the system for automatic decisions) changed a
    comment's status, when, why, and with which scores and policy. Append-only."""

    class Action(models.TextChoices):
        AUTO_PUBLISH = "auto_publish", "published automatically"
        AUTO_HOLD = "auto_hold", "held automatically"
        AUTO_REJECT = "auto_reject", "rejected automatically"
        CLASSIFICATION_FAILED = "classification_failed", "classification failed"
        APPROVE = "approve", "approved"
        REJECT = "reject", "rejected"
        ESCALATE = "escalate", "escalated"
        UNDO = "undo", "decision undone"  # reverses the comment's previous human decision
        # The author's own acts (actor left empty: the comment's author did it, and the record
        # outlives their account). The nudge_* ones answer the nudge shown after a hold or reject.
        AUTHOR_EDIT = "author_edit", "edited by its author"
        AUTHOR_DELETE = "author_delete", "deleted by its author"
        NUDGE_EDITED = "nudge_edited", "nudged: the author rewrote it"
        NUDGE_WITHDRAWN = "nudge_withdrawn", "nudged: the author withdrew it"
        NUDGE_LEFT = "nudge_left", "nudged: the author left it for a moderator"
        APPEAL = "appeal", "appealed by its author"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="moderation_events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=24, choices=Action.choices)
    reason = models.TextField(blank=True)
    previous_status = models.CharField(max_length=12)
    new_status = models.CharField(max_length=12)
    scores = models.JSONField(null=True, blank=True)
    policy = models.ForeignKey(Policy, on_delete=models.PROTECT, null=True, blank=True)
    # For an "undo": the entry it reversed (moderation.queue.undo.decision_reverse).
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("can_moderate", "Can work the moderation queue")]

    def __str__(self) -> str:
        return f"{self.action} on comment {self.comment_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("Audit log entries are never edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("Audit log entries are never deleted.")


class AuthorStanding(models.Model):
    """A commenter's standing with the moderators: banned, suspended until a date, or on
    pre-moderation (every new comment held for a human whatever its scores)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="standing")
    banned = models.BooleanField(default=False)
    suspended_until = models.DateTimeField(null=True, blank=True)
    premoderated = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Standing of {self.user_id}"

    def can_post(self, now=None) -> bool:
        now = now or timezone.now()
        return not self.banned and not (self.suspended_until and self.suspended_until > now)


class DecisionReason(models.Model):
    """One of the site's own ready-made reasons a moderator picks when rejecting or escalating
    (free text is always allowed too). Managed by admins (Django admin or POST
    /api/moderation/reasons/); a short, ordered list."""

    class UseFor(models.TextChoices):
        REJECT = "reject", "rejecting (the author sees it)"
        ESCALATE = "escalate", "escalating (moderators see it)"

    text = models.CharField(max_length=200)
    use_for = models.CharField(max_length=10, choices=UseFor.choices, default=UseFor.REJECT)
    position = models.PositiveSmallIntegerField(default=0, help_text="lower first")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["use_for", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["use_for", "text"], name="one_reason_text_per_use")]

    def __str__(self) -> str:
        return self.text


class Appeal(models.Model):
    """An author's one request that a human look again at their rejected comment. Open until a
    moderator approves (reinstates) or rejects (upholds) the comment in the queue's Appeals tab."""

    class Outcome(models.TextChoices):
        REINSTATED = "reinstated", "reinstated"
        UPHELD = "upheld", "rejection upheld"

    comment = models.OneToOneField(Comment, on_delete=models.CASCADE, related_name="appeal")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True)  # the moderator's, shown to the author

    class Meta:
        indexes = [models.Index(fields=["comment"], condition=Q(decided_at__isnull=True), name="appeal_open")]

    def __str__(self) -> str:
        return f"Appeal of comment {self.comment_id}"

    @property
    def is_open(self) -> bool:
        return self.decided_at is None



# --- accountability (issue 23; the code is in moderation/accountability/) -------------------------

# The Transparency Database's statement categories (API v2). Source:
# https://transparency.dsa.ec.europa.eu/page/api-documentation ("category"), with the two-level
# classification explained at /page/additional-explanation-for-statement-attributes.
TDB_CATEGORIES = (
    ("STATEMENT_CATEGORY_ANIMAL_WELFARE", "Animal welfare"),
    ("STATEMENT_CATEGORY_CONSUMER_INFORMATION", "Consumer information infringements"),
    ("STATEMENT_CATEGORY_CYBER_VIOLENCE", "Cyber violence"),
    ("STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN", "Cyber violence against women"),
    ("STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS", "Data protection and privacy violations"),
    ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "Illegal or harmful speech"),
    ("STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS", "Intellectual property infringements"),
    ("STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS", "Negative effects on civic discourse or elections"),
    ("STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE", "Not specified in the notice"),
    ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "Other violation of the provider's terms and conditions"),
    ("STATEMENT_CATEGORY_PROTECTION_OF_MINORS", "Protection of minors"),
    ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "Risk for public security"),
    ("STATEMENT_CATEGORY_SCAMS_AND_FRAUD", "Scams and/or fraud"),
    ("STATEMENT_CATEGORY_SELF_HARM", "Self-harm"),
    ("STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS", "Unsafe and/or prohibited products"),
    ("STATEMENT_CATEGORY_VIOLENCE", "Violence"),
)


class SiteRule(models.Model):
    """One of the site's discussion guidelines, as every statement of reasons cites it.

    Versioned as the policy is: editing a rule (``site_rule_save``) adds a new row with the same
    ``code`` and the next ``version`` and retires the old one, so a statement always points at
    the words the author was judged by. ``matches`` lists what falls under the rule: model labels
    (``toxicity``...), worker rules (``repeated_text``...), ``premoderation``,
    ``classification_failed``; ``reason_texts`` the moderators' ready-made reasons (compared
    case-blind). The one ``is_fallback`` rule covers anything else (a moderator's free text).
    """

    code = models.SlugField(max_length=40)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    title = models.CharField(max_length=120)
    text = models.TextField(help_text="The guideline in the words the author reads.")
    category = models.CharField(max_length=80, choices=TDB_CATEGORIES, default="STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
                                help_text="The Transparency Database category a breach of this rule is filed under.")
    matches = models.JSONField(default=list, blank=True)
    reason_texts = models.JSONField(default=list, blank=True)
    is_fallback = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    policy_version = models.PositiveIntegerField(null=True, blank=True, help_text="the policy in force when this version was saved")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="site_rule_code_version"),
            models.UniqueConstraint(fields=["code"], condition=Q(is_current=True), name="site_rule_one_current"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class StatementOfReasons(models.Model):
    """What an author is told when their comment or account is restricted (DSA Art. 17), stored
    with the decision. Never holds a moderator's private note (escalation reasons, standing notes,
    undo reasons): only what the author may read. ``puid`` is what the export sends."""

    class Kind(models.TextChoices):
        HELD = "held", "held for review"
        REJECTED = "rejected", "rejected"
        REMOVED_AFTER_REPORT = "removed_after_report", "removed after a report"
        SUSPENDED = "suspended", "account suspended"
        BANNED = "banned", "account banned"

    class Scope(models.TextChoices):
        COMMENT = "comment", "this comment"
        ACCOUNT = "account", "the account"

    class Source(models.TextChoices):
        VOLUNTARY = "voluntary", "Parley's own checks"
        REPORT = "report", "a reader's report"
        ILLEGAL_NOTICE = "illegal_notice", "a notice of illegal content (Art. 16)"

    class Ground(models.TextChoices):
        INCOMPATIBLE = "incompatible", "breaks the site's rules"
        ILLEGAL = "illegal", "illegal content"

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="statements_of_reasons")
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="statements_of_reasons")
    event = models.OneToOneField("moderation.ModerationEvent", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="statement_of_reasons")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    scope = models.CharField(max_length=10, choices=Scope.choices)
    decision = models.CharField(max_length=300, help_text="the decision in plain words")
    site_rule = models.ForeignKey(SiteRule, on_delete=models.PROTECT, related_name="statements")
    facts = models.TextField(help_text="facts and circumstances, in the author's words")
    phrase = models.CharField(max_length=500, blank=True, help_text="the marked words, where they were shown")
    automated_detection = models.BooleanField()
    automated_decision = models.BooleanField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.VOLUNTARY)
    ground = models.CharField(max_length=14, choices=Ground.choices, default=Ground.INCOMPATIBLE)
    legal_ground = models.CharField(max_length=500, blank=True)
    legal_explanation = models.TextField(blank=True)
    policy_version = models.PositiveIntegerField(null=True, blank=True)
    model_version = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, blank=True)
    content_date = models.DateTimeField(null=True, blank=True, help_text="when the comment was posted")
    end_date = models.DateTimeField(null=True, blank=True, help_text="a suspension's end; empty: indefinite")
    created_at = models.DateTimeField(default=timezone.now, db_index=True, help_text="the decision's application date")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["author", "-created_at"], name="sor_author_recent")]

    def __str__(self) -> str:
        return f"Statement {self.puid}"

    @property
    def puid(self) -> str:
        # Unique within Parley and never reused (a row id); only [A-Za-z0-9_-], as the database asks.
        return f"parley-sor-{self.pk}"


class IllegalContentNotice(models.Model):
    """A reader's notice that a comment is illegal (DSA Art. 16): the law or ground they name and
    why. Decided in the queue's "Illegal content" tab with a legality decision besides the
    moderation decision; the reporter is told the outcome."""

    class Legality(models.TextChoices):
        ILLEGAL = "illegal", "illegal"
        NOT_ILLEGAL = "not_illegal", "not illegal"
        NOT_ASSESSED = "not_assessed", "not assessed"

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="illegal_notices")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="illegal_notices_made")
    law = models.CharField(max_length=300, help_text="the law or legal ground the reader names")
    explanation = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    legality = models.CharField(max_length=14, choices=Legality.choices, blank=True)
    legal_ground = models.CharField(max_length=500, blank=True, help_text="the ground the moderator relied on")
    removed = models.BooleanField(null=True, help_text="the moderation decision taken with it")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], condition=Q(decided_at__isnull=True),
                                               name="one_open_illegal_notice_per_reader")]
        indexes = [models.Index(fields=["comment"], condition=Q(decided_at__isnull=True), name="illegal_notice_open")]

    def __str__(self) -> str:
        return f"Illegal-content notice on comment {self.comment_id}"


class TransparencySettings(models.Model):
    """One row: whether the transparency report's aggregates are public at /transparency/."""

    public = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name_plural = "transparency settings"
class ModelVersion(models.Model):
    """One toxicity model a site may score with: the shipped ``parley-minilm`` (one row, no
    parameters of its own), or a site version adapted to this site's moderators by
    ``moderation.adaptation`` (the shipped encoder, named by its weights version, plus its own small
    head and calibration in ``params``; the shipped weights are never overwritten). A version that
    failed a gate keeps its report and reasons and can never be activated. Exactly one row is active:
    the worker scores with it (moderation.adaptation.serving)."""

    class Kind(models.TextChoices):
        SHIPPED = "shipped", "shipped model"
        SITE = "site", "adapted to this site"

    class Status(models.TextChoices):
        READY = "ready", "passed every gate"
        REFUSED = "refused", "refused by a gate"

    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SITE)
    base_model = models.CharField(max_length=80, default="parley-minilm")
    # The shipped weights' version ("<sha256[:10]>-<date>") the head was fitted on; blank for the
    # shipped row (whatever weights are installed).
    base_version = models.CharField(max_length=120, blank=True)
    params = models.JSONField(null=True, blank=True, help_text="head weights, biases and per-label calibration")
    cutoff = models.DateTimeField(null=True, blank=True, help_text="fitted on decisions up to this moment")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    refused_reasons = models.JSONField(default=list, blank=True)
    report = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=False)
    activated_at = models.DateTimeField(null=True, blank=True, help_text="last time it started serving")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_model_version"),
            models.UniqueConstraint(fields=["kind"], condition=Q(kind="shipped"), name="one_shipped_model_version"),
        ]

    def __str__(self) -> str:
        return "shipped parley-minilm" if self.kind == self.Kind.SHIPPED else f"site model v{self.pk}"


class SiteAdaptationSetting(models.Model):
    """The one row (pk 1) saying whether beat fits a candidate site model periodically (off by
    default; switched on from the policy page)."""

    periodic = models.BooleanField(default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
