"""A real Parley stack for the end-to-end and ingest benchmarks: its own PostgreSQL database, a
web server (gunicorn as config/gunicorn.conf.py deploys it, or Django's runserver), a Celery worker
on its own queue (bench-<pid>) and Redis database, all started here and all stopped here."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench._common import BENCH_VAR, ROOT

PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_BASE = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "13"))


def _admin():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


class Stack:
    def __init__(self, db_name: str, *, port: int = 8765, toxicity_model: str = "parley-minilm",
                 worker_concurrency: int = 1, web_server: str = "gunicorn", worker_nice: int = 0,
                 worker_idle: bool = False, root: Path = ROOT, redis_db: int | None = None):
        """``root``: the checkout whose code runs (another one runs with its own ``.venv``: a before/after)."""
        assert db_name.startswith("parley_bench"), "only parley_bench* databases are created or dropped here"
        self.root = Path(root).resolve()
        self.python = sys.executable if self.root == ROOT else str(self.root / ".venv" / "bin" / "python")
        # BENCH_DB_SUFFIX / BENCH_PORT: two checkouts benchmarking on one box never drop each other's database.
        self.db_name = db_name + os.environ.get("BENCH_DB_SUFFIX", "")
        self.port = int(os.environ.get("BENCH_PORT", port))
        self.queue = f"bench-{os.getpid()}-{self.port}"
        self.redis_db = REDIS_DB if redis_db is None else redis_db
        self.procs: list[subprocess.Popen] = []
        self.logs: dict[str, Path] = {}
        self.worker_concurrency = worker_concurrency
        self.web_server = web_server
        self.worker_nice = worker_nice
        self.worker_idle = worker_idle
        self.env = {
            **os.environ,
            "DATABASE_URL": f"{PG}/{self.db_name}",
            "REDIS_URL": f"{REDIS_BASE}/{self.redis_db}",
            "PARLEY_CELERY_QUEUE": self.queue,
            "PARLEY_TOXICITY_MODEL": toxicity_model,
            "PARLEY_CACHE": "locmem",  # rate-limit counters in process: never touch a shared Redis cache
            "PARLEY_RATE_COMMENTS_USER": "1000000/min",  # the bench posts far faster than a reader may
            "PARLEY_RATE_COMMENTS_IP": "1000000/min",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "PYTHONUNBUFFERED": "1",
        }

    # ------------------------------------------------------------------ database
    def create_db(self) -> None:
        with _admin() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{self.db_name}"')
        subprocess.run([self.python, "manage.py", "migrate", "-v", "0"], cwd=self.root, env=self.env, check=True)
        setup = (
            "import django; django.setup()\n"
            "from django.contrib.auth import get_user_model\n"
            "from rest_framework.authtoken.models import Token\n"
            "from blog.models import Article\n"
            "u = get_user_model().objects.create_user('bench_reader', password='bench-reader-pass-1')\n"
            "a = Article.objects.create(title='Make drivers pay to enter the city centre at rush hour', "
            "slug='bench-article', author=u, body='Para.', "
            "stance_claim='Cities should charge drivers a fee to enter their centres at busy times.')\n"
            "print(Token.objects.create(user=u).key)\n"
        )
        out = subprocess.run([self.python, "-c", setup], cwd=self.root, env=self.env, check=True, capture_output=True,
                             text=True).stdout
        self.token = out.strip().splitlines()[-1]
        self.slug = "bench-article"

    def drop_db(self) -> None:
        with _admin() as c:
            c.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    def db(self):
        import psycopg

        return psycopg.connect(f"{PG}/{self.db_name}", autocommit=True)

    # ------------------------------------------------------------------ processes
    def _start(self, name: str, cmd: list[str]) -> subprocess.Popen:
        BENCH_VAR.mkdir(parents=True, exist_ok=True)
        log = BENCH_VAR / f"{name}-{os.getpid()}-{self.port}.log"
        self.logs[name] = log
        proc = subprocess.Popen(cmd, cwd=self.root, env=self.env, stdout=open(log, "w"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs.append(proc)
        return proc

    def start_worker(self, wait: float = 180.0, *, purge: bool = True) -> subprocess.Popen:
        """``purge=False`` keeps what was queued before it started (ingest's --worker-after)."""
        # nice: on a box shared with the web tier, readers' requests win the CPU over scoring.
        # SCHED_IDLE (chrt -i): scoring runs only on CPU time the web tier leaves idle.
        nice = ["nice", "-n", str(self.worker_nice)] if self.worker_nice else []
        if self.worker_idle:
            nice = ["chrt", "-i", "0", *nice]
        self.worker = self._start("worker", [
            *nice, self.python, "-m", "celery", "-A", "config", "worker", "--pool=prefork",
            f"--concurrency={self.worker_concurrency}", "--loglevel=INFO", "--without-gossip", "--without-mingle",
            "--without-heartbeat", *(["--purge"] if purge else []), "-n", f"{self.queue}@%h"])
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.worker.poll() is not None:
                raise RuntimeError("worker exited:\n" + self.logs["worker"].read_text()[-3000:])
            if self.logs["worker"].read_text(errors="replace").count("Classification models loaded and warm") \
                    >= self.worker_concurrency:
                return self.worker
            time.sleep(0.3)
        raise RuntimeError("worker not ready:\n" + self.logs["worker"].read_text()[-3000:])

    def start_web(self, wait: float = 60.0) -> subprocess.Popen:
        if self.web_server == "gunicorn":
            cmd = [self.python, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", "--bind",
                   f"127.0.0.1:{self.port}", "config.wsgi"]
        else:
            cmd = [self.python, "manage.py", "runserver", f"127.0.0.1:{self.port}", "--noreload"]
        self.web = self._start("web", cmd)
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.web.poll() is not None:
                raise RuntimeError("web server exited:\n" + self.logs["web"].read_text()[-3000:])
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/articles/", timeout=2).read()
                return self.web
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("web server not ready:\n" + self.logs["web"].read_text()[-3000:])

    def post_comment(self, text: str, conn=None) -> tuple[int, int | None]:
        """(HTTP status, comment id) for one POST through the real API."""
        import http.client

        own = conn is None
        conn = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = json.dumps({"text": text})
        conn.request("POST", f"/api/articles/{self.slug}/comments/", body=body,
                     headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}"})
        resp = conn.getresponse()
        data = resp.read()
        if own:
            conn.close()
        cid = None
        if resp.status == 201:
            try:
                cid = json.loads(data).get("id")
            except ValueError:
                pass
        return resp.status, cid

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
        self.procs.clear()
        self._forget_queue()

    def _forget_queue(self) -> None:
        """Remove this run's queue and kombu's bindings for it from the bench's Redis database."""
        import redis

        try:
            client = redis.Redis.from_url(f"{REDIS_BASE}/{self.redis_db}", socket_timeout=2)
            keys = [k for pattern in (self.queue, f"_kombu.binding*.{self.queue}") for k in client.keys(pattern)]
            if keys:
                client.delete(*keys)
        except redis.RedisError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        self.drop_db()
