"""Per-unit, per-day sums of the figures, exact as of any T (issue 14; DOMAIN.md §4).

Every figure of a unit is a sum over orders of what each order contributes at T, and what an order
contributes changes only at known instants: when a fact row of its history starts or ends, when it is
dispatched, signed or completed, when its handle deadline passes, when a unit asks to return it, when a
callback is made. `order_changes` reads an order's history (its `order_fact` rows, its 申请退单 events and
its counted callbacks), evaluates the figures' rules at each of those instants and keeps the differences:
one *change* per instant, each a vector of counts (`COLUMNS`) for a group (unit, day of acceptance).
Unit 0 is 待派单. An upheld appeal (申诉成立) changes a figure at its decision time: `order_fact.late_excused_at`
(逾期办结 → 按时办结) and `callback.excluded_at` (the rating leaves the callbacks) are instants too.

Two tables hold the sums of every order's changes:

- `stat_change` (day, unit, at, strict): the changes at one instant. A change counts at T when `at < T`,
  or `at = T` and it is not strict; strict changes are the deadlines passing (逾期 only *after* the deadline).
- `stat_day` (day, unit): the sum of all changes of the group, i.e. the figures as of any T after the
  last change; `stat_month` (month, unit) the same rolled up by calendar month.

So the figures as of T of the days of a period are `stat_day` minus the changes that do not count yet at
T. For T = now those are the deadlines still ahead (the work in hand); for a T in the past, the changes
made since. Whole months of a period are read from `stat_month`, the days before and after them from
`stat_day`: a year of one unit is 12 rows.

Which rule decides what: `portal.stats._sql` (the SQL of the direct queries) is the definition of every
figure; `_value` below restates it for one order and `tests/stats/test_aggregates.py` holds the two equal on
random histories at random T, on SQLite and PostgreSQL.

Maintenance: a session hook (`before_flush` / `after_flush`) notices every written fact row, callback and
申请退单 event, reads the orders' changes before the flush and after it, and adds the difference to the
two tables (INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n: concurrent transactions add up, a
rollback takes its additions back). The transition path, the import, the calendar recompute and the
demo all write through it. `rebuild` computes the tables from scratch (the migration, `demo generate`).

The same three tables exist for topics (`stat_topic_day`, `stat_topic_month`, `stat_topic_change`): per
day and tag, and per day and subject, the orders counted for a unit at T (the unit table's 合计 of those
orders), which tag counts and 热点问题 read. An order's tags and subject are its current ones, as in the
direct queries; the hook follows a change of them too.

`call_day` holds the calls received per day (all, direct replies, to orders), recounted for every day
whose calls a flush touched; the day of T itself is counted from `call` (only the calls by T).
"""
from __future__ import annotations

import gc
from collections import Counter, defaultdict
from datetime import date, datetime
from itertools import repeat
from typing import NamedTuple

from sqlalchemy import (
    Boolean, Column, Date, DateTime, Index, Integer, PrimaryKeyConstraint, String, Table, and_, case, delete, event,
    or_, func, inspect, select,
)
from sqlalchemy.orm import Session

from portal.calls.models import Call, CallOutcome
from portal.extensions import db
from portal.orders.enums import CallbackResult, OrderKind
from portal.orders.history import OrderFact
from portal.orders.models import Callback, OrderEvent, WorkOrder, order_tag
from portal.orders.records import Reply

UNDISPATCHED = 0  # the unit of the 待派单 group
KIND_COLUMNS = tuple(f"k_{k.value}" for k in OrderKind)
CALLBACK_COLUMNS = tuple(f"cb_{r.value}" for r in CallbackResult)
# The counts of one group. Add a figure: a column here, its rule in `_value`, a migration adding the column to
# both tables and calling `rebuild`, and the sum where a query reads it (portal/stats/summed.py).
COLUMNS = ("undispatched", "total", *KIND_COLUMNS, "on_time", "late", "overdue_open", "in_progress", "signed",
           "signed_on_time", "extensions", "reopened", "returns", "returned_orders", "returned_away",
           *CALLBACK_COLUMNS, "resolved")
RETURN_ACTION = "request_return"

metadata = db.metadata


def _counts() -> list[Column]:
    return [Column(name, Integer, nullable=False, default=0, server_default="0") for name in COLUMNS]


stat_day = Table(
    "stat_day", metadata,
    Column("day", Date, nullable=False),
    Column("unit_id", Integer, nullable=False),
    *_counts(),
    PrimaryKeyConstraint("day", "unit_id", name="pk_stat_day"),
    Index("ix_stat_day_unit", "unit_id", "day"),
)

# stat_day rolled up by calendar month (month = its first day): a year of one unit is 12 rows.
stat_month = Table(
    "stat_month", metadata,
    Column("month", Date, nullable=False),
    Column("unit_id", Integer, nullable=False),
    *_counts(),
    PrimaryKeyConstraint("month", "unit_id", name="pk_stat_month"),
)

stat_change = Table(
    "stat_change", metadata,
    Column("day", Date, nullable=False),
    Column("unit_id", Integer, nullable=False),
    Column("at", DateTime, nullable=False),
    Column("is_strict", Boolean, nullable=False),
    *_counts(),
    # Time first (4c1e9b7a2d58): the changes still ahead of a recent T are one range of the key, and on SQLite
    # (no rowid) one run of pages.
    PrimaryKeyConstraint("at", "day", "unit_id", "is_strict", name="pk_stat_change"),
    Index("ix_stat_change_day", "day", "unit_id"),
    Index("ix_stat_change_unit", "unit_id", "day", "at"),
    sqlite_with_rowid=False,
)

# Topics: (topic, ref_id) = ("tag", tag id) or ("subject", subject id); `orders` = orders counted for a unit.
TOPIC_TAG, TOPIC_SUBJECT = "tag", "subject"
TOPIC_COLUMNS = ("orders",)


def _topic_key() -> list[Column]:
    return [Column("topic", String(10), nullable=False), Column("ref_id", Integer, nullable=False)]


def _topic_counts() -> list[Column]:
    return [Column("orders", Integer, nullable=False, default=0, server_default="0")]


stat_topic_day = Table(
    "stat_topic_day", metadata,
    Column("day", Date, nullable=False), *_topic_key(), *_topic_counts(),
    PrimaryKeyConstraint("day", "topic", "ref_id", name="pk_stat_topic_day"),
)
stat_topic_month = Table(
    "stat_topic_month", metadata,
    Column("month", Date, nullable=False), *_topic_key(), *_topic_counts(),
    PrimaryKeyConstraint("month", "topic", "ref_id", name="pk_stat_topic_month"),
)
stat_topic_change = Table(
    "stat_topic_change", metadata,
    Column("day", Date, nullable=False), *_topic_key(),
    Column("at", DateTime, nullable=False),
    Column("is_strict", Boolean, nullable=False),
    *_topic_counts(),
    PrimaryKeyConstraint("at", "day", "topic", "ref_id", "is_strict", name="pk_stat_topic_change"),
    Index("ix_stat_topic_change_day", "day", "topic", "ref_id"),
    sqlite_with_rowid=False,
)


class SumTables(NamedTuple):
    """One family of sums: per day, per month and the changes, grouped by `group` (key columns), counting
    `columns`."""

    day: Table
    month: Table
    change: Table
    group: tuple[str, ...]
    columns: tuple[str, ...]

    @property
    def day_keys(self) -> tuple[str, ...]:
        return ("day", *self.group)

    @property
    def month_keys(self) -> tuple[str, ...]:
        return ("month", *self.group)

    @property
    def change_keys(self) -> tuple[str, ...]:
        return ("day", *self.group, "at", "is_strict")


UNIT_SUMS = SumTables(stat_day, stat_month, stat_change, ("unit_id",), COLUMNS)
TOPIC_SUMS = SumTables(stat_topic_day, stat_topic_month, stat_topic_change, ("topic", "ref_id"), TOPIC_COLUMNS)
FAMILIES = (UNIT_SUMS, TOPIC_SUMS)

call_day = Table(
    "call_day", metadata,
    Column("day", Date, nullable=False),
    Column("calls", Integer, nullable=False, default=0, server_default="0"),
    Column("direct", Integer, nullable=False, default=0, server_default="0"),
    Column("to_order", Integer, nullable=False, default=0, server_default="0"),
    PrimaryKeyConstraint("day", name="pk_call_day"),
)


# --- one order's changes ---------------------------------------------------------------------------------

# Column of a kind or level, found by the member or by its value (an enum member does not hash as its value).
KIND_COLUMN = {key: f"k_{k.value}" for k in OrderKind for key in (k, k.value)}
CALLBACK_COLUMN = {key: f"cb_{r.value}" for r in CallbackResult for key in (r, r.value)}


def _add(c: dict, name: str, n: int = 1) -> None:
    c[name] = c.get(name, 0) + n


def _value(facts, returns, callbacks, resolved, t: datetime, after: bool) -> dict[tuple[int, date], dict]:
    """What the order contributes to each group at T (`after`: just after T), by the rules of portal.stats._sql
    and portal.stats.rates.

    facts: its order_fact rows; returns: (at, asking unit) of its 申请退单 events by a unit; callbacks:
    (at, level, excluded_at) of its counted callbacks (closure not NULL); resolved: the times at which its
    replies saying 已解决 reached the centre (a completion at one of them counts for 解决率)."""
    def by(x):  # x ≤ T (the same just after T)
        return x is not None and x <= t

    out: dict[tuple[int, date], dict] = {}
    for r in facts:
        if not (r.accepted_at <= t and r.valid_from <= t and (r.valid_to is None or r.valid_to > t)):
            continue
        day = r.accepted_at.date()
        held = r.unit_id is not None and by(r.dispatched_at)
        if held:
            c = out.setdefault((r.unit_id, day), {})
            _add(c, "total")
            _add(c, KIND_COLUMN[r.kind])
            deadline = r.handle_deadline
            if by(r.completed_at):
                excused = by(r.late_excused_at)
                _add(c, "on_time" if deadline is None or r.completed_at <= deadline or excused else "late")
                if r.completed_at in resolved:
                    _add(c, "resolved")
            # open: 逾期 once the deadline has passed (deadline < T; just after T: deadline ≤ T)
            elif deadline is not None and (deadline < t or (after and deadline == t)):
                _add(c, "overdue_open")
            else:
                _add(c, "in_progress")
            if by(r.signed_at):
                _add(c, "signed")
                if r.sign_deadline is None or r.signed_at <= r.sign_deadline:
                    _add(c, "signed_on_time")
            if r.extensions:
                _add(c, "extensions", r.extensions)
            if r.reopens > 0:
                _add(c, "reopened")
            for at, level, excluded_at in callbacks:
                if at <= t and at >= r.dispatched_at and not by(excluded_at):
                    _add(c, CALLBACK_COLUMN[level])
        else:
            _add(out.setdefault((UNDISPATCHED, day), {}), "undispatched")
        if returns:
            asked = Counter(unit for at, unit in returns if at <= t)
            for unit, n in asked.items():
                c = out.setdefault((unit, day), {})
                _add(c, "returns", n)
                _add(c, "returned_orders")
                if not (held and r.unit_id == unit):
                    _add(c, "returned_away")
    return out


def _instants(facts, returns, callbacks) -> list[tuple[datetime, bool]]:
    """Where the order's contribution may change: (instant, strict), in time order (strict after the same instant)."""
    points = set()
    for r in facts:
        for x in (r.accepted_at, r.valid_from, r.valid_to, r.dispatched_at, r.signed_at, r.completed_at,
                  r.late_excused_at):
            if x is not None:
                points.add((x, False))
        if r.handle_deadline is not None:
            points.add((r.handle_deadline, True))
    points.update((at, False) for at, _ in returns)
    for at, _level, excluded_at in callbacks:  # made, and (an upheld appeal) excluded
        points.update((x, False) for x in (at, excluded_at) if x is not None)
    return sorted(points)


def order_changes(facts, returns=(), callbacks=(), resolved=frozenset()) -> dict[tuple[int, date, datetime, bool], dict]:
    """(unit, day, at, strict) → the change of the counts at that instant (zero changes left out)."""
    changes = {}
    previous: dict = {}
    for at, strict in _instants(facts, returns, callbacks):
        current = _value(facts, returns, callbacks, resolved, at, strict)
        for group in set(previous) | set(current):
            diff = _minus(current.get(group), previous.get(group))
            if diff:
                changes[(group[0], group[1], at, strict)] = diff
        previous = current
    return changes


def _minus(a: Counter | None, b: Counter | None) -> dict[str, int]:
    a, b = a or {}, b or {}
    out = {}
    for k in set(a) | set(b):
        v = a.get(k, 0) - b.get(k, 0)
        if v:
            out[k] = v
    return out


# --- reading histories, adding the differences ------------------------------------------------------------

F = OrderFact.__table__
FACT_COLUMNS = ("order_id", "accepted_at", "kind", "valid_from", "valid_to", "unit_id", "dispatched_at",
                "sign_deadline", "signed_at", "handle_deadline", "completed_at", "extensions", "reopens",
                "late_excused_at")


def _histories(connection, where_order) -> dict[int, tuple[list, list, list, set, list]]:
    """order id → (fact rows, returns, callbacks, resolved, topics) of the orders selected by
    `where_order(order_id column)`."""
    E, C, R, W = OrderEvent.__table__, Callback.__table__, Reply.__table__, WorkOrder.__table__
    out: dict[int, tuple[list, list, list, set, list]] = defaultdict(lambda: ([], [], [], set(), []))
    for r in connection.execute(select(*(F.c[name] for name in FACT_COLUMNS)).where(where_order(F.c.order_id))):
        out[r.order_id][0].append(r)
    returns = select(E.c.order_id, E.c.at, E.c.actor_unit_id).where(
        where_order(E.c.order_id), E.c.action == RETURN_ACTION, E.c.actor_unit_id.is_not(None))
    for order_id, at, unit in connection.execute(returns):
        out[order_id][1].append((at, unit))
    callbacks = select(C.c.order_id, C.c.at, C.c.result, C.c.excluded_at).where(where_order(C.c.order_id),
                                                                               C.c.closure.is_not(None))
    for order_id, at, level, excluded_at in connection.execute(callbacks):
        out[order_id][2].append((at, level, excluded_at))
    # The time for timeliness of a reply (reached the centre; submitted before sign-off existed), as rates.py.
    reached = select(R.c.order_id, func.coalesce(R.c.reached_centre_at, R.c.submitted_at)).where(
        where_order(R.c.order_id), R.c.resolved.is_(True))
    for order_id, at in connection.execute(reached):
        if order_id in out:
            out[order_id][3].add(at)
    subjects = select(W.c.id, W.c.subject_id).where(where_order(W.c.id), W.c.subject_id.is_not(None))
    tags = select(order_tag.c.order_id, order_tag.c.tag_id).where(where_order(order_tag.c.order_id))
    for topic, stmt in ((TOPIC_SUBJECT, subjects), (TOPIC_TAG, tags)):
        for order_id, ref_id in connection.execute(stmt):
            if order_id in out:
                out[order_id][4].append((topic, ref_id))
    return out


def collect(connection, where_order) -> dict[SumTables, tuple[dict, dict]]:
    """The summed changes and group totals of the selected orders, per family: {(day, *group, at, strict):
    counts}, {(day, *group): counts}. A topic's change is the order's change of `total` (counted for a unit)."""
    changes: dict[tuple, Counter] = defaultdict(Counter)
    days: dict[tuple, Counter] = defaultdict(Counter)
    topic_changes: dict[tuple, Counter] = defaultdict(Counter)
    topic_days: dict[tuple, Counter] = defaultdict(Counter)
    for facts, returns, callbacks, resolved, topics in _histories(connection, where_order).values():
        held: Counter = Counter()
        for (unit, day, at, strict), diff in order_changes(facts, returns, callbacks, resolved).items():
            changes[(day, unit, at, strict)].update(diff)
            days[(day, unit)].update(diff)
            held[(day, at, strict)] += diff.get("total", 0)
        for (day, at, strict), n in held.items():
            if n:
                for topic, ref_id in topics:
                    topic_changes[(day, topic, ref_id, at, strict)]["orders"] += n
                    topic_days[(day, topic, ref_id)]["orders"] += n
    return {UNIT_SUMS: (changes, days), TOPIC_SUMS: (topic_changes, topic_days)}


def _difference(after: dict, before: dict) -> dict:
    out = {}
    for key in set(after) | set(before):
        diff = _minus(after.get(key), before.get(key))
        if diff:
            out[key] = diff
    return out


def _insert(connection, table):
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(table)


def add_counts(connection, table, keys: tuple[str, ...], rows: dict, columns=COLUMNS, chunk: int = 20000) -> None:
    """Add the counts to the table's rows (created at zero when missing): INSERT … ON CONFLICT DO UPDATE SET
    n = n + excluded.n, as the driver's executemany of plain tuples (a rebuild writes millions of rows; the
    keys go through the columns' own bind processors, so SQLite stores dates as SQLAlchemy does)."""
    if not rows:
        return
    dialect = connection.dialect
    q = dialect.identifier_preparer.quote
    names = (*keys, *columns)
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {q(table.name)} ({', '.join(map(q, names))}) VALUES ({', '.join([mark] * len(names))}) "
           f"ON CONFLICT ({', '.join(map(q, keys))}) DO UPDATE SET "
           + ", ".join(f"{q(c)} = {q(table.name)}.{q(c)} + excluded.{q(c)}" for c in columns))
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect) for n in keys]
    items = sorted(rows.items())  # one lock order for every writer (no deadlock between two flushes)
    for i in range(0, len(items), chunk):
        data = [(*(p(v) if p else v for p, v in zip(processors, key)), *map(counts.get, columns, repeat(0)))
                for key, counts in items[i:i + chunk]]
        connection.exec_driver_sql(sql, data)


def _drop_zeros(connection, table, keys: tuple[str, ...], touched, columns=COLUMNS) -> None:
    """Delete the touched rows whose counts all came back to zero (a statement per 200 rows: SQLite limits
    the depth of an expression)."""
    zero = and_(*(table.c[c] == 0 for c in columns))
    touched = sorted(touched)
    for i in range(0, len(touched), 200):
        rows = or_(*(and_(*(table.c[k] == v for k, v in zip(keys, key))) for key in touched[i:i + 200]))
        connection.execute(delete(table).where(zero, rows))


def by_month(days: dict) -> dict:
    """{(day, *group): counts} rolled up to {(first day of the month, *group): counts}."""
    months: dict[tuple, Counter] = defaultdict(Counter)
    for (day, *group), counts in days.items():
        months[(day.replace(day=1), *group)].update(counts)
    return months


def add_sums(connection, collected: dict[SumTables, tuple[dict, dict]]) -> None:
    for f, (changes, days) in collected.items():
        add_counts(connection, f.change, f.change_keys, changes, f.columns)
        add_counts(connection, f.day, f.day_keys, days, f.columns)
        add_counts(connection, f.month, f.month_keys, by_month(days), f.columns)


def apply_difference(connection, before: dict, after: dict) -> None:
    difference = {f: (_difference(after[f][0], before[f][0]), _difference(after[f][1], before[f][1]))
                  for f in FAMILIES}
    add_sums(connection, difference)
    for f, (changes, days) in difference.items():
        _drop_zeros(connection, f.change, f.change_keys, changes, f.columns)
        _drop_zeros(connection, f.day, f.day_keys, days, f.columns)
        _drop_zeros(connection, f.month, f.month_keys, by_month(days), f.columns)


# --- calls per day --------------------------------------------------------------------------------------

def _day_start(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def recount_call_days(connection, days) -> None:
    """call_day of these days from the call table (days without calls keep a row of zeros)."""
    from datetime import timedelta

    ins = _insert(connection, call_day)
    stmt = ins.on_conflict_do_update(index_elements=["day"], set_={c: ins.excluded[c] for c in ("calls", "direct", "to_order")})
    C = Call.__table__
    for day in sorted(days):
        start = _day_start(day)
        calls, direct, to_order = connection.execute(select(
            func.count(), func.coalesce(func.sum(case((C.c.outcome == CallOutcome.DIRECT, 1), else_=0)), 0),
            func.coalesce(func.sum(case((C.c.outcome == CallOutcome.ORDER, 1), else_=0)), 0),
        ).where(C.c.received_at >= start, C.c.received_at < start + timedelta(days=1))).one()
        connection.execute(stmt, {"day": day, "calls": int(calls), "direct": int(direct), "to_order": int(to_order)})


def calls_inserted(rows) -> None:
    """After a bulk INSERT of calls (no ORM objects, so the flush hook does not see them): recount their days."""
    recount_call_days(db.session.connection(), {row["received_at"].date() for row in rows})


# --- the session hook -----------------------------------------------------------------------------------

_PENDING = "stat_aggregates_pending"


def _order_id(obj) -> int | None:
    if obj.order_id is not None:
        return obj.order_id
    order = obj.__dict__.get("order")
    return order.id if order is not None else None


def _counted(obj) -> bool:
    return isinstance(obj, (OrderFact, Callback, Reply)) or (isinstance(obj, OrderEvent) and obj.action == RETURN_ACTION)


def _topics_changed(obj) -> bool:
    """A written order whose subject or tags changed (its topic sums move with it)."""
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in ("subject_id", "subject", "tags"))


def _in(ids):
    ids = sorted(ids)
    return lambda column: column.in_(ids)


@event.listens_for(Session, "before_flush")
def _before_flush(session, flush_context, instances) -> None:
    orders, later, days = set(), [], set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if _counted(obj):
            order_id = _order_id(obj)
            if order_id is None:
                later.append(obj)
            else:
                orders.add(order_id)
        elif isinstance(obj, WorkOrder) and obj.id is not None and _topics_changed(obj):
            orders.add(obj.id)
        elif isinstance(obj, Call):
            earlier = inspect(obj).attrs.received_at.history.deleted  # a changed 来电时间 moves it between days
            days.update(at.date() for at in (obj.received_at, *earlier) if at is not None)
    if not (orders or later or days):
        session.info.pop(_PENDING, None)
        return
    before = collect(session.connection(), _in(orders)) if orders else {f: ({}, {}) for f in FAMILIES}
    session.info[_PENDING] = (orders, later, days, before)


@event.listens_for(Session, "after_flush")
def _after_flush(session, flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending is None:
        return
    orders, later, days, before = pending
    orders = orders | {obj.order_id for obj in later if obj.order_id is not None}
    connection = session.connection()
    if orders:
        apply_difference(connection, before, collect(connection, _in(orders)))
    if days:
        recount_call_days(connection, days)


# --- from scratch ---------------------------------------------------------------------------------------

def rebuild(connection, chunk: int = 5000, echo=None) -> None:
    """Compute the sums (units, topics) and call_day from order_fact, order_event, callback, reply, the orders'
    tags and subjects, and call."""
    for table in (*(t for f in FAMILIES for t in (f.change, f.day, f.month)), call_day):
        connection.execute(delete(table))
    low, high = connection.execute(select(func.min(F.c.order_id), func.max(F.c.order_id))).one()
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects and no cycles: the collector's passes would cost a third of the time
    try:
        _rebuild_orders(connection, low, high, chunk, echo)
    finally:
        if collecting:
            gc.enable()
    C = Call.__table__
    day = func.date(C.c.received_at)
    per_day = select(day, func.count(), func.coalesce(func.sum(case((C.c.outcome == CallOutcome.DIRECT, 1), else_=0)), 0),
                     func.coalesce(func.sum(case((C.c.outcome == CallOutcome.ORDER, 1), else_=0)), 0)).group_by(day)
    rows = [{"day": d if isinstance(d, date) else date.fromisoformat(d), "calls": int(n), "direct": int(a),
             "to_order": int(b)} for d, n, a, b in connection.execute(per_day)]
    for i in range(0, len(rows), chunk):
        connection.execute(call_day.insert(), rows[i:i + chunk])


def _rebuild_orders(connection, low: int | None, high: int | None, chunk: int, echo) -> None:
    if low is None:
        return
    for start in range(low, high + 1, chunk):
        stop = start + chunk
        add_sums(connection, collect(connection, lambda column: and_(column >= start, column < stop)))
        if echo:
            echo(start, high)
