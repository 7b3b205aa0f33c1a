"""The reader API, mounted at /api/ by config/urls.py. Other clients rely on these paths."""
from django.urls import path

from . import articles, auth, comments, me

app_name = "blog-api"
urlpatterns = [
    path("articles/", articles.ArticleListApi.as_view(), name="article-list"),
    path("articles/<slug:slug>/", articles.ArticleDetailApi.as_view(), name="article-detail"),
    path("articles/<slug:slug>/like/", articles.ArticleLikeApi.as_view(), name="article-like"),
    path("articles/<slug:slug>/comments/", comments.ArticleCommentsApi.as_view(), name="article-comments"),
    path("comments/<int:pk>/", comments.CommentDetailApi.as_view(), name="comment-detail"),
    path("comments/<int:pk>/like/", comments.CommentLikeApi.as_view(), name="comment-like"),
    path("comments/<int:pk>/report/", comments.CommentReportApi.as_view(), name="comment-report"),
    path("comments/<int:pk>/appeal/", comments.CommentAppealApi.as_view(), name="comment-appeal"),
    path("comments/<int:pk>/nudge/", comments.CommentNudgeApi.as_view(), name="comment-nudge"),
    path("me/", me.MeApi.as_view(), name="me"),
    path("me/export/", me.MeExportApi.as_view(), name="me-export"),
    path("auth/token/", auth.TokenObtainApi.as_view(), name="auth-token"),
]
