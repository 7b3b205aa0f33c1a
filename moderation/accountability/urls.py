"""/moderation/ pages of the accountability sub-domain (included by moderation/urls.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("statements/<int:pk>/", views.statement, name="statement"),
    path("site-rules/", views.site_rules_page, name="site_rules"),
    path("comments/<int:pk>/report-illegal/", views.illegal_notice_new, name="illegal_notice_new"),
    path("notices/", views.illegal_notices, name="illegal_notices"),
    path("notices/<int:pk>/decide/", views.illegal_notice_decide, name="illegal_notice_decide"),
    path("transparency/", views.transparency_page, name="transparency"),
    path("transparency/report.csv", views.transparency_csv, name="transparency_csv"),
    path("transparency/publish/", views.transparency_publish, name="transparency_publish"),
    path("transparency/public/", views.transparency_public, name="transparency_public"),
]
