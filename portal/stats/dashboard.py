"""What the dashboards show, assembled from the query layer (no figure is defined here)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from portal.extensions import db
from portal.knowledge.queries import unit_campaigns
from portal.orders.conditions import active_due_soon, active_overdue
from portal.orders.models import WorkOrder
from portal.stats import queries as q
from portal.web.scoping import scoped_select

LIST_LIMIT = 20


@dataclass
class CentreDashboard:
    period: q.Period
    calls: q.CallTotals
    table: q.UnitTable
    rows: list[q.UnitRow]  # the table's rows, sorted as asked
    kinds: list[q.KindShare]
    tags: dict[str, int]
    hot: list[tuple[str, int]]
    daily: list[q.TrendPoint]
    monthly: list[q.TrendPoint]
    rankings: dict[str, list[q.RankedRow]]
    rates: dict[int, q.UnitRates]
    city: q.UnitRates

    def charts(self) -> dict:
        """Chart data for ECharts, passed to the page as JSON."""
        return {
            "kinds": [{"name": s.kind.label, "value": s.count} for s in self.kinds],
            "daily": {"labels": [p.label[5:] for p in self.daily], "orders": [p.orders for p in self.daily],
                      "calls": [p.calls for p in self.daily]},
            "monthly": {"labels": [p.label for p in self.monthly], "orders": [p.orders for p in self.monthly],
                        "on_time": [p.on_time for p in self.monthly], "late": [p.late for p in self.monthly],
                        "overdue_open": [p.overdue_open for p in self.monthly],
                        "in_progress": [p.in_progress for p in self.monthly]},
            "hot": {"labels": [name for name, _ in self.hot], "values": [n for _, n in self.hot]},
        }


def centre_dashboard(period: q.Period, sort: str = "order", descending: bool = True) -> CentreDashboard:
    figures = q.Figures(period)
    table, rates = figures.table(), figures.rates()
    return CentreDashboard(
        period=period, calls=q.call_totals(period), table=table,
        rows=q.sort_rows(table.rows, sort, descending), kinds=q.kind_shares(period, table), tags=q.tag_counts(period),
        hot=q.hot_topics(period, limit=10), daily=q.daily_trend(period), monthly=q.monthly_trend(period),
        rankings=q.group_rankings(period, table.rows), rates=rates, city=figures.city_rates(),
    )


@dataclass
class Attention:
    """A unit's open orders past or near their handle deadline, now (not a period figure)."""

    overdue: list[WorkOrder] = field(default_factory=list)
    overdue_count: int = 0
    due_soon: list[WorkOrder] = field(default_factory=list)
    due_soon_count: int = 0


def attention(user, at: datetime) -> Attention:
    """The user's unit's orders overdue or due within 24 hours, earliest deadline first (scoped)."""
    base = scoped_select(WorkOrder, user)
    overdue = base.where(active_overdue(at))
    soon = base.where(active_due_soon(at))

    def listing(stmt):
        rows = list(db.session.scalars(stmt.order_by(WorkOrder.handle_deadline, WorkOrder.id).limit(LIST_LIMIT)))
        count = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
        return rows, int(count or 0)

    result = Attention()
    result.overdue, result.overdue_count = listing(overdue)
    result.due_soon, result.due_soon_count = listing(soon)
    return result


@dataclass
class UnitDashboard:
    period: q.Period
    own: q.UnitRow
    city: q.UnitRow
    own_rates: q.UnitRates
    city_rates: q.UnitRates
    rank: q.RankedRow | None
    ranked_in_group: int
    group: str
    attention: Attention
    campaigns: list | None  # None: the knowledge base feature is not installed


def unit_dashboard(user, period: q.Period, at: datetime) -> UnitDashboard:
    """The user's own unit beside the city-wide figures; never another unit's rows."""
    unit = user.unit
    figures = q.Figures(period)
    group_rows = figures.group_rows(unit.group)
    own = next((r for r in group_rows if r.unit_id == unit.id), None) or q.sum_rows([], unit.short_name)
    own.unit_id, own.short_name, own.group = unit.id, unit.short_name, unit.group
    found = q.unit_rank(period, unit.id, q.group_rankings(period, group_rows))
    rank, ranked = found if found else (None, 0)
    return UnitDashboard(
        period=period, own=own, city=figures.city_row(), own_rates=figures.unit_rates(unit.id),
        city_rates=figures.city_rates(), rank=rank, ranked_in_group=ranked, group=unit.group,
        attention=attention(user, at), campaigns=unit_campaigns(unit.id, at),
    )


def home_summary(user, at: datetime):
    """Last month's figures for the home page (centre: city-wide; unit: own and city), or None."""
    period = q.Period.last_month(at)
    if user.is_centre:
        return {"kind": "centre", "period": period, "table": q.unit_table(period)}
    if user.is_unit_user and user.unit_id:
        return {"kind": "unit", "period": period, "board": unit_dashboard(user, period, at)}
    return None
