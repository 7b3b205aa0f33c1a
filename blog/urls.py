from django.urls import path

from . import views

app_name = "blog"
urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("category/<slug:category_slug>/", views.article_list, name="category"),
    path("tag/<slug:tag_slug>/", views.article_list, name="tag"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slug:slug>/comment/", views.comment_post, name="comment_post"),
    path("articles/<slug:slug>/like/", views.article_like, name="article_like"),
    path("comments/<int:pk>/like/", views.comment_like, name="comment_like"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("my/comments/", views.my_comments, name="my_comments"),
]
