"""Trends by day and month, and rankings per unit group (红榜/黑榜)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select

from portal.calls.models import Call, CallOutcome
from portal.extensions import db
from portal.stats._sql import STATUSES, F, count_if, counted, day_of, dispatched, figure_columns, in_period, month_of
from portal.stats.formatting import percent_whole
from portal.stats.period import Period
from portal.stats.table import UnitRow, unit_rows
from portal.units.models import UNIT_GROUPS

RED, BLACK = "红榜", "黑榜"
BOARD_SIZE = 5


@dataclass(frozen=True)
class CallTotals:
    calls: int
    direct: int
    to_order: int


def call_totals(period: Period) -> CallTotals:
    """Calls received in the period; direct replies and calls that became orders."""
    stmt = select(
        func.count(Call.id), count_if(Call.outcome == CallOutcome.DIRECT), count_if(Call.outcome == CallOutcome.ORDER)
    ).where(in_period(period, Call.received_at))
    calls, direct, to_order = db.session.execute(stmt).one()
    return CallTotals(int(calls), int(direct), int(to_order))


@dataclass
class TrendPoint:
    label: str  # 'YYYY-MM-DD' or 'YYYY-MM'
    orders: int = 0
    calls: int = 0
    on_time: int = 0
    late: int = 0
    overdue_open: int = 0
    in_progress: int = 0

    @property
    def rate_text(self) -> str:
        return percent_whole(self.on_time, self.orders - self.in_progress)


def _fill(labels: list[str], period: Period, bucket) -> list[TrendPoint]:
    points = {label: TrendPoint(label) for label in labels}
    cols = figure_columns(period.as_of)
    key = bucket(F.accepted_at)
    stmt = select(key, *cols).where(counted(period), dispatched(period.as_of)).group_by(key)
    for rec in db.session.execute(stmt):
        m = rec._mapping
        p = points.get(rec[0])
        if p is not None:
            p.orders = int(m["total"])
            for s in STATUSES:
                setattr(p, s, int(m[s]))
    ckey = bucket(Call.received_at)
    calls = select(ckey, func.count(Call.id)).where(in_period(period, Call.received_at)).group_by(ckey)
    for label, n in db.session.execute(calls):
        if label in points:
            points[label].calls = int(n)
    return list(points.values())


def daily_trend(period: Period) -> list[TrendPoint]:
    """Orders (with their status as of T) and calls for every day of the period, zeros included."""
    return _fill([d.isoformat() for d in period.days], period, day_of)


def month_span(period: Period, months: int = 12) -> tuple[Period, list[str]]:
    """The `months` calendar months ending with the period's last month (through period.end), and their labels."""
    first = period.end.replace(day=1)
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    labels, cur = [], first
    while cur <= period.end:
        labels.append(f"{cur:%Y-%m}")
        cur = (cur.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(first, period.end, period.as_of), labels


def monthly_trend(period: Period, months: int = 12) -> list[TrendPoint]:
    """The `months` calendar months ending with the period's last month (through period.end), as of T."""
    span, labels = month_span(period, months)
    return _fill(labels, span, month_of)


@dataclass
class RankedRow:
    row: UnitRow
    rank: int | None  # None: nothing to rate yet (every order still in progress)
    mark: str | None = None  # 红榜 / 黑榜
    tied: bool = False  # shares its rank with another unit (并列)


@dataclass(frozen=True)
class Place:
    rank: int
    tied: bool
    mark: str | None


def place(ordered: list, tie_key, best_key, red_size: int = BOARD_SIZE, black_size: int = BOARD_SIZE) -> list[Place]:
    """Ranks and 红榜/黑榜 of items already sorted best first: the one ranking rule of the portal.

    Items with the same `tie_key` share a rank (1, 1, 3: 并列). With n items the top min(red_size, n // 2)
    places are 红榜 and the bottom min(black_size, n // 2) are 黑榜, each with every item tied with them; an
    item on 红榜, or whose `best_key` equals the best item's, is never on 黑榜 (nobody is blamed when all tie).
    """
    ranks: list[int] = []
    tied = [False] * len(ordered)
    for i, item in enumerate(ordered):
        if i and tie_key(ordered[i - 1]) == tie_key(item):
            ranks.append(ranks[-1])
            tied[i - 1] = tied[i] = True
        else:
            ranks.append(i + 1)
    marks: list[str | None] = [None] * len(ordered)
    red = min(red_size, len(ordered) // 2)
    black = min(black_size, len(ordered) // 2)
    if ordered:
        best = best_key(ordered[0])
        red_until = ranks[red - 1] if red else 0
        black_from = ranks[-black] if black else len(ordered) + 1
        for i, item in enumerate(ordered):
            if ranks[i] <= red_until:
                marks[i] = RED
            elif ranks[i] >= black_from and best_key(item) != best:
                marks[i] = BLACK
    return [Place(r, t, m) for r, t, m in zip(ranks, tied, marks)]


def rank_group(rows: list[UnitRow]) -> list[RankedRow]:
    """Rank by 按期办结率 descending, then total descending, then display order (the rule of `place`:
    units with the same rate and the same total share a rank). Units without a rate are listed last, unranked.
    """
    # Each rate once, compared as a float: Fractions compare slowly, and for denominators up to 2**26 orders
    # the float of a/b orders and ties exactly as the fraction (equal fractions round alike; different ones
    # differ by at least 1/(b·d) ≥ 2**-52, more than the rounding can join).
    with_rates = [(r, r.rate) for r in rows]
    rated = sorted(((r, float(rate)) for r, rate in with_rates if rate is not None),
                   key=lambda item: (-item[1], -item[0].total, item[0].display_order, item[0].unit_id))
    places = place(rated, lambda item: (item[1], item[0].total), lambda item: item[1])
    ranked = [RankedRow(r, p.rank, p.mark, p.tied) for (r, _), p in zip(rated, places)]
    unrated = sorted((r for r, rate in with_rates if rate is None), key=lambda r: (-r.total, r.display_order, r.unit_id))
    return ranked + [RankedRow(r, None) for r in unrated]


def group_rankings(period: Period, rows: list[UnitRow] | None = None) -> dict[str, list[RankedRow]]:
    """Rankings per unit group (区县政府, 市直部门, 公共企事业单位, 其他, then any other group)."""
    rows = unit_rows(period) if rows is None else rows
    groups: dict[str, list[UnitRow]] = {g: [] for g in UNIT_GROUPS}
    for r in rows:
        groups.setdefault(r.group, []).append(r)
    return {g: rank_group(members) for g, members in groups.items() if members}


def unit_rank(period: Period, unit_id: int, rankings: dict[str, list[RankedRow]] | None = None):
    """(RankedRow, number of ranked units in its group) of one unit, or None without orders."""
    rankings = group_rankings(period) if rankings is None else rankings
    for members in rankings.values():
        for rr in members:
            if rr.row.unit_id == unit_id:
                return rr, sum(1 for m in members if m.rank is not None)
    return None


