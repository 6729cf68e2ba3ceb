"""Appeals and their files."""
from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db
from portal.orders.models import Callback, WorkOrder, _enum


class AppealKind(StrEnum):
    RATING = "rating"      # a 回访 level counted as not satisfied
    LATENESS = "lateness"  # 逾期办结: the accepted reply came after the handle deadline

    @property
    def label(self) -> str:
        return {"rating": "回访评价", "lateness": "逾期判定"}[self.value]


class AppealStatus(StrEnum):
    LEADER_REVIEW = "leader_review"
    CENTRE_REVIEW = "centre_review"
    LEADER_REJECTED = "leader_rejected"
    UPHELD = "upheld"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return APPEAL_STATUS_LABELS[self]

    @property
    def open(self) -> bool:
        return self in (AppealStatus.LEADER_REVIEW, AppealStatus.CENTRE_REVIEW)


APPEAL_STATUS_LABELS = {
    AppealStatus.LEADER_REVIEW: "待单位负责人审批",
    AppealStatus.CENTRE_REVIEW: "待中心审核",
    AppealStatus.LEADER_REJECTED: "单位负责人未同意",
    AppealStatus.UPHELD: "申诉成立",
    AppealStatus.REJECTED: "申诉不成立",
}


class Appeal(db.Model):
    """One appeal. `target` names what is appealed (a callback, or one completion of an order) and is unique:
    a rating or a lateness judgment is appealed once."""

    __tablename__ = "appeal"
    __table_args__ = (UniqueConstraint("target", name="uq_appeal_target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    kind: Mapped[AppealKind] = mapped_column(_enum(AppealKind, 10))
    callback_id: Mapped[int | None] = mapped_column(ForeignKey("callback.id"))
    # The completion judged late (the accepted reply's time): a later completion is another judgment.
    completed_at: Mapped[datetime | None]
    target: Mapped[str] = mapped_column(String(60))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(_enum(AppealStatus, 20), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    filed_at: Mapped[datetime] = mapped_column(default=now)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    leader_decided_at: Mapped[datetime | None]
    leader_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    # Two people deciding at once: one wins, the other gets a Conflict.
    version: Mapped[int] = mapped_column(default=1)

    order: Mapped[WorkOrder] = relationship()
    callback: Mapped[Callback | None] = relationship()
    unit: Mapped["Unit"] = relationship()  # noqa: F821
    filed_by: Mapped["User | None"] = relationship(foreign_keys=[filed_by_id])  # noqa: F821
    leader: Mapped["User | None"] = relationship(foreign_keys=[leader_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    files: Mapped[list["AppealFile"]] = relationship(back_populates="appeal", order_by="AppealFile.id")

    __mapper_args__ = {"version_id_col": version}

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id

    @property
    def what(self) -> str:
        """What is appealed, in words."""
        if self.kind == AppealKind.RATING and self.callback is not None:
            return f"回访评价“{self.callback.result.label}”（{self.callback.at:%Y-%m-%d %H:%M}）"
        return f"逾期办结（办结回复 {self.completed_at:%Y-%m-%d %H:%M}）" if self.completed_at else "逾期判定"


class AppealFile(db.Model):
    """A file attached to an appeal, stored under UPLOAD_FOLDER/appeals/<appeal id>/."""

    __tablename__ = "appeal_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    appeal_id: Mapped[int] = mapped_column(ForeignKey("appeal.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    appeal: Mapped[Appeal] = relationship(back_populates="files")
