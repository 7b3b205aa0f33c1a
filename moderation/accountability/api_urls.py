"""/api/moderation/ endpoints of the accountability sub-domain (api.py)."""
from django.urls import path

from . import api

urlpatterns = [
    path("statements/export/", api.StatementsExportApi.as_view(), name="moderation-statements-export"),
    path("transparency/", api.TransparencyApi.as_view(), name="moderation-transparency"),
]
