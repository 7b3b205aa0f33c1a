"""/api/moderation/: queue/decision/bulk/audit endpoints (queue/api/urls.py) and
discussions/policy endpoints (policy/api/urls.py), model versions (adaptation/api_urls.py)."""
from django.urls import include, path

urlpatterns = [
    path("", include("moderation.queue.api.urls")),
    path("", include("moderation.policy.api.urls")),
    path("", include("moderation.accountability.api_urls")),
    path("", include("moderation.adaptation.api_urls")),
]
