"""The per-unit table (the seed's attachment): UnitRow per unit, 合计, and 待派单 apart."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import func, not_, select

from portal.extensions import db
from portal.orders.enums import OrderKind
from portal.stats._sql import KINDS, STATUSES, F, counted, dispatched, figure_columns
from portal.stats.formatting import percent_whole
from portal.stats.period import Period
from portal.units.models import Unit


@dataclass
class UnitRow:
    """One line of the per-unit table (合计 when unit_id is None)."""

    unit_id: int | None
    short_name: str
    group: str | None
    display_order: int | None
    total: int
    by_kind: dict[OrderKind, int]
    on_time: int
    late: int
    overdue_open: int
    in_progress: int
    full_name: str = ""

    @property
    def rate_denominator(self) -> int:
        return self.total - self.in_progress

    @property
    def rate(self) -> Fraction | None:
        """按期办结率 = on_time / (total − in_progress); None when that is 0."""
        den = self.rate_denominator
        return Fraction(self.on_time, den) if den else None

    @property
    def rate_text(self) -> str:
        return percent_whole(self.on_time, self.rate_denominator)

    @property
    def completed(self) -> int:
        return self.on_time + self.late

    def as_dict(self) -> dict:
        """Raw counts (JSON output, HTMX/chart payloads)."""
        return {
            "unit_id": self.unit_id, "short_name": self.short_name, "group": self.group,
            "total": self.total, "by_kind": {k.value: self.by_kind[k] for k in KINDS},
            "on_time": self.on_time, "late": self.late, "overdue_open": self.overdue_open,
            "in_progress": self.in_progress, "rate": self.rate_text,
        }


@dataclass
class UnitTable:
    rows: list[UnitRow]
    total: UnitRow
    undispatched: int = 0


def sum_rows(rows: Iterable[UnitRow], name: str = "合计") -> UnitRow:
    rows = list(rows)
    return UnitRow(
        unit_id=None, short_name=name, group=None, display_order=None,
        total=sum(r.total for r in rows),
        by_kind={k: sum(r.by_kind[k] for r in rows) for k in KINDS},
        **{s: sum(getattr(r, s) for r in rows) for s in STATUSES},
    )


def _row(rec) -> UnitRow:
    m = rec._mapping
    return UnitRow(
        unit_id=m["id"], short_name=m["short_name"], group=m["group"], display_order=m["display_order"],
        full_name=m["full_name"], total=m["total"],
        by_kind={k: int(m[f"k_{k.value}"]) for k in KINDS},
        **{s: int(m[s]) for s in STATUSES},
    )


def unit_rows(period: Period, *extra_where) -> list[UnitRow]:
    """Per-unit figures, ordered by total descending, then the unit's display order."""
    cols = figure_columns(period.as_of)
    # Aggregate the facts per unit first, then name the (few) units: no per-order join.
    agg = (select(F.unit_id.label("unit_id"), *cols)
           .where(counted(period), dispatched(period.as_of), *extra_where)
           .group_by(F.unit_id).subquery())
    figures = [c for c in agg.c if c.name != "unit_id"]
    stmt = (
        select(Unit.id, Unit.short_name, Unit.group, Unit.display_order, Unit.full_name, *figures)
        .join(agg, agg.c.unit_id == Unit.id)
        .order_by(agg.c.total.desc(), Unit.display_order, Unit.id)
    )
    return [_row(rec) for rec in db.session.execute(stmt)]


# The unit table's sortable columns (the dashboards); "order" is the table's own order.
SORT_KEYS = ("order", "name", "total", "on_time", "late", "overdue_open", "in_progress", "rate")


def sort_rows(rows: list[UnitRow], key: str = "order", descending: bool = True) -> list[UnitRow]:
    """Rows sorted by one column; ties and units without a rate keep the table's order."""
    if key not in SORT_KEYS or key == "order":
        return list(rows)
    if key == "name":
        return sorted(rows, key=lambda r: r.display_order or 0, reverse=descending)
    rated = [r for r in rows if key != "rate" or r.rate is not None]
    unrated = [r for r in rows if key == "rate" and r.rate is None]
    return sorted(rated, key=lambda r: getattr(r, key), reverse=descending) + unrated


def undispatched_count(period: Period) -> int:
    """待派单 at T: never dispatched by T, or returned (approved) by T and not dispatched again by T."""
    stmt = select(func.count(F.id)).where(counted(period), not_(dispatched(period.as_of)))
    return db.session.scalar(stmt) or 0


def unit_table(period: Period) -> UnitTable:
    """The seed attachment's table: units with orders in the period, then 合计."""
    rows = unit_rows(period)
    return UnitTable(rows=rows, total=sum_rows(rows), undispatched=undispatched_count(period))


def overdue_units(period: Period) -> list[UnitRow]:
    """Units with 逾期未办结 orders as of T, most overdue first (then display order)."""
    rows = [r for r in unit_rows(period) if r.overdue_open > 0]
    return sorted(rows, key=lambda r: (-r.overdue_open, r.display_order, r.unit_id))
