"""The audit_event table and the rules that keep it append-only."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from portal.clock import now
from portal.extensions import db

RETENTION_DAYS = 180

RESULT_LABELS = {"ok": "成功", "failed": "失败", "denied": "拒绝", "locked": "锁定"}


class AuditEvent(db.Model):
    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=now, index=True)
    event: Mapped[str] = mapped_column(String(40), index=True)
    result: Mapped[str] = mapped_column(String(10), default="ok")
    # The actor as it was then (no foreign key: the row outlives renames and never blocks a deletion).
    user_id: Mapped[int | None]
    username: Mapped[str] = mapped_column(String(50), default="", index=True)
    role: Mapped[str] = mapped_column(String(20), default="")
    unit_id: Mapped[int | None]
    unit_name: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    object_type: Mapped[str] = mapped_column(String(30), default="")
    object_id: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(String(500), default="")

    @property
    def result_label(self) -> str:
        return RESULT_LABELS.get(self.result, self.result)


class AppendOnly(Exception):
    """Raised when code tries to change or delete an audit row."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEvent):
            raise AppendOnly("审计日志只能追加，不能修改或删除。")


# The database refuses it too, whoever connects: no UPDATE at all, DELETE only past the retention period.
_SQLITE = [
    DDL("CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"),
    DDL(f"CREATE TRIGGER audit_event_keep BEFORE DELETE ON audit_event "
        f"WHEN old.at > datetime('now', '+8 hours', '-{RETENTION_DAYS} days') "
        "BEGIN SELECT RAISE(ABORT, 'audit_event rows are kept for the retention period'); END"),
]
_POSTGRESQL = [
    DDL(f"""CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'audit_event is append-only';
  END IF;
  IF OLD.at > (now() AT TIME ZONE 'Asia/Shanghai') - interval '{RETENTION_DAYS} days' THEN
    RAISE EXCEPTION 'audit_event rows are kept for the retention period';
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql"""),
    DDL("CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_guard()"),
]
for _ddl in _SQLITE:
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
for _ddl in _POSTGRESQL:
    event.listen(AuditEvent.__table__, "after_create", _ddl.execute_if(dialect="postgresql"))
GUARD_DDL = {"sqlite": [str(d.statement) for d in _SQLITE], "postgresql": [str(d.statement) for d in _POSTGRESQL]}
