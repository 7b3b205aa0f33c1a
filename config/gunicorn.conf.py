"""The production web server: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Threads in a few processes: a request is mostly waiting on PostgreSQL and Redis, so threads
overlap those waits, and one process per core uses the cores despite the GIL. Each thread keeps
its database connection (DB_CONN_MAX_AGE, 60 s unless set), checked before reuse
(CONN_HEALTH_CHECKS). Every value can be set from the environment.
"""
import multiprocessing
import os
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")
# Metrics from every web process, added up at scrape time (prometheus_client's multiprocess mode,
# ops/metrics.py). Set before any process imports prometheus_client; emptied at each start.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(Path(__file__).resolve().parent.parent / "var" / "prometheus" / "web"))

bind = os.environ.get("PARLEY_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PARLEY_WEB_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("PARLEY_WEB_THREADS", "4"))
keepalive = 5
timeout = 30
graceful_timeout = 20
accesslog = os.environ.get("PARLEY_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("PARLEY_LOG_LEVEL", "info")


def on_starting(server):
    from ops.metrics import multiprocess_dir_wipe  # noqa: PLC0415 - gunicorn reads this before Django is set up

    multiprocess_dir_wipe(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def child_exit(server, worker):
    from ops.metrics import process_dead  # noqa: PLC0415 - gunicorn reads this before Django is set up

    process_dead(worker.pid)


if os.environ.get("PARLEY_LOG_FORMAT") == "json":
    # gunicorn's own lines (start-up, worker restarts, the access log) as JSON too.
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "ops.logging.JsonFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["console"]},
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
            "gunicorn.access": {"level": "INFO" if accesslog else "WARNING", "handlers": ["console"], "propagate": False},
        },
    }
