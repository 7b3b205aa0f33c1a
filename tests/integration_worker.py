"""A real Celery worker, started as a subprocess against the real broker and the test database.

Used by tests marked `integration`: they commit for real (transactional_db), so the worker,
a separate process, sees what the test wrote. Nothing here is mocked.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
# This test run's own queue (config/settings/test.py; set on the app by tests/conftest.py before
# anything is published).
TEST_QUEUE = settings.CELERY_TASK_DEFAULT_QUEUE
# What the suite's real workers score with: the shipped default unless the run says otherwise.
WORKER_TOXICITY_MODEL = os.environ.get("PARLEY_TEST_TOXICITY_MODEL", "parley-minilm")


def stop_orphaned_workers() -> None:
    """Stop workers left by earlier test runs that died before their teardown (their pytest
    process is gone). They run in their own session so a Ctrl-C in pytest can't half-kill them."""
    for pidfile in (ROOT / "var").glob("test-worker-*.pid"):
        try:
            owner, worker_pid = (int(x) for x in pidfile.read_text().split())
        except ValueError:
            pidfile.unlink(missing_ok=True)
            continue
        if Path(f"/proc/{owner}").exists():
            continue
        try:
            os.killpg(worker_pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        pidfile.unlink(missing_ok=True)


def test_database_url() -> str:
    s = connection.settings_dict
    # The worker writes for real: make sure it is pointed at the test database, never a real one.
    assert "test" in s["NAME"], f"refusing to start a test worker on database {s['NAME']!r}"
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    user = s.get("USER") or "postgres"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{s['NAME']}"


class Worker:
    def __init__(self, *, extra_env: dict[str, str] | None = None, beat: bool = False, node: str | None = None):
        self.extra_env = extra_env or {}
        self.beat = beat
        self.node = node or f"test-{os.getpid()}@%h"  # distinct names for several workers at once
        self.proc: subprocess.Popen | None = None
        self.log_path = ROOT / "var" / f"test-worker-{os.getpid()}-{id(self)}.log"

    def start(self, *, purge: bool = True, wait_ready: float = 120.0) -> Worker:
        env = {
            **os.environ,
            # The settings this run reads (config.settings.test; pytest-django puts it in the
            # environment), with this run's test database. Not settings.SETTINGS_MODULE: under a
            # test's settings overrides that is None.
            "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "PARLEY_TOXICITY_MODEL": WORKER_TOXICITY_MODEL,
            "PYTHONUNBUFFERED": "1",
            "PARLEY_CELERY_QUEUE": TEST_QUEUE,
            **self.extra_env,
        }
        cmd = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
               "--loglevel=INFO", "--without-gossip", "--without-mingle", "-n", self.node]
        if purge:
            cmd.append("--purge")
        if self.beat:
            cmd += ["--beat", "--schedule", str(ROOT / "var" / f"test-beat-{os.getpid()}")]
        self.log_path.parent.mkdir(exist_ok=True)
        self._log = open(self.log_path, "w")
        stop_orphaned_workers()
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        self.pidfile = ROOT / "var" / f"test-worker-{self.proc.pid}.pid"
        self.pidfile.write_text(f"{os.getpid()} {self.proc.pid}")
        deadline = time.time() + wait_ready
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log()}")
            if "Classification models loaded and warm" in self.log():
                return self
            time.sleep(0.3)
        self.stop()  # never leave a half-started worker behind
        raise RuntimeError(f"worker not ready after {wait_ready}s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def child_pids(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if getattr(self, "_log", None):
            self._log.close()
        if getattr(self, "pidfile", None):
            self.pidfile.unlink(missing_ok=True)


def wait_until(predicate, *, timeout: float = 60.0, interval: float = 0.2, what: str = "condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
