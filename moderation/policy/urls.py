"""/moderation/ pages for admins (thresholds, versions, re-apply, viewpoint audit) and the
discussions ranking for moderators. Included by moderation/urls.py (app_name "moderation")."""
from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("policy/", views.policy, name="policy"),
    path("policy/versions/", views.policy_versions, name="policy_versions"),
    path("policy/versions/<int:version>/", views.policy_versions, name="policy_version"),
    path("policy/versions/<int:version>/restore/", views.policy_restore, name="policy_restore"),
    path("policy/reapply/", views.policy_reapply, name="policy_reapply"),
    path("discussions/", views.discussions, name="discussions"),
    path(
        "discussions/<int:article_id>/premoderation/",
        views.article_premoderation,
        name="article_premoderation",
    ),
    path("viewpoints/", views.viewpoint_audit, name="viewpoints"),
    # The viewpoint audit's old address, kept for bookmarks and links (with their filters): "audit"
    # alone reads as the decision log (/moderation/audit-log/, /api/moderation/audit/).
    path("audit/", RedirectView.as_view(pattern_name="moderation:viewpoints", permanent=True, query_string=True)),
    path("agreement/", views.agreement, name="agreement"),
]
