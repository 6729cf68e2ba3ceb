"""Lists and dashboards at city scale (issue 14): `make bench-scale`.

Builds data sets with `demo generate` (default 100,000 and 1,000,000 orders over 500 units, the biggest unit
holding 2%) on SQLite and on PostgreSQL (a throwaway cluster through .ci/pg-cluster), then for every list page,
the home pages and the dashboards measures p50/p95 over the test client, the page's own SQL replayed alone,
and its query count at 20 and 100 rows; finally the throughput of the liaison's 已办结 page under gunicorn with
2 workers. Appends a section to benchmarks/RESULTS.md with the ratios against the issue's targets.

    .venv/bin/python -m benchmarks.scale_bench [--sizes 100000,1000000] [--units 500]
        [--databases sqlite,postgresql] [--runs 15] [--throughput-seconds 15] [--workdir DIR] [--no-write]
        [--pages all|stats] [--build-only]

`--pages stats` measures only the home pages and the dashboards (month and year), each twice: as the portal
runs them (per-unit per-day sums, issue 14) and with the direct queries that define the figures (what the
pages ran before), and appends a before/after table.

Data sets are kept in --workdir (default /tmp/bench-scale) and reused when complete (upgraded to the head
revision first); the PostgreSQL cluster in WORKDIR/pg is kept between runs (`.ci/pg-cluster open/close`), or
pass BENCH_PG_URL to use a server of your own.
"""
from __future__ import annotations

import argparse
import http.client
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from contextlib import nullcontext
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SECRET = "scale-bench"
os.environ["SECRET_KEY"] = SECRET

from sqlalchemy import create_engine, event, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402
from benchmarks.direct import direct_queries  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
LIAISON, LEADER, CENTRE, OPERATOR = "u001", "u001_leader", "zhongxin", "huawu"
KEYWORD, SHORT_KEYWORD = "垃圾清运", "噪音"
TARGETS = "1M ≤ 1.3× 100k; deep page ≤ 1.5× page 1; same queries at 20 and 100 rows; p50 < 30 ms (SQLite)"


@dataclass
class Page:
    label: str
    user: str
    url: str
    kind: str = "list"  # list | deep | home | dashboard
    deep_of: str | None = None  # label of page 1 for a deep page
    target_ms: float | None = None  # the p50 target for a home page or dashboard, where it sets one


@dataclass
class Measure:
    p50: float
    p95: float
    sql: float
    queries: int
    queries_100: int | None = None


@dataclass
class Dataset:
    dialect: str
    size: int
    url: str
    built: float | None = None
    pages: dict[str, Measure] = field(default_factory=dict)
    throughput: float | None = None
    direct: dict[str, Measure] = field(default_factory=dict)  # --pages stats: the pages on the direct queries
    load: str = ""


def stats_pages() -> list[Page]:
    month = "start={}&end={}".format(*_last_month())
    year = "start={}&end={}".format(*_last_year())
    return [
        Page("liaison: home", LIAISON, "/", "home", target_ms=50),
        Page("liaison: unit dashboard", LIAISON, f"/stats/unit?{month}", "dashboard", target_ms=50),
        Page("liaison: unit dashboard (year)", LIAISON, f"/stats/unit?{year}", "dashboard"),
        Page("centre: home", CENTRE, "/", "home"),
        Page("centre: dashboard (last month)", CENTRE, f"/stats/?{month}", "dashboard", target_ms=300),
        Page("centre: dashboard (year)", CENTRE, f"/stats/?{year}", "dashboard", target_ms=1000),
    ]


def pages_for(which: str = "all") -> list[Page]:
    out = stats_pages()
    if which == "stats":
        return out
    from portal.orders.queries import CENTRE_QUEUES, UNIT_TABS

    for tab in UNIT_TABS:
        out.append(Page(f"liaison: 我的工单 {tab.label}", LIAISON, f"/orders/mine?tab={tab.key}"))
    out.append(Page("liaison: 已办结 deep page", LIAISON, "deep:mine:closed", "deep", "liaison: 我的工单 已办结"))
    out.append(Page("leader: 我的工单", LEADER, "/orders/mine"))
    for tab in CENTRE_QUEUES:
        out.append(Page(f"centre: 工单中心 {tab.label}", CENTRE, f"/orders/queues?tab={tab.key}"))
    out += [
        Page("centre: 已办结 deep page", CENTRE, "deep:queues:closed", "deep", "centre: 工单中心 已办结"),
        Page("centre: 全部 deep page", CENTRE, "deep:queues:all", "deep", "centre: 工单中心 全部"),
        Page("centre: 全部, kind 举报", CENTRE, "/orders/queues?tab=all&kind=report"),
        Page("centre: 全部, kind 举报, deep page", CENTRE, "deep:queues:all:kind=report", "deep",
             "centre: 全部, kind 举报"),
        Page(f"centre: 全部, keyword {KEYWORD}", CENTRE, f"/orders/queues?tab=all&keyword={KEYWORD}"),
        Page(f"centre: 全部, keyword {SHORT_KEYWORD} (2 chars, LIKE)", CENTRE,
             f"/orders/queues?tab=all&keyword={SHORT_KEYWORD}"),
        Page("centre: 全部 by deadline", CENTRE, "/orders/queues?tab=all&sort=deadline"),
        Page("operator: 工单中心", OPERATOR, "/orders/queues"),
    ]
    return out


def _last_month():
    from portal.clock import now

    first = now().date().replace(day=1)
    end = first - timedelta(days=1)
    return end.replace(day=1).isoformat(), end.isoformat()


def _last_year():
    """The 12 calendar months ending with last month."""
    start, end = _last_month()
    first = date.fromisoformat(start)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    return first.isoformat(), end


# ---- data sets ------------------------------------------------------------------------------------------

def start_postgres(workdir: Path) -> tuple[str, Path]:
    port = _free_port()
    pgdir = workdir / "pg"
    url = subprocess.run([str(ROOT / ".ci/pg-cluster"), "open", str(pgdir), str(port)], check=True,
                         capture_output=True, text=True).stdout.strip()
    return url, pgdir


def stop_postgres(pgdir: Path) -> None:
    subprocess.run([str(ROOT / ".ci/pg-cluster"), "close", str(pgdir)], check=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dataset_url(dialect: str, size: int, workdir: Path, pg_url: str | None) -> str:
    if dialect == "sqlite":
        return f"sqlite:///{workdir / f'sqlite-{size}.db'}"
    base = make_url(pg_url)
    name = f"bench_{size}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def build(ds: Dataset, units: int, echo) -> None:
    from flask_migrate import upgrade

    from portal.demo.generate import Plan, generate
    from portal.orders.models import WorkOrder

    app = make_app(ds.url)
    with app.app_context():
        upgrade()
        have = db.session.scalar(select(db.func.count(WorkOrder.id)))
        if have == ds.size:
            echo(f"  reuse {ds.dialect} {ds.size:,}")
            return
        if have:
            raise SystemExit(f"{ds.url} holds {have} orders, not {ds.size}: remove it first")
        started = time.perf_counter()
        summary = generate(Plan(orders=ds.size, units=units), echo=lambda m: echo("  " + m))
        ds.built = time.perf_counter() - started
        for name, (cpu, wall) in summary.phases.items():
            echo(f"    {name}: CPU {cpu:.1f} s, wall {wall:.1f} s")
        db.session.remove()
        db.engine.dispose()


def make_app(url: str, **extra):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "RATELIMIT_ENABLED": False, **extra})


# ---- measuring --------------------------------------------------------------------------------------------

class Recorder:
    def __init__(self, engine):
        self.statements: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append((statement, parameters))


def login(app, client, username: str) -> None:
    from portal.auth.models import User

    with app.app_context():
        ident = db.session.scalars(select(User).where(User.username == username)).one().get_id()
    with client.session_transaction() as sess:
        sess["_user_id"] = ident
        sess["_fresh"] = True


def resolve(app, page: Page) -> str:
    """A deep page's URL as the pager links it: page N with the cursor of page N-1's last row."""
    if page.kind != "deep":
        return page.url
    from portal.auth.models import User
    from portal.orders import queries

    _, where, tab_key, *rest = page.url.split(":")
    kind = rest[0].split("=")[1] if rest else None
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == page.user)).one()
        tabs = queries.UNIT_TABS if where == "mine" else queries.CENTRE_QUEUES
        tab = queries.find_tab(tabs, tab_key)
        filters = queries.Filters(kind=kind, sort="accepted")
        stmt = queries.order_select(user, tab, filters)
        per_page = app.config["PAGE_SIZE"]
        total = queries.count(stmt.order_by(None))
        endpoint = "/orders/mine" if where == "mine" else "/orders/queues"
        extra = f"&kind={kind}" if kind else ""
        target = int(total / per_page * 0.8)  # 80% of the way down
        if target < 2:  # a list this short has no deep page
            db.session.remove()
            return f"{endpoint}?tab={tab_key}{extra}"
        row = db.session.scalars(stmt.offset((target - 1) * per_page - 1).limit(1)).one()
        cursor = f"a{target - 1}~{row.accepted_at.isoformat()}~{row.id}"
        db.session.remove()
    return f"{endpoint}?tab={tab_key}{extra}&page={target}&c={cursor}"


def replay(url: str, statements) -> float:
    """The page's SQL alone: every statement executed and fetched on a fresh connection (median of 3), ms."""
    engine = create_engine(url)
    samples = []
    try:
        for _ in range(3):
            with engine.connect() as conn:
                raw = conn.connection.driver_connection
                start = time.perf_counter()
                for statement, parameters in statements:
                    cur = raw.cursor()
                    cur.execute(statement, parameters)
                    if cur.description:
                        cur.fetchall()
                    cur.close()
                samples.append((time.perf_counter() - start) * 1000)
    finally:
        engine.dispose()
    return statistics.median(samples)


def measure(ds: Dataset, runs: int, echo, which: str = "all", direct: bool = False) -> None:
    app = make_app(ds.url)
    recorder = Recorder(_engine(app))
    pages = pages_for(which)
    with direct_queries() if direct else nullcontext():
        _measure_pages(app, recorder, ds, pages, runs, echo, ds.direct if direct else ds.pages)
    _dispose(app)


def _measure_pages(app, recorder, ds: Dataset, pages, runs: int, echo, into: dict | None = None) -> None:
    into = ds.pages if into is None else into
    for page in pages:
        url = resolve(app, page)
        client = app.test_client()
        login(app, client, page.user)
        for _ in range(2):
            start = time.perf_counter()
            response = client.get(url)
            warm = time.perf_counter() - start
            assert response.status_code == 200, (page.label, url, response.status_code)
        samples = []
        for _ in range(runs if warm < 1 else min(runs, 5)):  # pages of seconds: 5 runs are enough
            recorder.statements.clear()
            start = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - start) * 1000)
        statements = list(recorder.statements)
        queries_100 = None
        if page.kind in ("list", "deep"):
            app.config["PAGE_SIZE"] = 100
            url_100 = resolve(app, page)  # a deep page is deeper in pages of 20 than in pages of 100
            client.get(url_100)
            recorder.statements.clear()
            client.get(url_100)
            queries_100 = len(recorder.statements)
            app.config["PAGE_SIZE"] = 20
        samples.sort()
        m = Measure(statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.95))],
                    replay(ds.url, statements), len(statements), queries_100)
        into[page.label] = m
        echo(f"  {'direct ' if into is ds.direct else ''}{ds.dialect} {ds.size:>9,} {page.label}: p50 {m.p50:.1f} ms, p95 {m.p95:.1f}, SQL {m.sql:.1f}, "
             f"queries {m.queries}/{m.queries_100}")


def _engine(app):
    with app.app_context():
        return db.engine


def _dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# ---- throughput -----------------------------------------------------------------------------------------------

def throughput(ds: Dataset, seconds: float, echo, connections: int = 4) -> float:
    """Requests per second of the liaison's 已办结 page under gunicorn with 2 workers, on loopback."""
    app = make_app(ds.url)
    client = app.test_client()
    login(app, client, LIAISON)
    cookie = client.get_cookie("session").value
    _dispose(app)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": ds.url, "SECRET_KEY": SECRET}
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "--workers", "2", "--bind",
                               f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = "/orders/mine?tab=closed"
    try:
        _wait_for(port)
        done, errors = [0], [0]
        stop = time.perf_counter() + seconds

        def worker():
            request_loop(port, path, cookie, stop, done, errors)

        for t in [threading.Thread(target=worker) for _ in range(1)]:
            t.start()
            t.join()  # warm both workers' caches a little
        stop = time.perf_counter() + seconds
        done[0] = errors[0] = 0
        threads = [threading.Thread(target=worker) for _ in range(connections)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rate = done[0] / (time.perf_counter() - start)
        if errors[0]:
            echo(f"  throughput: {errors[0]} responses were not 200")
    finally:
        server.terminate()
        server.wait(timeout=30)
    echo(f"  {ds.dialect} {ds.size:,} throughput {rate:.1f} req/s")
    return rate


def request_loop(port: int, path: str, cookie: str, until: float, done: list, errors: list) -> None:
    """One client on one connection: GET `path` until `until`, counting 200s in done[0], others in errors[0]."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while time.perf_counter() < until:
        conn.request("GET", path, headers={"Cookie": f"session={cookie}"})
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            done[0] += 1
        else:
            errors[0] += 1
    conn.close()


def _wait_for(port: int) -> None:
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start")


# ---- report -----------------------------------------------------------------------------------------------

def _versions(datasets: list[Dataset]) -> str:
    import sqlalchemy

    parts = [f"Python {platform.python_version()}", f"SQLite {sqlite3.sqlite_version}", f"SQLAlchemy {sqlalchemy.__version__}"]
    for ds in datasets:
        if ds.dialect == "postgresql":
            engine = create_engine(ds.url)
            with engine.connect() as conn:
                parts.append(conn.scalar(text("SHOW server_version")).split()[0].join(("PostgreSQL ", "")))
            engine.dispose()
            break
    return ", ".join(parts)


def _machine() -> str:
    def first(path: str, prefix: str) -> str:
        try:
            text_ = Path(path).read_text()
        except OSError:
            return ""
        return next((ln for ln in text_.splitlines() if ln.startswith(prefix)), "")

    model = first("/proc/cpuinfo", "model name").partition(":")[2].strip()
    mem = first("/proc/meminfo", "MemTotal").split()
    ram = f", {int(mem[1]) / 1024 / 1024:.1f} GB RAM" if len(mem) > 1 else ""
    return f"{platform.machine()} {model}, {os.cpu_count()} CPUs{ram}"


def _built(datasets: list[Dataset]) -> list[str]:
    return [f"- built {ds.dialect} {ds.size:,} orders in {ds.built:.0f} s (`demo generate`)"
            for ds in datasets if ds.built is not None]


def report(datasets: list[Dataset], loads: tuple, args, versions: str) -> str:
    sizes = sorted({d.size for d in datasets})
    small, big = sizes[0], sizes[-1]
    lines = [
        f"## scale_bench — {time.strftime('%Y-%m-%d %H:%M')}, {', '.join(f'{s:,}' for s in sizes)} orders over "
        f"{args.units} units (biggest unit 2%)",
        "",
        f"{_machine()}; {versions}. Load average {loads[0]} before, {loads[1]} after (a machine "
        f"shared with other work: absolute times are high and noisy; the ratios are the point). "
        f"p50/p95 of {args.runs} requests through the test client after 2 warm-ups; SQL = the page's own "
        f"statements replayed alone on a fresh connection; queries = at 20 rows / at 100 rows. Targets: {TARGETS}.",
        "",
    ]
    lines += _built(datasets)
    lines.append("")
    for dialect in sorted({d.dialect for d in datasets}, key=lambda x: x != "sqlite"):
        by_size = {d.size: d for d in datasets if d.dialect == dialect}
        lo, hi = by_size.get(small), by_size.get(big)
        head = (f"p50 {small:,} | p95 {small:,} | SQL {small:,} | p50 {big:,} | p95 {big:,} | SQL {big:,} "
                f"| ×{big // small} ratio (p50)") if big != small else \
            f"— | — | — | p50 {big:,} | p95 {big:,} | SQL {big:,} | ratio (one size)"
        lines += [f"### {dialect}", "",
                  f"| page | {head} | deep ÷ page 1 | queries | ok |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for label, m_hi in (hi or lo).pages.items():
            m_lo = lo.pages.get(label) if lo else None
            ratio = m_hi.p50 / m_lo.p50 if m_lo and hi is not lo else None
            deep = ""
            page = next((p for p in pages_for() if p.label == label), None)
            if page and page.deep_of and page.deep_of in (hi or lo).pages:
                deep_ratio = m_hi.p50 / (hi or lo).pages[page.deep_of].p50
                deep = f"{deep_ratio:.2f}"
            ok = _verdict(page, m_hi, ratio, deep, dialect)
            q = f"{m_hi.queries}/{m_hi.queries_100}" if m_hi.queries_100 is not None else f"{m_hi.queries}"
            lo_cells = f"{m_lo.p50:.1f} | {m_lo.p95:.1f} | {m_lo.sql:.1f}" if m_lo and hi is not lo else "— | — | —"
            lines.append(f"| {label} | {lo_cells} | {m_hi.p50:.1f} | {m_hi.p95:.1f} | {m_hi.sql:.1f} | "
                         f"{f'{ratio:.2f}' if ratio else '—'} | {deep or '—'} | {q} | {ok} |")
        lines.append("")
        for ds in (lo, hi) if hi is not lo else (hi,):
            if ds and ds.throughput is not None:
                lines.append(f"Throughput, liaison's 已办结 page, gunicorn 2 workers, {dialect} {ds.size:,}: "
                             f"**{ds.throughput:.1f} req/s** (target ≥ 100 on SQLite 1M).")
        lines.append("")
    return "\n".join(lines)


def stats_report(datasets: list[Dataset], loads: tuple, args, versions: str) -> str:
    """Home pages and dashboards, before (direct queries) and after (per-unit per-day sums)."""
    lines = [
        f"## scale_bench --pages stats — {time.strftime('%Y-%m-%d %H:%M')}, home pages and dashboards, "
        f"{args.units} units",
        "",
        f"{_machine()}; {versions}. Load average {loads[0]} before, {loads[1]} after; per data set in its "
        f"heading (a machine shared with other work). p50/p95 of up to {args.runs} requests through the test client "
        f"after 2 warm-ups (5 when a page takes over a second); SQL = the page's statements replayed alone. "
        f"*Before* = the same pages with the query façade pointed at the direct queries (`direct_queries()`), which "
        f"is what they ran before the sums; *after* = the per-unit per-day sums. Targets: one unit's home and "
        f"dashboard < 50 ms; the centre dashboard < 300 ms for a month, < 1 s for a year.",
        "",
    ]
    lines += _built(datasets)
    for ds in datasets:
        lines += ["", f"### {ds.dialect}, {ds.size:,} orders (load average {ds.load})", "",
                  "| page | before p50 | before SQL | after p50 | after p95 | after SQL | × faster (p50) | queries before/after "
                  "| target met (after p50) |",
                  "|---|---:|---:|---:|---:|---:|---:|---|---|"]
        for label, after in ds.pages.items():
            before = ds.direct.get(label)
            page = next(p for p in stats_pages() if p.label == label)
            limit = 50 if page.user != CENTRE else (1000 if "year" in label else 300)
            b50 = f"{before.p50:.1f}" if before else "—"
            bsql = f"{before.sql:.1f}" if before else "—"
            faster = f"{before.p50 / after.p50:.1f}" if before else "—"
            q = f"{before.queries}/{after.queries}" if before else f"{after.queries}"
            lines.append(f"| {label} | {b50} | {bsql} | {after.p50:.1f} | {after.p95:.1f} | {after.sql:.1f} | {faster} "
                         f"| {q} | {'yes' if after.p50 < limit else f'no (< {limit} ms)'} |")
    lines.append("")
    return "\n".join(lines)


def _verdict(page, m: Measure, ratio, deep, dialect) -> str:
    misses = []
    if page is None or page.kind in ("home", "dashboard"):
        if page and page.target_ms and m.p50 >= page.target_ms:
            misses.append(f"time (target {page.target_ms:.0f} ms)")
        return "miss: " + ", ".join(misses) if misses else "yes"
    if ratio is not None and ratio > 1.3:
        misses.append("ratio")
    if deep and float(deep) > 1.5:
        misses.append("deep")
    if m.queries_100 is not None and m.queries_100 != m.queries:
        misses.append("queries")
    if dialect == "sqlite" and m.p50 >= 30:
        misses.append("p50")
    return "miss: " + ", ".join(misses) if misses else "yes"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--throughput-seconds", type=float, default=15)
    parser.add_argument("--workdir", default="/tmp/bench-scale")
    parser.add_argument("--no-write", action="store_true", help="print only, do not append to RESULTS.md")
    parser.add_argument("--pages", choices=("all", "stats"), default="all")
    parser.add_argument("--build-only", action="store_true", help="build (or upgrade) the data sets, measure nothing")
    args = parser.parse_args(argv)
    echo = lambda m: print(m, file=sys.stderr, flush=True)  # noqa: E731
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    dialects = args.databases.split(",")
    loads = (f"{os.getloadavg()[0]:.1f}",)
    pg_url, pgdir = (None, None)
    datasets = []
    try:
        if "postgresql" in dialects:
            pg_url = os.environ.get("BENCH_PG_URL")
            if not pg_url:
                pg_url, pgdir = start_postgres(workdir)
        for dialect in dialects:
            for size in sizes:
                ds = Dataset(dialect, size, dataset_url(dialect, size, workdir, pg_url))
                echo(f"== {dialect} {size:,}")
                build(ds, args.units, echo)
                if args.build_only:
                    continue
                ds.load = f"{os.getloadavg()[0]:.1f}"
                measure(ds, args.runs, echo, args.pages)
                if args.pages == "stats":
                    measure(ds, args.runs, echo, args.pages, direct=True)
                    ds.load += f"–{os.getloadavg()[0]:.1f}"
                elif args.throughput_seconds > 0 and size == sizes[-1]:
                    ds.throughput = throughput(ds, args.throughput_seconds, echo)
                datasets.append(ds)
        versions = _versions(datasets)  # while the throwaway PostgreSQL still runs
    finally:
        if pgdir:
            stop_postgres(pgdir)
    loads += (f"{os.getloadavg()[0]:.1f}",)
    if args.build_only:
        return 0
    text_out = (stats_report if args.pages == "stats" else report)(datasets, loads, args, versions)
    print(text_out)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as fh:
            fh.write("\n" + text_out + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
