"""Building blocks shared by the reader API's views (blog/api/articles.py, comments.py, me.py, auth.py).

Each API view nests its own InputSerializer (only what a client may set) and OutputSerializer.
What lives here is what several views share: and the read-only shapes of an
author, an article summary and a comment.
"""
from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from blog import selectors, services
from blog.models import Comment
from core.api.fields import ShallowCopiedFieldsMixin
from moderation import facade as moderation


class OutcomeOutputSerializer(ShallowCopiedFieldsMixin, serializers.Serializer):
    """What the author is told about their own comment."""

    status = serializers.CharField()
    reason = serializers.CharField(help_text='Plain words, e.g. "Held for review: it may contain a threat."')
    why = serializers.CharField(help_text="The reason alone: the rule's words, or the moderator's own reason.")
    phrase = serializers.CharField(help_text="The words that may break the guidelines, when the scoring found them.")
    start = serializers.IntegerField(allow_null=True, help_text="The phrase's start in `text` (characters).")
    end = serializers.IntegerField(allow_null=True)
    by_moderator = serializers.BooleanField()
    moderator_reason = serializers.CharField()
    nudge = serializers.BooleanField(help_text="Offer to edit and resubmit, withdraw (DELETE), or leave it (nudge/).")
    can_appeal = serializers.BooleanField()
    appeal = serializers.CharField(help_text='"", "open", "reinstated" or "upheld".')
    appeal_reason = serializers.CharField()

    class Meta:
        ref_name = "CommentOutcome"

class AuthorOutputSerializer(serializers.Serializer):
    """An article's author as the bio box shows them; a user without a profile gets defaults."""

    username = serializers.CharField()
    display_name = serializers.SerializerMethodField()
    bio = serializers.SerializerMethodField()
    is_star_blogger = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Author"

    @staticmethod
    def _profile(user):
        return getattr(user, "profile", None)  # RelatedObjectDoesNotExist is an AttributeError

    def get_display_name(self, user) -> str:
        profile = self._profile(user)
        return (profile.display_name if profile else "") or user.get_username()

    def get_bio(self, user) -> str:
        profile = self._profile(user)
        return profile.bio if profile else ""

    def get_is_star_blogger(self, user) -> bool:
        profile = self._profile(user)
        return bool(profile and profile.is_star_blogger)


class CategoryOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()

    class Meta:
        ref_name = "Category"


class TagOutputSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.SlugField()

    class Meta:
        ref_name = "Tag"


class ArticleSummaryOutputSerializer(serializers.Serializer):
    """An article as a list of articles shows it."""

    # Expects selectors.article_list() rows: comment_count annotated, author profile, category
    # and tags fetched with them.

    title = serializers.CharField()
    slug = serializers.SlugField()
    author = AuthorOutputSerializer()
    published_at = serializers.DateTimeField()
    category = CategoryOutputSerializer(allow_null=True)
    tags = serializers.SerializerMethodField()
    view_count = serializers.IntegerField()
    like_count = serializers.IntegerField(help_text="Popularity: how many readers liked the article.")
    comment_count = serializers.IntegerField(help_text="Published comments only.")

    class Meta:
        ref_name = "ArticleSummary"

    @extend_schema_field(TagOutputSerializer(many=True))
    def get_tags(self, article):
        # .all() reads the prefetched tags; sorted here so the order does not depend on the database
        return TagOutputSerializer(sorted(article.tags.all(), key=lambda t: t.name), many=True).data


class CommentOutputSerializer(ShallowCopiedFieldsMixin, serializers.Serializer):
    """A comment the requester may see: published, or their own in any status.

    `text` is the plain text as typed, not HTML: whoever displays it must escape it.
    """

    # Needs the request in the context (for is_own and status_reason).

    id = serializers.IntegerField()
    article = serializers.SlugField(source="article.slug")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField(help_text="Nesting level stored with the comment (capped).")
    author = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    text = serializers.CharField(help_text="Plain text as typed, not HTML: escape it when displaying. Empty once deleted.")
    status = serializers.ChoiceField(choices=Comment.Status.choices)
    status_reason = serializers.SerializerMethodField()
    like_count = serializers.IntegerField()
    is_own = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Comment"

    def _is_own(self, comment: Comment) -> bool:
        user = self.context["request"].user
        return user.is_authenticated and comment.author_id == user.pk

    def get_author(self, comment: Comment) -> str:
        """The author's username, or "deleted user"."""
        return selectors.author_name(comment.author)

    def get_is_own(self, comment: Comment) -> bool:
        return self._is_own(comment)

    def get_can_edit(self, comment: Comment) -> bool:
        """The requester may edit or delete it now (their own, within the edit window)."""
        return services.comment_can_change(comment=comment, user=self.context["request"].user)

    def _outcome(self, comment: Comment):
        if not self._is_own(comment):
            return None
        outcomes = self.context.get("outcomes")
        if outcomes is not None and comment.pk in outcomes:
            return outcomes[comment.pk]
        return moderation.comment_outcome_for_author(comment=comment)

    def get_status_reason(self, comment: Comment) -> str | None:
        """Why the comment is held or rejected, in plain words, for its author only; null otherwise."""
        if comment.status in (Comment.Status.REJECTED, Comment.Status.HELD) and self._is_own(comment):
            return self._outcome(comment).why or self._outcome(comment).reason
        return None

    @extend_schema_field(OutcomeOutputSerializer(allow_null=True))
    def get_outcome(self, comment: Comment):
        """For the author only (null for others): the outcome in words and what they may do next."""
        outcome = self._outcome(comment)
        return OutcomeOutputSerializer(outcome.as_dict()).data if outcome is not None else None


class ThreadCommentOutputSerializer(CommentOutputSerializer):
    """A comment in a thread, with where to display it."""

    # Needs `thread` in the context too: comment id -> selectors.ThreadEntry.

    indent = serializers.SerializerMethodField()
    reply_to = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ThreadComment"

    def get_indent(self, comment: Comment) -> int:
        """Levels under the ancestors the requester can see (use this to indent, not depth)."""
        return self.context["thread"][comment.pk].indent

    def get_reply_to(self, comment: Comment) -> str | None:
        """The parent's author, when the parent is displayed elsewhere, not right above this
        comment; null when it is right above, or when the requester may not see it."""
        return self.context["thread"][comment.pk].reply_to
