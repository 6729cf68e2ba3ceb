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
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import partial
from itertools import repeat
from operator import add, sub
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

# Counts are lists in the order of the columns: position of each column, of a kind and of a callback level (found
# by the member or by its value: an enum member does not hash as its value).
AT = {name: i for i, name in enumerate(COLUMNS)}
KIND_AT = {key: AT[f"k_{k.value}"] for k in OrderKind for key in (k, k.value)}
CALLBACK_AT = {key: AT[f"cb_{r.value}"] for r in CallbackResult for key in (r, r.value)}
_UNDISPATCHED, _TOTAL, _ON_TIME, _LATE, _RESOLVED = (AT[n] for n in ("undispatched", "total", "on_time", "late", "resolved"))
_OVERDUE, _IN_PROGRESS, _SIGNED, _SIGNED_ON_TIME = (AT[n] for n in ("overdue_open", "in_progress", "signed", "signed_on_time"))
_EXTENSIONS, _REOPENED = AT["extensions"], AT["reopened"]
_RETURNS, _RETURNED_ORDERS, _RETURNED_AWAY = AT["returns"], AT["returned_orders"], AT["returned_away"]
WIDTH = len(COLUMNS)

FACT_COLUMNS = ("order_id", "accepted_at", "kind", "valid_from", "valid_to", "unit_id", "dispatched_at",
                "sign_deadline", "signed_at", "handle_deadline", "completed_at", "extensions", "reopens",
                "late_excused_at")


class Fact(NamedTuple):
    """An order_fact row as the rules read it (a plain tuple: reading a result row's attribute costs ~10× more),
    with its day of acceptance."""

    order_id: int
    accepted_at: datetime
    kind: object
    valid_from: datetime
    valid_to: datetime | None
    unit_id: int | None
    dispatched_at: datetime | None
    sign_deadline: datetime | None
    signed_at: datetime | None
    handle_deadline: datetime | None
    completed_at: datetime | None
    extensions: int
    reopens: int
    late_excused_at: datetime | None
    day: date


def _value(facts, returns, callbacks, resolved, t: datetime, after: bool) -> dict[tuple[int, date], list[int]]:
    """What the order contributes to each group at T (`after`: just after T), by the rules of portal.stats._sql
    and portal.stats.rates: counts in the order of COLUMNS.

    facts: its `Fact`s; returns: (at, asking unit) of its 申请退单 events by a unit; callbacks: (at, level,
    excluded_at) of its counted callbacks (closure not NULL); resolved: the times at which its replies saying
    已解决 reached the centre (a completion at one of them counts for 解决率)."""
    out: dict[tuple[int, date], list[int]] = {}
    for r in facts:
        if not (r.accepted_at <= t and r.valid_from <= t and (r.valid_to is None or r.valid_to > t)):
            continue
        day = r.day
        unit, dispatched = r.unit_id, r.dispatched_at
        held = unit is not None and dispatched is not None and dispatched <= t
        if held:
            c = out.get((unit, day))
            if c is None:
                c = out[(unit, day)] = [0] * WIDTH
            c[_TOTAL] += 1
            c[KIND_AT[r.kind]] += 1
            deadline, completed = r.handle_deadline, r.completed_at
            if completed is not None and completed <= t:
                excused = r.late_excused_at is not None and r.late_excused_at <= t
                c[_ON_TIME if deadline is None or completed <= deadline or excused else _LATE] += 1
                if completed in resolved:
                    c[_RESOLVED] += 1
            # open: 逾期 once the deadline has passed (deadline < T; just after T: deadline ≤ T)
            elif deadline is not None and (deadline < t or (after and deadline == t)):
                c[_OVERDUE] += 1
            else:
                c[_IN_PROGRESS] += 1
            signed = r.signed_at
            if signed is not None and signed <= t:
                c[_SIGNED] += 1
                if r.sign_deadline is None or signed <= r.sign_deadline:
                    c[_SIGNED_ON_TIME] += 1
            if r.extensions:
                c[_EXTENSIONS] += r.extensions
            if r.reopens > 0:
                c[_REOPENED] += 1
            for at, level, excluded_at in callbacks:
                if at <= t and at >= dispatched and not (excluded_at is not None and excluded_at <= t):
                    c[CALLBACK_AT[level]] += 1
        else:
            c = out.get((UNDISPATCHED, day))
            if c is None:
                c = out[(UNDISPATCHED, day)] = [0] * WIDTH
            c[_UNDISPATCHED] += 1
        if returns:
            asked: dict[int, int] = {}
            for at, asking in returns:
                if at <= t:
                    asked[asking] = asked.get(asking, 0) + 1
            for asking, n in asked.items():
                c = out.get((asking, day))
                if c is None:
                    c = out[(asking, day)] = [0] * WIDTH
                c[_RETURNS] += n
                c[_RETURNED_ORDERS] += 1
                if not (held and unit == asking):
                    c[_RETURNED_AWAY] += 1
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


def order_changes(facts, returns=(), callbacks=(), resolved=frozenset()) -> dict[tuple[int, date, datetime, bool], list[int]]:
    """(unit, day, at, strict) → the change of the counts at that instant (in the order of COLUMNS; zero changes
    left out)."""
    changes = {}
    previous: dict = {}
    for at, strict in _instants(facts, returns, callbacks):
        current = _value(facts, returns, callbacks, resolved, at, strict)
        for group, before in previous.items():
            counts = current.get(group)
            if counts is None:
                changes[(group[0], group[1], at, strict)] = [-n for n in before]
            elif counts != before:
                changes[(group[0], group[1], at, strict)] = list(map(sub, counts, before))
        for group, counts in current.items():
            if group not in previous:
                changes[(group[0], group[1], at, strict)] = counts
        previous = current
    return changes


class GroupSums:
    """The sums of some orders' changes, per family: {(day, *group): {(at, strict): counts}}, a group's changes
    (its stat_change rows) by instant; summed, they are its totals (stat_day). Counts are lists in the order of
    the family's columns. A topic's change is the order's change of `total` (counted for a unit)."""

    def __init__(self):
        self.groups: dict[SumTables, dict[tuple, dict]] = {f: {} for f in FAMILIES}

    def add(self, facts, returns, callbacks, resolved, topics) -> None:
        units, held = self.groups[UNIT_SUMS], {}
        for (unit, day, at, strict), diff in order_changes(facts, returns, callbacks, resolved).items():
            changes = units.get((day, unit))
            if changes is None:
                changes = units[(day, unit)] = {}
            have = changes.get((at, strict))
            changes[(at, strict)] = diff if have is None else list(map(add, have, diff))
            if diff[_TOTAL]:
                held[(day, at, strict)] = held.get((day, at, strict), 0) + diff[_TOTAL]
        topic_groups = self.groups[TOPIC_SUMS]
        for (day, at, strict), n in held.items():
            if n:
                for topic, ref_id in topics:
                    changes = topic_groups.setdefault((day, topic, ref_id), {})
                    have = changes.get((at, strict))
                    changes[(at, strict)] = [n] if have is None else [have[0] + n]


def _changes(groups: dict) -> dict:
    """{(day, *group, at, strict): counts}"""
    return {(*group, at, strict): counts for group, changes in groups.items() for (at, strict), counts in changes.items()}


def _totals(groups: dict) -> dict:
    """{(day, *group): counts}: the sum of the group's changes."""
    return {group: list(map(sum, zip(*changes.values()))) for group, changes in groups.items()}


# --- reading histories, adding the differences ------------------------------------------------------------

F = OrderFact.__table__


def _histories(connection, where_order) -> dict[int, tuple[list, list, list, set, list]]:
    """order id → (facts, returns, callbacks, resolved, topics) of the orders selected by
    `where_order(order_id column)`."""
    E, C, R, W = OrderEvent.__table__, Callback.__table__, Reply.__table__, WorkOrder.__table__
    out: dict[int, tuple[list, list, list, set, list]] = defaultdict(lambda: ([], [], [], set(), []))
    facts = select(*(F.c[name] for name in FACT_COLUMNS)).where(where_order(F.c.order_id))
    for r in connection.execute(facts).all():  # fetched at once: fetching row by row costs more than the rows
        out[r[0]][0].append(Fact(*r, r[1].date()))
    returns = select(E.c.order_id, E.c.at, E.c.actor_unit_id).where(
        where_order(E.c.order_id), E.c.action == RETURN_ACTION, E.c.actor_unit_id.is_not(None))
    for order_id, at, unit in connection.execute(returns).all():
        out[order_id][1].append((at, unit))
    callbacks = select(C.c.order_id, C.c.at, C.c.result, C.c.excluded_at).where(where_order(C.c.order_id),
                                                                               C.c.closure.is_not(None))
    for order_id, at, level, excluded_at in connection.execute(callbacks).all():
        out[order_id][2].append((at, level, excluded_at))
    # The time for timeliness of a reply (reached the centre; submitted before sign-off existed), as rates.py.
    reached = select(R.c.order_id, func.coalesce(R.c.reached_centre_at, R.c.submitted_at)).where(
        where_order(R.c.order_id), R.c.resolved.is_(True))
    for order_id, at in connection.execute(reached).all():
        if order_id in out:
            out[order_id][3].add(at)
    subjects = select(W.c.id, W.c.subject_id).where(where_order(W.c.id), W.c.subject_id.is_not(None))
    tags = select(order_tag.c.order_id, order_tag.c.tag_id).where(where_order(order_tag.c.order_id))
    for topic, stmt in ((TOPIC_SUBJECT, subjects), (TOPIC_TAG, tags)):
        for order_id, ref_id in connection.execute(stmt).all():
            if order_id in out:
                out[order_id][4].append((topic, ref_id))
    return out


def _sum_orders(connection, where_order) -> GroupSums:
    sums = GroupSums()
    for history in _histories(connection, where_order).values():
        sums.add(*history)
    return sums


def _named(rows: dict, columns: tuple[str, ...]) -> dict:
    return {key: {name: n for name, n in zip(columns, counts) if n} for key, counts in rows.items()}


def collect(connection, where_order) -> dict[SumTables, tuple[dict, dict]]:
    """The summed changes and group totals of the selected orders, per family: {(day, *group, at, strict):
    {column: n}}, {(day, *group): {column: n}}."""
    return {f: (_named(_changes(groups), f.columns), _named(_totals(groups), f.columns))
            for f, groups in _sum_orders(connection, where_order).groups.items()}


def _minus(a: dict | None, b: dict | None) -> dict[str, int]:
    a, b = a or {}, b or {}
    out = {}
    for k in set(a) | set(b):
        v = a.get(k, 0) - b.get(k, 0)
        if v:
            out[k] = v
    return out


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


_PROBES = (datetime(2001, 2, 3, 4, 5, 6, 7), date(2001, 2, 3), True, False)
_SAME = (partial(datetime.isoformat, sep=" ", timespec="microseconds"), date.isoformat, int)


def _key_processors(connection, table, keys: tuple[str, ...]) -> list:
    """The keys' bind processors (None: the value as it is), each replaced by a builtin that gives the same
    value for the probes where there is one: SQLite's DATE and DATETIME processors format in Python, a few times
    the cost of `isoformat`, and a rebuild formats millions of keys."""
    dialect = connection.dialect
    out = []
    for name in keys:
        p = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if p is not None:
            probes = [x for x in _PROBES if type(x) is table.c[name].type.python_type]
            p = next((same for same in _SAME if probes and all(_same_value(_try(same, x), p(x)) for x in probes)), p)
        out.append(p)
    return out


def _same_value(a, b) -> bool:
    return type(a) is type(b) and a == b  # 1 == True: the database may not take one for the other


def _try(fn, value):
    try:
        return fn(value)
    except TypeError:
        return None


def _insert_sql(connection, table, names: tuple[str, ...]) -> str:
    dialect = connection.dialect
    q = dialect.identifier_preparer.quote
    mark = "?" if dialect.paramstyle == "qmark" else "%s"
    return f"INSERT INTO {q(table.name)} ({', '.join(map(q, names))}) VALUES ({', '.join([mark] * len(names))})"


def add_counts(connection, table, keys: tuple[str, ...], rows: dict, columns=COLUMNS, chunk: int = 20000) -> None:
    """Add the counts ({key: {column: n}}) to the table's rows (created at zero when missing): INSERT … ON
    CONFLICT DO UPDATE SET n = n + excluded.n, as the driver's executemany of plain tuples (the keys go through
    the columns' own bind processors, so SQLite stores dates as SQLAlchemy does)."""
    if not rows:
        return
    q = connection.dialect.identifier_preparer.quote
    sql = (_insert_sql(connection, table, (*keys, *columns)) + f" ON CONFLICT ({', '.join(map(q, keys))}) DO UPDATE SET "
           + ", ".join(f"{q(c)} = {q(table.name)}.{q(c)} + excluded.{q(c)}" for c in columns))
    processors = _key_processors(connection, table, keys)
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

REBUILD_ORDERS = 10_000  # orders per chunk (whole days of acceptance)


def rebuild(connection, chunk: int = REBUILD_ORDERS, echo=None) -> None:
    """Compute the sums (units, topics) and call_day from order_fact, order_event, callback, reply, the orders'
    tags and subjects, and call: the rows the flush hook would have written, from scratch (any data).

    The orders are read in chunks of whole days of acceptance (by `work_order.accepted_at`). A group of the
    sums is a day of acceptance (the facts' `accepted_at`, a copy of the order's), so the rows of the chunk's
    days come from its orders alone: they are summed in memory and written once, group by group,
    with plain INSERTs; the months are summed in memory over all chunks and written at the end. A
    group of a day outside its chunk (an order whose facts carry another acceptance time than the order now)
    is added at the end."""
    for table in (*(t for f in FAMILIES for t in (f.change, f.day, f.month)), call_day):
        connection.execute(delete(table))
    # On SQLite the changes' secondary indexes are built after the load (readers keep their snapshot); PostgreSQL
    # keeps them: dropping one would lock the dashboards out until the rebuild commits. The indexes as they are
    # in the database: a migration before a later one changed them calls this too.
    indexes = _secondary_indexes(connection) if connection.dialect.name == "sqlite" else []
    for name, _create in indexes:
        connection.exec_driver_sql(f'DROP INDEX "{name}"')
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects and no cycles: the collector's passes would cost a third of the time
    try:
        with _load_settings(connection):
            _rebuild_sums(connection, chunk, echo)
            for _name, create in indexes:
                connection.exec_driver_sql(create)
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


def _rebuild_sums(connection, chunk: int, echo) -> None:
    W = WorkOrder.__table__
    writers = {f: _Writer(connection, f) for f in FAMILIES}
    months: dict[SumTables, dict] = {f: {} for f in FAMILIES}
    outside: dict[SumTables, list[dict]] = {f: [] for f in FAMILIES}  # groups of days outside their chunk
    chunks = _day_chunks(connection, chunk)
    for n, (first, last) in enumerate(chunks, 1):
        orders = select(W.c.id).where(W.c.accepted_at >= _day_start(first),
                                      W.c.accepted_at < _day_start(last + timedelta(days=1))).scalar_subquery()
        for f, groups in _sum_orders(connection, lambda column: column.in_(orders)).groups.items():
            inside = {group: changes for group, changes in groups.items() if first <= group[0] <= last}
            if len(inside) < len(groups):
                outside[f].append({group: changes for group, changes in groups.items() if group not in inside})
            totals = _totals(inside)
            writers[f].write_changes(inside)
            writers[f].write(f.day, totals)
            _add_months(months[f], totals)
        if echo:
            echo(n, len(chunks))
    for f in FAMILIES:
        for groups in outside[f]:  # rows that other chunks may have written too: added to theirs
            add_counts(connection, f.change, f.change_keys, _named(_changes(groups), f.columns), f.columns)
            totals = _totals(groups)
            add_counts(connection, f.day, f.day_keys, _named(totals, f.columns), f.columns)
            _add_months(months[f], totals)
        writers[f].write(f.month, months[f])


def _add_months(months: dict, totals: dict) -> None:
    """Add day groups' totals {(day, *group): counts} to their months' {(first day of month, *group): counts}."""
    for (day, *group), counts in totals.items():
        key = (day.replace(day=1), *group)
        have = months.get(key)
        months[key] = counts if have is None else list(map(add, have, counts))


def _secondary_indexes(connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the change tables' secondary indexes in a SQLite database."""
    names = tuple(f.change.name for f in FAMILIES)
    return [tuple(row) for row in connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (?, ?)", names)]


def _day_chunks(connection, size: int) -> list[tuple[date, date]]:
    """Runs of whole days of acceptance holding about `size` orders each (first day, last day)."""
    W = WorkOrder.__table__
    day = func.date(W.c.accepted_at)
    chunks, first, count = [], None, 0
    for d, n in connection.execute(select(day, func.count()).group_by(day).order_by(day)):
        d = d if isinstance(d, date) else date.fromisoformat(d)
        if first is None:
            first = d
        count += n
        if count >= size:
            chunks.append((first, d))
            first, count = None, 0
    if first is not None:
        chunks.append((first, d))
    return chunks


class _Writer:
    """Plain INSERTs of one family's rows (day and month rows in key order), the keys through the columns' bind processors."""

    def __init__(self, connection, family: SumTables, chunk: int = 20000):
        self.connection, self.family, self.chunk = connection, family, chunk
        self.sql, self.processors = {}, {}
        for table, keys in ((family.change, family.change_keys), (family.day, family.day_keys),
                            (family.month, family.month_keys)):
            self.sql[table] = _insert_sql(connection, table, (*keys, *family.columns))
            self.processors[table] = [p or _as_is for p in _key_processors(connection, table, keys)]

    def write(self, table, rows: dict) -> None:
        """rows: {key: counts}"""
        processors = self.processors[table]
        self._insert(table, [(*map(_call, processors, key), *rows[key]) for key in sorted(rows)])

    def write_changes(self, groups: dict) -> None:
        """groups: {(day, *group): {(at, strict): counts}}, written group by group."""
        *group_processors, at_of, strict_of = self.processors[self.family.change]
        data = []
        for group in sorted(groups):
            key = tuple(map(_call, group_processors, group))
            data += [(*key, at_of(at), strict_of(strict), *counts) for (at, strict), counts in groups[group].items()]
        self._insert(self.family.change, data)

    def _insert(self, table, data: list[tuple]) -> None:
        for i in range(0, len(data), self.chunk):
            self.connection.exec_driver_sql(self.sql[table], data[i:i + self.chunk])


def _as_is(value):
    return value


def _call(fn, value):
    return fn(value)


@contextmanager
def _load_settings(connection):
    """On SQLite a page cache big enough for the load (the app's is 2 MB), put back afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")
