"""/moderation/ pages for admins (thresholds, versions, re-apply, viewpoint audit) and the
discussions ranking for moderators. Included by moderation/urls.py (app_name "moderation")."""
from django.urls import path

from . import policy_views

urlpatterns = [
    path("policy/", policy_views.policy, name="policy"),
    path("policy/versions/", policy_views.policy_versions, name="policy_versions"),
    path("policy/versions/<int:version>/", policy_views.policy_versions, name="policy_version"),
    path("policy/versions/<int:version>/restore/", policy_views.policy_restore, name="policy_restore"),
    path("policy/reapply/", policy_views.policy_reapply, name="policy_reapply"),
    path("discussions/", policy_views.discussions, name="discussions"),
    path(
        "discussions/<int:article_id>/premoderation/",
        policy_views.article_premoderation,
        name="article_premoderation",
    ),
    path("audit/", policy_views.viewpoint_audit, name="viewpoint_audit"),
]
