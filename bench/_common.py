"""Shared helpers for Parley's benchmarks: a deterministic comment corpus, tables, and the
docs/PERFORMANCE.md appender. Nothing here is imported by the product."""
from __future__ import annotations

import datetime as dt
import os
import platform
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PERF_DOC = ROOT / "docs" / "PERFORMANCE.md"
BENCH_VAR = ROOT / "var" / "bench"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def django_setup(database_url: str | None = None) -> None:
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()


def demo_texts() -> tuple[list[str], list[str]]:
    """(comment texts + article paragraphs, stance claims) from the demo content, read as data
    (blog/demo/content.json), so no Django set-up is needed."""
    import json

    data = json.loads((ROOT / "blog" / "demo" / "content.json").read_text(encoding="utf-8"))
    comments = [c["text"] for c in data["comments"]]
    paragraphs = [p for a in data["articles"] for p in a["paragraphs"]]
    return comments + paragraphs, [a["stance_claim"] for a in data["articles"]]


def corpus(n: int, *, seed: int = 1234, min_words: int = 5, max_words: int = 300) -> list[str]:
    """``n`` comments of 5..300 words made from the demo texts. Lengths are log-uniform (many short
    comments, some long ones, like a real comment section); deterministic for a given seed."""
    import math

    texts, _ = demo_texts()
    words = " ".join(texts).split()
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        length = int(round(math.exp(rng.uniform(math.log(min_words), math.log(max_words)))))
        start = rng.randrange(0, len(words) - length)
        out.append(" ".join(words[start:start + length]))
    return out


def claims() -> list[str]:
    return demo_texts()[1]


def pct(values, q: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def cpu_probe_ms() -> float:
    """Milliseconds this box takes for a fixed pure-Python loop (best of 3). This VM's CPU speed
    drifts by up to 1.6x from minute to minute (the same loop took 277-459 ms over ten seconds on
    2026-12-06), so every table says how fast the box was at its start and its end: compare
    absolute times only where the probes agree."""
    import time

    best = float("inf")
    for _ in range(3):
        t0, s = time.perf_counter(), 0
        for i in range(1_000_000):
            s += i * i
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best


_PROBE_AT_START = cpu_probe_ms()


def machine_line() -> str:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (f"{now}; {cpus} CPUs ({platform.processor() or platform.machine()}), load avg {load:.2f} at the end "
            f"of the run; CPU probe {_PROBE_AT_START:.0f} ms at the start, {cpu_probe_ms():.0f} ms at the end "
            f"(bench/_common.cpu_probe_ms: lower is faster); Python {platform.python_version()}")


def table(headers: list[str], rows: list[list]) -> str:
    def fmt(v):
        if isinstance(v, float):
            if v != v:
                return "n/a"
            return f"{v:.4g}" if abs(v) < 1000 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(" --- " for _ in headers) + "|"]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def report(title: str, body: str, notes: list[str] = (), *, write: bool = True) -> None:
    """Print the section and append it to docs/PERFORMANCE.md."""
    text = f"\n### {title}\n\n_{machine_line()}; command: `{' '.join(['python'] + sys.argv)}`_\n\n{body}\n"
    if notes:
        text += "\n" + "\n".join(f"- {n}" for n in notes) + "\n"
    print(text)
    if write:
        if not PERF_DOC.exists():
            PERF_DOC.write_text("# Performance\n\nMeasured results (appended by `bench/*.py`; see the top of each "
                                "script for what it measures).\n")
        with open(PERF_DOC, "a") as fh:
            fh.write(text)
