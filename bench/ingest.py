"""Ingest: post comments at a fixed rate for a bounded time, then wait for the worker to drain.

    python bench/ingest.py [--rate 200] [--seconds 60] [--clients 16] [--drain-timeout 600]
                           [--web gunicorn|runserver] [--worker-nice 10]

Own stack (bench/_stack.py: database parley_bench_ingest, gunicorn as config/gunicorn.conf.py
deploys it (or runserver), one prefork Celery worker with concurrency 1 on queue bench-<pid>,
Redis database 13), localhost only. Comment i is due at
t0 + i/rate; ``--clients`` threads take the next due slot (open loop: a slow server makes the
achieved rate drop, it does not make requests pile up without bound). Reports accepted (201),
refused/failed, labelled (an Analysis and a decided status), lost (answered 201 but not stored:
must be 0), stored but still unlabelled when the drain timeout ran out (must be 0 too; the exit
code is 1 otherwise), and the backlog drain time after posting stops.
"""
from __future__ import annotations

import argparse
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


def main(argv=None) -> int:  # noqa: C901 - one story, read top to bottom; split when it grows
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=200.0, help="comments per second offered")
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
                        "without the worker's scoring on the same cores (alternating before/after runs stay comparable)")
    p.add_argument("--profile", action="store_true", help="sample the web server with py-spy while posting")
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    if not (0 < args.seconds <= 600 and 0 < args.rate <= 2000):
        p.error("bounded: --seconds in (0, 600], --rate in (0, 2000]")
    total = int(args.rate * args.seconds)
    texts = corpus(min(total, 5000), seed=5)
    lock = threading.Lock()
    state = {"next": 0, "late_ms": []}
    accepted: list[int] = []
    refused: dict[str, int] = {}
    post_ms: list[float] = []

    with Stack("parley_bench_ingest", web_server=args.web, worker_nice=args.worker_nice,
               worker_idle=args.worker_idle) as stack:
        stack.env.update(PARLEY_WEB_WORKERS=str(args.web_workers), PARLEY_WEB_THREADS=str(args.web_threads))
        stack.create_db()
        if not args.worker_after:
            stack.start_worker()
        stack.start_web()
        stack.post_comment("warm-up")
        meter_db = stack.db()
        meter = CpuMeter(web_pid=stack.web.pid, db=meter_db, db_name=stack.db_name,
                         redis_port=urlsplit(_stack.REDIS_BASE).port or 6379)
        meter.begin()
        profiler = None
        if args.profile:
            from bench import _profile

            raw = stack.logs["web"].with_suffix(".pyspy.txt")
            profiler = _profile.start(stack.web.pid, raw, seconds=int(args.seconds) + 30)
        t0 = time.perf_counter() + 0.5

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
            while True:
                with lock:
                    i = state["next"]
                    if i >= total:
                        break
                    state["next"] += 1
                due = t0 + i / args.rate
                now = time.perf_counter()
                if due > now:
                    time.sleep(due - now)
                else:
                    state["late_ms"].append((now - due) * 1000)
                start = time.perf_counter()
                try:
                    status, cid = stack.post_comment(texts[i % len(texts)], conn)
                except (http.client.HTTPException, OSError) as exc:
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
                    with lock:
                        refused[type(exc).__name__] = refused.get(type(exc).__name__, 0) + 1
                    continue
                with lock:
                    post_ms.append((time.perf_counter() - start) * 1000)
                    if status == 201 and cid:
                        accepted.append(cid)
                    else:
                        refused[str(status)] = refused.get(str(status), 0) + 1
            conn.close()

        threads = [threading.Thread(target=client, daemon=True) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        t_posted = time.perf_counter()
        post_window = t_posted - t0
        cpu = meter.end()  # before the drain: the web side's cost of taking the POSTs
        meter_db.close()
        if args.worker_after:
            stack.start_worker()
        if profiler is not None:
            import signal

            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
            print(f"py-spy, web server ({args.web}) while posting:\n" + _profile.summary(raw, top=15))
        db = stack.db()
        ids = list(accepted)
        labelled = 0
        backlog_at_end = None
        while True:
            labelled = db.execute(
                "SELECT count(*) FROM blog_comment c JOIN moderation_analysis a ON a.comment_id = c.id "
                "WHERE c.id = ANY(%s) AND c.status <> 'pending'", (ids,)).fetchone()[0]
            if backlog_at_end is None:
                backlog_at_end = len(ids) - labelled
            if labelled >= len(ids) or time.perf_counter() - t_posted > args.drain_timeout:
                break
            time.sleep(0.1)
        drain_s = time.perf_counter() - t_posted
        stored = db.execute("SELECT count(*) FROM blog_comment WHERE id = ANY(%s)", (ids,)).fetchone()[0]
        failed = db.execute("SELECT count(*) FROM blog_comment WHERE id = ANY(%s) AND status = 'failed'",
                            (ids,)).fetchone()[0]
        batches = db.execute("SELECT avg(batch_size), max(batch_size) FROM moderation_analysis a "
                             "WHERE a.comment_id = ANY(%s)", (ids,)).fetchone()
        db.close()
    lost = len(ids) - stored  # answered 201 but not in the database
    unlabelled = stored - labelled  # stored, still waiting when the drain timeout ran out
    rows = [
        ["offered", total, f"{args.rate:.0f}/s for {args.seconds:.0f} s"],
        ["accepted (201)", len(ids), f"{len(ids) / post_window:.1f}/s achieved over {post_window:.1f} s"],
        ["refused / errors", sum(refused.values()), str(refused or "none")],
        ["POST latency p50 / p95 ms", "", f"{pct(post_ms, .5):.0f} / {pct(post_ms, .95):.0f}"],
        ["CPU ms per accepted POST", f"{1000 * sum(cpu.values()) / max(1, len(ids)):.2f}",
         "web {:.2f} + database {:.2f} + Redis {:.2f} (their processes' CPU counters while posting)".format(
             *(1000 * cpu[k] / max(1, len(ids)) for k in ("web", "database", "redis")))],
        ["labelled and decided", labelled, f"{failed} of them 'classification failed'"],
        ["lost (201 answered, not stored)", lost, "must be 0"],
        ["stored but not labelled", unlabelled, f"when the {args.drain_timeout:.0f} s drain timeout ran out (0: none left)"],
        ["backlog when posting stopped", backlog_at_end, ""],
        ["backlog drain time", f"{drain_s:.1f} s", f"worker throughput ≈ {labelled / (post_window + drain_s):.1f} comments/s"],
        ["worker batch size avg / max", f"{batches[0] or 0:.1f} / {batches[1] or 0}", "comments per claimed batch"],
    ]
    web = (f"gunicorn (config/gunicorn.conf.py: {args.web_workers} processes x {args.web_threads} threads, "
           "persistent DB connections)" if args.web == "gunicorn" else "Django runserver (threaded, a DB connection a request)")
    notes = [f"{args.clients} client threads, open loop; localhost; {web}, DEBUG off; one prefork "
             f"Celery worker (concurrency 1, nice {args.worker_nice}), parley-minilm + minilm-stance-xenc; the load "
             "generator, web server, worker and PostgreSQL share the box's CPUs"
             + (" (the worker started only once posting stopped: --worker-after)." if args.worker_after else "."),
             f"{len(state['late_ms'])} requests were sent late (all client threads busy): the achieved rate is the "
             "server's, not the generator's, limit only if that count is large.",
             "CPU per POST: user+system time of the web server's processes, of the PostgreSQL backends serving its "
             "connections and of the Redis server, over the posting window, divided by the POSTs accepted "
             "(bench/_cpu.py); the worker's scoring is not in it. "
             + ("Redis is the box's shared server: its column includes other clients' work."
                if (urlsplit(_stack.REDIS_BASE).port or 6379) == 6379 else "Redis: this run's own server."),
             "Target: 200 comments/s accepted, 0 lost."]
    report(f"Ingest at {args.rate:.0f} comments/s offered (bench/ingest.py)",
           table(["measure", "value", "detail"], rows), notes, write=not args.no_write)
    return 0 if lost == 0 and unlabelled == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
