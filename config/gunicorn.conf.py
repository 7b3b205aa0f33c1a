"""The production web server: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Threads in a few processes: a request is mostly waiting on PostgreSQL and Redis, so threads
overlap those waits, and one process per core uses the cores despite the GIL. Each thread keeps
its database connection (DB_CONN_MAX_AGE, 60 s unless set), checked before reuse
(CONN_HEALTH_CHECKS). Every value can be set from the environment.
"""
import multiprocessing
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DB_CONN_MAX_AGE", "60")

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
