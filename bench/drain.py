"""Backlog drain: 1 and 2 Celery worker processes draining the same backlog of comments.

    python bench/drain.py [--comments 2000] [--workers 1,2] [--precision fp32,int8] [--no-write]

For each worker count, its own stack (bench/_stack.py: PostgreSQL database parley_bench_drain,
Redis database 13, queue bench-<pid>): the backlog is stored first, as readers leave it while no
worker runs (N pending comments on one article, the same texts for every worker count; stored in
one bulk insert, without their tasks), then W worker processes start (prefork, concurrency 1 each,
distinct node names, the same command line as production's) and load their models. Once every one
is warm, one classification task per comment is published, as the web tier does; the clock runs
from the first publish to the last Analysis stored.

Reports comments/s, comments/s per worker process and each worker's share of the comments (from
its JSON batch log lines), with the box's CPU cores beside them: on a box with fewer cores than
worker processes, the second process competes for the same cores. Toxicity model: parley-minilm (--toxicity-model to change)
(the one that runs offline here) plus the MiniLM stance cross-encoder.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import ROOT, corpus, report, table  # noqa: E402
from bench._stack import Stack  # noqa: E402

STORE_BACKLOG = """
import json, sys
import django
django.setup()
from blog.models import Article, Comment
article = Article.objects.get(slug="bench-article")
texts = json.load(sys.stdin)
comments = Comment.objects.bulk_create(
    [Comment(article=article, author_id=article.author_id, text=t) for t in texts], batch_size=1000)
print(json.dumps([c.pk for c in comments]))
"""

PUBLISH = """
import json, sys, time
import django
django.setup()
from moderation.pipeline.tasks import enqueue_classification
ids = json.load(sys.stdin)
started = time.time()
sent = sum(enqueue_classification(pk) for pk in ids)
print(json.dumps({"started": started, "sent": sent}))
"""


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def threads_per_process(n_workers: int) -> int:
    return max(1, cores() // n_workers)


def _run(stack: Stack, code: str, payload) -> object:
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=stack.env, input=json.dumps(payload),
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def start_workers(stack: Stack, n: int, wait: float = 300.0) -> list[str]:
    """n worker processes on the stack's queue, each with its own node name; returns their log names."""
    names = []
    for i in range(1, n + 1):
        name = f"worker-{i}"
        stack._start(name, [
            sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
            "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
            *(["--purge"] if i == 1 else []), "-n", f"{stack.queue}-{i}@%h"])
        names.append(name)
    deadline = time.time() + wait
    while time.time() < deadline:
        for proc in stack.procs:
            if proc.poll() is not None:
                raise RuntimeError("a worker exited:\n" + "\n".join(stack.logs[n].read_text()[-2000:] for n in names))
        if all("Classification models loaded and warm" in stack.logs[n].read_text(errors="replace") for n in names):
            return names
        time.sleep(0.3)
    raise RuntimeError("workers not ready:\n" + "\n".join(stack.logs[n].read_text()[-2000:] for n in names))


def scored_per_worker(stack: Stack, names: list[str]) -> list[int]:
    counts = []
    for name in names:
        lines = [json.loads(line) for line in stack.logs[name].read_text(errors="replace").splitlines()
                 if line.startswith("{")]
        counts.append(sum(len(line["comment_ids"]) for line in lines if "comment_ids" in line))
    return counts


def drain(n_workers: int, texts: list[str], *, toxicity_model: str, timeout: float, profile: bool = False,
          precision: str | None = None) -> dict:
    with Stack("parley_bench_drain", toxicity_model=toxicity_model) as stack:
        stack.env["PARLEY_LOG_FORMAT"] = "json"  # each batch's comment ids, to see who scored what
        if precision:  # the models' precision (ml/classifiers/quantize.py); else the worker's default
            stack.env["PARLEY_MODEL_PRECISION"] = precision
        # As docs/DEPLOYMENT.md says to run them: the cores shared out among the processes. Two
        # processes with two threads each on two cores ran ~10x slower than one (oversubscribed).
        stack.env["PARLEY_TORCH_THREADS"] = str(threads_per_process(n_workers))
        stack.create_db()
        ids = _run(stack, STORE_BACKLOG, texts)
        names = start_workers(stack, n_workers)
        profiler = raw = None
        if profile:  # the first worker and its pool child, for the whole drain
            from bench import _profile

            raw = stack.logs[names[0]].with_suffix(".pyspy.txt")
            profiler = _profile.start(stack.procs[0].pid, raw, seconds=int(timeout))
        published = _run(stack, PUBLISH, ids)
        db = stack.db()
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = db.execute("SELECT count(*) FROM moderation_analysis").fetchone()[0]
            if done >= len(ids):
                break
            time.sleep(0.05)
        last = db.execute("SELECT extract(epoch FROM max(created_at)) FROM moderation_analysis").fetchone()[0]
        done = db.execute("SELECT count(*) FROM moderation_analysis").fetchone()[0]
        twice = db.execute("SELECT count(*) FROM (SELECT comment_id FROM moderation_analysis GROUP BY comment_id "
                           "HAVING count(*) > 1) d").fetchone()[0]
        # Each Analysis carries its share of its batch's forward-pass time, per model.
        model_s = db.execute("SELECT coalesce(sum(toxicity_ms), 0) / 1000, coalesce(sum(stance_ms), 0) / 1000 "
                             "FROM moderation_analysis").fetchone()
        db.close()
        shares = scored_per_worker(stack, names)
        profile_text = None
        if profiler is not None:
            import signal

            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
            profile_text = _profile.summary(raw, top=15)
    seconds = float(last) - published["started"] if last is not None else float("nan")
    return {"workers": n_workers, "comments": len(ids), "scored": done, "twice": twice, "seconds": seconds,
            "shares": shares, "sent": published["sent"], "toxicity_s": float(model_s[0]), "stance_s": float(model_s[1]),
            "profile": profile_text}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--comments", type=int, default=2000)
    p.add_argument("--workers", default="1,2", help="worker process counts to measure, comma-separated")
    p.add_argument("--toxicity-model", default="parley-minilm")
    p.add_argument("--timeout", type=float, default=1800.0, help="seconds to wait for one drain")
    p.add_argument("--no-write", action="store_true", help="print the table, don't append it to docs/PERFORMANCE.md")
    p.add_argument("--profile", action="store_true", help="sample the 1-worker drain with py-spy (pip install py-spy)")
    p.add_argument("--precision", default="",
                   help="model precisions to measure one after the other, comma-separated (fp32,int8); default: "
                        "the configured one (PARLEY_MODEL_PRECISION)")
    args = p.parse_args(argv)
    texts = corpus(args.comments, seed=7)
    n_cores = cores()
    rows, notes = [], []
    precisions = [x.strip() for x in args.precision.split(",") if x.strip()] or [None]
    for precision, n_workers in ((pr, int(w)) for pr in precisions for w in args.workers.split(",")):
        r = drain(n_workers, texts, toxicity_model=args.toxicity_model, timeout=args.timeout,
                  profile=args.profile and n_workers == 1, precision=precision)
        rate = r["scored"] / r["seconds"] if r["seconds"] > 0 else float("nan")
        threads = threads_per_process(r["workers"])
        used = min(r["workers"] * threads, n_cores)  # cores the processes' threads use
        wall = r["seconds"] * r["workers"]  # the worker processes' seconds
        rows.append([precision or os.environ.get("PARLEY_MODEL_PRECISION", "default"), r["workers"], threads, r["comments"], r["scored"], r["twice"], r["seconds"], rate,
                     rate / r["workers"], rate / used, " / ".join(str(s) for s in r["shares"]),
                     f"{100 * r['toxicity_s'] / wall:.0f} % / {100 * r['stance_s'] / wall:.0f} %", n_cores])
        if r["profile"]:
            notes.append(f"py-spy over the {r['workers']}-worker drain (main process and pool child):\n\n```\n"
                         f"{r['profile']}\n```")
        if r["scored"] < r["comments"]:
            notes.append(f"{r['workers']} worker(s): only {r['scored']} of {r['comments']} scored within {args.timeout:.0f} s")
    body = table(["precision", "worker processes", "torch threads each", "backlog", "scored", "scored twice", "seconds", "comments/s",
                  "comments/s per worker process", "comments/s per core used", "comments per worker",
                  "toxicity / stance forward passes (share of the processes' time)", "CPU cores"], rows)
    notes += [f"{var}={os.environ[var].strip()} was set: that model ran at it in every row (the precision column is "
              "PARLEY_MODEL_PRECISION, the other model's)." for var in ("PARLEY_TOXICITY_PRECISION", "PARLEY_STANCE_PRECISION")
              if os.environ.get(var, "").strip()]
    notes += [
        f"Toxicity model {args.toxicity_model} plus the MiniLM stance cross-encoder; batches of up to "
        "PARLEY_CLASSIFY_BATCH_SIZE (32) comments; each worker process is `celery worker --concurrency=1`.",
        "Timed from the first task published to the last Analysis stored, all workers already warm.",
        "Cores used = min(processes x torch threads, CPU cores); comments a day per worker core = comments/s per "
        "core used x 86,400 (docs/DEPLOYMENT.md, capacity).",
        "Forward-pass shares are the Analyses' own timings (each comment's share of its batch's toxicity and stance "
        "time; explanations of held comments are in neither) over the worker processes' seconds.",
    ]
    report("Backlog drain with 1 and 2 worker processes (bench/drain.py)", body, notes, write=not args.no_write)
    return 0 if all(r[4] == r[3] and r[5] == 0 for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
