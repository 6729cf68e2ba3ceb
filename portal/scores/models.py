"""考核方案 (scoring scheme versions) and 加扣分 (manual deductions and bonuses).

A scheme version is in force from its first month until the next version's first month. Versions are
never rewritten once their month has begun (docs/decisions.md, issue 13): an edit is a new version.
Points typed by staff are stored in hundredths (1.5 分 → 150), so no float and no Decimal column is needed.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db


class BoardScope(StrEnum):
    GROUP = "group"
    OVERALL = "overall"

    @property
    def label(self) -> str:
        return {"group": "按单位分组", "overall": "全部单位"}[self.value]


class AdjustmentKind(StrEnum):
    DEDUCT = "deduct"
    BONUS = "bonus"

    @property
    def label(self) -> str:
        return {"deduct": "扣分", "bonus": "加分"}[self.value]


def _enum(cls, length: int):
    return Enum(cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


class Scheme(db.Model):
    """One version of the assessment scheme, in force from `effective_from` (the 1st of a month)."""

    __tablename__ = "score_scheme"
    __table_args__ = (
        UniqueConstraint("effective_from", name="uq_score_scheme_effective_from"),
        CheckConstraint("red_size >= 0 AND black_size >= 0", name="board_sizes"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    effective_from: Mapped[date]
    red_size: Mapped[int] = mapped_column(default=5)
    black_size: Mapped[int] = mapped_column(default=5)
    board_scope: Mapped[BoardScope] = mapped_column(_enum(BoardScope, 10), default=BoardScope.GROUP)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    created_by: Mapped["User | None"] = relationship()  # noqa: F821
    groups: Mapped[list["SchemeGroup"]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="SchemeGroup.id")
    items: Mapped[list["SchemeItem"]] = relationship(
        back_populates="scheme", cascade="all, delete-orphan", order_by="SchemeItem.position")

    @property
    def month_label(self) -> str:
        return f"{self.effective_from.year}年{self.effective_from.month}月"

    def full_marks(self, group: str | None) -> int | None:
        for g in self.groups:
            if g.group == group:
                return g.full_marks
        return None


class SchemeGroup(db.Model):
    """满分 of one unit group under a scheme version (连云港: 区县政府 150, 市直部门 100)."""

    __tablename__ = "score_scheme_group"
    __table_args__ = (
        UniqueConstraint("scheme_id", "group", name="uq_score_scheme_group"),
        CheckConstraint("full_marks > 0", name="full_marks_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("score_scheme.id", ondelete="CASCADE"), index=True)
    group: Mapped[str] = mapped_column(String(20))
    full_marks: Mapped[int]

    scheme: Mapped[Scheme] = relationship(back_populates="groups")


class SchemeItem(db.Model):
    """An indicator of a scheme version: its weight (percent of the full marks) and its threshold (percent)."""

    __tablename__ = "score_scheme_item"
    __table_args__ = (
        UniqueConstraint("scheme_id", "indicator", name="uq_score_scheme_item"),
        CheckConstraint("weight > 0 AND weight <= 100", name="weight_range"),
        CheckConstraint("threshold IS NULL OR (threshold >= 0 AND threshold <= 100)", name="threshold_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme_id: Mapped[int] = mapped_column(ForeignKey("score_scheme.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(30))  # a key of portal.scores.indicators.REGISTRY
    weight: Mapped[int]
    threshold: Mapped[int | None]
    position: Mapped[int] = mapped_column(default=0)

    scheme: Mapped[Scheme] = relationship(back_populates="items")


class Adjustment(db.Model):
    """A manual deduction or bonus (扣分/加分) of one unit for one month, with its reason.

    Never deleted: revoking records who and when, so a score as of an earlier time still counts it.
    """

    __tablename__ = "score_adjustment"
    __table_args__ = (CheckConstraint("hundredths > 0", name="points_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    month: Mapped[date] = mapped_column(index=True)  # the 1st of the month it counts for
    kind: Mapped[AdjustmentKind] = mapped_column(_enum(AdjustmentKind, 10))
    hundredths: Mapped[int]
    reason: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str] = mapped_column(Text, default="")

    unit: Mapped["Unit"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    revoked_by: Mapped["User | None"] = relationship(foreign_keys=[revoked_by_id])  # noqa: F821

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id

    @property
    def signed_hundredths(self) -> int:
        return self.hundredths if self.kind == AdjustmentKind.BONUS else -self.hundredths
