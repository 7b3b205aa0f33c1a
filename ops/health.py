"""Health for load balancers and orchestrators: `/healthz`, `/readyz`, and the worker heartbeat
that readiness reads.

- `/healthz` (liveness): the process answers. Touches neither the database nor the broker, so a
  database outage never gets every web process restarted.
- `/readyz` (readiness): the database answers, every migration on disk is applied, the broker's
  Redis answers, and a worker consuming our queue wrote its heartbeat in the last
  PARLEY_WORKER_HEARTBEAT_MAX_AGE seconds (60). 200 when all hold; 503 naming what failed.
  Each check's detail only for loopback or the metrics token (ops.metrics.scrape_allowed).

The heartbeat: each Celery worker's main process (the `WorkerHeartbeat` bootstep, added in
config/celery.py) writes the time into a Redis key on the broker every
PARLEY_WORKER_HEARTBEAT_SECONDS (15), with a TTL, and deletes it on a clean shutdown. It runs on
the worker's event loop beside its pool, so a worker busy draining a backlog still beats; one
that is stopped, hung or cut off from Redis does not.
"""
from __future__ import annotations

import logging
import time

from celery import bootsteps
from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from ops import selectors
from ops.metrics import scrape_allowed
from ops.selectors import broker_client, celery_queue

logger = logging.getLogger(__name__)


def heartbeat_interval() -> float:
    return float(settings.PARLEY_WORKER_HEARTBEAT_SECONDS)


def heartbeat_max_age() -> float:
    return float(settings.PARLEY_WORKER_HEARTBEAT_MAX_AGE)


def worker_heartbeat_write(*, node: str, queue: str, client=None, at: float | None = None) -> None:
    """Record that worker ``node`` (consuming ``queue``) is alive at ``at`` (now by default). The
    key outlives a few missed beats, then expires: a dead worker's entry goes away by itself."""
    client = client or broker_client()
    ttl = max(int(heartbeat_max_age() * 2), int(heartbeat_interval() * 4))
    client.set(selectors.heartbeat_key(queue=queue, node=node), repr(time.time() if at is None else at), ex=ttl)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Celery worker bootstep: beat at start, every heartbeat_interval() seconds, and say goodbye
    at a clean stop."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker, **kwargs):
        super().__init__(worker, **kwargs)
        self.tref = None
        self.client = None

    def start(self, worker):
        self.client = broker_client()
        self.queue = celery_queue()
        self._beat(worker)
        self.tref = worker.timer.call_repeatedly(heartbeat_interval(), self._beat, (worker,), priority=10)

    def _beat(self, worker):
        try:
            worker_heartbeat_write(node=worker.hostname, queue=self.queue, client=self.client)
        except Exception as exc:  # noqa: BLE001 - the broker is down: readiness will say so
            logger.warning("Worker heartbeat not written: %r", exc)

    def stop(self, worker):
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None
        try:
            if self.client is not None:
                self.client.delete(selectors.heartbeat_key(queue=self.queue, node=worker.hostname))
        except Exception:  # noqa: BLE001 - it will expire by itself
            pass

    shutdown = stop


# --- Readiness checks: each returns a dict with "ok" and what an operator needs to know ---------


def check_database() -> dict:
    from django.db import connection  # noqa: PLC0415 - read at probe time (gunicorn and Celery import ops before Django is set up)

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means the same: not ready
        return {"ok": False, "error": _short(exc)}
    return {"ok": True, "vendor": connection.vendor}


_migrations_on_disk: set[tuple[str, str]] | None = None


def check_migrations() -> dict:
    """Every migration the code ships is recorded as applied (the disk side is read once per
    process: it changes only with a deploy, which starts new processes)."""
    global _migrations_on_disk
    from django.db import connection  # noqa: PLC0415 - read at probe time (gunicorn and Celery import ops before Django is set up)
    from django.db.migrations.loader import MigrationLoader  # noqa: PLC0415 - read at probe time (gunicorn and Celery import ops before Django is set up)
    from django.db.migrations.recorder import MigrationRecorder  # noqa: PLC0415 - read at probe time (gunicorn and Celery import ops before Django is set up)

    try:
        if _migrations_on_disk is None:
            _migrations_on_disk = set(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)
        applied = set(MigrationRecorder(connection).applied_migrations())
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": _short(exc)}
    missing = sorted(_migrations_on_disk - applied)
    if missing:
        names = ", ".join(f"{app}.{name}" for app, name in missing[:5])
        return {"ok": False, "error": f"{len(missing)} migration(s) not applied: {names}{', ...' if len(missing) > 5 else ''}"}
    return {"ok": True}


def check_broker() -> dict:
    try:
        broker_client().ping()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": _short(exc)}
    return {"ok": True}


def check_worker() -> dict:
    max_age = heartbeat_max_age()
    try:
        ages = selectors.worker_heartbeat_ages()
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "error": f"heartbeats unreadable: {_short(exc)}"}
    fresh = {node: round(age, 1) for node, age in ages.items() if age < max_age}
    if not fresh:
        seen = f"last heartbeat {min(ages.values()):.0f} s ago" if ages else "no heartbeat"
        return {"ok": False, "error": f"no worker heartbeat on queue {celery_queue()!r} in the last {max_age:.0f} s ({seen})"}
    return {"ok": True, "workers": fresh}


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ''}".rstrip(": ")


# --- Views -----------------------------------------------------------------------------------------


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


SKIPPABLE = ("worker",)


@never_cache
@require_GET
def readyz(request):
    """``?skip=worker`` leaves the heartbeat out: for a load balancer, whose readiness failing on
    every web process at once (the worker is down) would take the whole site out, while readers
    can still post (their comments wait, pending) and moderators still work the queue."""
    skip = {name for name in request.GET.get("skip", "").split(",") if name}
    if skip - set(SKIPPABLE):
        unknown = ", ".join(sorted(skip - set(SKIPPABLE)))
        return JsonResponse({"skip": [f"Only {', '.join(SKIPPABLE)} may be skipped, not {unknown}."]}, status=400)
    checks = {"database": check_database()}
    checks["migrations"] = check_migrations() if checks["database"]["ok"] else {"ok": False, "error": "database unreachable"}
    checks["broker"] = check_broker()
    if "worker" in skip:
        checks["worker"] = {"ok": True, "skipped": True}
    else:
        checks["worker"] = check_worker() if checks["broker"]["ok"] else {"ok": False, "error": "broker unreachable"}
    failed = [name for name, result in checks.items() if not result["ok"]]
    if failed:
        logger.warning("Not ready: %s", "; ".join(f"{n}: {checks[n]['error']}" for n in failed))
    body = {"status": "not ready" if failed else "ready", "failed": failed}
    # The detail (database vendor, the workers' host names, error texts) is for operators only:
    # loopback or the metrics token, the rule /metrics uses. Others, a load balancer
    # included, need the status and the names of the failing checks.
    if scrape_allowed(request):
        body["checks"] = checks
    return JsonResponse(body, status=503 if failed else 200)
