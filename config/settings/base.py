"""Settings every Parley process shares: everything comes from the environment, with safe defaults.

The modules beside this one start from it (`from .base import *`) and add only what differs:
local.py (the embedded default: `make run`, manage.py, the Celery app), production.py (what
docs/DEPLOYMENT.md runs: gunicorn's default) and test.py (pytest and the processes it starts).
Otherwise production differs from development only by environment variables (README, "Configuration").
"""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

# git-ignored: SQLite file, private Redis, dev secret key. PARLEY_VAR_DIR moves it (a second
# `make run` beside the first, or bench/embedded_burst.py's scratch copy).
VAR_DIR = Path(env("PARLEY_VAR_DIR", default=str(BASE_DIR / "var")))

DEBUG = env.bool("DJANGO_DEBUG", default=False)


def dev_secret_key(var_dir: Path) -> str:
    """A random key kept per checkout, so no key is ever committed and a dev server
    restart keeps sessions. local.py and test.py fall back to it; production.py never does."""
    path = var_dir / "dev-secret-key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


# Empty here: each settings module says where its key comes from when this is unset.
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI files served locally, no CDN
    "taggit",
    "axes",  # login brute-force lockout (AXES_* below)
    "csp",  # django-csp: the Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "blog",
    "moderation",
    "ops",
    "notifications",
]

MIDDLEWARE = [
    "ops.logging.RequestIdMiddleware",  # first: every log line of a request names it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # NUL in a URL part, NUL or invalid UTF-8 in a page's parameters: 400 naming it (core.params).
    "core.params.RefuseBadInputMiddleware",
    # Last, as django-axes asks: turns a locked-out login into its 429 answer.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username+IP before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "core.auth.AxesBackend",
    "core.auth.ModelBackend",  # Django's, with permissions in one query
]

# Scripts and styles only from our own origin, no inline scripts (a comment that slipped past
# escaping still could not run), no framing. https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Production hardening: on unless DEBUG, each overridable from the environment.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Probes and the Prometheus scraper talk plain HTTP to the app server, behind the TLS proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (only when configured to trust it).
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "notifications.context_processors.bell",
                "blog.context_processors.auth_next",
            ],
        },
    },
    {
        # Only for templates rendered many times a page (the queue's cards), under <app>/jinja2/.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "core.jinja2.environment"},  # it escapes every output itself
    },
]

# SQLite (embedded) by default; DATABASE_URL=postgres://... switches to PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'parley.sqlite3'}"),
}
# 0 (a connection per request) suits runserver, which starts a thread per request; the production
# server (config/gunicorn.conf.py) keeps connections for 60 s: opening one costs a few ms a request.
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DB_CONN_MAX_AGE", default=0))
# A kept connection is checked before a request reuses it, so a PostgreSQL restart costs no 500.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web server and worker share one file and write at once (https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes):
    # - WAL: readers never wait on the writer and the writer never waits on readers; only two
    #   writers queue. synchronous=NORMAL is the WAL-safe setting (no fsync per commit).
    # - IMMEDIATE: a transaction takes the write lock when it begins, so the busy timeout covers
    #   it. A deferred one that reads first and writes later cannot wait: SQLite fails its write
    #   at once with "database is locked" (the worker's claim-score-decide did exactly that).
    # - timeout: seconds to wait for the other's write lock instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        transaction_mode="IMMEDIATE",
        timeout=20,
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "blog:article_list"
LOGOUT_REDIRECT_URL = "blog:article_list"

# --- Login brute force (django-axes, https://django-axes.readthedocs.io/en/latest/4_configuration.html)
# 5 failures for one username from one IP lock that pair out for 15 minutes (429), even with the
# right password; other users and other addresses are unaffected.
AXES_ENABLED = env.bool("PARLEY_AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("PARLEY_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("PARLEY_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.ratelimit.client_ip"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files from the apps directly (no collectstatic needed for `make run` or tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    # DRF's three, with JSON read by our parser: malformed or deeply nested JSON is a 400 on every
    # endpoint (views that take JSON only set parser_classes themselves).
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONBodyParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Views with a throttle_scope ("comments", "likes", "reports") are limited per user and per IP.
    "DEFAULT_THROTTLE_CLASSES": ["core.ratelimit.ScopedWriteThrottle"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Parley API",
    "DESCRIPTION": "Readers' blog with self-moderating comment sections.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Redis and Celery -------------------------------------------------------------------------
REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None  # tasks write their results to the database; nothing reads Celery results
CELERY_TASK_IGNORE_RESULT = True
# Sites sharing a Redis give each its own queue; so does each test run (test.py).
CELERY_TASK_DEFAULT_QUEUE = env("PARLEY_CELERY_QUEUE", default="celery")
# No comment may be lost: a message is acknowledged only after its task finished, a worker that
# dies mid-task puts it back, and each worker process holds one message at a time.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged message after the visibility timeout, so a task must always
# end (hard time limit) well before it, or it would run twice at once.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# A reader's POST must not hang when Redis is down: fail the publish fast, the sweeper re-enqueues.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    "sweep-unscored-comments": {
        "task": "moderation.pipeline.sweep_unscored_comments",
        "schedule": timedelta(seconds=env.int("PARLEY_SWEEP_INTERVAL_SECONDS", default=30)),
    },
    # The review queue's waiting term (capped at 2 points, moderation/queue/ranking.py) moves with
    # the clock; a few minutes' lag cannot reorder anything that matters.
    "rerank-waiting-comments": {
        "task": "moderation.pipeline.rerank_waiting_comments",
        "schedule": timedelta(seconds=env.int("PARLEY_RERANK_INTERVAL_SECONDS", default=600)),
    },
    # Fits a candidate site model (moderation/adaptation/); does nothing until an admin switches it
    # on from the policy page, and a candidate never serves until an admin activates it.
    "adapt-to-site": {
        "task": "moderation.adaptation.adapt_to_site",
        "schedule": timedelta(seconds=env.int("PARLEY_ADAPT_INTERVAL_SECONDS", default=24 * 3600)),
    },
}

# --- Cache (rate limits) -------------------------------------------------------------------------
# Redis, so that every web process counts a reader's writes together. PARLEY_CACHE=locmem gives
# each process its own in-memory cache (a single-process install without Redis; tests always, test.py).
# Never call cache.clear() on the Redis cache: it would FLUSHDB the broker's database too.
if env("PARLEY_CACHE", default="redis") == "locmem":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "parley"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("PARLEY_CACHE_URL", default=REDIS_URL),
            "KEY_PREFIX": "parley-cache",
            # Fail fast when Redis is down: the rate limiter then lets requests through.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }

# --- Rate limits on writes (core/ratelimit.py) --------------------------------------------------
# How many proxies we trust to append to X-Forwarded-For (0: ignore the header, use REMOTE_ADDR).
PARLEY_TRUSTED_PROXIES = env.int("PARLEY_TRUSTED_PROXIES", default=0)
# "<count>/<s|min|hour|day>", per signed-in user and per client IP, for each kind of write.
PARLEY_RATE_LIMITS = {
    "comments_user": env("PARLEY_RATE_COMMENTS_USER", default="10/min"),
    "comments_ip": env("PARLEY_RATE_COMMENTS_IP", default="30/min"),
    "likes_user": env("PARLEY_RATE_LIKES_USER", default="60/min"),
    "likes_ip": env("PARLEY_RATE_LIKES_IP", default="180/min"),
    "reports_user": env("PARLEY_RATE_REPORTS_USER", default="10/min"),
    "reports_ip": env("PARLEY_RATE_REPORTS_IP", default="30/min"),
    "register_ip": env("PARLEY_RATE_REGISTER_IP", default="10/hour"),
    # Failed logins per address, any usernames (password spraying), login page and token API together.
    "login_failures_ip": env("PARLEY_RATE_LOGIN_FAILURES_IP", default="10/15min"),
}

# Request bodies: a comment is at most 5000 characters, under 64 KiB even form-encoded, so 256 KiB
# is plenty. Bigger bodies are refused before they are parsed: 400 from the pages (Django's
# RequestDataTooBig), 413 from the API (core/api/parsers.py JSONBodyParser).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("PARLEY_MAX_BODY_BYTES", default=256 * 1024)

# --- Parley --------------------------------------------------------------------------------------
PARLEY_COMMENT_MAX_LENGTH = env.int("PARLEY_COMMENT_MAX_LENGTH", default=5000)
PARLEY_REPORT_REASON_MAX_LENGTH = 500
PARLEY_THREAD_MAX_DEPTH = env.int("PARLEY_THREAD_MAX_DEPTH", default=6)
# Toxicity model: "parley-minilm" (Parley's own, shipped in ml/weights/toxicity), "jigsaw-bilstm",
# or "detoxify:<type>" (original, unbiased, multilingual, original-small, unbiased-small).
# Fallback when weights cannot be had, logged once per process: detoxify:* -> parley-minilm ->
# jigsaw-bilstm (ml/classifiers/registry.py).
PARLEY_TOXICITY_MODEL = env("PARLEY_TOXICITY_MODEL", default="parley-minilm")
DETOXIFY_CHECKPOINT = env("DETOXIFY_CHECKPOINT", default=None)
PARLEY_CLASSIFY_BATCH_SIZE = env.int("PARLEY_CLASSIFY_BATCH_SIZE", default=32)
PARLEY_CLASSIFY_MAX_RETRIES = env.int("PARLEY_CLASSIFY_MAX_RETRIES", default=5)
PARLEY_CLASSIFY_RETRY_BACKOFF_SECONDS = env.float("PARLEY_CLASSIFY_RETRY_BACKOFF_SECONDS", default=2.0)
# A comment still unscored after this long is re-enqueued by the sweeper (its enqueue was lost,
# e.g. Redis was down when it was posted, or its message was flushed).
PARLEY_SWEEP_AFTER_SECONDS = env.int("PARLEY_SWEEP_AFTER_SECONDS", default=60)

# --- Operations (ops/, docs/DEPLOYMENT.md) -------------------------------------------------------
# /metrics answers loopback, and anyone sending "Authorization: Bearer <this>" (unset: loopback only).
PARLEY_METRICS_TOKEN = env("PARLEY_METRICS_TOKEN", default="")
# /readyz fails when no worker on our queue wrote its heartbeat for this long.
PARLEY_WORKER_HEARTBEAT_MAX_AGE = env.int("PARLEY_WORKER_HEARTBEAT_MAX_AGE", default=60)
# How often each worker writes that heartbeat (ops/health.py), in seconds.
PARLEY_WORKER_HEARTBEAT_SECONDS = env.float("PARLEY_WORKER_HEARTBEAT_SECONDS", default=15.0)
# A worker serves its own /metrics on this port (ops/metrics.py; unset or 0: none) and address.
PARLEY_WORKER_METRICS_PORT = int(env("PARLEY_WORKER_METRICS_PORT", default="") or 0)
PARLEY_WORKER_METRICS_ADDR = env("PARLEY_WORKER_METRICS_ADDR", default="127.0.0.1")
# "json": one JSON object a line (ops/logging.py), with the request id, or the task and its comment ids.
PARLEY_LOG_FORMAT = env("PARLEY_LOG_FORMAT", default="plain")
if PARLEY_LOG_FORMAT not in ("plain", "json"):
    raise environ.ImproperlyConfigured(f"PARLEY_LOG_FORMAT must be 'plain' or 'json', not {PARLEY_LOG_FORMAT!r}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "ops.logging.JsonFormatter"},
    },
    "filters": {"client_errors_on_one_line": {"()": "ops.logging.ClientErrorsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": PARLEY_LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own console handler (DEBUG only) printed each record a second time beside root's.
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"filters": ["client_errors_on_one_line"]},
        "django.db.backends": {"level": "INFO"},
        "axes": {"level": "WARNING"},
    },
}

# --- Commenters ------------------------------------------------------------------------------------

# How long after posting an author may edit or delete a comment (always while it waits for moderation).
PARLEY_EDIT_WINDOW_MINUTES = env.int("PARLEY_EDIT_WINDOW_MINUTES", default=15)
PARLEY_APPEAL_NOTE_MAX_LENGTH = 1000

# Notification emails (a reader opts in on /notifications/). Django's SMTP backend by default;
# `make run` sets the console backend, tests use the locmem one (mail.outbox).
# https://docs.djangoproject.com/en/stable/topics/email/#email-backends
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default="Parley <noreply@localhost>")
PARLEY_SITE_URL = env("PARLEY_SITE_URL", default="http://localhost:8000")
