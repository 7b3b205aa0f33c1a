"""Django admin for the blog: editors manage articles (including the stance claim comments are
scored against); comments are read-only here, because their status changes only through the
moderators' review queue, which records every decision in the audit log."""
from django.contrib import admin

from .models import Article, AuthorProfile, Category, Comment, CommentReport


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "display_name", "is_star_blogger")
    list_filter = ("is_star_blogger",)
    search_fields = ("user__username", "display_name")


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "author", "category", "published_at", "premoderate_comments")
    list_filter = ("category", "premoderate_comments")
    search_fields = ("title", "stance_claim")
    prepopulated_fields = {"slug": ("title",)}
    date_hierarchy = "published_at"
    list_select_related = ("author", "category")
    raw_id_fields = ("author",)
    # Counters are kept by the site, not typed in.
    readonly_fields = ("view_count", "like_count")
    fieldsets = (
        (None, {"fields": ("blog_name", "title", "slug", "author", "category", "tags", "published_at", "body")}),
        ("Moderation", {"fields": ("stance_claim", "premoderate_comments"),
                        "description": "The claim comments are scored for or against (defaults to the title)."}),
        ("Counters", {"fields": ("view_count", "like_count")}),
    )


class CommentReportInline(admin.TabularInline):
    model = CommentReport
    fields = ("reporter", "reason", "created_at", "upheld")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    """Look comments up; decide them in the review queue (/moderation/)."""

    list_display = ("id", "author", "article", "status", "report_count", "escalated", "created_at")
    list_filter = ("status", "escalated")
    search_fields = ("text", "author__username", "=id")
    date_hierarchy = "created_at"
    list_select_related = ("author", "article")
    inlines = [CommentReportInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
