"""/api/moderation/ endpoints for the threshold policy, the discussions ranking and the
viewpoint audit (api/policy_views.py)."""
from django.urls import path

from . import policy_views

urlpatterns = [
    path("discussions/", policy_views.DiscussionsApi.as_view(), name="moderation-discussions"),
    path("policy/", policy_views.PolicyApi.as_view(), name="moderation-policy"),
    path("policy/preview/", policy_views.PolicyPreviewApi.as_view(), name="moderation-policy-preview"),
    path("policy/reapply/", policy_views.PolicyReapplyApi.as_view(), name="moderation-policy-reapply"),
    path("policy/<int:version>/restore/", policy_views.PolicyRestoreApi.as_view(), name="moderation-policy-restore"),
    path("viewpoint-audit/", policy_views.ViewpointAuditApi.as_view(), name="moderation-viewpoint-audit"),
]
