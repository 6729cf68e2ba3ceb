"""Reading the audit log: the admin's search and export."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, select

from portal.audit.models import AuditEvent
from portal.extensions import db

EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditFilter:
    event: str = ""
    username: str = ""
    result: str = ""
    address: str = ""
    object_id: str = ""
    date_from: date | None = None
    date_to: date | None = None


def search(f: AuditFilter) -> Select:
    stmt = select(AuditEvent)
    if f.event:
        stmt = stmt.where(AuditEvent.event.startswith(f.event, autoescape=True))
    if f.username:
        stmt = stmt.where(AuditEvent.username.contains(f.username.strip(), autoescape=True))
    if f.result:
        stmt = stmt.where(AuditEvent.result == f.result)
    if f.address:
        stmt = stmt.where(AuditEvent.address.startswith(f.address.strip(), autoescape=True))
    if f.object_id:
        stmt = stmt.where(AuditEvent.object_id == f.object_id.strip())
    if f.date_from:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(f.date_from, time.min))
    if f.date_to:
        stmt = stmt.where(AuditEvent.at < datetime.combine(f.date_to + timedelta(days=1), time.min))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def page(f: AuditFilter, number: int, per_page: int):
    return db.paginate(search(f), page=number, per_page=per_page, error_out=False)


def rows_for_export(f: AuditFilter) -> list[AuditEvent]:
    return list(db.session.scalars(search(f).limit(EXPORT_LIMIT)))
