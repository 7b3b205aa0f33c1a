"""Peak memory of one Celery worker process with both models loaded and used.

    python bench/memory.py [--models jigsaw-bilstm,detoxify] [--comments 128]

For each toxicity model: starts the real stack (bench/_stack.py: database parley_bench_mem, runserver,
one prefork worker, concurrency 1), waits for "models loaded and warm", posts ``--comments``
comments of 5-300 words through the API, waits until all are decided, then reads VmHWM (peak RSS)
and VmRSS from /proc for the worker's pool child (the process that scores) and its parent.
``detoxify`` uses the random-weight bert-base-shaped checkpoint bench/classify_throughput.py
generates (same architecture and size as Detoxify's ``original``; memory depends on shape only).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import corpus, report, table  # noqa: E402
from bench._stack import Stack  # noqa: E402


def proc_mem(pid: int) -> tuple[float, float]:
    """(VmHWM, VmRSS) in MiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmHWM", "VmRSS"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmHWM"], fields["VmRSS"]


def measure(model: str, n: int) -> list[list]:
    spec = "jigsaw-bilstm" if model == "jigsaw-bilstm" else "detoxify:original"
    extra = {}
    if model == "detoxify":
        from bench import classify_throughput as ct  # sets HF offline env in this process only

        ckpt = ct.make_bert_base_checkpoint()
        extra = {"DETOXIFY_CHECKPOINT": str(ckpt), "HF_HOME": str(ct.HF_HOME), "HF_HUB_CACHE": str(ct.HF_HOME / "hub"),
                 "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    with Stack("parley_bench_mem", toxicity_model=spec) as stack:
        stack.env.update(extra)
        stack.create_db()
        stack.start_worker(wait=600)
        stack.start_web()
        children = subprocess.run(["pgrep", "-P", str(stack.worker.pid)], capture_output=True, text=True).stdout.split()
        child = int(children[0])
        loaded_hwm, loaded_rss = proc_mem(child)
        ids = [stack.post_comment(t)[1] for t in corpus(n, seed=11, min_words=200, max_words=300)]
        db = stack.db()
        deadline = time.time() + 900
        while time.time() < deadline:
            done = db.execute("SELECT count(*) FROM moderation_analysis WHERE comment_id = ANY(%s)", (ids,)).fetchone()[0]
            if done >= len(ids):
                break
            time.sleep(0.5)
        name = db.execute("SELECT toxicity_model FROM moderation_analysis LIMIT 1").fetchone()[0]
        db.close()
        hwm, rss = proc_mem(child)
        parent_hwm, _ = proc_mem(stack.worker.pid)
    return [[f"{name} + minilm-stance-xenc", f"{loaded_rss:.0f}", f"{hwm:.0f}", f"{rss:.0f}", f"{parent_hwm:.0f}",
             f"{done}/{len(ids)}"]]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", default="jigsaw-bilstm,detoxify")
    p.add_argument("--comments", type=int, default=32)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    rows = []
    for model in args.models.split(","):
        rows += measure(model.strip(), args.comments)
    notes = [f"{args.comments} comments of 200-300 words each posted through the API and scored (batches of up to the "
             "worker's claim size) before reading peak RSS (VmHWM) of the pool child that scores.",
             "detoxify:original row: a random-weight checkpoint of bert-base-uncased's shape (Detoxify's real weights "
             "cannot be downloaded here); memory depends on shape, not values.",
             "Target: ≤ 1,536 MiB (1.5 GB) for the scoring process."]
    report("Worker memory (bench/memory.py)",
           table(["models", "RSS after load MiB", "peak RSS (VmHWM) MiB", "RSS after scoring MiB",
                  "pool parent peak MiB", "scored"], rows), notes, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
