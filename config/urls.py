from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

urlpatterns = [
    path("", include("ops.urls")),  # /healthz, /readyz, /metrics (docs/DEPLOYMENT.md)
    path("admin/", admin.site.urls),
    path("accounts/", include("blog.account_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("blog.api.urls")),
    path("api/moderation/", include("moderation.api.urls")),
    path("api/notifications/", include("notifications.api.urls")),
    path("notifications/", include("notifications.urls")),
    path("moderation/", include("moderation.urls")),
    path("", include("blog.urls")),
]

# A database outage answers 503 with Retry-After, not a 500 (core/db_outage.py).
handler500 = "core.db_outage.server_error_or_unavailable"
# A bad query-string or form parameter (core.params.BadParameter) is a 400 that names it.
handler400 = "core.params.bad_request"
# 404 and 403 are Django's own handlers rendering templates/404.html and 403.html (the
# site's navigation); 500.html stands alone (no database, no request context).
