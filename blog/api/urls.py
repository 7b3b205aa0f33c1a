"""The reader API, mounted at /api/ by config/urls.py. Other clients rely on these paths."""
from django.urls import path

from . import views

app_name = "blog-api"
urlpatterns = [
    path("articles/", views.ArticleListApi.as_view(), name="article-list"),
    path("articles/<slug:slug>/", views.ArticleDetailApi.as_view(), name="article-detail"),
    path("articles/<slug:slug>/like/", views.ArticleLikeApi.as_view(), name="article-like"),
    path("articles/<slug:slug>/comments/", views.ArticleCommentsApi.as_view(), name="article-comments"),
    path("comments/<int:pk>/", views.CommentDetailApi.as_view(), name="comment-detail"),
    path("comments/<int:pk>/like/", views.CommentLikeApi.as_view(), name="comment-like"),
    path("comments/<int:pk>/report/", views.CommentReportApi.as_view(), name="comment-report"),
    path("comments/<int:pk>/appeal/", views.CommentAppealApi.as_view(), name="comment-appeal"),
    path("comments/<int:pk>/nudge/", views.CommentNudgeApi.as_view(), name="comment-nudge"),
    path("me/", views.MeApi.as_view(), name="me"),
    path("me/export/", views.MeExportApi.as_view(), name="me-export"),
    path("auth/token/", views.TokenObtainApi.as_view(), name="auth-token"),
]
