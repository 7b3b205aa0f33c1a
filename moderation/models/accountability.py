"""The site's rules, statements of reasons, illegal-content notices and the transparency report's
switch (DSA Art. 15-17, 24; the code is in moderation/accountability/)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from blog.models import Comment

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
