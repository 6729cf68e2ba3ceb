"""SQL building blocks shared by the statistics queries: which orders count, and how each is
classified as of T, from the facts in force at T (`portal.orders.history.OrderFact`). Everything is a
CASE expression summed by the database (SQLite and PostgreSQL alike); no query walks the orders in Python."""
from __future__ import annotations

from sqlalchemy import and_, case, func, not_, or_

from portal.extensions import db
from portal.orders.enums import OrderKind
from portal.orders.history import OrderFact
from portal.stats.period import Period

# The seed attachment's column order.
KINDS = (OrderKind.CONSULT, OrderKind.HELP, OrderKind.COMPLAINT,
         OrderKind.SUGGESTION, OrderKind.REPORT, OrderKind.PRAISE)
STATUSES = ("on_time", "late", "overdue_open", "in_progress")
F = OrderFact


def in_period(period: Period, column=F.accepted_at):
    """In [start, end] and already there at T: an order accepted (a call received) after T does not exist yet."""
    return and_(column >= period.start_at, column < period.end_before, column <= period.as_of)


def counted(period: Period):
    """The facts in force at T of the orders of the period: one row per order accepted in the period by T and
    not merged by T (a merged order has no row in force after its merge)."""
    t = period.as_of
    return and_(in_period(period), F.valid_from <= t, or_(F.valid_to.is_(None), F.valid_to > t))


def dispatched(as_of):
    """Counted for a unit at T: dispatched by T and not returned (an approved return starts a row without a unit)."""
    return and_(F.unit_id.is_not(None), F.dispatched_at <= as_of)


def status_conditions(as_of) -> dict[str, object]:
    """DOMAIN.md §4 as SQL conditions on the facts in force at T; exactly one holds for every order.

    An order without a handle deadline (dispatched before deadlines existed, or imported without
    one) has no deadline to miss: completed → on time, open → in progress. A late completion whose
    appeal was upheld by T (申诉成立, `late_excused_at`) is on time as of T.
    """
    done = and_(F.completed_at.is_not(None), F.completed_at <= as_of)
    deadline = F.handle_deadline
    excused = and_(F.late_excused_at.is_not(None), F.late_excused_at <= as_of)
    return {
        "on_time": and_(done, or_(deadline.is_(None), F.completed_at <= deadline, excused)),
        "late": and_(done, deadline.is_not(None), F.completed_at > deadline, not_(excused)),
        "overdue_open": and_(not_(done), deadline.is_not(None), deadline < as_of),
        "in_progress": and_(not_(done), or_(deadline.is_(None), deadline >= as_of)),
    }


def count_if(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def figure_columns(as_of) -> list:
    """total, one count per kind, then the four statuses: the columns of the unit table."""
    conds = status_conditions(as_of)
    return [
        func.count(F.id).label("total"),
        *(count_if(F.kind == kind).label(f"k_{kind.value}") for kind in KINDS),
        *(count_if(conds[name]).label(name) for name in STATUSES),
    ]


def dialect() -> str:
    return db.session.get_bind().dialect.name


def day_of(column):
    """'YYYY-MM-DD' of a datetime column, on either database."""
    if dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return func.strftime("%Y-%m-%d", column)


def month_of(column):
    if dialect() == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)
