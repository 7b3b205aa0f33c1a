"""CPU per accepted comment POST in one process: the application's own cost, without the web server.

    python bench/post_cpu.py [--baseline DIR] [--posts 1500] [--rounds 4] [--no-write]

A child process per checkout (this one, and ``--baseline``: another checkout of Parley with its own
``.venv``, e.g. ``git worktree add ../before <commit>``) sends ``--posts`` token-authenticated
``POST /api/articles/<slug>/comments/`` through Django's whole request path (its WSGI handler, as
gunicorn calls it: request signals and the connection health check, middleware, DRF, the write,
the classification publish to the real Redis, the answer), one after another, on its own PostgreSQL
database (``parley_bench_post_cpu_*``, set up by bench/_stack.py as ingest's is) and Redis database 14
(its queue emptied after each round; no worker). It reports its own process CPU (user+system), the
CPU of the PostgreSQL backend that served it, and the SQL statements per POST (through Django's cursor:
the connection health check and transaction control are not among them). Rounds alternate the two
checkouts (ABBA order), so a box that slows down during the run slows both.

Why beside bench/ingest.py: ingest measures the whole server under load (gunicorn, several
processes, the load generator on the same two cores), whose CPU per POST moved by ±15 % between
runs of the same commit on this box; one process in a loop moves by a few per cent, so it shows
what a change to the application did. What the web server adds on top is ingest's to measure.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import ROOT, median, report, table  # noqa: E402
from bench._stack import Stack  # noqa: E402

REDIS_DB = 14

# Runs inside each checkout's own virtualenv and code: only APIs both sides have.
CHILD = r'''
import json, os, sys, time
sys.path.insert(0, os.getcwd())
import django
django.setup()
from django.db import connection
from django.core.handlers.wsgi import WSGIHandler
import io
import redis
n, token, slug = int(sys.argv[1]), sys.argv[2], sys.argv[3]  # the database, reader and article: bench/_stack.py
path, texts = f"/api/articles/{slug}/comments/", json.loads(sys.stdin.read())
bodies = [json.dumps({"text": t}).encode() for t in texts]
queue = redis.Redis.from_url(os.environ["REDIS_URL"])
app = WSGIHandler()  # what gunicorn calls, with the environ its HTTP parser would build
statuses = []

def start_response(status, headers, exc_info=None):
    statuses.append(status)

def post(i):
    body = bodies[i % len(bodies)]
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
               "HTTP_HOST": "127.0.0.1:8000", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
               "HTTP_AUTHORIZATION": "Token " + token, "wsgi.input": io.BytesIO(body), "wsgi.url_scheme": "http",
               "wsgi.errors": sys.stderr, "wsgi.version": (1, 0), "wsgi.multithread": True,
               "wsgi.multiprocess": True, "wsgi.run_once": False}
    response = app(environ, start_response)
    content = b"".join(response)
    response.close()
    assert statuses.pop().startswith("201"), content

def backend_cpu():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

for i in range(200):
    post(i)
executed = []
def count(execute, sql, params, many, context):
    executed.append(sql)
    return execute(sql, params, many, context)
with connection.execute_wrapper(count):
    post(0)
queue.flushdb()
db0, cpu0, wall0 = backend_cpu(), time.process_time(), time.perf_counter()
for i in range(n):
    post(i)
cpu, wall, db = time.process_time() - cpu0, time.perf_counter() - wall0, backend_cpu() - db0
queue.flushdb()
print(json.dumps({"web_ms": 1000 * cpu / n, "db_ms": 1000 * db / n, "wall_ms": 1000 * wall / n,
                  "queries": len(executed)}))
'''


def run_one(checkout: Path, side: str, texts: list[str], posts: int) -> dict:
    with Stack(f"parley_bench_post_cpu_{side}", root=checkout, redis_db=REDIS_DB) as stack:
        stack.create_db()  # migrated, with the bench reader, their token and the article
        env = {**stack.env, "DB_CONN_MAX_AGE": "60", "PYTHONWARNINGS": "ignore"}
        done = subprocess.run([stack.python, "-c", CHILD, str(posts), stack.token, stack.slug], input=json.dumps(texts),
                              cwd=checkout, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{checkout}: the posting child failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--baseline", type=Path, help="another checkout of Parley (with its .venv) to compare against")
    p.add_argument("--posts", type=int, default=1500)
    p.add_argument("--rounds", type=int, default=4)
    p.add_argument("--no-write", action="store_true")
    args = p.parse_args(argv)
    if not (1 <= args.posts <= 100_000 and 1 <= args.rounds <= 50):
        p.error("bounded: --posts in [1, 100000], --rounds in [1, 50]")
    if args.baseline is not None and not (args.baseline / ".venv" / "bin" / "python").exists():
        p.error(f"--baseline {args.baseline}: no .venv/bin/python there (run `make install` in it, or link this one's)")
    from bench._common import corpus

    texts = corpus(500, seed=5)
    sides = [("this checkout", ROOT)] + ([("baseline", args.baseline.resolve())] if args.baseline else [])
    results: dict[str, list[dict]] = {name: [] for name, _ in sides}
    rows = []
    for r in range(args.rounds):
        order = sides if r % 2 == 0 else sides[::-1]  # ABBA: a drifting box weighs on both sides alike
        for name, checkout in order:
            res = run_one(checkout, "b" if name == "baseline" else "a", texts, args.posts)
            results[name].append(res)
            rows.append([r + 1, name, f"{res['web_ms']:.3f}", f"{res['db_ms']:.3f}",
                         f"{res['web_ms'] + res['db_ms']:.3f}", f"{res['wall_ms']:.2f}", res["queries"]])
            print(" | ".join(map(str, rows[-1])), flush=True)
    total = {name: median([x["web_ms"] + x["db_ms"] for x in res]) for name, res in results.items()}
    summary = [[name, f"{median([x['web_ms'] for x in res]):.3f}", f"{median([x['db_ms'] for x in res]):.3f}",
                f"{total[name]:.3f}", res[0]["queries"]] for name, res in results.items()]
    notes = [f"{args.posts} POSTs a round, {args.rounds} rounds; the medians below. Process CPU is Django's, called as a "
             "WSGI application (no web server, no HTTP parsing); the database column is the one PostgreSQL backend that served it."]
    if args.baseline:
        change = total["this checkout"] / total["baseline"] - 1
        notes.append(f"This checkout against the baseline ({args.baseline}): {100 * change:+.1f} % CPU per POST "
                     "(process + database, medians).")
    body = (table(["round", "checkout", "process CPU ms", "database CPU ms", "total ms", "wall ms", "statements"], rows)
            + "\n\n" + table(["checkout", "process CPU ms (median)", "database CPU ms (median)", "total ms (median)",
                              "statements per POST"], summary))
    report("CPU per comment POST in one process (bench/post_cpu.py)", body, notes, write=not args.no_write)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
