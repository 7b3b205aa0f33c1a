"""/api/moderation/models/ endpoints (adaptation/api.py)."""
from django.urls import path

from . import api

urlpatterns = [
    path("models/", api.ModelVersionListApi.as_view(), name="moderation-models"),
    path("models/<int:version_id>/", api.ModelVersionDetailApi.as_view(), name="moderation-model"),
    path("models/<int:version_id>/activate/", api.ModelVersionActivateApi.as_view(), name="moderation-model-activate"),
    path("models/<int:version_id>/rollback/", api.ModelVersionRollbackApi.as_view(), name="moderation-model-rollback"),
]
