"""Order numbers (YYYYMMDDNN) from a per-day counter row that every creation locks.

Counting the day's orders and adding one gave two simultaneous creations the same number on PostgreSQL.
`UPDATE … SET last = last + 1 … RETURNING last` locks the day's row until the transaction ends, so the
next creation waits for it and gets the following number (SQLite serialises writers anyway). A day's row
starts from the numbers already taken (imports), and numbers taken by imports later are skipped.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db


class OrderNumberCounter(db.Model):
    __tablename__ = "order_number_counter"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


def _bump(prefix: str) -> int | None:
    stmt = (update(OrderNumberCounter).where(OrderNumberCounter.day == prefix)
            .values(last=OrderNumberCounter.last + 1).returning(OrderNumberCounter.last))
    return db.session.execute(stmt).scalar()


def _start_day(prefix: str) -> None:
    from portal.orders.models import WorkOrder

    taken = db.session.scalar(select(func.count(WorkOrder.id)).where(WorkOrder.number.like(f"{prefix}%"))) or 0
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(dialect.insert(OrderNumberCounter).values(day=prefix, last=taken)
                       .on_conflict_do_nothing(index_elements=["day"]))


def next_number(at: datetime) -> str:
    """A new order number like 2018072106: the date and a running number for that day."""
    from portal.orders.models import WorkOrder

    prefix = at.strftime("%Y%m%d")
    while True:
        seq = _bump(prefix)
        if seq is None:
            _start_day(prefix)
            continue
        number = f"{prefix}{seq:02d}"
        if db.session.scalar(select(WorkOrder.id).where(WorkOrder.number == number)) is None:
            return number
