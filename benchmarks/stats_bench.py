"""Time the statistics queries on a synthetic city: N orders over U units in a temp SQLite DB.

    .venv/bin/python benchmarks/stats_bench.py [--orders 100000] [--units 200] [--calls 300000] [--no-write]

Each order gets its history rows (order_fact) as the portal writes them: one row, and more for the orders
with an approved extension, a reopen or a return. "before" rows time the unit table as it was computed
before figures were taken from history (the orders' current columns), on the same data, for the ratio.

The rows are written in bulk (no ORM), so the per-unit per-day sums are then built by `rebuild` (timed). Each
figure is timed from the sums (what the pages read) and from the direct queries (what they read before issue
14), as of a T shortly after the period (a circular) and with the clock at T (a dashboard as of now).

Set BENCH_DATABASE_URL to run against another (empty, throwaway) database, e.g. PostgreSQL.
Appends the measured numbers to benchmarks/RESULTS.md (never asserted by tests).
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

import time_machine  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from benchmarks.direct import direct_queries  # noqa: E402

from portal import create_app  # noqa: E402
from portal.calls.models import Call, CallOutcome  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.orders.enums import CallbackResult, OrderKind, OrderState  # noqa: E402
from portal.orders.history import OrderFact  # noqa: E402
from portal.orders.models import Callback, Subject, Tag, WorkOrder, order_tag  # noqa: E402
from portal.stats import queries as q  # noqa: E402
from portal.stats.aggregates import rebuild  # noqa: E402
from portal.stats.dashboard import centre_dashboard  # noqa: E402
from portal.units.models import UNIT_GROUPS, Unit  # noqa: E402

YEAR_START = datetime(2018, 1, 1)
KINDS = list(OrderKind)
KIND_WEIGHTS = [14, 72, 10, 4, 1, 1]


def build(n_orders: int, n_units: int, n_calls: int, rng: random.Random) -> None:
    db.session.execute(insert(Unit), [
        {"full_name": f"基准单位{i}全称", "short_name": f"基准单位{i}", "group": UNIT_GROUPS[i % 3],
         "display_order": i, "aliases": []} for i in range(1, n_units + 1)])
    parents = [Subject(name=f"大类{i}") for i in range(10)]
    db.session.add_all(parents)
    db.session.flush()
    db.session.execute(insert(Subject), [{"name": f"小类{i}", "parent_id": parents[i % 10].id} for i in range(60)])
    db.session.execute(insert(Tag), [{"name": f"标签{i}"} for i in range(5)])
    unit_ids = [u for (u,) in db.session.execute(db.select(Unit.id))]
    subject_ids = [s for (s,) in db.session.execute(db.select(Subject.id).where(Subject.parent_id.is_not(None)))]
    weights = [1 / (i + 1) for i in range(len(unit_ids))]  # a few busy units, a long tail
    rows = []
    for i in range(n_orders):
        accepted = YEAR_START + timedelta(seconds=rng.randrange(365 * 86400))
        deadline = accepted + timedelta(days=rng.choice((3, 5, 10, 14)))
        r = rng.random()
        completed = None if r < 0.05 else accepted + timedelta(hours=rng.randrange(1, 24 * 16))
        undispatched = r > 0.995
        unit = None if undispatched else rng.choices(unit_ids, weights)[0]
        rows.append({
            "number": f"B{i:09d}", "accepted_at": accepted, "kind": rng.choices(KINDS, KIND_WEIGHTS)[0],
            "title": "基准工单", "content": "内容", "subject_id": rng.choice(subject_ids),
            "state": (OrderState.PENDING if undispatched else OrderState.CLOSED if completed else OrderState.IN_PROGRESS),
            "unit_id": unit, "last_unit_id": unit, "dispatched_at": None if undispatched else accepted,
            "sign_deadline": accepted + timedelta(days=1), "signed_at": accepted + timedelta(hours=rng.randrange(1, 40)),
            "handle_deadline": None if undispatched else deadline, "completed_at": completed,
            "closed_at": completed if completed and not undispatched else None,
            "return_count": int(rng.random() < 0.03), "extension_count": int(rng.random() < 0.05),
            "reopen_count": int(rng.random() < 0.02), "version": 1, "created_at": accepted,
        })
        if len(rows) == 10000:
            db.session.execute(insert(WorkOrder), rows)
            rows = []
    if rows:
        db.session.execute(insert(WorkOrder), rows)
    build_facts(rng)
    order_ids = [o for (o,) in db.session.execute(db.select(WorkOrder.id))]
    db.session.execute(insert(order_tag), [{"order_id": o, "tag_id": rng.randrange(1, 6)}
                                           for o in rng.sample(order_ids, len(order_ids) // 20)])
    db.session.execute(insert(Callback), [
        {"order_id": o, "result": rng.choice(list(CallbackResult)), "note": "", "at": datetime(2019, 1, 1), "closure": 1}
        for o in rng.sample(order_ids, len(order_ids) // 3)])
    calls = []
    for i in range(n_calls):
        calls.append({"received_at": YEAR_START + timedelta(seconds=rng.randrange(365 * 86400)), "summary": "",
                      "outcome": CallOutcome.DIRECT if rng.random() < 0.85 else CallOutcome.ORDER,
                      "created_at": YEAR_START})
        if len(calls) == 20000:
            db.session.execute(insert(Call), calls)
            calls = []
    if calls:
        db.session.execute(insert(Call), calls)
    db.session.commit()


def facts_of(o, rng: random.Random) -> list[dict]:
    """The history rows of one synthetic order: a return before its dispatch, an extension or a reopen
    split its time in two rows, as record_facts would."""
    base = {"order_id": o.id, "accepted_at": o.accepted_at, "kind": o.kind, "valid_from": o.accepted_at,
            "valid_to": None, "unit_id": o.last_unit_id, "dispatched_at": o.dispatched_at,
            "sign_deadline": o.sign_deadline, "signed_at": o.signed_at, "handle_deadline": o.handle_deadline,
            "completed_at": o.completed_at, "extensions": 0, "reopens": 0}
    if o.last_unit_id is None:
        return [{**base, "dispatched_at": None, "handle_deadline": None, "sign_deadline": None}]
    rows = [base]
    if o.return_count:  # first dispatched elsewhere, returned after 2 hours, dispatched again here
        moved = o.accepted_at + timedelta(hours=2)
        rows = [{**base, "valid_to": moved, "unit_id": (o.last_unit_id % 200) + 1, "completed_at": None,
                 "signed_at": None},
                {**base, "valid_from": moved}]
    last = rows[-1]
    if o.extension_count or o.reopen_count:
        split = last["valid_from"] + timedelta(hours=rng.randrange(1, 72))
        later = {**last, "valid_from": split, "handle_deadline": o.handle_deadline,
                 "extensions": o.extension_count, "reopens": o.reopen_count}
        last.update(valid_to=split, handle_deadline=o.handle_deadline - timedelta(days=2),
                    completed_at=None if o.reopen_count else o.completed_at)
        rows.append(later)
    return rows


def build_facts(rng: random.Random) -> None:
    batch = []
    for o in db.session.execute(db.select(WorkOrder.id, WorkOrder.accepted_at, WorkOrder.kind, WorkOrder.last_unit_id,
                                          WorkOrder.dispatched_at, WorkOrder.sign_deadline, WorkOrder.signed_at,
                                          WorkOrder.handle_deadline, WorkOrder.completed_at, WorkOrder.return_count,
                                          WorkOrder.extension_count, WorkOrder.reopen_count)).all():
        batch.extend(facts_of(o, rng))
        if len(batch) >= 10000:
            db.session.execute(insert(OrderFact), batch)
            batch = []
    if batch:
        db.session.execute(insert(OrderFact), batch)


def unit_rows_before(period: q.Period):
    """The unit table's query before issue 11: each order's current columns (last_unit_id, state, deadline)."""
    from sqlalchemy import and_, case, func, not_, or_

    t = period.as_of
    done = and_(WorkOrder.completed_at.is_not(None), WorkOrder.completed_at <= t)
    deadline = WorkOrder.handle_deadline
    conds = [and_(done, or_(deadline.is_(None), WorkOrder.completed_at <= deadline)),
             and_(done, deadline.is_not(None), WorkOrder.completed_at > deadline),
             and_(not_(done), deadline.is_not(None), deadline < t),
             and_(not_(done), or_(deadline.is_(None), deadline >= t))]
    count_if = lambda c: func.coalesce(func.sum(case((c, 1), else_=0)), 0)  # noqa: E731
    stmt = (
        db.select(Unit.id, Unit.short_name, Unit.group, Unit.display_order, Unit.full_name,
                  func.count(WorkOrder.id), *(count_if(WorkOrder.kind == k) for k in q.KINDS), *map(count_if, conds))
        .join(Unit, Unit.id == WorkOrder.last_unit_id)
        .where(WorkOrder.accepted_at >= period.start_at, WorkOrder.accepted_at < period.end_before,
               WorkOrder.accepted_at <= t, WorkOrder.state != OrderState.MERGED)
        .group_by(Unit.id, Unit.short_name, Unit.group, Unit.display_order, Unit.full_name)
        .order_by(func.count(WorkOrder.id).desc(), Unit.display_order, Unit.id)
    )
    rows = db.session.execute(stmt).all()
    undispatched = db.session.scalar(db.select(func.count(WorkOrder.id)).where(
        WorkOrder.accepted_at >= period.start_at, WorkOrder.accepted_at < period.end_before,
        WorkOrder.accepted_at <= t, WorkOrder.state != OrderState.MERGED, WorkOrder.last_unit_id.is_(None)))
    return rows, undispatched


def timed(fn, repeat: int = 3) -> float:
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
        db.session.rollback()
    return statistics.median(runs) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--calls", type=int, default=300_000)
    parser.add_argument("--no-write", action="store_true", help="print only, do not append to RESULTS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/bench.sqlite3"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})
        with app.app_context():
            db.drop_all()
            db.create_all()
            t0 = time.perf_counter()
            build(args.orders, args.units, args.calls, random.Random(12345))
            built = time.perf_counter() - t0
            print(f"  built in {built:.1f} s", file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            rebuild(db.session.connection())
            db.session.commit()
            summed_in = time.perf_counter() - t0
            print(f"  sums rebuilt in {summed_in:.1f} s", file=sys.stderr, flush=True)
            month = q.Period(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 12, 0))
            year = q.Period(date(2018, 1, 1), date(2018, 12, 31), datetime(2019, 1, 15, 12, 0))
            cases = [
                ("unit_table (month), before: current columns", lambda: unit_rows_before(month)),
                ("unit_table (month)", lambda: q.unit_table(month)),
                ("unit_table (year), before: current columns", lambda: unit_rows_before(year)),
                ("unit_table (year)", lambda: q.unit_table(year)),
                ("kind_shares (year)", lambda: q.kind_shares(year)),
                ("call_totals (year)", lambda: q.call_totals(year)),
                ("tag_counts (year)", lambda: q.tag_counts(year)),
                ("hot_topics (year)", lambda: q.hot_topics(year)),
                ("unit_rates (year)", lambda: q.unit_rates(year)),
                ("daily_trend (month)", lambda: q.daily_trend(month)),
                ("monthly_trend (12 months)", lambda: q.monthly_trend(year)),
                ("group_rankings (year)", lambda: q.group_rankings(year)),
                ("centre dashboard, all queries (month)", lambda: centre_dashboard(month)),
                ("centre dashboard, all queries (year)", lambda: centre_dashboard(year)),
            ]
            results, pairs = [], []
            for name, fn in cases:
                if "before" in name:
                    results.append((name, timed(fn)))
                    continue
                with direct_queries():
                    direct = timed(fn)
                sums = timed(fn)
                period = year if "year" in name or "12 months" in name else month
                with time_machine.travel(period.as_of, tick=False):
                    now_ms = timed(fn)
                results.append((name, sums))
                pairs.append((name, direct, sums, now_ms))
                print(f"  {name}: direct {direct:.1f} ms, sums {sums:.1f}, sums with the clock at T {now_ms:.1f}",
                      file=sys.stderr, flush=True)
            dialect = db.engine.dialect.name
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    ms = dict(results)
    ratios = [f"unit table, new ÷ before: month {ms['unit_table (month)'] / ms['unit_table (month), before: current columns']:.2f}×, "
              f"year {ms['unit_table (year)'] / ms['unit_table (year), before: current columns']:.2f}×"]
    lines = [
        f"## stats_bench — {datetime.now():%Y-%m-%d %H:%M}, {dialect}, {args.orders:,} orders, {args.units} units, "
        f"{args.calls:,} calls",
        "",
        f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs (load average "
        f"{os.getloadavg()[0]:.1f}, a machine shared with other work); data built in {built:.1f} s. Median of 3 runs.",
        "",
        f"Per-unit per-day sums rebuilt from the history in {summed_in:.1f} s (`rebuild`).",
        "",
        "| query | direct queries (before), ms | sums, ms | sums with the clock at T, ms | direct ÷ sums |",
        "|---|---:|---:|---:|---:|",
        *(f"| {name} | {d:.1f} | {s_:.1f} | {n:.1f} | {d / s_:.1f}× |" for name, d, s_, n in pairs),
        "",
        *(f"{name}: {ms:.1f} ms" for name, ms in results if "before" in name),
        "",
        *ratios,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        out = Path(__file__).parent / "RESULTS.md"
        if not out.exists():
            out.write_text("# Benchmark results\n\nAppended by the scripts in this folder (`make bench`).\n\n",
                           encoding="utf-8")
        with out.open("a", encoding="utf-8") as fh:
            fh.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
