"""/api/moderation/ endpoints for the threshold policy, the discussions ranking and the
viewpoint audit (api/views.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("discussions/", views.DiscussionsApi.as_view(), name="moderation-discussions"),
    path("policy/", views.PolicyApi.as_view(), name="moderation-policy"),
    path("policy/preview/", views.PolicyPreviewApi.as_view(), name="moderation-policy-preview"),
    path("policy/reapply/", views.PolicyReapplyApi.as_view(), name="moderation-policy-reapply"),
    path("policy/<int:version>/restore/", views.PolicyRestoreApi.as_view(), name="moderation-policy-restore"),
    path("viewpoint-audit/", views.ViewpointAuditApi.as_view(), name="moderation-viewpoint-audit"),
    path("agreement/", views.AgreementApi.as_view(), name="moderation-agreement"),
]
