"""统计 (DOMAIN.md §4): the one definition of every figure, used by the dashboards, the CLI and
the circular. Each function takes a Period (dates + as-of time T) and returns dataclasses.

Which orders count: accepted_at within the period and by T, not merged by T (a merged duplicate
is folded into the earlier order and would count twice), each with the facts in force at T
(`portal.orders.history`). Orders 待派单 at T (never dispatched, or returned and not dispatched
again) are reported apart (UnitTable.undispatched) and are not in any per-unit figure, kind share,
tag count or hot topic, so the prose of a circular always agrees with its table.

The per-unit figures, rates, trends and calls come from the per-unit per-day sums (summed.py, issue 14);
the direct queries in table.py, rates.py and trends.py define them and the equality test holds the two
equal; tag counts and hot topics likewise come from the per-topic sums, defined by topics.py.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portal.extensions import db
from portal.orders.enums import OrderKind
from portal.stats._sql import KINDS, F, count_if, counted, dispatched
from portal.stats.formatting import DASH, percent_one_decimal, percent_whole
from portal.stats.period import Period
from portal.stats import rates
from portal.stats.rates import UnitRates
from portal.stats.summed import (
    Figures, call_totals, daily_trend, group_rankings, hot_topics, monthly_trend, overdue_units, tag_counts,
    undispatched_count, unit_rank, unit_rates, unit_rows, unit_table,
)
from portal.stats.table import SORT_KEYS, UnitRow, UnitTable, sort_rows, sum_rows
from portal.stats.trends import CallTotals, RankedRow, TrendPoint

__all__ = [
    "DASH", "KINDS", "SORT_KEYS", "CallTotals", "Figures", "KindShare", "Period", "RankedRow", "TrendPoint", "UnitRates", "UnitRow",
    "UnitTable", "call_totals", "city_rates", "daily_trend", "group_rankings", "hot_topics", "kind_shares",
    "monthly_trend", "overdue_units", "percent_one_decimal", "percent_whole", "sort_rows", "sum_rows", "tag_counts",
    "undispatched_count", "unit_rank", "unit_rates", "unit_rows", "unit_table",
]


@dataclass(frozen=True)
class KindShare:
    kind: OrderKind
    count: int
    share_text: str  # one decimal, e.g. "14.4%"


def kind_shares(period: Period, table: UnitTable | None = None) -> list[KindShare]:
    """Counts of each kind in the seed's order, with one-decimal shares of the dispatched total.

    Pass the period's unit table when you have it: its 合计 row holds the same counts.
    """
    if table is not None:
        counts = [table.total.by_kind[k] for k in KINDS]
    else:
        stmt = select(*(count_if(F.kind == k) for k in KINDS)).where(counted(period), dispatched(period.as_of))
        counts = [int(c) for c in db.session.execute(stmt).one()]
    total = sum(counts)
    return [KindShare(k, c, percent_one_decimal(c, total)) for k, c in zip(KINDS, counts)]


def city_rates(period: Period, per_unit: dict[int, UnitRates] | None = None) -> UnitRates:
    """The further rates city-wide (the sum over units)."""
    return rates.city_rates(period, unit_rates(period) if per_unit is None else per_unit)
