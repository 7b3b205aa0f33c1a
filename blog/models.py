"""The readers' blog: articles, their authors, and the threaded comments readers post under them.

Models hold data and invariants only; writes go through blog/services.py, reads through
blog/selectors.py.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

# A deleted account keeps its row (comments and the audit log point at it) under this name plus its
# id, shown as "deleted user" (blog.selectors.author_name); nobody may register such a name.
DELETED_USERNAME_PREFIX = "deleted-user-"


class AuthorProfile(models.Model):
    """What the article page's bio box and the star-blogger sidebar show about a user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    display_name = models.CharField(max_length=120, blank=True)
    bio = models.TextField(blank=True)
    is_star_blogger = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("blog:category", args=[self.slug])


class Article(models.Model):
    blog_name = models.CharField(max_length=120, default="Readers' Blog")
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=320, unique=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles", null=True, blank=True)
    tags = TaggableManager(blank=True)
    body = models.TextField(help_text="Plain text; blank lines separate paragraphs.")
    # The sentence comments are scored as being for or against; editors may sharpen it.
    stance_claim = models.CharField(max_length=500, blank=True, help_text="Defaults to the title.")
    published_at = models.DateTimeField(default=timezone.now, db_index=True)
    view_count = models.PositiveIntegerField(default=0)
    like_count = models.PositiveIntegerField(default=0)  # "Popularity" on the page
    # Hold every new comment on this article for a human, whatever the scores.
    premoderate_comments = models.BooleanField(default=False)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("blog:article_detail", args=[self.slug])

    @property
    def claim(self) -> str:
        return self.stance_claim or self.title

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.replace("\r\n", "\n").split("\n\n") if p.strip()]


class ArticleLike(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="article_likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "user"], name="one_like_per_reader_per_article")]


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "awaiting moderation"  # not yet scored
        PUBLISHED = "published", "published"
        HELD = "held", "held for review"
        REJECTED = "rejected", "rejected"
        FAILED = "failed", "classification failed"  # scoring gave up: a human must decide
        # Withdrawn or deleted by its author: no text, no queue; shown as "comment deleted" only
        # where it still has replies.
        DELETED = "deleted", "deleted"

    VISIBLE_TO_ALL = (Status.PUBLISHED,)

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="comments")
    # The comment this one answers (for "in reply to" and stance toward the parent).
    parent = models.ForeignKey("self", on_delete=models.PROTECT, related_name="replies", null=True, blank=True)
    # Display position, fixed at creation: depth is capped, and `path` (zero-padded ids of the
    # displayed ancestors, then this comment's own) sorts a whole thread in one ORDER BY.
    depth = models.PositiveSmallIntegerField(default=0)
    path = models.CharField(max_length=255, db_index=True, blank=True)
    text = models.TextField()  # plain text as typed; always escaped on output
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    status_reason = models.TextField(blank=True)  # shown to the author when rejected
    created_at = models.DateTimeField(default=timezone.now)  # indexed by comment_recent_activity
    updated_at = models.DateTimeField(auto_now=True)
    edited_at = models.DateTimeField(null=True, blank=True)  # the author's last edit (history: revisions)
    like_count = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)
    # Moderation queue order, kept by moderation.queue.ranking: a time-invariant rank whose age term
    # is folded in, so ORDER BY (status, queue_rank DESC, id DESC) pages by keyset on an index.
    queue_rank = models.FloatField(default=0.0)
    escalated = models.BooleanField(default=False)
    # Copied from the comment's moderation Analysis when it is scored (moderation.pipeline.scoring), so the
    # queue's filters, tab counts and the discussions ranking read them from the row they already
    # scan instead of joining a million analyses: the highest toxicity label score, and the stance
    # toward the article (favor / against / neutral). Null / blank until scored.
    max_toxicity = models.FloatField(null=True, blank=True)
    stance_label = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        ordering = ["path"]
        indexes = [
            models.Index(fields=["article", "path"], name="comment_thread_order"),
            models.Index(fields=["status", "created_at"], name="comment_status_age"),
            models.Index(fields=["status", "-queue_rank", "-id"], name="comment_queue_order"),
            # The queue card's author record (published / rejected / waiting), index-only.
            models.Index(fields=["author", "status"], name="comment_author_status"),
            # Waiting comments per article (discussions ranking), tab counts for one article.
            models.Index(fields=["status", "article"], name="comment_status_article"),
            # "label score at least x" narrows to max_toxicity >= x first (tab counts, queue filter).
            models.Index(fields=["status", "max_toxicity", "id"], name="comment_status_toxicity"),
            # Any range of created_at; for the discussions ranking an index-only scan of the last
            # week's comments (what it counts per article is all in the index).
            models.Index(fields=["created_at", "article", "stance_label", "max_toxicity"], name="comment_recent_activity"),
        ]

    def __str__(self) -> str:
        # What the admin shows in titles, breadcrumbs and related lists: who said what, in words.
        text = self.text if len(self.text) <= 50 else self.text[:49].rstrip() + "…"
        return f"#{self.pk} by {self.author.get_username()}: “{text}”"

    def get_absolute_url(self) -> str:
        return f"{self.article.get_absolute_url()}#comment-{self.pk}"

    @property
    def is_public(self) -> bool:
        return self.status in self.VISIBLE_TO_ALL


class CommentRevision(models.Model):
    """A comment's text as it was before its author edited it, and what moderation had made of it
    then: the edit history moderators see on the card."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    text = models.TextField()
    status = models.CharField(max_length=12, choices=Comment.Status.choices)
    created_at = models.DateTimeField(default=timezone.now)  # when it was replaced

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Revision of comment {self.comment_id} at {self.created_at:%Y-%m-%d %H:%M}"


class CommentLike(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_likes")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "user"], name="one_like_per_reader_per_comment")]


class CommentReport(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    # The comment's article, copied: the discussions ranking counts open reports per article
    # from an index of this table alone instead of looking up every reported comment.
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+", editable=False, db_index=False)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    reason = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when a moderator decides the reported comment: was the report right?
    upheld = models.BooleanField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], name="one_report_per_reader_per_comment")]
        indexes = [
            models.Index(fields=["article"], condition=models.Q(upheld__isnull=True), name="report_open_by_article"),
            # The queue's reported tab: "has open reports" probes and its count, without reading
            # the reports moderators already ruled on.
            models.Index(fields=["comment"], condition=models.Q(upheld__isnull=True), name="report_open_by_comment"),
        ]

    def save(self, *args, **kwargs):
        if self.article_id is None and self.comment_id is not None:
            self.article_id = Comment.objects.values_list("article_id", flat=True).get(pk=self.comment_id)
        super().save(*args, **kwargs)
