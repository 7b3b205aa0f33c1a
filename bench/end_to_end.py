"""End to end: POST a comment through the real API -> Celery worker scores it -> decided.

    python bench/end_to_end.py [--comments 300] [--precision fp32,int8]

Starts its own stack (bench/_stack.py: PostgreSQL database parley_bench_e2e, gunicorn as
config/gunicorn.conf.py deploys it,
a prefork Celery worker with concurrency 1 and warm models on queue bench-<pid>, Redis database
13), posts the comments one after another (each waits for the previous one to be decided), and
polls the database every 2 ms until the comment has an Analysis and a status other than pending.
Latency = from just before the POST is sent to the first poll that sees it decided. The toxicity
model is parley-minilm (the shipped default that runs here: Detoxify's weights cannot be
downloaded), plus the MiniLM stance cross-encoder.
"""
from __future__ import annotations

import argparse
import http.client
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import corpus, pct, report, table  # noqa: E402
from bench._stack import Stack  # noqa: E402

DECIDED_SQL = ("SELECT c.status, a.toxicity_ms, a.stance_ms, a.batch_size, "
               "extract(epoch FROM a.created_at - c.created_at) * 1000 FROM blog_comment c "
               "JOIN moderation_analysis a ON a.comment_id = c.id WHERE c.id = %s AND c.status <> 'pending'")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--comments", type=int, default=300)
    p.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for one comment")
    p.add_argument("--profile", action="store_true", help="sample the worker's pool child with py-spy during the run")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--precision", default="",
                   help="model precisions to measure one after the other, comma-separated (fp32,int8); default: "
                        "the configured one (PARLEY_MODEL_PRECISION)")
    args = p.parse_args(argv)
    texts = corpus(args.comments, seed=99)
    rows, notes = [], []
    for precision in [x.strip() for x in args.precision.split(",") if x.strip()] or [None]:
        r, n = run(args, texts, precision)
        tag = precision or os.environ.get("PARLEY_MODEL_PRECISION", "default")
        rows += [[tag, *row] for row in r]
        notes += [f"{tag}: {line}" for line in n[:1]]
    notes += n[1:]
    report("End to end: POST to decided (bench/end_to_end.py)",
           table(["precision", "step", "p50 ms", "p95 ms", "max ms"], rows), notes, write=not args.no_write)
    return 0


def run(args, texts: list[str], precision: str | None) -> tuple[list[list], list[str]]:
    """One stack, one worker at ``precision`` (None: the configured default): the table rows and notes."""
    profiler = None
    with Stack("parley_bench_e2e") as stack:
        if precision:
            stack.env["PARLEY_MODEL_PRECISION"] = precision
        stack.create_db()
        stack.start_worker()
        stack.start_web()
        db = stack.db()
        post_ms, total_ms, tox_ms, stance_ms, scored_ms, statuses, lost = [], [], [], [], [], {}, 0
        conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
        stack.post_comment("Warm-up comment, not measured.", conn)
        time.sleep(1)
        if args.profile:
            import signal
            import subprocess

            from bench import _profile

            child = int(subprocess.run(["pgrep", "-P", str(stack.worker.pid)], capture_output=True,
                                       text=True).stdout.split()[0])
            raw = stack.logs["worker"].with_suffix(".pyspy.txt")
            profiler = _profile.start(child, raw, seconds=600)
        for text in texts:
            t0 = time.perf_counter()
            try:
                status, cid = stack.post_comment(text, conn)
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", stack.port, timeout=30)
                status, cid = stack.post_comment(text, conn)
            t_post = time.perf_counter()
            if status != 201 or cid is None:
                raise RuntimeError(f"POST answered {status}")
            row = None
            while time.perf_counter() - t0 < args.timeout:
                row = db.execute(DECIDED_SQL, (cid,)).fetchone()
                if row:
                    break
                time.sleep(0.002)
            if not row:
                lost += 1
                continue
            t_done = time.perf_counter()
            post_ms.append((t_post - t0) * 1000)
            total_ms.append((t_done - t0) * 1000)
            tox_ms.append(row[1])
            stance_ms.append(row[2])
            scored_ms.append(float(row[4]))
            statuses[row[0]] = statuses.get(row[0], 0) + 1
        conn.close()
        db.close()
        if profiler is not None:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
            print("py-spy, worker pool child during the run:\n" + _profile.summary(raw))
    rows = [
        ["POST → 201 (web server)", f"{pct(post_ms, .5):.1f}", f"{pct(post_ms, .95):.1f}", f"{max(post_ms):.1f}"],
        ["POST → labelled and decided", f"{pct(total_ms, .5):.1f}", f"{pct(total_ms, .95):.1f}", f"{max(total_ms):.1f}"],
        ["  comment stored → scores stored (commit, queue, claim, scoring)", f"{pct(scored_ms, .5):.1f}",
         f"{pct(scored_ms, .95):.1f}", f"{max(scored_ms):.1f}"],
        ["  of which toxicity scoring (Analysis.toxicity_ms)", f"{pct(tox_ms, .5):.1f}", f"{pct(tox_ms, .95):.1f}",
         f"{max(tox_ms):.1f}"],
        ["  of which stance scoring (Analysis.stance_ms)", f"{pct(stance_ms, .5):.1f}", f"{pct(stance_ms, .95):.1f}",
         f"{max(stance_ms):.1f}"],
    ]
    notes = [f"{len(total_ms)} of {args.comments} comments decided ({lost} timed out after {args.timeout:.0f} s); "
             f"outcomes {statuses}. Posted one after another through /api/articles/<slug>/comments/ (token auth) to "
             "gunicorn (config/gunicorn.conf.py, DEBUG off), Redis broker, one prefork Celery worker (concurrency 1) with "
             "warm models; decided = an Analysis row exists and status is not pending (DB polled every 2 ms).",
             "Toxicity model: parley-minilm (the shipped default; Detoxify's real weights cannot be "
             "downloaded), stance: minilm-stance-xenc. Comments 5-300 words from the demo texts (blog/demo/content.json).",
             "Targets: p50 ≤ 150 ms, p95 ≤ 500 ms."]
    return rows, notes


if __name__ == "__main__":
    raise SystemExit(main())
