"""来电: one citizen call, answered directly (直接答复) or turned into an order (形成工单)."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Enum, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db


class CallOutcome(StrEnum):
    DIRECT = "direct"  # 直接答复
    ORDER = "order"    # 形成工单

    @property
    def label(self) -> str:
        return {"direct": "直接答复", "order": "形成工单"}[self.value]


# Which published KB entries answered a direct reply (直接答复).
call_kb_entry = Table(
    "call_kb_entry",
    db.metadata,
    Column("call_id", ForeignKey("call.id", ondelete="CASCADE"), primary_key=True),
    Column("entry_id", ForeignKey("kb_entry.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Call(db.Model):
    __tablename__ = "call"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_at: Mapped[datetime] = mapped_column(index=True)  # 来电时间
    mobile: Mapped[str | None] = mapped_column(String(20), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[CallOutcome | None] = mapped_column(
        Enum(CallOutcome, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_order.id"), index=True, unique=True)  # one order per call
    # A direct reply cites the entries it answered from, or says why none (answered from general knowledge).
    no_entry_reason: Mapped[str | None] = mapped_column(String(200))
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    order: Mapped["WorkOrder | None"] = relationship()  # noqa: F821
    operator: Mapped["User | None"] = relationship()  # noqa: F821
    entries: Mapped[list["KBEntry"]] = relationship(secondary=call_kb_entry)  # noqa: F821
