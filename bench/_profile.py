"""py-spy helpers: sample a running process and summarise the hottest frames (self and total)."""
from __future__ import annotations

import collections
import shutil
import subprocess
import sys
from pathlib import Path


def start(pid: int, out: Path, seconds: int, rate: int = 100) -> subprocess.Popen | None:
    exe = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(exe).exists():
        print("py-spy not installed (pip install py-spy); not profiling", file=sys.stderr)
        return None
    return subprocess.Popen([exe, "record", "--format", "raw", "-r", str(rate), "-d", str(seconds), "-p", str(pid),
                             "-o", str(out), "--nonblocking", "--subprocesses"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summary(raw: Path, top: int = 12) -> str:
    """Top frames by self samples and by inclusive samples, from py-spy's collapsed-stack output."""
    if not raw.exists():
        return "(no profile)"
    self_c, incl_c, total = collections.Counter(), collections.Counter(), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        try:
            n = int(count)
        except ValueError:
            continue
        frames = [f for f in stack.split(";") if f and not f.startswith("process ") and not f.startswith("thread ")]
        if not frames:
            continue
        total += n
        self_c[frames[-1]] += n
        for f in set(frames):
            incl_c[f] += n
    if not total:
        return "(no samples)"
    lines = [f"{total} samples", "self %  | frame"]
    lines += [f"{100 * c / total:5.1f}%  | {f}" for f, c in self_c.most_common(top)]
    lines += ["total % | frame (inclusive, frames in Parley / Django / torch code)"]
    lines += [f"{100 * c / total:5.1f}%  | {f}" for f, c in incl_c.most_common(200)
              if any(k in f for k in ("/work/main/", "moderation/", "blog/", "django/db", "torch/nn", "celery/app"))][:top]
    return "\n".join(lines)
