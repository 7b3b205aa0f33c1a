"""Prometheus metrics: what the pipeline counts and times, and the registry `/metrics` serves.

The rest of Parley calls the small functions below (one line each, at the place the thing
happens); nothing else here is meant to be imported. Counters and histograms are recorded in the
process where the thing happened: a gunicorn worker for posts, decisions by moderators and rate
limit refusals; a Celery pool process for scoring, retries and automatic decisions.

Multiprocess: gunicorn and Celery's prefork pool run several processes, each counting its own.
With PROMETHEUS_MULTIPROC_DIR set (config/gunicorn.conf.py sets it for the web tier; the worker
gets its own directory, see docs/DEPLOYMENT.md) every process writes its values to files there
and a scrape adds them up (prometheus_client's multiprocess mode). Without it (runserver, tests,
a solo worker) the values live in this process's default registry.

The backlog gauges are not recorded anywhere: they are counted from the database when scraped.
"""
from __future__ import annotations

import os
from collections.abc import Iterable

from prometheus_client import REGISTRY as DEFAULT_REGISTRY
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # The metrics below write their files there as soon as they are defined.
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

# Scoring a batch of up to 32 comments takes tens of milliseconds to seconds depending on the model.
SCORING_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
# A reader's comment is decided within a second when the worker keeps up, hours when it does not.
DECIDED_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600, 4 * 3600, 24 * 3600)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128)

COMMENTS_POSTED = Counter("parley_comments_posted", "Comments stored by readers (pending until scored).")
COMMENTS_SCORED = Counter(
    "parley_comments_scored",
    "Comments scored by the worker, by the models that scored them.",
    ["toxicity_model", "toxicity_model_version", "stance_model", "stance_model_version"],
)
COMMENTS_DECIDED = Counter(
    "parley_comments_decided",
    "Status decisions, by the status the comment got and who decided (auto: the policy; moderator).",
    ["outcome", "by"],
)
MODERATOR_DECISIONS = Counter(
    "parley_moderator_decisions",
    "Moderators' actions on the review queue: approve, reject, escalate, and undo (an Undo on the card or "
    "a reversal from the audit log).",
    ["action"],
)
APPEALS = Counter(
    "parley_appeals", "Authors' appeals of rejected comments: opened, and decided as reinstated or upheld.", ["event"]
)
SCORING_SECONDS = Histogram(
    "parley_scoring_seconds",
    "Time one model took to score one batch of comments.",
    ["kind", "model", "model_version"],
    buckets=SCORING_BUCKETS,
)
SCORING_BATCH_SIZE = Histogram(
    "parley_scoring_batch_size", "Comments scored together in one batch.", buckets=BATCH_BUCKETS
)
POSTED_TO_DECIDED_SECONDS = Histogram(
    "parley_posted_to_decided_seconds",
    "From a comment's POST to its first decision (published, held, rejected or failed).",
    ["by"],
    buckets=DECIDED_BUCKETS,
)
CLASSIFICATION_RETRIES = Counter(
    "parley_classification_retries", "Scoring attempts that failed and were retried with backoff."
)
CLASSIFICATION_FAILURES = Counter(
    "parley_classification_failures",
    "Comments whose scoring failed for good (retries exhausted): they go to the Classification failed tab.",
)
RATE_LIMIT_REFUSALS = Counter(
    "parley_rate_limit_refusals", "Writes refused with 429 by the rate limiter.", ["scope"]
)


# --- The hooks: one call each, where the thing happens --------------------------------------------


def comment_posted() -> None:
    COMMENTS_POSTED.inc()


def comments_scored(*, models, n: int, toxicity_seconds: float, stance_seconds: float) -> None:
    """A batch of ``n`` comments scored by ``models`` (moderation.pipeline.scoring.Models)."""
    tox, stance = models.toxicity, models.stance
    COMMENTS_SCORED.labels(tox.name, tox.version, stance.name, stance.version).inc(n)
    SCORING_SECONDS.labels("toxicity", tox.name, tox.version).observe(toxicity_seconds)
    SCORING_SECONDS.labels("stance", stance.name, stance.version).observe(stance_seconds)
    SCORING_BATCH_SIZE.observe(n)


def comment_decided(*, comment, previous_status: str, actor=None) -> None:
    """``comment`` just got its new status (comment.status) from ``previous_status``."""
    by = "auto" if actor is None else "moderator"
    COMMENTS_DECIDED.labels(comment.status, by).inc()
    if previous_status == "pending" and comment.created_at is not None:
        from django.utils import timezone  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

        POSTED_TO_DECIDED_SECONDS.labels(by).observe(max(0.0, (timezone.now() - comment.created_at).total_seconds()))


def moderator_decided(*, action: str) -> None:
    MODERATOR_DECISIONS.labels(action).inc()


def appeal_event(*, event: str) -> None:
    APPEALS.labels(event).inc()


def classification_error(*, gave_up: bool) -> None:
    (CLASSIFICATION_FAILURES if gave_up else CLASSIFICATION_RETRIES).inc()


def rate_limited(*, scope: str) -> None:
    RATE_LIMIT_REFUSALS.labels(scope).inc()


# --- The scrape ------------------------------------------------------------------------------------


class BacklogCollector(Collector):
    """Gauges counted from the database (and the broker's Redis) at scrape time, in the scraping
    process only: what waits for the worker and what waits for a human, and the workers'
    heartbeat ages."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        from ops import selectors  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

        backlog = GaugeMetricFamily(
            "parley_backlog_comments",
            "Comments waiting: unscored (for the worker), held / failed / reported (for a moderator).",
            labels=["status"],
        )
        for status, n in selectors.backlog_counts().items():
            backlog.add_metric([status], n)
        yield backlog
        heartbeats = GaugeMetricFamily(
            "parley_worker_heartbeat_age_seconds",
            "Seconds since each worker consuming this queue last wrote its heartbeat.",
            labels=["node"],
        )
        try:
            for node, age in selectors.worker_heartbeat_ages().items():
                heartbeats.add_metric([node], age)
        except Exception:  # noqa: BLE001 - the broker being down must not break the whole scrape
            pass
        yield heartbeats


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or os.environ.get("prometheus_multiproc_dir")


def process_registry() -> CollectorRegistry:
    """Every process's recorded values: the files in PROMETHEUS_MULTIPROC_DIR when set, else this
    process's own registry."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return DEFAULT_REGISTRY


def scrape() -> bytes:
    """The web tier's /metrics body: recorded values plus the database-counted backlog."""
    registry = CollectorRegistry()
    source = process_registry()
    registry.register(_Forward(source))
    registry.register(BacklogCollector())
    return generate_latest(registry)


class _Forward(Collector):
    """Another registry's metrics inside this one (the default registry can't take the backlog
    collector: its queries would then run in any process that happened to scrape it)."""

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry

    def collect(self):
        return self.registry.collect()


def multiprocess_dir_wipe(path: str) -> None:
    """Empty a multiprocess directory before its process group starts: files left by an earlier
    run would be added to the new one's counts."""
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.unlink(os.path.join(path, name))


def process_dead(pid: int) -> None:
    """gunicorn's child_exit: drop a dead web process's live gauges (counters stay)."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(pid)


# --- The web endpoint ------------------------------------------------------------------------------

LOOPBACK_ADDRESSES = ("127.", "::1", "::ffff:127.")
FORWARDED_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


def scrape_allowed(request) -> bool:
    """Loopback, or `Authorization: Bearer $PARLEY_METRICS_TOKEN`.

    Loopback means the peer is 127.0.0.0/8 or ::1 *and* no proxy forwarded the request: behind a
    reverse proxy on the same box every request arrives from 127.0.0.1, so a forwarded one must
    show the token like any other outsider."""
    import hmac  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

    from django.conf import settings  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

    token = getattr(settings, "PARLEY_METRICS_TOKEN", "") or ""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, given = header.partition(" ")
    if token and scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
        return True
    peer = request.META.get("REMOTE_ADDR", "") or ""
    return peer.startswith(LOOPBACK_ADDRESSES) and not any(request.META.get(h) for h in FORWARDED_HEADERS)


def metrics_view(request):
    from django.http import HttpResponse, HttpResponseForbidden  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up
    from prometheus_client import CONTENT_TYPE_LATEST  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD"})
    if not scrape_allowed(request):
        return HttpResponseForbidden(
            "Metrics are served to loopback and to 'Authorization: Bearer <PARLEY_METRICS_TOKEN>'.\n",
            content_type="text/plain",
        )
    response = HttpResponse(scrape(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response


# --- The worker's endpoint -------------------------------------------------------------------------

from celery import bootsteps  # noqa: E402 - kept beside the step that needs it


class WorkerMetricsServer(bootsteps.StartStopStep):
    """Celery worker bootstep: serve the worker's metrics (scoring counts and latencies, automatic
    decisions, retries) at http://PARLEY_WORKER_METRICS_ADDR:PARLEY_WORKER_METRICS_PORT/metrics
    when that port is set. The pool processes write to PROMETHEUS_MULTIPROC_DIR (required with
    the prefork pool), which is emptied here before the pool starts."""

    def __init__(self, worker, **kwargs):
        from django.conf import settings  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

        super().__init__(worker, **kwargs)
        self.server = None
        self.port = settings.PARLEY_WORKER_METRICS_PORT
        self.addr = settings.PARLEY_WORKER_METRICS_ADDR
        if self.port and multiprocess_dir():
            multiprocess_dir_wipe(multiprocess_dir())

    def start(self, worker):
        import logging  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

        from prometheus_client import start_http_server  # noqa: PLC0415 - gunicorn and Celery import ops.metrics before Django is set up

        if not self.port:
            return
        if not multiprocess_dir():
            logging.getLogger(__name__).error(
                "PARLEY_WORKER_METRICS_PORT is set but PROMETHEUS_MULTIPROC_DIR is not: the pool's "
                "processes could not report; the worker serves no metrics")
            return
        self.server, _thread = start_http_server(self.port, addr=self.addr, registry=process_registry())
        logging.getLogger(__name__).info("Worker metrics on http://%s:%s/metrics", self.addr, self.port)

    def stop(self, worker):
        if self.server is not None:
            self.server.shutdown()
            self.server = None

    shutdown = stop
