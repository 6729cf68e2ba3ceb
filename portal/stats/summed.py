"""The figures as of T read from the per-unit per-day sums (portal/stats/aggregates.py): what the pages,
the CLI and the circular use. Each function returns what its direct counterpart in table.py, rates.py
and trends.py returns (the definition, kept for the equality test), at the cost of one row per unit and
month (days outside whole months: per day) plus the changes that do not count yet at T.

Sums as of T of the days D of a period: Σ stat_month(whole months) + Σ stat_day(other days) − Σ
stat_change(D) not counted at T (at > T, or at = T and strict). Days after T's day hold no order accepted
by T and are not read.
"""
from __future__ import annotations

import functools
from collections import Counter
from datetime import date, timedelta
from operator import add, sub

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.sql.expression import UnaryExpression
from sqlalchemy.sql.operators import custom_op

from portal.calls.models import Call, CallOutcome
from portal.clock import now
from portal.extensions import db
from portal.orders.callbacks import satisfied_levels
from portal.stats import trends
from portal.stats._sql import KINDS, STATUSES, in_period
from portal.orders.models import Subject, Tag
from portal.stats.aggregates import (
    CALLBACK_COLUMNS, TOPIC_SUBJECT, TOPIC_SUMS, TOPIC_TAG, UNDISPATCHED, UNIT_SUMS, SumTables, call_day,
)
from portal.stats.period import Period
from portal.stats.cotasks import co_task_counts
from portal.stats.rates import UnitRates
from portal.stats.table import UnitRow, UnitTable, sum_rows
from portal.units.models import Unit


RECENT = timedelta(days=40)


def _last_day(period: Period) -> date | None:
    """The period's last day that can hold orders at T (None: T is before the period)."""
    last = min(period.end, period.as_of.date())
    return last if last >= period.start else None


def _whole_months(start: date, last: date) -> tuple[date, date] | None:
    """The first and the last whole calendar month within [start, last] (their first days), or None."""
    first = start if start.day == 1 else _next_month(start)
    after = (last + timedelta(days=1)).replace(day=1) if (last + timedelta(days=1)).day == 1 else last.replace(day=1)
    if first >= after:
        return None
    return first, (after - timedelta(days=1)).replace(day=1)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _grouped(table, keys: list, columns: tuple[str, ...], where: list):
    return (select(*keys, *(func.coalesce(func.sum(table.c[c]), 0) for c in columns))
            .where(*where).group_by(*keys))


def _unindexed(column):
    """`+column` (SQLite's no-op unary plus): the same value, but no index of the column can serve the term."""
    return UnaryExpression(column, operator=custom_op("+"), type_=column.type)


@functools.cache
def _statements(family: SumTables, columns: tuple[str, ...], by: str, months: bool, other_days: bool,
                ahead_by_key: bool) -> tuple:
    """The statements of `sums` for one shape of period, built once per process: (whole months or None, other
    days or None, the changes not counted yet). The dates and T are bound parameters (start, last, m0, m1,
    m_end, t)."""
    stat_day, stat_month, stat_change = family.day, family.month, family.change

    def key_of(table, period_column=None, col=lambda c: c):
        if by == "group":
            return [col(table.c[k]) for k in family.group]
        return [col(table.c.day if period_column is None else period_column)]

    def units_only(table, col=lambda c: c):
        return [col(table.c.unit_id) != UNDISPATCHED] if by != "group" else []

    start, last = bindparam("start"), bindparam("last")
    month_stmt = None
    days = [stat_day.c.day >= start, stat_day.c.day <= last]
    if months:
        month_stmt = _grouped(stat_month, key_of(stat_month, stat_month.c.month), columns,
                              [stat_month.c.month >= bindparam("m0"),
                               stat_month.c.month <= bindparam("m1"), *units_only(stat_month)])
        days.append(or_(stat_day.c.day < bindparam("m0"), stat_day.c.day >= bindparam("m_end")))
    day_stmt = _grouped(stat_day, key_of(stat_day), columns, [*days, *units_only(stat_day)]) if other_days else None
    t = bindparam("t")
    later = and_(stat_change.c.at >= t, or_(stat_change.c.at > t, stat_change.c.is_strict))
    # What does not count yet at a recent T is the little still ahead (deadlines of the work in hand): one range
    # at the start of the key (at, day, …). SQLite's planner prefers an index that spares it the GROUP BY's
    # sort (walking a year of rows), so there (`ahead_by_key`: SQLite, T recent) every other column is written
    # `+column`.
    col = _unindexed if ahead_by_key else (lambda c: c)
    change_stmt = _grouped(stat_change, key_of(stat_change, col=col), columns,
                           [later, col(stat_change.c.day) >= start, col(stat_change.c.day) <= last,
                            *units_only(stat_change, col)])
    return month_stmt, day_stmt, change_stmt


def sums(period: Period, by: str = "group", family: SumTables = UNIT_SUMS, columns: tuple[str, ...] | None = None) -> dict:
    """Counts as of T per group of the family (`by="group"`: per unit, unit 0 being 待派单; per (topic, ref_id)),
    or per day or per month (`by="day"`, `"month"`: first days of months; units only): {key: {column: count}}.
    At most three queries whatever the period's length: the whole months from the month table (not for
    `by="day"`), the other days from the day table (when there are any), the changes not counted yet at T.
    `columns`: only these counts (default: all of the family's)."""
    last = _last_day(period)
    if last is None:
        return {}
    t = period.as_of
    months = None if by == "day" else _whole_months(period.start, last)
    params = {"start": period.start, "last": last, "t": t}
    other_days = True
    if months is not None:
        params.update(m0=months[0], m1=months[1], m_end=_next_month(months[1]))
        other_days = months[0] > period.start or params["m_end"] <= last
    ahead_by_key = t >= now() - RECENT and db.session.get_bind().dialect.name == "sqlite"
    n = len(family.group) if by == "group" else 1
    total: dict = {}
    columns = family.columns if columns is None else columns
    for sign, stmt in zip((1, 1, -1), _statements(family, columns, by, months is not None, other_days, ahead_by_key)):
        if stmt is None:
            continue
        for rec in db.session.execute(stmt, params):
            key = rec[0] if n == 1 else tuple(rec[:n])
            if by == "month":
                key = key.replace(day=1)
            have = total.get(key)
            if have is None:
                total[key] = list(rec[n:]) if sign > 0 else [-v for v in rec[n:]]
            else:
                have[:] = map(add if sign > 0 else sub, have, rec[n:])
    return {key: dict(zip(columns, map(int, counts))) for key, counts in total.items()}


_KIND_COLUMNS = tuple((k, f"k_{k.value}") for k in KINDS)


def _rows(per_unit: dict, unit_ids=None, group: str | None = None) -> list[UnitRow]:
    """UnitRows of the units with orders counted for them (of the given units or group only, when given),
    by total descending, then display order."""
    counted = {u: c for u, c in per_unit.items() if u != UNDISPATCHED and c["total"] > 0
               and (unit_ids is None or u in unit_ids)}
    if not counted:
        return []
    stmt = select(Unit.id, Unit.short_name, Unit.group, Unit.display_order, Unit.full_name)
    stmt = stmt.where(Unit.group == group) if group is not None else stmt.where(Unit.id.in_(sorted(counted)))
    units = [u for u in db.session.execute(stmt) if u.id in counted]
    rows = [UnitRow(unit_id=u.id, short_name=u.short_name, group=u.group, display_order=u.display_order,
                    full_name=u.full_name, total=(c := counted[u.id])["total"],
                    by_kind={k: c[name] for k, name in _KIND_COLUMNS},
                    **{s: c[s] for s in STATUSES}) for u in units]
    return sorted(rows, key=lambda r: (-r.total, r.display_order, r.unit_id))


def _unit_rates(unit_id: int | None, c: dict, good: set[str]) -> UnitRates:
    """The further rates of one set of counts (a unit's, or the city's summed)."""
    return UnitRates(
        unit_id, total=c["total"], signed=c["signed"], signed_on_time=c["signed_on_time"], returns=c["returns"],
        returned_orders=c["returned_orders"], dispatched_to=c["total"] + c["returned_away"],
        extensions=c["extensions"], reopened=c["reopened"], callbacks=sum(c[name] for name in CALLBACK_COLUMNS),
        satisfied=sum(c[name] for name in good), completed=c["on_time"] + c["late"], resolved=c["resolved"])


def _with_co_tasks(r: UnitRates, counts: tuple[int, int, int]) -> UnitRates:
    r.co_tasks, r.co_due, r.co_on_time = counts
    return r


class Figures:
    """Every per-unit figure of a period as of T from one read of the sums (at most three queries)."""

    def __init__(self, period: Period, per_unit: dict | None = None):
        self.period = period
        self.per_unit = sums(period) if per_unit is None else per_unit

    @functools.cached_property
    def rows(self) -> list[UnitRow]:
        return _rows(self.per_unit)

    @property
    def undispatched(self) -> int:
        return self.per_unit.get(UNDISPATCHED, Counter())["undispatched"]

    @functools.cached_property
    def co_tasks(self) -> dict[int, tuple[int, int, int]]:
        """The 协办 figures (their own table, order_task) from their direct query, read once."""
        return co_task_counts(self.period)

    @functools.cached_property
    def _satisfied(self) -> set[str]:
        """The callback columns that count as satisfied (an admin setting), read once."""
        return {f"cb_{level.value}" for level in satisfied_levels()}

    @functools.cached_property
    def _city_counts(self) -> dict[str, int]:
        units = (c.values() for unit_id, c in self.per_unit.items() if unit_id != UNDISPATCHED)
        totals = list(map(sum, zip(*units))) or [0] * len(UNIT_SUMS.columns)  # sums' dicts: every column, in order
        return dict(zip(UNIT_SUMS.columns, totals))

    def group_rows(self, group: str) -> list[UnitRow]:
        """The rows of one unit group's units (what a unit's rank needs)."""
        return _rows(self.per_unit, group=group)

    def city_row(self) -> UnitRow:
        """合计 over every unit, without naming the units."""
        c = self._city_counts
        return UnitRow(unit_id=None, short_name="合计", group=None, display_order=None, total=c["total"],
                       by_kind={k: c[name] for k, name in _KIND_COLUMNS}, **{s: c[s] for s in STATUSES})

    def table(self) -> UnitTable:
        return UnitTable(rows=self.rows, total=sum_rows(self.rows), undispatched=self.undispatched)

    def rates(self) -> dict[int, UnitRates]:
        """Per unit: units with orders counted for them or returns asked, and co-units with parts."""
        out = {unit_id: _unit_rates(unit_id, c, self._satisfied) for unit_id, c in self.per_unit.items()
               if unit_id != UNDISPATCHED and (c["total"] > 0 or c["returns"] > 0)}
        for unit_id, counts in self.co_tasks.items():
            _with_co_tasks(out.setdefault(unit_id, UnitRates(unit_id)), counts)
        return out

    def unit_rates(self, unit_id: int) -> UnitRates:
        """One unit's rates (zeros without orders or parts)."""
        c = self.per_unit.get(unit_id)
        r = _unit_rates(unit_id, c, self._satisfied) if c else UnitRates(unit_id)
        return _with_co_tasks(r, self.co_tasks[unit_id]) if unit_id in self.co_tasks else r

    def city_rates(self) -> UnitRates:
        """The rates city-wide: the sum over units (rates.city_rates of `rates()`), from the summed counts."""
        r = _unit_rates(None, self._city_counts, self._satisfied)
        return _with_co_tasks(r, tuple(map(sum, zip((0, 0, 0), *self.co_tasks.values()))))


def unit_rows(period: Period, unit_ids=None) -> list[UnitRow]:
    """Per-unit figures (of the given units only, when given), by total descending, then display order."""
    return _rows(sums(period), unit_ids)


def unit_table(period: Period) -> UnitTable:
    return Figures(period).table()


def undispatched_count(period: Period) -> int:
    return Figures(period).undispatched


def unit_rates(period: Period) -> dict[int, UnitRates]:
    return Figures(period).rates()


def overdue_units(period: Period) -> list[UnitRow]:
    rows = [r for r in unit_rows(period) if r.overdue_open > 0]
    return sorted(rows, key=lambda r: (-r.overdue_open, r.display_order, r.unit_id))


def group_rankings(period: Period, rows: list[UnitRow] | None = None):
    return trends.group_rankings(period, unit_rows(period) if rows is None else rows)


def unit_rank(period: Period, unit_id: int, rankings=None):
    return trends.unit_rank(period, unit_id, group_rankings(period) if rankings is None else rankings)


# --- calls and trends -----------------------------------------------------------------------------------

def _calls_per_day(period: Period) -> dict[date, tuple[int, int, int]]:
    """Calls received per day of the period by T: call_day for the days before T's day, the call table for T's day."""
    last = _last_day(period)
    if last is None:
        return {}
    today = period.as_of.date()
    out = {d: (int(n), int(a), int(b)) for d, n, a, b in db.session.execute(
        select(call_day.c.day, call_day.c.calls, call_day.c.direct, call_day.c.to_order)
        .where(call_day.c.day >= period.start, call_day.c.day <= last, call_day.c.day < today))}
    if period.start <= today <= last:
        same_day = Period(today, today, period.as_of)
        n, a, b = db.session.execute(select(
            func.count(Call.id), func.coalesce(func.sum(case((Call.outcome == CallOutcome.DIRECT, 1), else_=0)), 0),
            func.coalesce(func.sum(case((Call.outcome == CallOutcome.ORDER, 1), else_=0)), 0),
        ).where(in_period(same_day, Call.received_at))).one()
        out[today] = (int(n), int(a), int(b))
    return out


def call_totals(period: Period):
    per_day = _calls_per_day(period).values()
    return trends.CallTotals(*(sum(v[i] for v in per_day) for i in range(3)))


def _points(labels: list[str], period: Period, by: str, label_of) -> list[trends.TrendPoint]:
    points = {label: trends.TrendPoint(label) for label in labels}
    for key, c in sums(period, by=by, columns=("total", *STATUSES)).items():
        p = points.get(label_of(key))
        if p is not None:
            p.orders += c["total"]
            for s in STATUSES:
                setattr(p, s, getattr(p, s) + c[s])
    for day, (n, _, _) in _calls_per_day(period).items():
        p = points.get(label_of(day))
        if p is not None:
            p.calls += n
    return list(points.values())


def daily_trend(period: Period) -> list[trends.TrendPoint]:
    return _points([d.isoformat() for d in period.days], period, "day", lambda d: d.isoformat())


def monthly_trend(period: Period, months: int = 12) -> list[trends.TrendPoint]:
    span, labels = trends.month_span(period, months)
    return _points(labels, span, "month", lambda d: f"{d:%Y-%m}")


# --- tags and subjects ----------------------------------------------------------------------------------

def _topic_counts(period: Period, topic: str, model) -> list[tuple[str, int]]:
    """(name, orders counted for a unit at T) per tag or subject, most first, then name (code point order, the
    same on every database); `model` rows sharing a name are one line, as the direct queries group by name."""
    found = {ref_id: c["orders"] for (kind, ref_id), c in sums(period, family=TOPIC_SUMS).items()
             if kind == topic and c["orders"]}
    if not found:
        return []
    stmt = select(model.id, model.name).where(model.id.in_(sorted(found)))
    if model is Subject:
        stmt = stmt.where(Subject.parent_id.is_not(None))  # 热点问题: second-level subjects
    named: Counter = Counter()
    for ref_id, name in db.session.execute(stmt):
        named[name] += found[ref_id]
    return sorted(named.items(), key=lambda item: (-item[1], item[0]))


def tag_counts(period: Period) -> dict[str, int]:
    """Orders of the period per tag name (tags with orders only), most used first, then name."""
    return dict(_topic_counts(period, TOPIC_TAG, Tag))


def hot_topics(period: Period, limit: int = 4) -> list[tuple[str, int]]:
    """热点问题: second-level subjects by order count descending, then name."""
    return _topic_counts(period, TOPIC_SUBJECT, Subject)[:limit]
