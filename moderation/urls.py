"""Moderator and admin pages under /moderation/. The queue (and everything a moderator does to
comments and authors) is in queue_urls; thresholds, discussions ranking and the viewpoint audit
are in policy_urls."""
from django.urls import include, path

app_name = "moderation"
urlpatterns = [
    path("", include("moderation.queue_urls")),
    path("", include("moderation.policy_urls")),
]
