"""Parley's shared web kit, used by blog and moderation alike: api/ (parsers, errors, strict
serializer fields), auth.py (login lockout, token authentication), db_outage.py (503 while the
database is down), jinja2.py (the Jinja2 environment), ratelimit.py (client IP, write limits)."""
