"""Ingest: post comments at a fixed rate for a bounded time, then wait for the worker to drain.

    python bench/ingest.py [--rate 200] [--seconds 60] [--clients 16] [--drain-timeout 600]
                           [--web gunicorn|runserver] [--worker-nice 10] [--worker-after]
                           [--baseline DIR] [--profile]

Own stack (bench/_stack.py: database parley_bench_ingest, gunicorn as config/gunicorn.conf.py
deploys it (or runserver), one prefork Celery worker with concurrency 1 on queue bench-<pid>-<port>,
Redis database 13), localhost only. Comment i is due at
t0 + i/rate; ``--clients`` threads take the next due slot (open loop: a slow server makes the
achieved rate drop, it does not make requests pile up without bound). Reports accepted (201),
refused/failed, labelled (an Analysis and a decided status), lost (answered 201 but not stored:
must be 0), stored but still unlabelled when the drain timeout ran out (must be 0 too; the exit
code is 1 otherwise), the backlog drain time after posting stops, and the CPU each accepted POST
cost the web server, its PostgreSQL backends and Redis (bench/_cpu.py).

``--baseline DIR`` runs a second, complete stack from another checkout of Parley (with its own
``.venv``; database parley_bench_ingest_baseline, the next port, Redis database 12) *at the same
time*, posting at the same rate: this box's CPU cost per POST drifts by ±15 % between runs of one
commit, so a before/after is only fair when both see the same box. The table then has a column
each and their ratio.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import _stack  # noqa: E402
from bench._common import corpus, pct, report, table  # noqa: E402
from bench._cpu import CpuMeter  # noqa: E402
from bench._stack import Stack  # noqa: E402

REDIS_PORT = urlsplit(_stack.REDIS_BASE).port or 6379


class Side:
    """One stack, its posting and what it counted."""

    def __init__(self, name: str, stack: Stack):
        self.name, self.stack = name, stack
        self.accepted: list[int] = []
        self.refused: dict[str, int] = {}
        self.post_ms: list[float] = []
        self.late_ms: list[float] = []
        self.lock = threading.Lock()
        self.next = 0
        self.cpu: dict[str, float] = {}
        self.counts: dict[str, object] = {}

    def start(self, args) -> None:
        stack = self.stack
        stack.env.update(PARLEY_WEB_WORKERS=str(args.web_workers), PARLEY_WEB_THREADS=str(args.web_threads))
        stack.create_db()
        if not args.worker_after:
            stack.start_worker()
        stack.start_web()
        stack.post_comment("warm-up")
        self.meter_db = stack.db()
        self.meter = CpuMeter(web_pid=stack.web.pid, db=self.meter_db, db_name=stack.db_name, redis_port=REDIS_PORT)

    def _client(self, texts: list[str], total: int, rate: float, t0: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=30)
        while True:
            with self.lock:
                i = self.next
                if i >= total:
                    break
                self.next += 1
            due = t0 + i / rate
            now = time.perf_counter()
            if due > now:
                time.sleep(due - now)
            else:
                self.late_ms.append((now - due) * 1000)
            start = time.perf_counter()
            try:
                status, cid = self.stack.post_comment(texts[i % len(texts)], conn)
            except (http.client.HTTPException, OSError) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.stack.port, timeout=30)
                with self.lock:
                    self.refused[type(exc).__name__] = self.refused.get(type(exc).__name__, 0) + 1
                continue
            with self.lock:
                self.post_ms.append((time.perf_counter() - start) * 1000)
                if status == 201 and cid:
                    self.accepted.append(cid)
                else:
                    self.refused[str(status)] = self.refused.get(str(status), 0) + 1
        conn.close()

    def clients(self, args, texts: list[str], total: int, t0: float) -> list[threading.Thread]:
        return [threading.Thread(target=self._client, args=(texts, total, args.rate, t0), daemon=True)
                for _ in range(args.clients)]

    def labelled(self, db) -> int:
        return db.execute("SELECT count(*) FROM blog_comment c JOIN moderation_analysis a ON a.comment_id = c.id "
                          "WHERE c.id = ANY(%s) AND c.status <> 'pending'", (self.accepted,)).fetchone()[0]

    def count(self, db, labelled: int, backlog: int, drain_s: float, post_window: float) -> None:
        ids = self.accepted
        stored = db.execute("SELECT count(*) FROM blog_comment WHERE id = ANY(%s)", (ids,)).fetchone()[0]
        failed = db.execute("SELECT count(*) FROM blog_comment WHERE id = ANY(%s) AND status = 'failed'",
                            (ids,)).fetchone()[0]
        batches = db.execute("SELECT avg(batch_size), max(batch_size) FROM moderation_analysis a "
                             "WHERE a.comment_id = ANY(%s)", (ids,)).fetchone()
        self.counts = {"stored": stored, "failed": failed, "labelled": labelled, "backlog": backlog,
                       "drain_s": drain_s, "post_window": post_window, "batches": batches,
                       "lost": len(ids) - stored, "unlabelled": stored - labelled}

    def cpu_ms(self) -> float:
        return 1000 * sum(self.cpu.values()) / max(1, len(self.accepted))


def _drain(sides: list[Side], timeout: float, t_posted: float, post_window: float) -> None:
    dbs = {side.name: side.stack.db() for side in sides}
    backlog: dict[str, int] = {}
    done: dict[str, tuple[int, float]] = {}
    while len(done) < len(sides):
        for side in sides:
            if side.name in done:
                continue
            labelled = side.labelled(dbs[side.name])
            backlog.setdefault(side.name, len(side.accepted) - labelled)
            if labelled >= len(side.accepted) or time.perf_counter() - t_posted > timeout:
                done[side.name] = (labelled, time.perf_counter() - t_posted)
        time.sleep(0.1)
    for side in sides:
        labelled, drain_s = done[side.name]
        side.count(dbs[side.name], labelled, backlog[side.name], drain_s, post_window)
        dbs[side.name].close()


def _rows(side: Side, args, total: int) -> list[list]:
    c, ids = side.counts, side.accepted
    return [
        ["offered", total, f"{args.rate:.0f}/s for {args.seconds:.0f} s"],
        ["accepted (201)", len(ids), f"{len(ids) / c['post_window']:.1f}/s achieved over {c['post_window']:.1f} s"],
        ["refused / errors", sum(side.refused.values()), str(side.refused or "none")],
        ["POST latency p50 / p95 ms", "", f"{pct(side.post_ms, .5):.0f} / {pct(side.post_ms, .95):.0f}"],
        ["CPU ms per accepted POST", f"{side.cpu_ms():.2f}",
         "web {:.2f} + database {:.2f} + Redis {:.2f} (their processes' CPU counters while posting)".format(
             *(1000 * side.cpu[k] / max(1, len(ids)) for k in ("web", "database", "redis")))],
        ["labelled and decided", c["labelled"], f"{c['failed']} of them 'classification failed'"],
        ["lost (201 answered, not stored)", c["lost"], "must be 0"],
        ["stored but not labelled", c["unlabelled"],
         f"when the {args.drain_timeout:.0f} s drain timeout ran out (0: none left)"],
        ["backlog when posting stopped", c["backlog"], ""],
        ["backlog drain time", f"{c['drain_s']:.1f} s",
         f"worker throughput ≈ {c['labelled'] / (c['post_window'] + c['drain_s']):.1f} comments/s"],
        ["worker batch size avg / max", f"{c['batches'][0] or 0:.1f} / {c['batches'][1] or 0}",
         "comments per claimed batch"],
    ]


def _body(sides: list[Side], args, total: int) -> str:
    if len(sides) == 1:
        return table(["measure", "value", "detail"], _rows(sides[0], args, total))
    this, base = (_rows(side, args, total) for side in sides)
    def cell(row):
        return f"{row[1]} ({row[2]})" if row[1] != "" and row[2] else str(row[1]) if row[1] != "" else row[2]

    rows = [[a[0], cell(a), cell(b)] for a, b in zip(this, base)]
    ratio = sides[0].cpu_ms() / max(1e-9, sides[1].cpu_ms())
    rows.append(["CPU per POST, this checkout / baseline", f"{ratio:.3f} ({100 * (ratio - 1):+.1f} %)", ""])
    return table(["measure", "this checkout", f"baseline ({sides[1].stack.root})"], rows)


def _notes(sides: list[Side], args) -> list[str]:
    web = (f"gunicorn (config/gunicorn.conf.py: {args.web_workers} processes x {args.web_threads} threads, "
           "persistent DB connections)" if args.web == "gunicorn" else "Django runserver (threaded, a DB connection a request)")
    both = (" Both stacks posted at the same time, each at the rate above, on the same box; their two workers then"
            " drained side by side, so the drain rows are not one stack's alone." if len(sides) > 1 else "")
    late = ", ".join(f"{len(side.late_ms)} ({side.name})" for side in sides)
    return [f"{args.clients} client threads a stack, open loop; localhost; {web}, DEBUG off; one prefork "
            f"Celery worker (concurrency 1, nice {args.worker_nice}), parley-minilm + minilm-stance-xenc; the load "
            "generator, web server, worker and PostgreSQL share the box's CPUs"
            + (" (the worker started only once posting stopped: --worker-after)." if args.worker_after else ".") + both,
            f"Requests sent late (all client threads busy): {late}; the achieved rate is the server's, not the "
            "generator's, limit only if that count is large.",
            "CPU per POST: user+system time of the web server's processes, of the PostgreSQL backends serving its "
            "connections and of the Redis server, over the posting window, divided by the POSTs accepted "
            "(bench/_cpu.py); the worker's scoring is not in it. "
            + ("Redis is one server for both stacks: each Redis column includes the other's work." if len(sides) > 1
               else "Redis is the box's shared server: its column includes other clients' work." if REDIS_PORT == 6379
               else "Redis: this run's own server."),
            "Target: 200 comments/s accepted, 0 lost."]


@contextlib.contextmanager
def _profiled(stack: Stack, args):
    """py-spy on this checkout's web server around the posting, when asked."""
    if not args.profile:
        yield
        return
    import signal

    from bench import _profile

    raw = stack.logs["web"].with_suffix(".pyspy.txt")
    profiler = _profile.start(stack.web.pid, raw, seconds=int(args.seconds) + 30)
    yield
    if profiler is not None:
        profiler.send_signal(signal.SIGINT)
        profiler.wait(timeout=60)
        print(f"py-spy, web server ({args.web}) while posting:\n" + _profile.summary(raw, top=15))


def _post(sides: list[Side], args, texts: list[str], total: int) -> tuple[float, float]:
    """Every side's clients at once; each side's CPU counters over the window. (t0, when posting ended)."""
    for side in sides:
        side.meter.begin()
    t0 = time.perf_counter() + 0.5
    threads = [t for side in sides for t in side.clients(args, texts, total, t0)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    t_posted = time.perf_counter()
    for side in sides:
        side.cpu = side.meter.end()  # before the drain: the web side's cost of taking the POSTs
        side.meter_db.close()
    return t0, t_posted


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=200.0, help="comments per second offered (to each stack)")
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--drain-timeout", type=float, default=1800.0)
    p.add_argument("--web", choices=["gunicorn", "runserver"], default="gunicorn")
    p.add_argument("--web-workers", type=int, default=2, help="gunicorn processes (PARLEY_WEB_WORKERS)")
    p.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn process (PARLEY_WEB_THREADS)")
    p.add_argument("--worker-nice", type=int, default=10,
                   help="the Celery worker's nice value: on one shared box, readers' POSTs win the CPU over scoring")
    p.add_argument("--worker-idle", action="store_true",
                   help="run the Celery worker under SCHED_IDLE (chrt -i 0): it scores only on CPU the web tier leaves")
    p.add_argument("--worker-after", action="store_true",
                   help="start the Celery worker only once posting stops: the CPU per POST is then measured "
                        "without the worker's scoring on the same cores")
    p.add_argument("--baseline", type=Path,
                   help="another checkout of Parley (with its .venv): its own stack posts at the same time")
    p.add_argument("--profile", action="store_true", help="sample this checkout's web server with py-spy while posting")
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 < args.rate <= 2000):
        p.error("bounded: --seconds in (0, 600], --rate in (0, 2000]")
    if args.baseline is not None and not (args.baseline / ".venv" / "bin" / "python").exists():
        p.error(f"--baseline {args.baseline}: no .venv/bin/python there (run `make install` in it, or link this one's)")
    total = int(args.rate * args.seconds)
    texts = corpus(min(total, 5000), seed=5)
    options = {"web_server": args.web, "worker_nice": args.worker_nice, "worker_idle": args.worker_idle}
    sides = [Side("this checkout", Stack("parley_bench_ingest", **options))]
    if args.baseline is not None:
        sides.append(Side("baseline", Stack("parley_bench_ingest_baseline", port=sides[0].stack.port + 1,
                                            root=args.baseline, redis_db=_stack.REDIS_DB - 1, **options)))

    with contextlib.ExitStack() as running:
        for side in sides:
            running.enter_context(side.stack)
            side.start(args)
        with _profiled(sides[0].stack, args):
            t0, t_posted = _post(sides, args, texts, total)
        if args.worker_after:
            for side in sides:
                side.stack.start_worker(purge=False)  # the posts' messages are its backlog
        _drain(sides, args.drain_timeout, t_posted, t_posted - t0)

    report(f"Ingest at {args.rate:.0f} comments/s offered (bench/ingest.py)", _body(sides, args, total),
           _notes(sides, args), write=not args.no_write)
    return 0 if all(side.counts["lost"] == 0 and side.counts["unlabelled"] == 0 for side in sides) else 1


if __name__ == "__main__":
    raise SystemExit(main())
