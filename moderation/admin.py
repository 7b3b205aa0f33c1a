"""Django admin for moderation data: read-only. Decisions, thresholds and standings change only
through their services (the review queue, the policy page, the APIs), which keep the audit
trail; the admin is for looking things up, and the audit log can never be edited. The one
exception is the site's ready-made reasons, a list the admins keep here."""
from django.contrib import admin

from .models import Analysis, Appeal, AuthorStanding, DecisionReason, ModerationEvent, Policy


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ModerationEvent)
class ModerationEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "comment_id", "actor", "action", "previous_status", "new_status", "policy")
    list_filter = ("action", "new_status")
    search_fields = ("actor__username", "reason", "=comment__id")
    date_hierarchy = "created_at"
    list_select_related = ("actor", "policy")
    raw_id_fields = ("comment",)


@admin.register(Policy)
class PolicyAdmin(ReadOnlyAdmin):
    # New versions are saved from /moderation/policy/ (versioned, never edited in place).
    list_display = ("version", "is_active", "premoderate_all", "on_failure", "created_by", "created_at")
    list_select_related = ("created_by",)


@admin.register(Analysis)
class AnalysisAdmin(ReadOnlyAdmin):
    list_display = ("comment_id", "toxicity_model", "stance_article_label", "stance_parent_label", "created_at")
    list_filter = ("toxicity_model", "stance_article_label")
    raw_id_fields = ("comment",)


@admin.register(AuthorStanding)
class AuthorStandingAdmin(ReadOnlyAdmin):
    # Changed from a queue card or POST /api/moderation/authors/<username>/standing/, which logs
    # each change in this object's admin history.
    list_display = ("user", "banned", "suspended_until", "premoderated", "updated_by", "updated_at")
    list_filter = ("banned", "premoderated")
    search_fields = ("user__username",)
    list_select_related = ("user", "updated_by")


@admin.register(DecisionReason)
class DecisionReasonAdmin(admin.ModelAdmin):
    # The ready-made reasons moderators pick from when rejecting or escalating (free text is
    # always allowed too). Editing one changes no past decision: the audit log keeps the words used.
    list_display = ("text", "use_for", "position")
    list_editable = ("position",)
    list_filter = ("use_for",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    # Decided from the queue's Appeals tab (approve reinstates, reject upholds).
    list_display = ("comment_id", "created_at", "outcome", "decided_by", "decided_at")
    list_filter = ("outcome",)
    raw_id_fields = ("comment",)


# --- accountability (statements of reasons, notices, transparency) --------------------------------------------------------------------

from moderation.accountability.models import IllegalContentNotice, SiteRule, StatementOfReasons  # noqa: E402
from moderation.accountability.site_rules import site_rule_save  # noqa: E402


@admin.register(SiteRule)
class SiteRuleAdmin(admin.ModelAdmin):
    """The site's rules: the admins write them here. Saving never edits a row in place: it adds the
    rule's next version (site_rule_save), so statements keep citing the words they were judged by."""

    list_display = ("title", "code", "version", "is_current", "category", "is_fallback", "policy_version", "created_at")
    list_filter = ("is_current", "category")
    fields = ("code", "title", "text", "category", "matches", "reason_texts", "is_fallback")

    def get_queryset(self, request):
        return super().get_queryset(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.has_perm("moderation.change_policy") and (obj is None or obj.is_current)

    def has_add_permission(self, request) -> bool:
        return request.user.has_perm("moderation.change_policy")

    def save_model(self, request, obj, form, change):
        saved = site_rule_save(admin=request.user, code=obj.code, title=obj.title, text=obj.text, category=obj.category,
                               matches=obj.matches, reason_texts=obj.reason_texts, is_fallback=obj.is_fallback)
        obj.pk = saved.pk  # the admin's "changed" message and redirect point at the new version


@admin.register(StatementOfReasons)
class StatementOfReasonsAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "scope", "site_rule", "automated_detection", "automated_decision", "source")
    list_filter = ("kind", "automated_decision", "source", "ground")
    raw_id_fields = ("comment", "event", "author")


@admin.register(IllegalContentNotice)
class IllegalContentNoticeAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "comment_id", "law", "legality", "removed", "decided_at")
    list_filter = ("legality",)
    raw_id_fields = ("comment", "reporter")
