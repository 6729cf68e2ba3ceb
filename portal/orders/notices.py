"""督办单: the centre's formal notice about an order, numbered 督〔YYYY〕N号 per year.

Numbers come from a counter row per year that `UPDATE … RETURNING` locks until the transaction ends (like
order numbers, portal/orders/numbering.py), and (year, seq) is unique besides: two notices issued at once
never share a number.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db
from portal.orders.models import WorkOrder


class NoticeNumberCounter(db.Model):
    __tablename__ = "notice_number_counter"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class SupervisionNotice(db.Model):
    """督办单: number, the order and unit it chases, what the centre requires, when."""

    __tablename__ = "supervision_notice"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_supervision_notice_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int]
    seq: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime] = mapped_column(default=now)

    order: Mapped[WorkOrder] = relationship()
    unit: Mapped["Unit"] = relationship()  # noqa: F821
    issued_by: Mapped["User | None"] = relationship()  # noqa: F821

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id

    @property
    def number(self) -> str:
        return notice_number(self.year, self.seq)


def notice_number(year: int, seq: int) -> str:
    return f"督〔{year}〕{seq}号"


def next_notice_seq(year: int) -> int:
    """The next running number of `year`, taken under the counter row's lock."""
    stmt = (update(NoticeNumberCounter).where(NoticeNumberCounter.year == year)
            .values(last=NoticeNumberCounter.last + 1).returning(NoticeNumberCounter.last))
    seq = db.session.execute(stmt).scalar()
    if seq is None:
        dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
        db.session.execute(dialect.insert(NoticeNumberCounter).values(year=year, last=0)
                           .on_conflict_do_nothing(index_elements=["year"]))
        seq = db.session.execute(stmt).scalar()
    return int(seq)
