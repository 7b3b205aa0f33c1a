"""Production, as docs/DEPLOYMENT.md runs it: gunicorn's default (config/wsgi.py, config/asgi.py,
config/gunicorn.conf.py); the worker, beat and manage.py read it when DJANGO_SETTINGS_MODULE says so.

Everything is base.py's, from the same environment variables (its hardening, on unless DEBUG:
HTTPS redirect, secure cookies, HSTS). Here nothing that matters is left to a default: the secret
key must come from the environment, and DEBUG may not be on.
"""
from django.core.exceptions import ImproperlyConfigured

from .base import *

if not SECRET_KEY:
    # Every process must sign with one secret that no checkout holds.
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production settings have no default secret key.")
if DEBUG:
    # DEBUG shows tracebacks and settings to anyone, and turns base.py's hardening off.
    raise ImproperlyConfigured("DJANGO_DEBUG is on: production settings never run with DEBUG (config.settings.local does).")
