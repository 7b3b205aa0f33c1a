"""/api/moderation/ endpoints for moderators: the review queue, decisions, the audit log and
authors' standing (api/queue_views.py)."""
from django.urls import path

from . import queue_views

urlpatterns = [
    path("queue/", queue_views.QueueApi.as_view(), name="moderation-queue"),
    path("comments/<int:comment_id>/decision/", queue_views.CommentDecisionApi.as_view(), name="moderation-comment-decision"),
    path("bulk/", queue_views.BulkDecisionApi.as_view(), name="moderation-bulk-decision"),
    path("audit/", queue_views.AuditLogApi.as_view(), name="moderation-audit"),
    path("authors/<str:username>/standing/", queue_views.AuthorStandingApi.as_view(), name="moderation-author-standing"),
]
