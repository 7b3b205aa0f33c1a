"""Parley's settings, one module per way of running it (DJANGO_SETTINGS_MODULE names one):

- base.py: everything the others share, read from the environment;
- local.py: the embedded default for `make run`, manage.py and the Celery app;
- production.py: what docs/DEPLOYMENT.md runs, and gunicorn's default (config/wsgi.py);
- test.py: pytest (pytest.ini) and the workers and servers the tests start.
"""
import os

from django.core.exceptions import ImproperlyConfigured

# This package holds no settings: named itself (as when it was one file), Django would run with an
# empty configuration and no apps, and say nothing.
if os.environ.get("DJANGO_SETTINGS_MODULE") == __name__:
    raise ImproperlyConfigured(
        f"DJANGO_SETTINGS_MODULE={__name__} names the settings package; name one of its modules: "
        f"{__name__}.production, {__name__}.local or {__name__}.test."
    )
