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
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment_edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("comments/<int:pk>/appeal/", views.comment_appeal, name="comment_appeal"),
    path("comments/<int:pk>/nudge/leave/", views.comment_nudge_leave, name="comment_nudge_leave"),
    path("comments/<int:pk>/outcome/", views.comment_outcome, name="comment_outcome"),
    path("my/comments/", views.my_comments, name="my_comments"),
    path("my/account/", views.account, name="account"),
    path("my/account/export/", views.account_export, name="account_export"),
    path("my/account/delete/", views.account_delete, name="account_delete"),
]
