"""通报 (circulars): a frozen snapshot of the figures, editable texts, addressees and read receipts.

Everything a circular prints comes from `snapshot` (figures, frozen when drafted or refreshed) and
`texts` (the sections, editable until issued). Once issued, neither changes again.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, LargeBinary, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from portal.clock import now
from portal.errors import RuleViolation
from portal.extensions import db

LOCKED = "通报已印发，内容和数据均已锁定，不能再修改。"


class CircularStatus(StrEnum):
    DRAFT = "draft"
    ISSUED = "issued"

    @property
    def label(self) -> str:
        return {"draft": "草稿", "issued": "已印发"}[self.value]


class Circular(db.Model):
    __tablename__ = "circular"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    doc_number: Mapped[str] = mapped_column(String(60), default="")  # 发文字号
    period_start: Mapped[date]
    period_end: Mapped[date]
    as_of: Mapped[datetime]
    status: Mapped[CircularStatus] = mapped_column(
        Enum(CircularStatus, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]),
        default=CircularStatus.DRAFT, index=True,
        active_history=True,  # the before-flush guard needs the status the row had before this change
    )
    # Every figure, frozen: see portal.circulars.snapshot for its shape.
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    # Section texts as printed (intro, s1, s3, s4; cases live in snapshot["cases"]).
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    # The texts as last drafted by the machine: a section still equal to its draft follows the data.
    drafted: Mapped[dict] = mapped_column(JSON, default=dict)
    addressee_line: Mapped[str] = mapped_column(String(200), default="")  # 主送
    issuer: Mapped[str] = mapped_column(String(100))  # 发文机关 (signature and red header)
    issue_date: Mapped[date | None]  # 成文日期
    cc: Mapped[str] = mapped_column(Text, default="")  # 抄送
    new_deadline: Mapped[date | None]  # 未报送单位的补报期限
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    updated_at: Mapped[datetime] = mapped_column(default=now)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    issued_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    created_by: Mapped["User | None"] = relationship(foreign_keys=[created_by_id])  # noqa: F821
    issued_by: Mapped["User | None"] = relationship(foreign_keys=[issued_by_id])  # noqa: F821
    recipients: Mapped[list["CircularRecipient"]] = relationship(
        back_populates="circular", cascade="all, delete-orphan", order_by="CircularRecipient.id"
    )
    reads: Mapped[list["CircularRead"]] = relationship(
        back_populates="circular", cascade="all, delete-orphan", order_by="CircularRead.first_read_at"
    )
    outputs: Mapped[list["CircularOutput"]] = relationship(
        back_populates="circular", cascade="all, delete-orphan", order_by="CircularOutput.id"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_issued(self) -> bool:
        return self.status == CircularStatus.ISSUED

    def __repr__(self) -> str:
        return f"<Circular {self.id} {self.period_start}..{self.period_end} {self.status}>"


class CircularRecipient(db.Model):
    """An addressed unit (主送单位). Unit users reach circulars only through these rows."""

    __tablename__ = "circular_recipient"
    __table_args__ = (UniqueConstraint("circular_id", "unit_id", name="uq_circular_recipient_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circular_id: Mapped[int] = mapped_column(ForeignKey("circular.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)

    circular: Mapped[Circular] = relationship(back_populates="recipients")
    unit: Mapped["Unit"] = relationship()  # noqa: F821

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id


class CircularRead(db.Model):
    """读取回执: the first time a user of an addressed unit opened the issued circular."""

    __tablename__ = "circular_read"
    __table_args__ = (UniqueConstraint("circular_id", "user_id", name="uq_circular_read_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circular_id: Mapped[int] = mapped_column(ForeignKey("circular.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    first_read_at: Mapped[datetime] = mapped_column(default=now)

    circular: Mapped[Circular] = relationship(back_populates="reads")
    unit: Mapped["Unit"] = relationship()  # noqa: F821
    user: Mapped["User"] = relationship()  # noqa: F821

    @classmethod
    def unit_scope_column(cls):
        return cls.unit_id


class CircularOutput(db.Model):
    """A file of an issued circular (PDF, DOCX, XLSX), rendered once at 印发 and served ever after, so a
    later release of the portal never changes an official document. Kept in the database: backed up
    with it, and a PostgreSQL row of a few hundred KB is nothing."""

    __tablename__ = "circular_output"
    __table_args__ = (UniqueConstraint("circular_id", "fmt", name="uq_circular_output_fmt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    circular_id: Mapped[int] = mapped_column(ForeignKey("circular.id", ondelete="CASCADE"), index=True)
    fmt: Mapped[str] = mapped_column(String(8))  # pdf, docx, xlsx
    content: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    # For the PDF: which faces it was set in (official or stand-in), as the page says.
    fonts: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=now)

    circular: Mapped[Circular] = relationship(back_populates="outputs")


def _was_issued(circular: Circular | None) -> bool:
    """Whether the circular was issued before this flush (an issue() in this flush does not count)."""
    if circular is None:
        return False
    hist = inspect(circular).attrs.status.history
    was = hist.deleted[0] if hist.deleted else circular.status
    return was == CircularStatus.ISSUED


@event.listens_for(Session, "before_flush")
def _refuse_changes_to_issued(session, _ctx, _instances):
    """An issued circular never changes, whoever tries: services check first, this is the backstop."""
    for obj in session.dirty:
        if isinstance(obj, Circular) and _was_issued(obj):
            state = inspect(obj)
            keys = [a.key for a in state.mapper.column_attrs if a.key != "version"] + ["recipients", "outputs"]
            if any(state.attrs[key].history.has_changes() for key in keys):
                raise RuleViolation(LOCKED)
    for obj in session.deleted:
        if isinstance(obj, Circular) and _was_issued(obj):
            raise RuleViolation(LOCKED)
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, CircularOutput):
            parent = obj.circular or (session.get(Circular, obj.circular_id) if obj.circular_id else None)
            if _was_issued(parent):  # stored at 印发 (in the same flush), never replaced or removed
                raise RuleViolation(LOCKED)
    for obj in [*session.new, *session.deleted]:
        if isinstance(obj, CircularRecipient):
            parent = obj.circular or (session.get(Circular, obj.circular_id) if obj.circular_id else None)
            if _was_issued(parent):
                raise RuleViolation(LOCKED)
