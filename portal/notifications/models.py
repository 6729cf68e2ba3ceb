"""In-app notifications (站内消息), one row per recipient so each user has their own read state."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.clock import now
from portal.extensions import db


class Notification(db.Model):
    __tablename__ = "notification"
    __table_args__ = (
        # A reminder sent with a key is sent once per user: `orders remind` may run every few minutes.
        UniqueConstraint("user_id", "key", name="uq_notification_user_key"),
        Index("ix_notification_user_unread", "user_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    key: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=now, index=True)
    read_at: Mapped[datetime | None]

    user: Mapped["User"] = relationship()  # noqa: F821

    @classmethod
    def user_scope_column(cls):
        return cls.user_id
