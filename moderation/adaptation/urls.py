"""/moderation/policy/models/ actions (adaptation/views.py); included by moderation/urls.py."""
from django.urls import path

from . import views

urlpatterns = [
    path("policy/models/<int:version_id>/activate/", views.model_activate, name="model_activate"),
    path("policy/models/<int:version_id>/rollback/", views.model_rollback, name="model_rollback"),
    path("policy/models/schedule/", views.model_schedule, name="model_schedule"),
]
