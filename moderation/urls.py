"""Moderator and admin pages under /moderation/. The queue (and everything a moderator does to
comments and authors) is in queue/urls.py; thresholds, discussions ranking and the viewpoint audit
are in policy/urls.py."""
from django.urls import include, path

app_name = "moderation"
urlpatterns = [
    path("", include("moderation.queue.urls")),
    path("", include("moderation.policy.urls")),
    path("", include("moderation.accountability.urls")),
    path("", include("moderation.adaptation.urls")),
]
