"""The Celery app. Configuration lives in config/settings/ (base.py) under the CELERY_ namespace."""
import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("parley")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Tasks live in moderation/pipeline/tasks.py, not in an app's top-level tasks.py.
app.autodiscover_tasks(["moderation.pipeline", "moderation.adaptation"])
# Every worker writes the heartbeat /readyz reads, and serves its metrics if asked (docs/DEPLOYMENT.md).
app.steps["worker"].update({"ops.health:WorkerHeartbeat", "ops.metrics:WorkerMetricsServer"})
