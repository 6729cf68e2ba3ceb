"""The statistics pages as they ran before issue 14's sums: the query façade pointed at the direct queries
(portal/stats/table.py, rates.py, trends.py, topics.py), for before/after benchmarks."""
from __future__ import annotations

from contextlib import contextmanager


class DirectFigures:
    """The dashboards' figures from the direct queries (portal/stats/table.py, rates.py), as before issue 14's
    sums: every unit's table and rates computed from order_fact."""

    def __init__(self, period):
        from portal.stats import rates, table

        self._table = table.unit_table(period)
        self._rates = rates.unit_rates(period)
        self.rows = self._table.rows

    def table(self):
        return self._table

    def rates(self):
        return self._rates

    def group_rows(self, group):
        return [r for r in self.rows if r.group == group]

    def city_row(self):
        return self._table.total


@contextmanager
def direct_queries():
    """Point the query façade at the direct queries for the duration (the pages as they ran before the sums)."""
    from portal.stats import queries, rates, table, topics, trends

    swap = {"Figures": DirectFigures, "unit_table": table.unit_table, "unit_rates": rates.unit_rates,
            "unit_rows": table.unit_rows, "call_totals": trends.call_totals, "daily_trend": trends.daily_trend,
            "monthly_trend": trends.monthly_trend, "overdue_units": table.overdue_units,
            "group_rankings": trends.group_rankings, "unit_rank": trends.unit_rank,
            "undispatched_count": table.undispatched_count, "tag_counts": topics.tag_counts,
            "hot_topics": topics.hot_topics}
    saved = {name: getattr(queries, name) for name in swap}
    for name, fn in swap.items():
        setattr(queries, name, fn)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(queries, name, fn)
