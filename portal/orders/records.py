"""Records kept beside an order: return and extension requests, replies, supervise messages, attachments.

Each request row carries the unit that made it (unit_id), so unit users are scoped by it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db
from portal.orders.enums import RequestStatus, ReturnStage
from portal.orders.models import WorkOrder, _enum


class _UnitScoped:
    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id


class ReturnRequest(_UnitScoped, db.Model):
    """退单申请: reason and duty basis; unit leader first (when the unit has one), then the centre."""

    __tablename__ = "return_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    reason: Mapped[str] = mapped_column(Text)
    duty_basis: Mapped[str] = mapped_column(Text)  # 职责依据
    stage: Mapped[ReturnStage] = mapped_column(_enum(ReturnStage, 10))
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, 10), default=RequestStatus.PENDING)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    leader_decided_at: Mapped[datetime | None]
    leader_note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[WorkOrder] = relationship()
    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821
    leader: Mapped["User | None"] = relationship(foreign_keys=[leader_id])  # noqa: F821
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821


class ExtensionRequest(_UnitScoped, db.Model):
    """延期申请: reason and working days; approval moves the handle deadline."""

    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[datetime] = mapped_column(default=now)
    reason: Mapped[str] = mapped_column(Text)
    working_days: Mapped[int]
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, 10), default=RequestStatus.PENDING)
    old_deadline: Mapped[datetime | None]
    new_deadline: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[WorkOrder] = relationship()
    requested_by: Mapped["User | None"] = relationship(foreign_keys=[requested_by_id])  # noqa: F821


class Reply(_UnitScoped, db.Model):
    """办结回复: result, how and when the citizen was contacted, resolved or not (and why not)."""

    __tablename__ = "reply"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    submitted_at: Mapped[datetime] = mapped_column(default=now)
    result: Mapped[str] = mapped_column(Text)
    contact_way: Mapped[str] = mapped_column(String(20))
    contacted_at: Mapped[datetime | None]
    resolved: Mapped[bool] = mapped_column(default=True)
    unresolved_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[RequestStatus] = mapped_column(_enum(RequestStatus, 10), default=RequestStatus.PENDING)
    # 回复签发: a liaison's reply may wait for the unit leader (LEADER) before it reaches the centre.
    stage: Mapped[ReturnStage] = mapped_column(_enum(ReturnStage, 10), default=ReturnStage.CENTRE,
                                               server_default=ReturnStage.CENTRE.value)
    leader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    leader_decided_at: Mapped[datetime | None]
    leader_note: Mapped[str] = mapped_column(Text, default="", server_default="")
    # When the reply reached the centre (待审核): its time for timeliness (completed_at when accepted).
    reached_centre_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")

    order: Mapped[WorkOrder] = relationship()
    submitted_by: Mapped["User | None"] = relationship(foreign_keys=[submitted_by_id])  # noqa: F821
    leader: Mapped["User | None"] = relationship(foreign_keys=[leader_id])  # noqa: F821
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="reply")

    @property
    def counted_at(self) -> datetime:
        """The reply's time for timeliness: when it reached the centre (after the leader's sign-off, if any)."""
        return self.reached_centre_at or self.submitted_at


class Supervision(_UnitScoped, db.Model):
    """督办: a message from the centre that the unit must see and acknowledge."""

    __tablename__ = "supervision"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    text: Mapped[str] = mapped_column(Text)
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    acknowledged_at: Mapped[datetime | None]

    order: Mapped[WorkOrder] = relationship()
    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    acknowledged_by: Mapped["User | None"] = relationship(foreign_keys=[acknowledged_by_id])  # noqa: F821


class Attachment(db.Model):
    """A file on an order, stored under UPLOAD_FOLDER (outside static/); served only to who may see the order."""

    __tablename__ = "order_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_order.id", ondelete="CASCADE"), index=True)
    reply_id: Mapped[int | None] = mapped_column(ForeignKey("reply.id"))
    # The task the file belongs to (a 协办意见's or a sub-unit's attachments), NULL for the order's own.
    task_id: Mapped[int | None] = mapped_column(ForeignKey("order_task.id"), index=True)
    original_name: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(100))  # relative to UPLOAD_FOLDER
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=now)

    order: Mapped[WorkOrder] = relationship()
    reply: Mapped[Reply | None] = relationship(back_populates="attachments")
    uploaded_by: Mapped["User | None"] = relationship()  # noqa: F821
