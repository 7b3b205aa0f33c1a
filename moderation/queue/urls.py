"""/moderation/ pages for moderators: the review queue, its actions, the audit log.
Included by moderation/urls.py (app_name "moderation")."""
from django.urls import path

from . import views

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/poll/", views.queue_poll, name="queue_poll"),
    path("comments/<int:comment_id>/decide/", views.comment_decide, name="comment_decide"),
    path("bulk/", views.bulk_decide, name="bulk_decide"),
    path("authors/<str:username>/standing/", views.author_standing, name="author_standing"),
    path("audit-log/", views.audit_log, name="audit_log"),
    path("audit-log/<int:event_id>/reverse/", views.audit_reverse, name="audit_reverse"),
]
