from django.urls import path, register_converter
from django.urls.converters import StringConverter

from . import views


class UnicodeSlugConverter(StringConverter):
    """A slug as django-taggit makes it (slugify with allow_unicode): letters of any script,
    digits, "_" and "-". Django's <slug:> is ASCII only, so a tag named 中国 had no URL."""

    regex = r"[-\w]+"


register_converter(UnicodeSlugConverter, "uslug")

app_name = "blog"
urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("category/<slug:category_slug>/", views.article_list, name="category"),
    path("tag/<uslug:tag_slug>/", views.article_list, name="tag"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slug:slug>/comment/", views.comment_post, name="comment_post"),
    path("articles/<slug:slug>/like/", views.article_like, name="article_like"),
    path("comments/<int:pk>/like/", views.comment_like, name="comment_like"),
    path("comments/<int:pk>/report/", views.comment_report, name="comment_report"),
    path("my/comments/", views.my_comments, name="my_comments"),
]
