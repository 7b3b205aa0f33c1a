"""Moderator queue and discussions ranking at scale, on PostgreSQL.

    python bench/queue_page.py [--comments 1000000] [--articles 2000] [--requests 20] [--reuse] [--keep]

Creates its own database ``parley_bench`` (dropped at the end unless --keep; --reuse keeps an
already-loaded one), migrates it, bulk-loads comments/analyses/audit events/reports with COPY
(psycopg 3 ``cursor.copy``), then times, in this process:

* the selector ``moderation.queue.selectors.review_queue`` (page 1 and page 400 of the "held" tab, page
  400 reached through a cursor built from the row at offset 399*25-1, exactly what walking the
  ``next`` links would hand back), with and without filters;
* the HTML queue view ``/moderation/`` and the API ``/api/moderation/queue/`` through
  ``django.test.Client`` logged in as a moderator (server time: the whole request through
  middleware, view, template/serializer, in process; no network);
* ``moderation.insights.discussions.discussions_ranked`` and ``/api/moderation/discussions/``.

p50/p95 over ``--requests`` runs after one warm-up; the query count is of one extra run.
Only the database named ``parley_bench`` is ever created or dropped.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench._common import corpus, pct, report, table  # noqa: E402

DB_NAME = "parley_bench"
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
LABELS = ("toxicity", "severe_toxicity", "obscene", "threat", "insult", "identity_attack", "sexual_explicit")
STANCES = ("favor", "against", "neutral")


def admin_conn():
    import psycopg

    return psycopg.connect(f"{PG}/postgres", autocommit=True)


def db_exists() -> bool:
    with admin_conn() as c:
        return c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone() is not None


def drop_db() -> None:
    with admin_conn() as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def create_db() -> None:
    drop_db()
    with admin_conn() as c:
        c.execute(f'CREATE DATABASE "{DB_NAME}"')


def load(n_comments: int, n_articles: int, n_users: int = 5000, seed: int = 7) -> dict:
    """Migrate and fill parley_bench. Returns timings."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from blog.demo import ensure_roles
    from blog.models import Article
    from moderation.models import Policy

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    t_migrate = time.perf_counter() - t0
    User = get_user_model()
    moderators, _ = ensure_roles()
    mod = User.objects.create_user("bench_moderator", password="bench-moderator-pass", is_staff=True)
    mod.groups.add(moderators)
    User.objects.bulk_create([User(username=f"reader{i}", password="!") for i in range(n_users)], batch_size=5000)
    user_ids = list(User.objects.filter(username__startswith="reader").values_list("id", flat=True))
    author = user_ids[0]
    Article.objects.bulk_create([
        Article(title=f"Bench article {i}", slug=f"bench-article-{i}", author_id=author, body="Para one.\n\nPara two.",
                stance_claim=f"Claim {i}.") for i in range(n_articles)], batch_size=2000)
    article_ids = list(Article.objects.values_list("id", flat=True))
    policy_id = Policy.objects.get(is_active=True).pk

    rng = random.Random(seed)
    texts = [t.replace("\\", " ").replace("\t", " ") for t in corpus(500, seed=seed, max_words=80)]
    now = datetime.now(UTC)
    epoch = datetime(2024, 1, 1, tzinfo=UTC)
    statuses = ["published"] * 70 + ["held"] * 15 + ["rejected"] * 6 + ["pending"] * 4 + ["failed"] * 5
    comment_cols = ("id, article_id, author_id, parent_id, depth, path, text, status, status_reason, created_at, "
                    "updated_at, like_count, report_count, queue_rank, escalated, max_toxicity, stance_label")
    analysis_cols = ("comment_id, scores, toxicity_model, toxicity_model_version, stance_article, stance_article_label, "
                     "stance_parent, stance_parent_label, stance_model, stance_model_version, toxicity_ms, stance_ms, "
                     "batch_size, created_at, language, explanation, findings")
    event_cols = "comment_id, actor_id, action, reason, previous_status, new_status, scores, policy_id, created_at"
    report_cols = "comment_id, article_id, reporter_id, reason, created_at, upheld"
    action_for = {"held": "auto_hold", "rejected": "auto_reject", "failed": "classification_failed",
                  "published": "auto_publish"}
    t1 = time.perf_counter()
    chunk = 100_000
    counts = {"comments": 0, "analyses": 0, "events": 0, "reports": 0}
    raw = connection.connection  # psycopg 3 connection behind Django's
    with raw.cursor() as cur:
        for start in range(1, n_comments + 1, chunk):
            stop = min(start + chunk, n_comments + 1)
            cbuf, abuf, ebuf, rbuf = io.StringIO(), io.StringIO(), io.StringIO(), io.StringIO()
            for cid in range(start, stop):
                status = rng.choice(statuses)
                created = now - timedelta(seconds=rng.random() * 90 * 86400)
                ts = created.isoformat()
                hours = (created - epoch).total_seconds() / 3600
                tox = rng.betavariate(0.6, 3.0)
                rank = 10 * tox - 0.1 * hours
                article_id, author_id, text = rng.choice(article_ids), rng.choice(user_ids), rng.choice(texts)
                # Comment.max_toxicity / stance_label: what moderation.pipeline.scoring copies from the Analysis.
                copies = "\\N\t"
                if status != "pending":
                    scores = {lab: round(tox * rng.random() if lab != "toxicity" else tox, 4) for lab in LABELS}
                    p = [rng.random() for _ in STANCES]
                    s = sum(p)
                    stance = {k: round(v / s, 4) for k, v in zip(STANCES, p)}
                    label = max(stance, key=stance.get)
                    copies = f"{max(scores.values())!r}\t{label}"
                cbuf.write(f"{cid}\t{article_id}\t{author_id}\t\\N\t0\t{cid:010d}\t"
                           f"{text}\t{status}\t\t{ts}\t{ts}\t0\t0\t{rank!r}\tf\t{copies}\n")
                if status == "pending":
                    continue
                # Held and rejected comments carry the phrase behind their top label, as the worker stores it.
                explanation = ({"label": "toxicity", "score": tox, "phrase": text[:12], "start": 0, "end": len(text[:12])}
                               if status in ("held", "rejected") and text[:12].strip() else {})
                abuf.write(f"{cid}\t{json.dumps(scores)}\tjigsaw-bilstm\tbench\t{json.dumps(stance)}\t{label}\t\\N\t\t"
                           f"minilm-stance-xenc\tbench\t3.0\t5.0\t8\t{ts}\ten\t{json.dumps(explanation)}\t{{}}\n")
                counts["analyses"] += 1
                if status != "published":
                    ebuf.write(f"{cid}\t\\N\t{action_for[status]}\t\tpending\t{status}\t\\N\t{policy_id}\t{ts}\n")
                    counts["events"] += 1
                elif rng.random() < 0.02:
                    for reporter in rng.sample(user_ids, rng.randint(1, 3)):
                        upheld = "\\N" if rng.random() < 0.7 else rng.choice("tf")
                        rbuf.write(f"{cid}\t{article_id}\t{reporter}\tspam\t{ts}\t{upheld}\n")
                        counts["reports"] += 1
            counts["comments"] += stop - start
            for table_name, cols, buf in (("blog_comment", comment_cols, cbuf), ("moderation_analysis", analysis_cols, abuf),
                                          ("moderation_moderationevent", event_cols, ebuf),
                                          ("blog_commentreport", report_cols, rbuf)):
                data = buf.getvalue()
                if data:
                    with cur.copy(f"COPY {table_name} ({cols}) FROM STDIN") as copy:
                        copy.write(data)
            print(f"  loaded {stop - 1:,} comments ({time.perf_counter() - t1:.0f} s)", file=sys.stderr, flush=True)
        cur.execute("SELECT setval(pg_get_serial_sequence('blog_comment', 'id'), %s)", (n_comments,))
        cur.execute("UPDATE blog_comment c SET report_count = r.n FROM (SELECT comment_id, count(*) n FROM "
                    "blog_commentreport GROUP BY comment_id) r WHERE r.comment_id = c.id")
    raw.commit() if not raw.autocommit else None
    t_copy = time.perf_counter() - t1
    t2 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    return {"migrate_s": t_migrate, "copy_s": t_copy, "analyze_s": time.perf_counter() - t2, **counts}


AUTH_TABLES = ('FROM "django_session"', 'FROM "auth_user" WHERE', '"auth_permission"')


def split_queries(sqls: list[str]) -> str:
    """'auth + content' query counts of one request: authentication is the session, the user
    and the user's permissions; everything else is the page's own."""
    auth = sum(1 for sql in sqls if any(t in sql for t in AUTH_TABLES))
    return f"{auth} + {len(sqls) - auth}"


def timed(fn, n: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, queries) of fn over n runs after one warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        fn()
    timed.last_queries = [q["sql"] for q in ctx.captured_queries]
    return pct(samples, 0.5), pct(samples, 0.95), len(ctx.captured_queries)


def measure(n_requests: int) -> tuple[list[list], list[str]]:
    from django.test import Client

    from blog.models import Comment
    from moderation.insights import discussions as insights
    from moderation.queue import selectors

    held = Comment.objects.filter(status="held").order_by("-queue_rank", "-id")
    n_held = held.count()
    offset = 399 * selectors.PAGE_SIZE - 1
    row = held.values("queue_rank", "id")[offset:offset + 1]
    cursor400 = selectors.Cursor(row[0]["queue_rank"], row[0]["id"]) if row else None
    busiest = (Comment.objects.filter(status="held").values("article_id").order_by()
               .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id")).order_by("-n")[0]["article_id"])

    client = Client()
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="bench_moderator"))

    cases = [
        ("held", selectors.QueueFilters(tab="held"), "tab=held"),
        ("held, toxicity ≥ 0.3", selectors.QueueFilters(tab="held", label="toxicity", min_score=0.3),
         "tab=held&label=toxicity&min_score=0.3"),
        ("held, stance against", selectors.QueueFilters(tab="held", stance="against"), "tab=held&stance=against"),
        (f"held, article {busiest}", selectors.QueueFilters(tab="held", article_id=busiest), f"tab=held&article={busiest}"),
        ("reported", selectors.QueueFilters(tab="reported"), "tab=reported"),
    ]
    rows, notes = [], []
    query_dump = {}

    def cursor_for(filters):
        # The cursor page 400 would have under these filters: the 9,974th row's (rank, id).
        qs = selectors._queue_rows(filters).values("queue_rank", "id")[offset:offset + 1]
        r = list(qs)
        return selectors.Cursor(r[0]["queue_rank"], r[0]["id"]) if r else None

    for name, filters, query in cases:
        for page, after in (("1", None), ("400", cursor_for(filters) if name != "held" else cursor400)):
            if page == "400" and after is None:
                rows.append([name, page, "(fewer than 400 pages)", "", "", "", "", "", "", ""])
                continue
            q = query + (f"&cursor={after.encode()}" if after else "")
            s = timed(lambda: selectors.review_queue(filters=filters, after=after), n_requests)  # noqa: B023 - called within this iteration
            sel_sql = list(timed.last_queries)
            h = timed(lambda: _ok(client.get(f"/moderation/?{q}", secure=True)), n_requests)  # noqa: B023 - called within this iteration
            html_sql = list(timed.last_queries)
            a = timed(lambda: _ok(client.get(f"/api/moderation/queue/?{q}", secure=True)), n_requests)  # noqa: B023 - called within this iteration
            api_sql = list(timed.last_queries)
            rows.append([name, page, f"{s[0]:.1f} / {s[1]:.1f}", s[2], f"{h[0]:.1f} / {h[1]:.1f}",
                         split_queries(html_sql), f"{a[0]:.1f} / {a[1]:.1f}", split_queries(api_sql)])
            if name == "held":  # page 400 overwrites page 1 when it exists
                query_dump["selector"] = sel_sql
                query_dump["html"] = html_sql
                query_dump["api"] = api_sql
    d = timed(lambda: insights.discussions_ranked(), n_requests)
    d_api = timed(lambda: _ok(client.get("/api/moderation/discussions/", secure=True)), n_requests)
    rows.append(["discussions ranking", "-", f"{d[0]:.1f} / {d[1]:.1f}", d[2], "", "", f"{d_api[0]:.1f} / {d_api[1]:.1f}",
                 split_queries(timed.last_queries)])
    notes.append(f"{n_held:,} comments on the held tab ({n_held // selectors.PAGE_SIZE:,} pages of {selectors.PAGE_SIZE}).")
    unfiltered = selectors.queue_counts(filters=selectors.QueueFilters())
    notes.append("Tab counts as the unfiltered page shows them: "
                 + ", ".join(f"{selectors.TABS[t].lower()} {c}" for t, c in unfiltered.items())
                 + f"; counting stops at {selectors.COUNT_CAP:,} ({selectors.COUNT_CAP_ROW_FILTERS:,} under a stance "
                 "or label filter, which reads each comment).")
    measure.query_dump = query_dump
    return rows, notes


PROFILE_MODULES = ("/blog/", "/moderation/", "/core/", "/ops/", "/notifications/", "jinja2/environment.py",
                   "rest_framework/serializers.py", "django/db/models/sql/compiler.py", "django/contrib/sessions",
                   "django/contrib/auth/middleware.py")


def profile(client, url: str, n: int) -> tuple[list[list], float]:
    """Where one request's time goes (means over n requests after a warm-up): each SQL statement's
    wall time in PostgreSQL's round trip, and the cumulative wall time of the project's own functions,
    the template's render, the serializers and the ORM's SQL compiler, from cProfile."""
    import cProfile
    import pstats

    from django.db import connection

    _ok(client.get(url, secure=True))
    sql_ms: dict[str, float] = {}

    def timed_sql(execute, sql, params, many, context):
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:90]
            sql_ms[key] = sql_ms.get(key, 0.0) + (time.perf_counter() - t0) * 1000

    prof = cProfile.Profile()
    t0 = time.perf_counter()
    with connection.execute_wrapper(timed_sql):
        prof.enable()
        for _ in range(n):
            _ok(client.get(url, secure=True))
        prof.disable()
    total = (time.perf_counter() - t0) * 1000 / n
    rows = [["SQL: " + sql, f"{ms / n:.1f}"] for sql, ms in sorted(sql_ms.items(), key=lambda kv: -kv[1])]
    stats = pstats.Stats(prof).stats
    funcs = [(ct, f"{Path(file).name}:{line} {name}") for (file, line, name), (_cc, _nc, _tt, ct, _callers)
             in stats.items() if any(m in file for m in PROFILE_MODULES)]
    rows += [["Python: " + where, f"{ct * 1000 / n:.1f}"] for ct, where in sorted(funcs, reverse=True)[:25]]
    return rows, total


def _ok(response):
    if response.status_code != 200:
        raise RuntimeError(f"{response.status_code}: {response.content[:300]!r}")
    return response


def profile_report(n: int, *, write: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench_moderator"))
    for what, url in (("HTML", "/moderation/?tab=held"), ("API", "/api/moderation/queue/?tab=held")):
        rows, total = profile(client, url, n)
        report(f"Where the held tab's page 1 spends its time ({what}, bench/queue_page.py --profile)",
               table(["where (SQL: the statement's round trip; Python: cumulative, includes what it calls)",
                      "ms per request"], rows),
               [f"{url} as the bench's moderator, {n} requests after one warm-up, in process under cProfile "
                f"(which slows Python, not PostgreSQL): {total:.1f} ms per request in all.",
                "Python rows overlap (a caller's time includes its callees'); SQL rows are disjoint."], write=write)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--comments", type=int, default=1_000_000)
    p.add_argument("--articles", type=int, default=2000)
    p.add_argument("--requests", type=int, default=20)
    p.add_argument("--reuse", action="store_true", help="keep an already-loaded parley_bench (skip the load)")
    p.add_argument("--keep", action="store_true", help="do not drop parley_bench at the end")
    p.add_argument("--show-queries", action="store_true")
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--profile", action="store_true",
                   help="also profile the held tab's page 1 (HTML and API): SQL round trips and cumulative Python time")
    args = p.parse_args(argv)

    reuse = args.reuse and db_exists()
    if not reuse:
        create_db()
    os.environ["DATABASE_URL"] = f"{PG}/{DB_NAME}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.db import connection

    assert connection.settings_dict["NAME"] == DB_NAME
    try:
        loaded = None
        if not reuse:
            loaded = load(args.comments, args.articles)
        from blog.models import Comment

        total = Comment.objects.count()
        rows, notes = measure(args.requests)
        if args.show_queries:
            for where, sqls in measure.query_dump.items():
                print(f"--- {where}: {len(sqls)} queries")
                for s in sqls:
                    print("   ", s[:300])
        load_note = (f"loaded {loaded['comments']:,} comments, {loaded['analyses']:,} analyses, {loaded['events']:,} audit "
                     f"events, {loaded['reports']:,} reports over {args.articles:,} articles with COPY in "
                     f"{loaded['copy_s']:.0f} s (+ migrate {loaded['migrate_s']:.0f} s, VACUUM ANALYZE "
                     f"{loaded['analyze_s']:.0f} s)") if loaded else f"reused an existing {DB_NAME} ({total:,} comments)"
        notes = [load_note + "; PostgreSQL on the same 2-CPU box."] + notes + [
            "Cells are p50 / p95 milliseconds over the request count given, then the query count of one request; "
            "for the views as authentication + content. Authentication is the session, the user and the user's "
            "permissions (own and groups' in one UNION, moderation/permissions.py). Content: the cards (with each "
            "author's record), their reports (with each reporter's record), the cards' audit entries (none to fetch "
            "where no card has one, e.g. the reported tab here), the active policy, the tab counts (one query); "
            "the selector column is the first four of those.",
            "Targets: p95 ≤ 50 ms per page, ≤ 5 queries per page; discussions ≤ 200 ms."]
        report(f"Moderator queue at {total:,} comments (bench/queue_page.py)",
               table(["queue (filters)", "page", "selector p50/p95 ms", "sel. queries", "HTML p50/p95 ms",
                      "HTML queries (auth + content)", "API p50/p95 ms", "API queries (auth + content)"], rows),
               notes, write=not args.no_write)
        if args.profile:
            profile_report(args.requests, write=not args.no_write)
    finally:
        connection.close()
        if not args.keep:
            drop_db()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
