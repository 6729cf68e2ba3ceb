"""承办单位 (units)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db

UNIT_GROUPS = ("区县政府", "市直部门", "公共企事业单位", "其他")
REPLY_SIGNOFF = {"none": "不需要", "major": "仅重件", "all": "全部答复"}

# RosterEvent.action -> what the centre reads in the roster log.
ROSTER_ACTIONS = {
    "add_user": "新增人员",
    "update_user": "修改人员信息",
    "deactivate_user": "停用账号",
    "reactivate_user": "启用账号",
    "reset_password": "重置密码",
    "transfer_in": "调入",
    "transfer_out": "调出",
    "handover": "工单移交",
    "update_lead": "变更牵头负责人",
    "deactivate_unit": "停用单位",
    "reactivate_unit": "启用单位",
    "add_sub_unit": "新增下级单位",
    "update_sub_unit": "修改下级单位",
    "move_sub_unit": "调整下级单位隶属",
}


TOP_SQL = "parent_id IS NULL"
SUB_SQL = "parent_id IS NOT NULL"


class Unit(db.Model):
    __tablename__ = "unit"
    # Names are unique among first-level units (the centre and the orders import name them) and among the
    # sub-units of one unit: 城关镇 is a township of several counties.
    __table_args__ = (
        Index("uq_unit_top_full_name", "full_name", unique=True,
              sqlite_where=text(TOP_SQL), postgresql_where=text(TOP_SQL)),
        Index("uq_unit_top_short_name", "short_name", unique=True,
              sqlite_where=text(TOP_SQL), postgresql_where=text(TOP_SQL)),
        Index("uq_unit_sub_full_name", "parent_id", "full_name", unique=True,
              sqlite_where=text(SUB_SQL), postgresql_where=text(SUB_SQL)),
        Index("uq_unit_sub_short_name", "parent_id", "short_name", unique=True,
              sqlite_where=text(SUB_SQL), postgresql_where=text(SUB_SQL)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(100))
    short_name: Mapped[str] = mapped_column(String(50))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    group: Mapped[str] = mapped_column(String(20), default="市直部门")
    display_order: Mapped[int] = mapped_column(default=0)
    lead_name: Mapped[str | None] = mapped_column(String(50))
    lead_mobile: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=now)
    # 下级单位: a township, sub-district, section or village under its unit (a tree of any depth). The
    # centre dispatches to first-level units (parent_id NULL) and its figures count them only.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    # Set by the security administrator: this unit's people sign in with a second factor too.
    second_factor_required: Mapped[bool] = mapped_column(default=False)
    # 回复签发: which liaison replies go to the unit leader before the centre (REPLY_SIGNOFF).
    reply_signoff: Mapped[str] = mapped_column(String(10), default="none", server_default="none")

    users: Mapped[list["User"]] = relationship(back_populates="unit")  # noqa: F821
    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.display_order")

    # Units are a unit-scoped model too: a unit user sees only its own unit.
    @classmethod
    def unit_scope_column(cls):
        return cls.id

    @property
    def is_sub_unit(self) -> bool:
        return self.parent_id is not None

    @property
    def path_name(self) -> str:
        """汉滨区政府 › 老城街道: the short name after those of the units above it."""
        names, unit, seen = [self.short_name], self.parent, {self.id}
        while unit is not None and unit.id not in seen:
            names.append(unit.short_name)
            seen.add(unit.id)
            unit = unit.parent
        return " › ".join(reversed(names))

    @property
    def names(self) -> list[str]:
        return [self.full_name, self.short_name, *(self.aliases or [])]

    def __repr__(self) -> str:
        return f"<Unit {self.short_name}>"


class RosterEvent(db.Model):
    """A change to a unit's roster (DOMAIN.md §2): who changed which liaison, when."""

    __tablename__ = "roster_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    subject_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(30))
    detail: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)

    unit: Mapped[Unit] = relationship()
    actor: Mapped["User | None"] = relationship(foreign_keys=[actor_id])  # noqa: F821
    subject_user: Mapped["User | None"] = relationship(foreign_keys=[subject_user_id])  # noqa: F821

    @property
    def action_label(self) -> str:
        return ROSTER_ACTIONS.get(self.action, self.action)

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id
