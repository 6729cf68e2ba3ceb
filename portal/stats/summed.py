"""The figures as of T read from the per-unit per-day sums (portal/stats/aggregates.py): what the pages,
the CLI and the circular use. Each function returns what its direct counterpart in table.py, rates.py
and trends.py returns (the definition, kept for the equality test), at the cost of one row per unit and
month (days outside whole months: per day) plus the changes that do not count yet at T.

Sums as of T of the days D of a period: Σ stat_month(whole months) + Σ stat_day(other days) − Σ
stat_change(D) not counted at T (at > T, or at = T and strict). Days after T's day hold no order accepted
by T and are not read.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from sqlalchemy import and_, case, func, or_, select

from portal.calls.models import Call, CallOutcome
from portal.clock import now
from portal.extensions import db
from portal.orders.callbacks import satisfied_levels
from portal.orders.enums import CallbackResult
from portal.stats import trends
from portal.stats._sql import KINDS, STATUSES, in_period
from portal.orders.models import Subject, Tag
from portal.stats.aggregates import (
    TOPIC_SUBJECT, TOPIC_SUMS, TOPIC_TAG, UNDISPATCHED, UNIT_SUMS, SumTables, call_day,
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


def _summed(table, keys: list, columns: tuple[str, ...], where) -> dict:
    """{key: counts} summed over the rows selected; the key is a value, or a tuple for several key columns."""
    cols = [func.coalesce(func.sum(table.c[c]), 0) for c in columns]
    stmt = select(*keys, *cols).where(*where).group_by(*keys)
    out = {}
    n = len(keys)
    for rec in db.session.execute(stmt):
        out[rec[0] if n == 1 else tuple(rec[:n])] = Counter({c: int(v) for c, v in zip(columns, rec[n:]) if v})
    return out


def _whole_months(start: date, last: date) -> tuple[date, date] | None:
    """The first and the last whole calendar month within [start, last] (their first days), or None."""
    first = start if start.day == 1 else (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    after = (last + timedelta(days=1)).replace(day=1) if (last + timedelta(days=1)).day == 1 else last.replace(day=1)
    if first >= after:
        return None
    return first, (after - timedelta(days=1)).replace(day=1)


def sums(period: Period, by: str = "group", family: SumTables = UNIT_SUMS) -> dict:
    """Counts as of T per group of the family (`by="group"`: per unit, unit 0 being 待派单; per (topic, ref_id)),
    or per day or per month (`by="day"`, `"month"`: first days of months; units only). Three queries whatever
    the period's length: the whole months from the month table (not for `by="day"`), the other days from the
    day table, the changes not counted yet at T."""
    last = _last_day(period)
    if last is None:
        return {}
    t = period.as_of
    months = None if by == "day" else _whole_months(period.start, last)
    stat_day, stat_month, stat_change = family.day, family.month, family.change
    columns = family.columns

    def key_of(table, period_column=None):
        if by == "group":
            return [table.c[k] for k in family.group]
        return [table.c.day if period_column is None else period_column]

    def units_only(table):
        return [table.c.unit_id != UNDISPATCHED] if by != "group" else []

    def label(key):
        return key.replace(day=1) if by == "month" else key

    total: dict = {}

    def add(found: dict, sign: int = 1) -> None:
        for key, counts in found.items():
            into = total.setdefault(label(key), Counter())
            into.update(counts) if sign > 0 else into.subtract(counts)

    days = [stat_day.c.day >= period.start, stat_day.c.day <= last]
    if months is not None:
        add(_summed(stat_month, key_of(stat_month, stat_month.c.month), columns,
                    [stat_month.c.month >= months[0], stat_month.c.month <= months[1], *units_only(stat_month)]))
        month_end = (months[1].replace(day=28) + timedelta(days=4)).replace(day=1)
        days.append(or_(stat_day.c.day < months[0], stat_day.c.day >= month_end))
    add(_summed(stat_day, key_of(stat_day), columns, [*days, *units_only(stat_day)]))
    later = and_(stat_change.c.at >= t, or_(stat_change.c.at > t, stat_change.c.is_strict))
    # What does not count yet at a recent T is the little still ahead (deadlines of the work in hand): read
    # it by time. SQLite's planner prefers walking the days' range in key order (a year of them, for the
    # GROUP BY), so there the changes ahead are selected first, as a materialised CTE, then grouped.
    changes, where = stat_change, [later]
    if t >= now() - RECENT and db.session.get_bind().dialect.name == "sqlite":
        changes = select(stat_change).where(later).cte(f"{stat_change.name}_ahead").prefix_with("MATERIALIZED")
        where = []
    add(_summed(changes, key_of(changes), columns, [changes.c.day >= period.start, changes.c.day <= last, *where,
                                                     *units_only(changes)]), -1)
    return total


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
                    full_name=u.full_name, total=counted[u.id]["total"],
                    by_kind={k: counted[u.id][f"k_{k.value}"] for k in KINDS},
                    **{s: counted[u.id][s] for s in STATUSES}) for u in units]
    return sorted(rows, key=lambda r: (-r.total, r.display_order, r.unit_id))


def _rates(per_unit: dict, period: Period) -> dict[int, UnitRates]:
    """The further rates from the sums; the 协办 figures (their own table, order_task) from their direct query."""
    good = {f"cb_{level.value}" for level in satisfied_levels()}
    out = {}
    for unit_id, c in per_unit.items():
        if unit_id == UNDISPATCHED or not (c["total"] > 0 or c["returns"] > 0):
            continue
        callbacks = sum(c[f"cb_{level.value}"] for level in CallbackResult)
        out[unit_id] = UnitRates(
            unit_id, total=c["total"], signed=c["signed"], signed_on_time=c["signed_on_time"], returns=c["returns"],
            returned_orders=c["returned_orders"], dispatched_to=c["total"] + c["returned_away"],
            extensions=c["extensions"], reopened=c["reopened"], callbacks=callbacks,
            satisfied=sum(c[name] for name in good), completed=c["on_time"] + c["late"], resolved=c["resolved"])
    for unit_id, (n, n_due, n_on_time) in co_task_counts(period).items():
        r = out.setdefault(unit_id, UnitRates(unit_id))
        r.co_tasks, r.co_due, r.co_on_time = n, n_due, n_on_time
    return out


class Figures:
    """Every per-unit figure of a period as of T from one read of the sums (two queries)."""

    def __init__(self, period: Period, per_unit: dict | None = None):
        self.period = period
        self.per_unit = sums(period) if per_unit is None else per_unit
        self._rows: list[UnitRow] | None = None

    @property
    def rows(self) -> list[UnitRow]:
        if self._rows is None:
            self._rows = _rows(self.per_unit)
        return self._rows

    @property
    def undispatched(self) -> int:
        return self.per_unit.get(UNDISPATCHED, Counter())["undispatched"]

    def group_rows(self, group: str) -> list[UnitRow]:
        """The rows of one unit group's units (what a unit's rank needs)."""
        return _rows(self.per_unit, group=group)

    def city_row(self) -> UnitRow:
        """合计 over every unit, without naming the units."""
        c = Counter()
        for unit_id, counts in self.per_unit.items():
            if unit_id != UNDISPATCHED:
                c.update(counts)
        return UnitRow(unit_id=None, short_name="合计", group=None, display_order=None, total=c["total"],
                       by_kind={k: c[f"k_{k.value}"] for k in KINDS}, **{s: c[s] for s in STATUSES})

    def table(self) -> UnitTable:
        return UnitTable(rows=self.rows, total=sum_rows(self.rows), undispatched=self.undispatched)

    def rates(self) -> dict[int, UnitRates]:
        return _rates(self.per_unit, self.period)


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
    for key, c in sums(period, by=by).items():
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
