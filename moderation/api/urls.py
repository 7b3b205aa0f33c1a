"""/api/moderation/: queue/decision/bulk/audit endpoints (api/queue_urls) and
discussions/policy endpoints (api/policy_urls)."""
from django.urls import include, path

urlpatterns = [
    path("", include("moderation.api.queue_urls")),
    path("", include("moderation.api.policy_urls")),
]
