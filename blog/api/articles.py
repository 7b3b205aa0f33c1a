"""/api/articles/...: the list (search, categories, tags), one article, its like."""
from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from blog import selectors, services
from core.api.responses import BAD_INPUT, NOT_FOUND

from .common import NOT_LOGGED_IN, TOO_MANY, LikeOutputSerializer, ReaderApi, article_or_404, like_answer
from .serializers import ArticleSummaryOutputSerializer


class ArticleListApi(ReaderApi):
    permission_classes = [AllowAny]
    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    class FilterSerializer(serializers.Serializer):
        """Optional filters; unknown query parameters are ignored."""

        category = serializers.SlugField(required=False, help_text="Only articles in this category (its slug).")
        tag = serializers.SlugField(required=False, allow_unicode=True, help_text="Only articles with this tag (its slug).")
        q = serializers.CharField(required=False, max_length=selectors.SEARCH_MAX_LENGTH, allow_blank=True,
                                  help_text="Search the titles and text (full-text on PostgreSQL); best match first.")

    OutputSerializer = ArticleSummaryOutputSerializer

    @extend_schema(
        operation_id="articles_list",
        parameters=[FilterSerializer],
        responses={200: OutputSerializer(many=True), 400: BAD_INPUT, 404: OpenApiResponse(description="No such page.")},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        articles = selectors.article_list(
            category_slug=filters.validated_data.get("category"), tag_slug=filters.validated_data.get("tag"),
            q=filters.validated_data.get("q", ""),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(articles, request, view=self)
        return paginator.get_paginated_response(self.OutputSerializer(page, many=True).data)


class ArticleDetailApi(ReaderApi):
    permission_classes = [AllowAny]

    class OutputSerializer(ArticleSummaryOutputSerializer):
        """An article with its text and the author's bio box."""

        body = serializers.CharField(help_text="Plain text; blank lines separate paragraphs.")
        paragraphs = serializers.ListField(child=serializers.CharField())
        stance_claim = serializers.CharField(
            source="claim", help_text="The sentence comments are scored for or against (the title by default)."
        )

        class Meta:
            ref_name = "ArticleDetail"

    @extend_schema(operation_id="articles_retrieve", responses={200: OutputSerializer, 404: NOT_FOUND})
    def get(self, request, slug: str):
        # No view counting here: a GET must be safe, and API clients carry no session to count once
        # per visitor (the web page counts views).
        article = article_or_404(slug)
        return Response(self.OutputSerializer(article).data)


class ArticleLikeApi(ReaderApi):
    permission_classes = [IsAuthenticated]
    throttle_scope = "likes"  # core.ratelimit: per user and per IP, 429 with Retry-After

    class OutputSerializer(LikeOutputSerializer):
        """The article's popularity after this reader's like."""

        class Meta:
            ref_name = "ArticleLike"

    @extend_schema(
        operation_id="articles_like",
        request=None,
        responses={
            201: OutputSerializer,
            200: OpenApiResponse(OutputSerializer, description="Already liked by this reader; nothing changed."),
            401: NOT_LOGGED_IN,
            403: NOT_LOGGED_IN,
            404: NOT_FOUND,
            429: TOO_MANY,
        },
    )
    def post(self, request, slug: str):
        article = article_or_404(slug, for_write=True)
        created = services.article_like(article=article, user=request.user)
        return like_answer(self.OutputSerializer, article, liked=True, created=created)

    @extend_schema(
        operation_id="articles_unlike", request=None,
        responses={200: OpenApiResponse(OutputSerializer, description="Unliked (or was not liked); the count after."),
                   401: NOT_LOGGED_IN, 403: NOT_LOGGED_IN, 404: NOT_FOUND, 429: TOO_MANY},
    )
    def delete(self, request, slug: str):
        article = article_or_404(slug, for_write=True)
        services.article_unlike(article=article, user=request.user)
        return like_answer(self.OutputSerializer, article, liked=False)
