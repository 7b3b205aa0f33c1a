"""/api/moderation/ endpoints for moderators: the review queue, decisions, the audit log and
authors' standing (api/views.py)."""
from django.urls import path

from . import views

urlpatterns = [
    path("queue/", views.QueueApi.as_view(), name="moderation-queue"),
    path("comments/<int:comment_id>/decision/", views.CommentDecisionApi.as_view(), name="moderation-comment-decision"),
    path("comments/<int:comment_id>/undo/", views.CommentUndoApi.as_view(), name="moderation-comment-undo"),
    path("reasons/", views.ReasonsApi.as_view(), name="moderation-reasons"),
    path("bulk/", views.BulkDecisionApi.as_view(), name="moderation-bulk-decision"),
    path("audit/", views.AuditLogApi.as_view(), name="moderation-audit"),
    path("authors/<str:username>/standing/", views.AuthorStandingApi.as_view(), name="moderation-author-standing"),
]
